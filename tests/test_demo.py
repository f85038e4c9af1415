"""The two-origin demo (examples/demo.py): its API allows and refuses what its page claims."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import get, grants, preflight, preflight_headers, recorded
from werkzeug.test import TestResponse

PAGE = "http://127.0.0.1:8000"
API = "http://localhost:8001"
ELSEWHERE = "https://elsewhere.example"

SAFELISTED_CONTENT_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}


@pytest.fixture()
def api(demo: ModuleType) -> Flask:
    app: Flask = demo.create_api(PAGE)
    return app


def needs_preflight(call: dict[str, Any]) -> bool:
    """What a browser's fetch() does for the call: preflight unless it is a simple request."""
    if call["method"] not in ("GET", "HEAD", "POST"):
        return True
    for name, value in call.get("headers", {}).items():
        if name.lower() != "content-type" or value not in SAFELISTED_CONTENT_TYPES:
            return True
    return False


def browser_outcome(client: FlaskClient, call: dict[str, Any], origin: str) -> str:
    """Replays a page call as a browser would and says whether the page could read it."""
    headers = dict(call.get("headers", {}))
    if needs_preflight(call):
        asked = ", ".join(sorted(name.lower() for name in headers if name.lower() != "accept"))
        answer = client.options(call["path"], headers=preflight_headers(origin, call["method"], asked))
        if answer.headers.get("Access-Control-Allow-Origin") != origin:
            return "blocked"
        if call.get("credentials") and answer.headers.get("Access-Control-Allow-Credentials") != "true":
            return "blocked"
    body = json.dumps(call["body"]) if "body" in call else None
    response = client.open(
        call["path"], method=call["method"], headers={"Origin": origin, **headers}, data=body
    )
    allowed = response.headers.get("Access-Control-Allow-Origin")
    if allowed != origin and not (allowed == "*" and not call.get("credentials")):
        return "blocked"
    if call.get("credentials") and response.headers.get("Access-Control-Allow-Credentials") != "true":
        return "blocked"
    return "allowed"


def test_every_page_call_gets_the_outcome_the_page_announces(demo: ModuleType, api: Flask) -> None:
    client = api.test_client()  # one cookie jar for all the page's calls, as in a browser
    outcomes = {call["name"]: browser_outcome(client, call, PAGE) for call in demo.CALLS}
    assert outcomes == {call["name"]: call["expect"] for call in demo.CALLS}
    assert set(outcomes.values()) == {"allowed", "blocked"}


def test_page_origin_allowed_with_credentials_on_private(api: Flask) -> None:
    response = get(api, "/private/profile", PAGE)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == PAGE
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert response.headers["Access-Control-Expose-Headers"] == "X-Request-Id"
    assert "Origin" in response.headers["Vary"]


def test_private_json_post_preflight_is_granted(api: Flask) -> None:
    response = preflight(api, "/private/notes", PAGE, "POST", "content-type")
    assert response.headers["Access-Control-Allow-Origin"] == PAGE
    assert response.headers["Access-Control-Allow-Methods"] == "GET, POST"
    assert response.headers["Access-Control-Allow-Headers"] == "content-type"
    assert response.headers["Access-Control-Max-Age"] == "600"  # inherited from the app level


def test_private_refuses_other_origins_and_other_methods(api: Flask) -> None:
    other = get(api, "/private/profile", ELSEWHERE)
    assert "Access-Control-Allow-Origin" not in other.headers
    assert "Access-Control-Allow-Credentials" not in other.headers
    delete = preflight(api, "/private/notes/1", PAGE, "DELETE")
    assert grants(delete) == {}


def test_public_allows_any_origin_but_only_content_type(api: Flask) -> None:
    for origin in (PAGE, ELSEWHERE):
        response = get(api, "/public/time", origin)
        assert response.headers["Access-Control-Allow-Origin"] == origin
        assert "Access-Control-Allow-Credentials" not in response.headers
    refused = preflight(api, "/public/echo", PAGE, "POST", "content-type, x-demo-token")
    assert "Access-Control-Allow-Origin" not in refused.headers
    granted = preflight(api, "/public/echo", ELSEWHERE, "POST", "content-type")
    assert granted.headers["Access-Control-Allow-Origin"] == ELSEWHERE


@pytest.mark.parametrize("method", ["GET", "OPTIONS"])
def test_admin_refuses_the_page_origin(api: Flask, method: str) -> None:
    if method == "OPTIONS":
        response = preflight(api, "/admin/stats", PAGE, "GET")
    else:
        response = get(api, "/admin/stats", PAGE)
    assert response.status_code == 200
    assert grants(response) == {}
    assert "Origin" in response.headers["Vary"]


def test_admin_route_override_is_public(api: Flask) -> None:
    response = get(api, "/admin/health", ELSEWHERE)
    assert response.headers["Access-Control-Allow-Origin"] == ELSEWHERE


def test_admin_refusal_is_signalled(api: Flask) -> None:
    with recorded(api) as calls:
        get(api, "/admin/stats", PAGE)
    assert [(name, p["origin"], p["endpoint"], p["blueprint"]) for name, _, p in calls] == [
        ("origin_rejected", PAGE, "admin.stats", "admin")
    ]


def test_api_index_lists_policies_with_their_source(api: Flask) -> None:
    response: TestResponse = get(api, "/", PAGE)
    assert response.headers["Access-Control-Allow-Origin"] == PAGE
    policies = response.get_json()
    assert policies["/admin/stats"]["origins"] == []
    assert policies["/admin/stats"]["origins_from"] == "blueprint 'admin'"
    assert policies["/private/profile"]["origins"] == [PAGE]
    assert policies["/private/profile"]["origins_from"] == "app"
    assert policies["/admin/health"]["origins_from"] == "route"


def test_page_references_the_api_origin(demo: ModuleType) -> None:
    page = demo.create_page(API).test_client().get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"const API = {json.dumps(API)};" in html
    for call in demo.CALLS:
        assert json.dumps(call["path"]) in html


def test_default_origins_and_ports(demo: ModuleType) -> None:
    assert demo.page_origin() == PAGE
    assert demo.api_origin() == API
    assert demo.api_origin(9001) == "http://localhost:9001"
