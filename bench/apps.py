"""The apps measured: one small Flask app, built bare, with Flask-CORS or with a flask_cors_bp."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import flask_cors  # type: ignore[import-untyped]
from flask import Blueprint, Flask
from werkzeug.test import EnvironBuilder

from bench.libs import FC, Lib

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Environ = dict[str, Any]
Resources = dict[str, dict[str, Any]]

ORIGINS = ["https://a.example.org", "https://b.example.org", "https://c.example.org"]
API: Resources = {r"/api/*": {"origins": ORIGINS}}


def view() -> str:
    return "ok"


def base_app() -> Flask:
    app = Flask(__name__)
    app.add_url_rule("/api/items", "items", view, methods=["GET", "PUT"])
    app.add_url_rule("/other", "other", view)
    return app


def fc_app(resources: Resources) -> Flask:
    app = base_app()
    flask_cors.CORS(app, resources=resources)
    return app


def bp_app(resources: Resources, lib: Lib) -> Flask:
    app = base_app()
    lib.cors(app, resources=resources)
    return app


def blueprints_app(n: int, kind: str, lib: Lib | None = None) -> Flask:
    """``n`` blueprints at /bp0 ... /bp{n-1}, each with its own allowed origin.

    ``kind`` is BARE, FC or a flask_cors_bp column, whose ``CorsBlueprint`` is ``lib``'s.
    """
    app = Flask(__name__)
    resources: Resources = {}
    for i in range(n):
        prefix, origins = f"/bp{i}", [f"https://app{i}.example.com"]
        bp: Blueprint
        if lib is not None:
            bp = lib.blueprint(f"bp{i}", url_prefix=prefix, origins=origins)
        else:
            bp = Blueprint(f"bp{i}", __name__, url_prefix=prefix)
        bp.add_url_rule("/items", "items", view)
        app.register_blueprint(bp)
        resources[prefix + "/*"] = {"origins": origins}
    if kind == FC:
        flask_cors.CORS(app, resources=resources)
    return app


def hooked(build: Callable[..., Flask]) -> Callable[..., Flask]:
    """The same app with a ``before_request`` hook, as most real apps have (here a no-op
    that loads no user): flask_cors_bp then keeps answering preflights ahead of it."""
    def with_hook(*args: Any) -> Flask:
        app = build(*args)

        @app.before_request
        def load_user() -> None:
            return None

        return app

    return with_hook


def environ(path: str, method: str = "GET", **headers: str) -> Environ:
    hdrs = {name.replace("_", "-"): value for name, value in headers.items()}
    return EnvironBuilder(
        path=path, method=method, headers=list(hdrs.items()), base_url="http://localhost"
    ).get_environ()


def hook_style(lib: Lib) -> str:
    """How a flask_cors_bp gets onto the request path of an app (seen on a built app)."""
    app = bp_app(API, lib)
    patched = [name for name in ("preprocess_request", "process_response") if name in vars(app)]
    if patched:
        return "wraps the app's " + " and ".join(f"``{name}``" for name in patched)
    if "wsgi_app" in vars(app):
        return ("wraps ``app.wsgi_app`` in a WSGI middleware (and puts a ``before_request`` "
                "function first in line while the app has hooks of its own)")
    return "adds functions to the app's ``before_request`` and ``after_request`` hook lists"
