"""The deliberate differences from Flask-CORS 6.0.2 (docs/migrating.rst), side by side.

Each test sends the same request to an app set up with Flask-CORS and to one set up with
flask_cors_bp, and shows that flask_cors_bp does the safe thing where Flask-CORS does not.
"""

from __future__ import annotations

import re
from typing import Any, Callable

import flask_cors
import pytest
from flask import Flask, Response, make_response
from helpers import SPA, acao, get, grants, preflight, vary_names

import flask_cors_bp

EVIL = "https://evil.net"

Extension = Callable[..., object]


def make_app(extension: Extension, **options: Any) -> Flask:
    """An app with ``extension(app, **options)``, ``/r`` (GET, PUT) and a catch-all route."""
    app = Flask(f"vs_{extension.__module__}")
    extension(app, **options)

    @app.route("/r", methods=["GET", "PUT"])
    def resource() -> Response:
        response = make_response("ok")
        response.headers["Vary"] = "Accept-Encoding"
        return response

    @app.route("/<path:anything>")
    def catch_all(anything: str) -> str:
        return anything

    return app


def both(**options: Any) -> tuple[Flask, Flask]:
    """(Flask-CORS app, flask_cors_bp app) with the same options."""
    return make_app(flask_cors.CORS, **options), make_app(flask_cors_bp.CORS, **options)


def test_regex_origins_are_full_matched() -> None:
    theirs, ours = both(origins=[r"https://.*\.example\.com"])
    hostile = "https://a.example.com.evil.net"

    assert acao(get(theirs, "/r", origin=hostile)) == hostile
    assert grants(get(ours, "/r", origin=hostile)) == {}
    assert grants(preflight(ours, "/r", hostile, "GET")) == {}
    legit = "https://a.example.com"
    assert get(ours, "/r", origin=legit).headers["Access-Control-Allow-Origin"] == legit


@pytest.mark.parametrize("options", [{}, {"origins": "*"}, {"origins": ["*"]}], ids=repr)
def test_credentials_with_any_origin_is_refused_at_configuration(options: dict[str, Any]) -> None:
    theirs = make_app(flask_cors.CORS, supports_credentials=True, **options)
    response = get(theirs, "/r", origin=EVIL)
    assert acao(response) == EVIL
    assert response.headers.get("Access-Control-Allow-Credentials") == "true"

    with pytest.raises(flask_cors_bp.CorsConfigError):
        make_app(flask_cors_bp.CORS, supports_credentials=True, **options)


def _override_app(extension: Extension, decorator: Callable[..., Any]) -> Flask:
    app = Flask(f"override_{extension.__module__}")
    extension(app, origins=[SPA])

    @app.route("/o", methods=["GET", "POST"])
    @decorator(methods=["GET", "POST"])
    def overridden() -> str:
        return "ok"

    return app


def test_route_override_merges_over_app_policy() -> None:
    theirs = _override_app(flask_cors.CORS, flask_cors.cross_origin)
    ours = _override_app(flask_cors_bp.CORS, flask_cors_bp.cross_origin)

    assert acao(get(theirs, "/o", EVIL)) == EVIL
    assert grants(get(ours, "/o", EVIL)) == {}
    assert grants(preflight(ours, "/o", EVIL, "POST")) == {}
    assert get(ours, "/o", SPA).headers["Access-Control-Allow-Origin"] == SPA
    granted = preflight(ours, "/o", SPA, "POST")
    assert granted.headers["Access-Control-Allow-Origin"] == SPA


def test_route_override_merges_over_blueprint_policy() -> None:
    app = Flask("override_blueprint")
    flask_cors_bp.CORS(app)
    api = flask_cors_bp.CorsBlueprint(
        "api", __name__, url_prefix="/api", origins=[SPA], supports_credentials=True
    )

    @api.route("/o", methods=["GET", "POST"])
    @flask_cors_bp.cross_origin(methods=["GET", "POST"])
    def overridden() -> str:
        return "ok"

    app.register_blueprint(api)
    assert grants(get(app, "/api/o", EVIL)) == {}
    response = get(app, "/api/o", SPA)
    assert response.headers["Access-Control-Allow-Origin"] == SPA
    assert response.headers["Access-Control-Allow-Credentials"] == "true"


@pytest.mark.parametrize("method", ["ET", "GE", "OST", "GET, POST"])
def test_method_check_is_exact(method: str) -> None:
    theirs, ours = both(origins=[SPA], methods=["GET", "POST"])

    response = preflight(theirs, "/r", SPA, method)
    assert acao(response) == SPA
    assert "Access-Control-Allow-Methods" in response.headers
    refused = preflight(ours, "/r", SPA, method)
    assert refused.status_code < 500
    assert grants(refused) == {}
    assert preflight(ours, "/r", SPA, "GET").headers["Access-Control-Allow-Origin"] == SPA


def test_request_path_is_decoded_once() -> None:
    theirs, ours = both(resources={r"/api/*": {"origins": SPA}})

    assert acao(get(theirs, "/%2561pi/x", SPA))
    response = get(ours, "/%2561pi/x", SPA)
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "%61pi/x"  # the route saw the once-decoded path
    assert "Access-Control-Allow-Origin" not in response.headers
    assert get(ours, "/api/x", SPA).headers["Access-Control-Allow-Origin"] == SPA


