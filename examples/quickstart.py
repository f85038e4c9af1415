"""Quickstart: app-wide CORS defaults, one blueprint with its own policy, one route override.

Run it with ``python examples/quickstart.py`` and try::

    curl -si -H "Origin: https://app.example.com" http://127.0.0.1:5000/api/items
"""

from __future__ import annotations

import os

from flask import Flask

from flask_cors_bp import CORS, CorsBlueprint, cross_origin

app = Flask(__name__)
CORS(app, origins=["https://app.example.com"], max_age=600)  # app-wide defaults

api = CorsBlueprint(
    "api", __name__, url_prefix="/api",
    origins=["https://app.example.com", "https://*.partner.example"],
    supports_credentials=True,
)


@api.get("/items")
def items() -> dict[str, list[str]]:
    return {"items": ["a", "b"]}


@api.get("/status")
@cross_origin(origins="*", supports_credentials=False)  # a public route inside the blueprint
def status() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/")
def index() -> str:
    return "flask_cors_bp quickstart: try /api/items and /api/status with an Origin header\n"


app.register_blueprint(api)

if __name__ == "__main__":
    port = int(os.environ.get("PORT", "5000"))
    print(f"Serving on http://127.0.0.1:{port}/ (Ctrl+C to stop)")
    app.run(port=port)
