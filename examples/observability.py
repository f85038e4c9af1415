"""Observability: log every CORS refusal as one JSON line and count refusals per origin.

Run it with ``python examples/observability.py`` and try::

    curl -si -H "Origin: https://evil.example" http://127.0.0.1:5000/api/items
    curl -si -X OPTIONS -H "Origin: https://app.example.com" \\
         -H "Access-Control-Request-Method: DELETE" http://127.0.0.1:5000/api/items
    curl -s http://127.0.0.1:5000/metrics/cors

Every value in a signal's payload comes from the request (``origin``, ``method``,
``headers``) and may hold control characters: ``json.dumps`` escapes them (and, with
``ensure_ascii``, anything outside ASCII), so one refusal is always exactly one log line.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections import Counter
from typing import Any

from flask import Flask

from flask_cors_bp import CORS, CorsBlueprint, origin_rejected, preflight_rejected

log = logging.getLogger("cors.rejections")

OTHER = "(other)"


MAX_SHOWN = 256  # a real origin is far shorter; longer values are cut in logs and counts


def shorten(value: str) -> str:
    """A request value cut to ``MAX_SHOWN`` characters, saying how long it was."""
    if len(value) <= MAX_SHOWN:
        return value
    return f"{value[:MAX_SHOWN]}...({len(value)} chars)"


class RejectionCounter:
    """Refusals per origin and per reason, safe to update from several threads.

    At most ``max_origins`` distinct origins are kept; further ones are counted under
    ``"(other)"``, so that a client sending endless made-up origins cannot grow it forever.
    """

    def __init__(self, max_origins: int = 1000) -> None:
        self.max_origins = max_origins
        self._lock = threading.Lock()
        self._origins: Counter[str] = Counter()
        self._reasons: Counter[str] = Counter()

    def add(self, origin: str, reason: str) -> None:
        origin = shorten(origin)
        with self._lock:
            if origin not in self._origins and len(self._origins) >= self.max_origins:
                origin = OTHER
            self._origins[origin] += 1
            self._reasons[reason] += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "total": sum(self._reasons.values()),
                "by_origin": dict(self._origins),
                "by_reason": dict(self._reasons),
            }


def log_line(event: str, payload: dict[str, Any]) -> str:
    """One JSON object on one line; request-controlled values are escaped by ``json.dumps``."""
    record = {
        "event": event,
        "reason": payload["reason"],
        "origin": shorten(payload["origin"]),
        "endpoint": payload["endpoint"],
        "blueprint": payload["blueprint"],
        "preflight": payload.get("preflight", True),
    }
    if "method" in payload:
        record["method"] = shorten(payload["method"] or "")
        record["headers"] = [shorten(name) for name in payload["headers"][:20]]
    return json.dumps(record, ensure_ascii=True, separators=(",", ":"))


def on_origin_rejected(sender: Flask, **payload: Any) -> None:
    _record(sender, "cors.origin_rejected", payload)


def on_preflight_rejected(sender: Flask, **payload: Any) -> None:
    _record(sender, "cors.preflight_rejected", payload)


def _record(app: Flask, event: str, payload: dict[str, Any]) -> None:
    log.warning("%s", log_line(event, payload))
    counter: RejectionCounter = app.extensions["cors_rejections"]
    counter.add(payload["origin"], payload["reason"])


def install_observability(app: Flask, max_origins: int = 1000) -> RejectionCounter:
    """Log and count this app's CORS refusals; serve the counts at ``/metrics/cors``.

    The receivers are module-level functions: blinker holds receivers weakly by default,
    so a function defined inside this one would be garbage-collected and go silent.
    """
    counter = RejectionCounter(max_origins)
    app.extensions["cors_rejections"] = counter
    origin_rejected.connect(on_origin_rejected, sender=app)
    preflight_rejected.connect(on_preflight_rejected, sender=app)

    # Origins are request data: in production put this behind authentication.
    @app.get("/metrics/cors")
    def cors_metrics() -> dict[str, Any]:
        return counter.snapshot()

    return counter


def create_app() -> Flask:
    app = Flask(__name__)
    CORS(app, origins=["https://app.example.com"])  # app-wide defaults

    api = CorsBlueprint(
        "api", __name__, url_prefix="/api",
        origins=["https://app.example.com", "https://*.partner.example"],
        methods=["GET", "POST"], allow_headers=["Content-Type"],
    )

    @api.route("/items", methods=["GET", "POST", "DELETE"])
    def items() -> dict[str, list[str]]:
        return {"items": ["a", "b"]}

    @app.get("/")
    def index() -> str:
        return "flask_cors_bp observability: see /api/items and /metrics/cors\n"

    app.register_blueprint(api)
    install_observability(app)
    return app


app = create_app()

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    port = int(os.environ.get("PORT", "5000"))
    print(f"Serving on http://127.0.0.1:{port}/ (Ctrl+C to stop)")
    app.run(port=port)
