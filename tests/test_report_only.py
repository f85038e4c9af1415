"""Report-only candidate policies: responses follow the enforced policy, reports follow the
candidate, resolved per endpoint by the same precedence as the enforced policy."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Blueprint, Flask
from helpers import OTHER, SPA, cors_headers, get, ok, preflight

from flask_cors_bp import (
    CORS,
    CorsBlueprint,
    CorsConfigError,
    cross_origin,
    origin_rejected,
    preflight_rejected,
    report_only_rejected,
)

PARTNER = "https://partner.example.com"
EVIL = "https://evil.example.net"


@contextmanager
def reports(app: Flask) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Every rejection signal ``app`` sends, as (signal name, payload)."""
    seen: list[tuple[str, dict[str, Any]]] = []
    receivers = {}
    for signal in (origin_rejected, preflight_rejected, report_only_rejected):
        def receive(sender: Flask, _name: str = signal.name, **payload: Any) -> None:
            assert sender is app
            seen.append((_name, payload))
        receivers[signal] = receive
        signal.connect(receive, app)
    try:
        yield seen
    finally:
        for signal, receive in receivers.items():
            signal.disconnect(receive, app)


def names(seen: list[tuple[str, dict[str, Any]]]) -> list[str]:
    return [name.removeprefix("cors-") for name, _ in seen]


def app_with(**options: Any) -> Flask:
    app = Flask(__name__)
    CORS(app, **options)
    app.add_url_rule("/r", "r", ok, methods=["GET", "PUT", "DELETE"])
    return app


LIVE = {"origins": [SPA, PARTNER], "methods": ["GET", "PUT", "DELETE"],
        "allow_headers": ["Content-Type", "X-Legacy"], "allow_private_network": True}


def test_responses_follow_the_enforced_policy_and_the_candidate_reports() -> None:
    plain = app_with(**LIVE)
    app = app_with(**LIVE, report_only={"origins": [SPA]})
    with reports(app) as seen:
        response = get(app, "/r", origin=PARTNER)
    assert cors_headers(response) == cors_headers(get(plain, "/r", origin=PARTNER))
    assert response.headers["Access-Control-Allow-Origin"] == PARTNER
    assert names(seen) == ["report-only-rejected"]
    payload = seen[0][1]
    assert {k: v for k, v in payload.items() if k != "policy"} == {
        "origin": PARTNER, "reason": "origin", "endpoint": "r", "blueprint": None,
        "preflight": False}
    candidate = payload["policy"]
    assert candidate.origins == (SPA,)
    assert candidate is app.extensions["cors"].policy_for("r").report_only
    with reports(app) as seen:
        get(app, "/r", origin=SPA)  # both grant: nothing to report
        get(app, "/r", origin=None)  # not a CORS request
    assert seen == []


def test_an_enforced_refusal_is_reported_only_as_a_refusal() -> None:
    app = app_with(**LIVE, report_only={"origins": [SPA]})
    with reports(app) as seen:
        assert cors_headers(get(app, "/r", origin=EVIL)) == {}
        assert cors_headers(preflight(app, "/r", origin=SPA, method="PATCH")) == {}
    assert names(seen) == ["origin-rejected", "preflight-rejected"]


@pytest.mark.parametrize(
    ("candidate", "ask", "reason"),
    [
        ({"origins": [SPA]}, {"origin": PARTNER}, "origin"),
        ({"methods": ["GET", "PUT"]}, {"method": "DELETE"}, "method"),
        ({"allow_headers": ["Content-Type"]}, {"headers": "content-type, x-legacy"}, "headers"),
        ({"allow_private_network": False}, {"private_network": True}, "private_network"),
    ],
    ids=["origin", "method", "headers", "private-network"],
)
def test_a_preflight_the_candidate_would_refuse(
    candidate: dict[str, Any], ask: dict[str, Any], reason: str
) -> None:
    app = app_with(**LIVE, report_only=candidate)
    request = {"origin": SPA, "method": "DELETE", "headers": "content-type", **ask}
    with reports(app) as seen:
        response = preflight(app, "/r", **request)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == request["origin"]
    assert names(seen) == ["report-only-rejected"]
    payload = seen[0][1]
    assert (payload["reason"], payload["preflight"], payload["method"]) == (
        reason, True, request["method"])
    assert payload["headers"] == tuple(h.strip() for h in request["headers"].split(","))


