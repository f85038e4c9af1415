"""Report-only: try a stricter CORS policy on live traffic before enforcing it.

The API has answered every origin so far. The candidate, on the blueprint, keeps only the
app's own front end and the partners' subdomains, and drops ``DELETE``. Responses still
follow the live policy; every request the candidate would refuse is counted per origin and
endpoint, and the counts are served at ``/cors-reports``.

Run it with ``python examples/report_only.py`` and try::

    curl -si -H "Origin: https://shop.partner.example" http://127.0.0.1:5000/api/items
    curl -si -H "Origin: https://old-reseller.example" http://127.0.0.1:5000/api/items
    curl -si -X OPTIONS -H "Origin: https://app.example.com" \\
         -H "Access-Control-Request-Method: DELETE" http://127.0.0.1:5000/api/items/1
    curl -s http://127.0.0.1:5000/cors-reports

The first request is allowed by both policies; the next two are allowed, and counted,
because the candidate would refuse them.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import Counter
from typing import Any

from flask import Flask

from flask_cors_bp import CorsBlueprint, cross_origin, report_only_rejected

log = logging.getLogger("cors.report_only")

OTHER = "(other)"
MAX_SHOWN = 256  # a real origin is far shorter; longer values are cut


def shorten(value: str) -> str:
    """A request value cut to ``MAX_SHOWN`` characters, saying how long it was."""
    if len(value) <= MAX_SHOWN:
        return value
    return f"{value[:MAX_SHOWN]}...({len(value)} chars)"


class ReportCounter:
    """Report-only refusals per (origin, endpoint, reason), safe to update from several threads.

    Origins are chosen by clients: at most ``max_keys`` distinct keys are kept, further
    ones are counted together under the origin ``"(other)"``.
    """

    def __init__(self, max_keys: int = 1000) -> None:
        self.max_keys = max_keys
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, str, str]] = Counter()

    def add(self, origin: str, endpoint: str, reason: str) -> bool:
        """Count one report; return whether its key is new (first time seen)."""
        key = (shorten(origin), endpoint, reason)
        with self._lock:
            if key not in self._counts and len(self._counts) >= self.max_keys:
                key = (OTHER, endpoint, reason)
            new = key not in self._counts
            self._counts[key] += 1
        return new

    def snapshot(self) -> list[dict[str, Any]]:
        """The counts, most frequent first."""
        with self._lock:
            items = self._counts.most_common()
        return [{"origin": origin, "endpoint": endpoint, "reason": reason, "count": count}
                for (origin, endpoint, reason), count in items]


def on_report(sender: Flask, origin: str, reason: str, endpoint: str | None,
              **extra: Any) -> None:
    """Count a request the candidate would refuse; log each new (origin, endpoint, reason)."""
    where = endpoint or "(no route)"
    counter: ReportCounter = sender.extensions["cors_reports"]
    if counter.add(origin, where, reason):
        # ascii(): the origin is request data and may hold control characters
        log.info("CORS candidate would refuse %s on %s (%s)", ascii(shorten(origin)),
                 where, reason)


def install_reports(app: Flask, max_keys: int = 1000) -> ReportCounter:
    """Count this app's report-only refusals and serve them at ``/cors-reports``.

    ``on_report`` is a module-level function: blinker holds receivers weakly, so a
    function defined in here would be garbage-collected and go silent.
    """
    counter = ReportCounter(max_keys)
    app.extensions["cors_reports"] = counter
    report_only_rejected.connect(on_report, sender=app)

    # An app-level route: no CORS policy, so only same-origin pages can read it.
    # Origins are request data: in production put this behind authentication.
    @app.get("/cors-reports")
    def cors_reports() -> dict[str, Any]:
        return {"reports": counter.snapshot()}

    return counter


def create_app() -> Flask:
    app = Flask(__name__)

    api = CorsBlueprint(
        "api", __name__, url_prefix="/api",
        origins="*", methods=["GET", "POST", "DELETE"],  # the live policy
        report_only={  # the candidate: what we would like to enforce
            "origins": ["https://app.example.com", "https://*.partner.example"],
            "methods": ["GET", "POST"],
        },
    )

    @api.route("/items", methods=["GET", "POST"])
    def items() -> dict[str, list[str]]:
        return {"items": ["a", "b"]}

    @api.route("/items/<int:item_id>", methods=["GET", "DELETE"])
    def item(item_id: int) -> dict[str, int]:
        return {"id": item_id}

    @api.get("/status")
    @cross_origin(report_only={"origins": "*"})  # stays public: its candidate keeps any origin
    def status() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/")
    def index() -> str:
        return "flask_cors_bp report-only: see /api/items and /cors-reports\n"

    app.register_blueprint(api)
    install_reports(app)
    return app


app = create_app()

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    port = int(os.environ.get("PORT", "5000"))
    print(f"Serving on http://127.0.0.1:{port}/ (Ctrl+C to stop)")
    app.run(port=port)