def test_vary_is_merged_into_one_header() -> None:
    theirs, ours = both(origins=[SPA, "https://other.example.com"])

    assert len(get(theirs, "/r", origin=SPA).headers.getlist("Vary")) == 2
    response = get(ours, "/r", origin=SPA)
    assert response.headers["Access-Control-Allow-Origin"] == SPA
    assert len(response.headers.getlist("Vary")) == 1
    assert vary_names(response) == {"accept-encoding", "origin"}


@pytest.mark.parametrize(
    ("origins", "origin"),
    [([SPA, "https://other.example.com"], EVIL), ([SPA], None)],
    ids=["rejected", "no-origin"],
)
def test_vary_origin_on_rejected_and_no_origin_responses(
    origins: list[str], origin: str | None
) -> None:
    theirs, ours = both(origins=origins)

    assert "origin" not in vary_names(get(theirs, "/r", origin=origin))
    response = get(ours, "/r", origin=origin)
    assert len(response.headers.getlist("Vary")) == 1
    assert vary_names(response) == {"accept-encoding", "origin"}
    assert grants(response) == {}


@pytest.mark.parametrize(
    "options",
    [
        {"origin": SPA},
        {"supports_credential": True},
        {"allowed_headers": ["X-Token"]},
        {"max_age": "ten"},
        {"origins": [SPA + "/"]},
    ],
    ids=repr,
)
def test_unknown_options_and_bad_values_are_errors(options: dict[str, Any]) -> None:
    theirs = make_app(flask_cors.CORS, **options)  # Flask-CORS accepts it without a word
    assert get(theirs, "/r", origin=SPA).status_code == 200

    with pytest.raises(flask_cors_bp.CorsConfigError) as info:
        make_app(flask_cors_bp.CORS, **options)
    assert next(iter(options)) in str(info.value)


def test_misspelled_origins_option_does_not_open_the_app() -> None:
    theirs = make_app(flask_cors.CORS, origin=SPA)
    assert acao(get(theirs, "/r", origin=EVIL)) == EVIL

    with pytest.raises(flask_cors_bp.CorsConfigError) as info:
        make_app(flask_cors_bp.CORS, origin=SPA)
    assert "origins" in str(info.value)  # the hint names the option that was meant


def test_single_origin_grant_varies_on_origin() -> None:
    """Flask-CORS sends a lone configured origin without ``Vary: Origin``: caches mix it up."""
    theirs, ours = both(origins=[SPA])

    assert "origin" not in vary_names(get(theirs, "/r", origin=SPA))
    assert "origin" in vary_names(get(ours, "/r", origin=SPA))


def test_glob_means_subdomains() -> None:
    theirs, ours = both(origins=["https://*.example.com"])

    assert acao(get(theirs, "/r", origin="https://xexample.com"))
    assert "Access-Control-Allow-Origin" not in get(theirs, "/r", origin="https://a.example.com").headers

    for origin in ["https://a.example.com", "https://a.b.example.com"]:
        assert get(ours, "/r", origin=origin).headers["Access-Control-Allow-Origin"] == origin
    for origin in ["https://xexample.com", "https://example.com", "https:/xexample.com"]:
        assert grants(get(ours, "/r", origin=origin)) == {}


@pytest.mark.parametrize(
    ("options", "method", "request_headers"),
    [
        ({"methods": ["GET"]}, "PUT", None),
        ({"allow_headers": ["X-A"]}, "GET", "X-B"),
        ({"allow_headers": ["X-A"]}, "GET", "X-A, X-B"),
    ],
    ids=["method", "header", "one-header-of-two"],
)
def test_refused_preflight_carries_no_allow_origin(
    options: dict[str, Any], method: str, request_headers: str | None
) -> None:
    theirs, ours = both(origins=[SPA], **options)

    response = preflight(theirs, "/r", SPA, method, request_headers)
    assert acao(response) == SPA
    refused = preflight(ours, "/r", SPA, method, request_headers)
    assert refused.status_code < 500
    assert grants(refused) == {}
    assert "origin" in vary_names(refused)


@pytest.mark.parametrize("origins", [SPA, [SPA]], ids=["str", "list"])
@pytest.mark.parametrize("path", ["/r", "/elsewhere"])
def test_request_without_origin_never_gets_a_configured_name(origins: object, path: str) -> None:
    theirs, ours = both(origins=origins, always_send=True)

    assert acao(get(theirs, path, origin=None)) == SPA
    response = get(ours, path, origin=None)
    assert response.status_code == 200
    assert grants(response) == {}


def test_request_without_origin_to_any_origin_policy_gets_star_in_both() -> None:
    """Where Flask-CORS is safe, flask_cors_bp behaves the same."""
    theirs, ours = both()

    assert acao(get(theirs, "/r", origin=None)) == "*"
    assert acao(get(ours, "/r", origin=None)) == "*"


def test_full_match_applies_to_compiled_patterns_too() -> None:
    pattern = re.compile(r"https://[a-z]+\.example\.com")
    theirs, ours = both(origins=[pattern])
    hostile = "https://app.example.com.evil.net"

    assert acao(get(theirs, "/r", origin=hostile)) == hostile
    assert grants(get(ours, "/r", origin=hostile)) == {}
