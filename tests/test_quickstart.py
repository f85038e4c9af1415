"""The README's quickstart, as shipped in examples/quickstart.py."""

from __future__ import annotations

from flask import Flask
from helpers import SPA, get, load_example, preflight


def load() -> Flask:
    app: Flask = load_example("quickstart").app
    return app


def test_quickstart_serves_cors() -> None:
    app = load()
    r = get(app, "/api/items", SPA)
    assert r.headers["Access-Control-Allow-Origin"] == SPA
    assert r.headers["Access-Control-Allow-Credentials"] == "true"
    partner = "https://shop.partner.example"
    assert get(app, "/api/items", partner).headers["Access-Control-Allow-Origin"] == partner
    assert "Access-Control-Allow-Origin" not in get(app, "/api/items", "https://evil.example").headers
    anyone = get(app, "/api/status", "https://evil.example")
    assert anyone.headers["Access-Control-Allow-Origin"] == "https://evil.example"
    assert "Access-Control-Allow-Credentials" not in anyone.headers
    p = preflight(app, "/api/items", SPA, "GET")
    assert p.headers["Access-Control-Max-Age"] == "600"


def test_readme_provenance_example() -> None:
    policy = load().extensions["cors"].policy_for("api.status")
    assert (policy.origins, policy.source("origins"), policy.max_age, policy.source("max_age")) == (
        ("*",), "route", 600, "app")
