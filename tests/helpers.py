"""What the tests call: origins, an app factory, requests, response readers, examples.

Fixtures live in ``conftest.py``; everything a test calls directly lives here and is
imported by name (``from helpers import SPA, get, preflight, acao``).

Requests go through Flask's test client::

    get(app, "/api/x")                              # GET with Origin: SPA
    get(app, "/api/x", origin=None)                 # no Origin header
    preflight(app, "/api/x", method="GET", headers="X-Token")

and responses are read with ``acao`` (the ``Access-Control-Allow-Origin`` value or None),
``cors_headers`` (every ``Access-Control-*`` header), ``grants`` (every
``Access-Control-Allow-*`` header) and ``vary_names``.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from flask import Flask
from werkzeug.test import TestResponse

from flask_cors_bp import CORS
from flask_cors_bp.signals import origin_rejected, preflight_rejected

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

SPA = "https://app.example.com"  # the origin a test's policy allows, unless it says otherwise
OTHER = "https://other.example.com"  # a second well-formed origin, allowed only where said


def ok() -> str:
    """A view that answers ``"ok"``."""
    return "ok"


def cors_app(**options: Any) -> Flask:
    """An app with ``CORS(app, **options)`` and one route, ``/r`` (GET, POST), answering "ok"."""
    app = Flask(__name__)
    CORS(app, **options)
    app.add_url_rule("/r", "resource", ok, methods=["GET", "POST"])
    return app


# -- requests -------------------------------------------------------------------------------


def preflight_headers(
    origin: str, method: str = "PUT", headers: str | None = None, private_network: bool = False
) -> dict[str, str]:
    """The request headers of a preflight; ``headers`` is the requested header list, if any."""
    sent = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers:
        sent["Access-Control-Request-Headers"] = headers
    if private_network:
        sent["Access-Control-Request-Private-Network"] = "true"
    return sent


def get(app: Flask, path: str, origin: str | None = SPA, **kw: Any) -> TestResponse:
    """``GET path`` with ``Origin: origin`` (no ``Origin`` header when it is None).

    ``kw`` goes to the test client (``base_url=...``, ``environ_overrides=...``).
    """
    headers = {} if origin is None else {"Origin": origin}
    return app.test_client().get(path, headers=headers, **kw)


def preflight(
    app: Flask,
    path: str,
    origin: str = SPA,
    method: str = "PUT",
    headers: str | None = None,
    private_network: bool = False,
    **kw: Any,
) -> TestResponse:
    """A preflight (``OPTIONS``) for ``method`` and the requested ``headers``, if any."""
    sent = preflight_headers(origin, method, headers, private_network)
    return app.test_client().options(path, headers=sent, **kw)


def wsgi(value: str) -> str:
    """A header value as a WSGI server puts it in the environ: UTF-8 bytes read as latin-1.

    Passed through ``environ_overrides``, it reaches the app even when it holds bytes the
    test client refuses in a header (CR, LF, NUL).
    """
    return value.encode("utf-8", "surrogatepass").decode("latin-1")


# -- responses ------------------------------------------------------------------------------


def acao(response: TestResponse) -> str | None:
    """The ``Access-Control-Allow-Origin`` value, or None when there is none."""
    return response.headers.get("Access-Control-Allow-Origin")


def cors_headers(response: TestResponse) -> dict[str, str]:
    """Every ``Access-Control-*`` header (names in any case), as sent."""
    return {k: v for k, v in response.headers.items() if k.lower().startswith("access-control-")}


def grants(response: TestResponse) -> dict[str, str]:
    """Every ``Access-Control-Allow-*`` header (names in any case): empty for a refusal."""
    return {k: v for k, v in cors_headers(response).items()
            if k.lower().startswith("access-control-allow-")}


def vary_names(response: TestResponse) -> set[str]:
    """The lower-cased names listed by all ``Vary`` headers."""
    return {
        part.strip().lower()
        for value in response.headers.getlist("Vary")
        for part in value.split(",")
    }


# -- signals --------------------------------------------------------------------------------


Call = tuple[str, Any, dict[str, Any]]


@contextmanager
def recorded(app: Flask) -> Iterator[list[Call]]:
    """Record both rejection signals as sent for ``app``: (signal name, sender, payload)."""
    calls: list[Call] = []

    def on_origin(sender: Any, **payload: Any) -> None:
        calls.append(("origin_rejected", sender, payload))

    def on_preflight(sender: Any, **payload: Any) -> None:
        calls.append(("preflight_rejected", sender, payload))

    with (
        origin_rejected.connected_to(on_origin, app),
        preflight_rejected.connected_to(on_preflight, app),
    ):
        yield calls


# -- examples -------------------------------------------------------------------------------


def load_example(name: str) -> ModuleType:
    """Import ``examples/<name>.py`` as a fresh module (its app is built anew)."""
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