def test_candidates_follow_the_same_precedence_as_policies() -> None:
    app = Flask(__name__)
    app.config["CORS_REPORT_ONLY"] = {"max_age": 60}
    app.config["CORS_BLUEPRINTS"] = {"partners": {"report_only": {"methods": ["GET"]}}}
    cors = CORS(app, origins=[SPA, PARTNER], report_only={"origins": [SPA]})
    api = CorsBlueprint("api", __name__, url_prefix="/api", origins=[SPA, PARTNER, OTHER],
                        report_only={"origins": [SPA, OTHER]})
    api.add_url_rule("/items", "items", ok)

    @api.route("/open", endpoint="open")
    @cross_origin(origins="*", report_only={"origins": [SPA]})
    def open_() -> str:
        return "open"

    api.add_url_rule("/own", "own", ok)
    partners = Blueprint("partners", __name__, url_prefix="/partners")
    partners.add_url_rule("/feed", "feed", ok)
    app.add_url_rule("/plain", "plain", ok)
    app.register_blueprint(api)
    app.register_blueprint(partners)

    def candidate(endpoint: str) -> Any:
        policy = cors.policy_for(endpoint)
        assert policy is not None
        return policy.report_only

    plain = candidate("plain")
    assert (plain.origins, plain.source("origins")) == ((SPA,), "app report_only")
    assert (plain.max_age, plain.source("max_age")) == (60, "config CORS_REPORT_ONLY")
    items = candidate("api.items")  # the blueprint's own origins replace the app candidate's
    assert (items.origins, items.source("origins")) == (
        (SPA, OTHER), "blueprint 'api' report_only")
    opened = candidate("api.open")
    assert (opened.origins, opened.source("origins")) == ((SPA,), "route report_only")
    feed = candidate("partners.feed")
    assert (feed.methods, feed.source("methods")) == (
        ("GET",), "config CORS_BLUEPRINTS['partners'] report_only")
    with reports(app) as seen:
        assert get(app, "/api/items", origin=OTHER).headers[
            "Access-Control-Allow-Origin"] == OTHER
        get(app, "/api/open", origin=EVIL)
    assert [(p["endpoint"], p["origin"]) for _, p in seen] == [("api.open", EVIL)]


def test_a_candidate_that_decides_like_the_policy_is_none() -> None:
    app = Flask(__name__)
    cors = CORS(app, origins=[SPA], report_only={"origins": [SPA]})
    api = CorsBlueprint("api", __name__, url_prefix="/api", origins=[PARTNER])
    api.add_url_rule("/x", "x", ok)
    app.register_blueprint(api)
    app.add_url_rule("/y", "y", ok)
    assert cors.policy_for("y").report_only is None  # type: ignore[union-attr]
    # The blueprint's own origins win over the app's candidate: nothing left to try.
    assert cors.policy_for("api.x").report_only is None  # type: ignore[union-attr]


def test_a_resources_entry_takes_a_candidate() -> None:
    app = Flask(__name__)
    cors = CORS(app, resources={r"/api/.*": {"origins": "*", "report_only": {"origins": [SPA]}}})
    app.add_url_rule("/api/x", "x", ok)
    candidate = cors.policy_for("x").report_only  # type: ignore[union-attr]
    assert candidate is not None and candidate.source("origins") == (
        "resources r'/api/.*' report_only")
    with reports(app) as seen:
        assert get(app, "/api/x", origin=EVIL).headers["Access-Control-Allow-Origin"] == EVIL
    assert [(p["reason"], p["origin"]) for _, p in seen] == [("origin", EVIL)]


def test_cross_origin_alone_reports_too() -> None:
    app = Flask(__name__)

    @app.route("/x")
    @cross_origin(report_only={"origins": [SPA]})
    def x() -> str:
        return "x"

    with reports(app) as seen:
        assert get(app, "/x", origin=EVIL).headers["Access-Control-Allow-Origin"] == EVIL
    assert names(seen) == ["report-only-rejected"]


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda: CORS(Flask(__name__), report_only={"orgins": [SPA]}), "did you mean 'origins'"),
        (lambda: CORS(Flask(__name__), report_only=[SPA]), "must be a dict"),
        (lambda: CORS(Flask(__name__), report_only={"report_only": {}}), "no candidate"),
        (lambda: CORS(Flask(__name__), origins=[SPA], supports_credentials=True,
                      report_only={"origins": "*"}), "supports_credentials.*report_only"),
        (lambda: CorsBlueprint("bp", __name__, report_only={"max_age": -1}), "max_age"),
        (lambda: cross_origin(report_only={"methods": 5}), "methods"),
    ],
    ids=["misspelt", "not-a-dict", "nested", "credentials-any-origin", "blueprint", "route"],
)
def test_a_bad_candidate_fails_at_configuration(build: Any, match: str) -> None:
    with pytest.raises(CorsConfigError, match=match):
        build()


def test_a_candidate_that_cannot_stand_with_another_level_fails_at_registration() -> None:
    app = Flask(__name__)
    CORS(app, origins=[SPA], report_only={"origins": "*"})
    api = CorsBlueprint("api", __name__, url_prefix="/api", supports_credentials=True)
    api.add_url_rule("/x", "x", ok)
    with pytest.raises(CorsConfigError, match="supports_credentials.*report_only"):
        app.register_blueprint(api)


def test_without_a_receiver_the_candidate_is_not_consulted(monkeypatch: Any) -> None:
    import flask_cors_bp.dispatch as dispatch

    decided: list[Any] = []
    real = dispatch.decide

    def counting(policy: Any, *args: Any) -> Any:
        decided.append(policy)
        return real(policy, *args)

    monkeypatch.setattr(dispatch, "decide", counting)
    monkeypatch.setattr(report_only_rejected, "receivers", {})
    app = app_with(**LIVE, report_only={"origins": [SPA]})
    get(app, "/r", origin=PARTNER)
    assert len(decided) == 1  # the enforced decision only
    with reports(app):
        get(app, "/r", origin=PARTNER)
    assert len(decided) == 3  # and the candidate's, once someone listens
