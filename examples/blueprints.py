"""A multi-blueprint API: each blueprint carries its own CORS policy.

- ``public``:  any origin, no credentials (open data)
- ``private``: the single-page app's origin only, with cookies
- ``admin``:   no other origin may call it (same-origin only)
- ``partner``: any subdomain of partner.example, GET only

Run ``python examples/blueprints.py``; inspect the policies with
``flask --app examples/blueprints cors routes``. The public blueprint is meant to be open,
so its audit finding is kept in ``blueprints.audit-baseline.json``, and
``blueprints.cors-snapshot.json`` is the committed snapshot of the policies::

    flask --app examples/blueprints cors audit --baseline examples/blueprints.audit-baseline.json
    flask --app examples/blueprints cors diff examples/blueprints.cors-snapshot.json
"""

from __future__ import annotations

import os

from flask import Flask, jsonify
from flask.typing import ResponseReturnValue

from flask_cors_bp import CORS, CorsBlueprint

SPA = "https://app.example.com"

public = CorsBlueprint("public", __name__, url_prefix="/public", origins="*", max_age=3600)
private = CorsBlueprint(
    "private", __name__, url_prefix="/private",
    origins=[SPA], supports_credentials=True, allow_headers=["Content-Type", "X-CSRF-Token"],
    expose_headers=["X-Request-Id"],
)
admin = CorsBlueprint("admin", __name__, url_prefix="/admin", origins=[])
partner = CorsBlueprint(
    "partner", __name__, url_prefix="/partner",
    origins=["https://*.partner.example"], methods=["GET"],
)


@public.get("/stats")
def stats() -> ResponseReturnValue:
    return jsonify(users=1234)


@private.route("/profile", methods=["GET", "PUT"])
def profile() -> ResponseReturnValue:
    return jsonify(name="Ada"), 200, {"X-Request-Id": "42"}


@admin.post("/users")
def create_user() -> ResponseReturnValue:
    return jsonify(created=True), 201


@partner.get("/catalog")
def catalog() -> ResponseReturnValue:
    return jsonify(items=["a", "b"])


def create_app() -> Flask:
    """App factory: app-wide defaults (max_age) under four blueprint policies."""
    app = Flask(__name__)
    CORS(app, origins=[SPA], max_age=600)
    for blueprint in (public, private, admin, partner):
        app.register_blueprint(blueprint)
    return app


app = create_app()

if __name__ == "__main__":
    port = int(os.environ.get("PORT", "5000"))
    print(f"Serving on http://127.0.0.1:{port}/ (Ctrl+C to stop)")
    app.run(port=port)
