"""The README's quickstart, as shipped in examples/quickstart.py."""

from __future__ import annotations

from flask import Flask
from helpers import load_example


def load() -> Flask:
    app: Flask = load_example("quickstart").app
    return app


def test_quickstart_serves_cors() -> None:
    client = load().test_client()
    spa = "https://app.example.com"
    r = client.get("/api/items", headers={"Origin": spa})
    assert r.headers["Access-Control-Allow-Origin"] == spa
    assert r.headers["Access-Control-Allow-Credentials"] == "true"
    partner = "https://shop.partner.example"
    assert client.get("/api/items", headers={"Origin": partner}).headers[
        "Access-Control-Allow-Origin"] == partner
    assert "Access-Control-Allow-Origin" not in client.get(
        "/api/items", headers={"Origin": "https://evil.example"}).headers
    anyone = client.get("/api/status", headers={"Origin": "https://evil.example"})
    assert anyone.headers["Access-Control-Allow-Origin"] == "https://evil.example"
    assert "Access-Control-Allow-Credentials" not in anyone.headers
    p = client.options("/api/items", headers={"Origin": spa, "Access-Control-Request-Method": "GET"})
    assert p.headers["Access-Control-Max-Age"] == "600"


def test_readme_provenance_example() -> None:
    policy = load().extensions["cors"].policy_for("api.status")
    assert (policy.origins, policy.source("origins"), policy.max_age, policy.source("max_age")) == (
        ("*",), "route", 600, "app")
