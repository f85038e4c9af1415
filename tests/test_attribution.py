"""Each response is judged by the policy its code gives it: no level is silently skipped.

A route policy under a decorator that hides it, a ``CORS_BLUEPRINTS`` key that names no
blueprint, and 405 or redirect answers under another blueprint's prefix.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import pytest
from flask import Blueprint, Flask
from helpers import cors_headers, preflight

from flask_cors_bp import CORS, CorsBlueprint, CorsConfigError, cross_origin

A = "https://a.example.com"
B = "https://b.example.com"
EVIL = "https://evil.example.net"


def send(app: Flask, path: str, origin: str, method: str = "GET") -> Any:
    return app.test_client().open(path, method=method, headers={"Origin": origin})


def ask(app: Flask, path: str, origin: str) -> Any:
    return preflight(app, path, origin=origin, method="POST")


# -- a route policy under other decorators --------------------------------------------------


def no_wraps(view: Callable[..., Any]) -> Callable[..., Any]:
    """A login_required written without functools.wraps."""
    def inner(*args: Any, **kwargs: Any) -> Any:
        return view(*args, **kwargs)
    inner.__name__ = view.__name__
    return inner


def with_wraps(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def inner(*args: Any, **kwargs: Any) -> Any:
        return view(*args, **kwargs)
    return inner


class Guard:
    """A decorator object that keeps the view as an attribute, not in a closure."""

    def __init__(self, view: Callable[..., Any]) -> None:
        self.view = view
        self.__name__ = view.__name__

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.view(*args, **kwargs)


VIEWS: dict[str, Callable[..., Any]] = {}


def opaque(view: Callable[..., Any]) -> Callable[..., Any]:
    """A decorator that keeps no reference to the view it wraps (it looks it up by name)."""
    VIEWS[view.__name__] = view

    def inner(*args: Any, **kwargs: Any) -> Any:
        return VIEWS[inner.__name__](*args, **kwargs)
    inner.__name__ = view.__name__
    return inner


def admin_app(decorator: Callable[..., Any]) -> tuple[Flask, CORS]:
    app = Flask(__name__)
    cors = CORS(app, origins=[A, B], supports_credentials=True)

    @app.route("/admin", methods=["GET", "POST"])
    @decorator
    @cross_origin(origins=[A], supports_credentials=True)
    def admin() -> str:
        return "admin"

    return app, cors


@pytest.mark.parametrize(
    "decorator", [no_wraps, with_wraps, lambda view: no_wraps(no_wraps(view)), Guard],
    ids=["no-wraps", "wraps", "no-wraps-twice", "object"])
def test_route_policy_holds_under_a_decorator_stacked_above_it(
    decorator: Callable[..., Any]) -> None:
    app, cors = admin_app(decorator)
    assert cors_headers(send(app, "/admin", B)) == {}
    assert cors_headers(ask(app, "/admin", B)) == {}
    granted = send(app, "/admin", A)
    assert granted.headers["Access-Control-Allow-Origin"] == A
    assert granted.headers["Access-Control-Allow-Credentials"] == "true"
    assert ask(app, "/admin", A).headers["Access-Control-Allow-Origin"] == A
    policy = cors.policy_for("admin")
    assert policy is not None
    assert (policy.origins, policy.source("origins")) == ((A,), "route")


def test_a_route_policy_that_cannot_be_found_fails_closed_and_says_how_to_fix_it(
    caplog: Any) -> None:
    app, _ = admin_app(opaque)
    for _ in range(2):
        response = send(app, "/admin", B)
        assert (response.status_code, cors_headers(response)) == (200, {})
    assert cors_headers(send(app, "/admin", A)) == {}  # fails closed for everyone
    errors = [r.getMessage() for r in caplog.records
              if r.levelname == "ERROR" and "hidden" in r.getMessage()]
    assert len(errors) == 1  # once per view
    assert "functools.wraps" in errors[0] and "'admin'" in errors[0]


# -- CORS_BLUEPRINTS keys ----------------------------------------------------------------------


def misnamed_app() -> Flask:
    app = Flask(__name__)
    app.config["CORS_BLUEPRINTS"] = {"admni": {"origins": [A]}, "public": {"origins": "*"}}
    CORS(app, origins="*")
    for name in ("admin", "public"):
        bp = Blueprint(name, __name__, url_prefix=f"/{name}")
        bp.add_url_rule("/x", "x", lambda: "x")
        app.register_blueprint(bp)
    return app


def test_a_misspelt_blueprint_key_is_logged_with_a_did_you_mean(caplog: Any) -> None:
    app = misnamed_app()
    response = send(app, "/admin/x", EVIL)
    # The blueprint the key was meant for gets no grant wider than the key said: none.
    assert (response.status_code, cors_headers(response)) == (200, {})
    assert cors_headers(send(app, "/admin/x", A)) == {}
    assert send(app, "/public/x", EVIL).headers["Access-Control-Allow-Origin"] == EVIL
    errors = " ".join(r.getMessage() for r in caplog.records if r.levelname == "ERROR")
    assert "CORS_BLUEPRINTS['admni'] names no registered blueprint" in errors
    assert "did you mean 'admin'" in errors
    with pytest.raises(CorsConfigError, match="rename the key to 'admin'"):
        app.extensions["cors"].policy_for("admin.x")


def test_a_key_for_a_nested_blueprint_is_not_misnamed(caplog: Any) -> None:
    app = Flask(__name__)
    app.config["CORS_BLUEPRINTS"] = {"api.v1": {"origins": [A]}}
    CORS(app, origins=[B])
    api, v1 = Blueprint("api", __name__, url_prefix="/api"), Blueprint("v1", __name__)
    v1.add_url_rule("/x", "x", lambda: "x")
    api.register_blueprint(v1, url_prefix="/v1")
    app.register_blueprint(api)
    assert send(app, "/api/v1/x", A).headers["Access-Control-Allow-Origin"] == A
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


# -- 405 and redirects belong to the rule that owns the path --------------------------------


def test_a_405_of_an_app_route_under_a_blueprint_prefix_uses_the_routes_policy() -> None:
    app = Flask(__name__)
    CORS(app, origins=[A])
    app.add_url_rule("/api/admin", "admin", lambda: "admin")  # GET only, app level
    public = CorsBlueprint("public", __name__, url_prefix="/api", origins="*")
    public.add_url_rule("/stats", "stats", lambda: "stats")
    app.register_blueprint(public)
    response = send(app, "/api/admin", EVIL, method="POST")
    assert response.status_code == 405
    assert cors_headers(response) == {}
    assert send(app, "/api/admin", A, method="POST").headers[
        "Access-Control-Allow-Origin"] == A
    assert send(app, "/api/nope", EVIL).headers["Access-Control-Allow-Origin"] == EVIL  # a 404


def test_two_blueprints_sharing_a_prefix_each_judge_their_own_405s() -> None:
    app = Flask(__name__)
    first = CorsBlueprint("first", __name__, url_prefix="/shared", origins=[A])
    first.add_url_rule("/one", "one", lambda: "one")
    second = CorsBlueprint("second", __name__, url_prefix="/shared", origins=[B])
    second.add_url_rule("/two", "two", lambda: "two")
    app.register_blueprint(first)
    app.register_blueprint(second)
    response = send(app, "/shared/two", B, method="DELETE")
    assert (response.status_code, response.headers.get("Access-Control-Allow-Origin")) == (
        405, B)
    assert cors_headers(send(app, "/shared/two", A, method="DELETE")) == {}


def test_a_redirect_is_judged_by_the_rule_it_redirects_to() -> None:
    app = Flask(__name__)
    CORS(app, origins=[A])
    public = CorsBlueprint("public", __name__, url_prefix="/api", origins="*")
    app.register_blueprint(public)
    app.add_url_rule("/api/private/", "private", lambda: "private")  # app level, slash
    response = send(app, "/api/private", EVIL)
    assert response.status_code in (301, 308)
    assert cors_headers(response) == {}
    assert send(app, "/api/private", A).headers["Access-Control-Allow-Origin"] == A


def test_a_view_that_calls_a_decorated_view_keeps_its_own_policy(caplog: Any) -> None:
    app = Flask(__name__)
    CORS(app, origins=[A])

    @app.route("/new")
    @cross_origin(origins=[A, B])
    def new() -> str:
        return "new"

    @app.route("/old")
    def old() -> str:
        return new()  # type: ignore[no-any-return]

    assert send(app, "/old", A).headers["Access-Control-Allow-Origin"] == A
    assert cors_headers(send(app, "/old", B)) == {}  # /old's policy is the app's
    assert send(app, "/new", B).headers["Access-Control-Allow-Origin"] == B
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
