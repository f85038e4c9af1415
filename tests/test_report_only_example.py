"""The report-only example: the live policy answers, the candidate's refusals are counted."""

from __future__ import annotations

import logging
from types import ModuleType
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import load_example

from flask_cors_bp import preflight_rejected

LOGGER = "cors.report_only"
KEPT = "https://shop.partner.example"  # the candidate keeps it
SPA = "https://app.example.com"  # the candidate keeps it
DROPPED = "https://old-reseller.example"  # the live policy grants it, the candidate would not


@pytest.fixture(scope="module")
def example() -> ModuleType:
    return load_example("report_only")


@pytest.fixture
def app(example: ModuleType) -> Flask:
    app: Flask = example.create_app()
    app.testing = True
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def reports(client: FlaskClient) -> list[dict[str, Any]]:
    response = client.get("/cors-reports")
    assert response.status_code == 200
    return response.get_json()["reports"]  # type: ignore[no-any-return]


def preflight(client: FlaskClient, path: str, origin: str, method: str) -> Any:
    return client.options(
        path, headers={"Origin": origin, "Access-Control-Request-Method": method}
    )


def test_importing_does_not_start_a_server(example: ModuleType) -> None:
    assert isinstance(example.app, Flask)
    assert example.app.extensions["cors_reports"].snapshot() == []


def test_origin_the_candidate_keeps_is_not_reported(client: FlaskClient) -> None:
    for origin in (KEPT, SPA):
        response = client.get("/api/items", headers={"Origin": origin})
        assert response.headers["Access-Control-Allow-Origin"] == origin
        assert response.get_json() == {"items": ["a", "b"]}
    assert reports(client) == []


def test_origin_the_candidate_drops_is_granted_and_counted(client: FlaskClient) -> None:
    for _ in range(3):
        response = client.get("/api/items", headers={"Origin": DROPPED})
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Origin"] == DROPPED
    client.get("/api/items/7", headers={"Origin": DROPPED})
    assert reports(client) == [
        {"origin": DROPPED, "endpoint": "api.items", "reason": "origin", "count": 3},
        {"origin": DROPPED, "endpoint": "api.item", "reason": "origin", "count": 1},
    ]


def test_preflight_for_a_method_the_candidate_drops_is_counted(client: FlaskClient) -> None:
    response = preflight(client, "/api/items/1", SPA, "DELETE")
    assert response.headers["Access-Control-Allow-Origin"] == SPA
    assert "DELETE" in response.headers["Access-Control-Allow-Methods"]
    assert reports(client) == [
        {"origin": SPA, "endpoint": "api.item", "reason": "method", "count": 1}
    ]


def test_preflight_both_policies_allow_is_not_counted(client: FlaskClient) -> None:
    response = preflight(client, "/api/items", KEPT, "POST")
    assert response.headers["Access-Control-Allow-Origin"] == KEPT
    assert reports(client) == []


def test_enforced_refusal_is_not_counted(app: Flask, client: FlaskClient) -> None:
    refused: list[str] = []

    def on_refused(sender: Flask, reason: str, **extra: Any) -> None:
        refused.append(reason)

    with preflight_rejected.connected_to(on_refused, app):
        response = preflight(client, "/api/items/1", DROPPED, "PUT")  # the live policy refuses
    assert "Access-Control-Allow-Origin" not in response.headers
    assert refused == ["method"]
    assert reports(client) == []


def test_public_route_keeps_any_origin_in_the_candidate(client: FlaskClient) -> None:
    response = client.get("/api/status", headers={"Origin": DROPPED})
    assert response.headers["Access-Control-Allow-Origin"] == DROPPED
    assert reports(client) == []


def test_requests_that_are_not_cors_are_not_counted(client: FlaskClient) -> None:
    client.get("/api/items")  # no Origin
    client.get("/api/items", headers={"Origin": "http://localhost"})  # same origin
    client.get("/", headers={"Origin": DROPPED})  # a route without a CORS policy
    assert reports(client) == []


def test_reports_endpoint_has_no_cors(client: FlaskClient) -> None:
    client.get("/api/items", headers={"Origin": DROPPED})
    response = client.get("/cors-reports", headers={"Origin": DROPPED})
    assert response.status_code == 200
    assert not [name for name in response.headers.keys() if name.startswith("Access-Control-")]
    assert len(response.get_json()["reports"]) == 1


def test_a_session_of_mixed_traffic(client: FlaskClient) -> None:
    client.get("/api/items", headers={"Origin": KEPT})
    client.get("/api/items", headers={"Origin": DROPPED})
    client.post("/api/items", headers={"Origin": DROPPED})
    preflight(client, "/api/items/1", SPA, "DELETE")
    preflight(client, "/api/items/1", DROPPED, "DELETE")  # origin is checked first
    preflight(client, "/api/items/1", SPA, "PUT")  # refused by the live policy
    assert reports(client) == [
        {"origin": DROPPED, "endpoint": "api.items", "reason": "origin", "count": 2},
        {"origin": SPA, "endpoint": "api.item", "reason": "method", "count": 1},
        {"origin": DROPPED, "endpoint": "api.item", "reason": "origin", "count": 1},
    ]


def test_counts_are_per_app(example: ModuleType) -> None:
    first, second = example.create_app(), example.create_app()
    first.test_client().get("/api/items", headers={"Origin": DROPPED})
    assert reports(second.test_client()) == []
    assert len(reports(first.test_client())) == 1


def test_each_new_report_is_logged_once_and_escaped(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    hostile = "https://x.example\r\nINFO cors.report_only forged line\x1b[2K"
    for _ in range(2):
        client.get("/api/items", environ_overrides={"HTTP_ORIGIN": hostile})
        client.get("/api/items", headers={"Origin": DROPPED})
    messages = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert len(messages) == 2
    for message in messages:
        assert message.isprintable() and message.isascii()
    assert ascii(hostile) in messages[0]
    assert ascii(DROPPED) in messages[1]
    assert [r["origin"] for r in reports(client)] == [hostile, DROPPED]  # exact, as JSON


def test_counter_keeps_a_bounded_number_of_keys(example: ModuleType) -> None:
    counter = example.ReportCounter(max_keys=2)
    for n in (1, 2, 3, 4, 1):
        counter.add(f"https://{n}.example", "api.items", "origin")
    assert {(row["origin"], row["count"]) for row in counter.snapshot()} == {
        ("https://1.example", 2), ("https://2.example", 1), (example.OTHER, 2)
    }


def test_very_long_origins_are_cut(client: FlaskClient) -> None:
    for n in range(3):
        client.get("/api/items", headers={"Origin": f"https://{n}" + "a" * 50_000 + ".example"})
    rows = reports(client)
    assert len(rows) == 3
    assert all(row["origin"].endswith("...(50017 chars)") for row in rows)
