"""The observability example: one escaped log line per refusal and per-origin counts."""

from __future__ import annotations

import json
import logging
from types import ModuleType

import pytest
from flask import Flask
from helpers import SPA, acao, get, load_example, preflight

LOGGER = "cors.rejections"
EVIL = "https://evil.example"


@pytest.fixture(scope="module")
def example() -> ModuleType:
    return load_example("observability")


@pytest.fixture
def app(example: ModuleType) -> Flask:
    app: Flask = example.create_app()
    app.testing = True
    return app


def lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Messages of the example's logger, each checked to be one physical line."""
    messages = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    for message in messages:
        assert message.splitlines() == [message]
        assert not any(ord(c) < 0x20 or c == "\x7f" for c in message)
    return messages


def test_importing_does_not_start_a_server(example: ModuleType) -> None:
    assert isinstance(example.app, Flask)


def test_rejected_origin_logs_one_line(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    response = get(app, "/api/items", EVIL)
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
    [message] = lines(caplog)
    record = json.loads(message)
    assert record["event"] == "cors.origin_rejected"
    assert record["origin"] == EVIL
    assert record["reason"] == "origin"
    assert record["endpoint"] == "api.items"
    assert record["blueprint"] == "api"
    assert record["preflight"] is False


def test_refused_preflight_logs_one_line(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    preflight(app, "/api/items", SPA, "DELETE")
    [message] = lines(caplog)
    record = json.loads(message)
    assert record["event"] == "cors.preflight_rejected"
    assert record["reason"] == "method"
    assert record["method"] == "DELETE"
    assert record["origin"] == SPA


def test_allowed_and_same_origin_requests_log_nothing(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    assert acao(get(app, "/api/items", SPA)) == SPA
    get(app, "/api/items", "https://shop.partner.example")
    get(app, "/api/items", origin=None)
    get(app, "/api/items", "http://localhost")
    assert lines(caplog) == []


@pytest.mark.parametrize(
    "origin",
    [
        EVIL + "\r\nWARNING cors.rejections admin logged in from 10.0.0.1",
        EVIL + "\n{\"event\":\"cors.origin_rejected\",\"origin\":\"forged\"}",
        EVIL + "\x1b[2K\x1b[1Afake\x85next\u2028line",
        "\r",
    ],
)
def test_log_injection_is_escaped(
    app: Flask, caplog: pytest.LogCaptureFixture, origin: str
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    app.test_client().get("/api/items", environ_overrides={"HTTP_ORIGIN": origin})
    [message] = lines(caplog)
    assert "\r" not in message and "\n" not in message and "\x1b" not in message
    assert message.isascii()
    assert json.loads(message)["origin"] == origin  # escaped, not altered
    formatted = [line for line in caplog.text.splitlines() if LOGGER in line]
    assert len(formatted) == 1
    assert "\r" not in caplog.text


def test_counter_counts_per_origin(app: Flask) -> None:
    client = app.test_client()
    for _ in range(3):
        get(app, "/api/items", EVIL)
    client.post("/api/items", headers={"Origin": "https://other.example"})
    preflight(app, "/api/items", EVIL, "GET")
    preflight(app, "/api/items", SPA, "DELETE")
    get(app, "/api/items", SPA)  # allowed: not counted
    get(app, "/api/items", origin=None)  # not counted
    metrics = client.get("/metrics/cors").get_json()
    assert metrics["by_origin"] == {EVIL: 4, "https://other.example": 1, SPA: 1}
    assert metrics["by_reason"] == {"origin": 5, "method": 1}
    assert metrics["total"] == 6


def test_counter_is_per_app(example: ModuleType) -> None:
    first, second = example.create_app(), example.create_app()
    get(first, "/api/items", EVIL)
    assert second.test_client().get("/metrics/cors").get_json()["total"] == 0
    assert first.test_client().get("/metrics/cors").get_json()["by_origin"] == {EVIL: 1}


def test_metrics_escape_hostile_origins(app: Flask) -> None:
    client = app.test_client()
    origin = EVIL + "\r\nX-Injected: 1"
    client.get("/api/items", environ_overrides={"HTTP_ORIGIN": origin})
    response = client.get("/metrics/cors")
    assert b"\r\nX-Injected" not in response.data
    assert response.get_json()["by_origin"] == {origin: 1}


def test_counter_keeps_a_bounded_number_of_origins(example: ModuleType) -> None:
    counter = example.RejectionCounter(max_origins=2)
    for origin in ["https://a.example", "https://b.example", "https://c.example",
                   "https://d.example", "https://a.example"]:
        counter.add(origin, "origin")
    assert counter.snapshot()["by_origin"] == {
        "https://a.example": 2, "https://b.example": 1, example.OTHER: 2
    }


def test_very_long_origins_are_cut_in_logs_and_counts(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    client = app.test_client()
    for n in range(3):
        client.get("/api/items", headers={"Origin": f"https://{n}" + "a" * 60_000 + ".example"})
    logged = [json.loads(line)["origin"] for line in lines(caplog)]
    assert len(logged) == 3
    assert all(len(origin) < 300 and origin.endswith("...(60017 chars)") for origin in logged)
    metrics = client.get("/metrics/cors")
    assert len(metrics.data) < 2_000
    assert sum(metrics.get_json()["by_origin"].values()) == 3
