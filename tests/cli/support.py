"""Helpers shared by the CLI tests: sample apps and ways to run the commands."""

from __future__ import annotations

import importlib.util
import inspect
import json
import re
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from flask import Blueprint, Flask, request

from flask_cors_bp import CORS, CorsBlueprint, cross_origin

APP = "https://app.example.com"


def make_app() -> Flask:
    """Several levels: resources, a CorsBlueprint with a nested one, a plain blueprint, routes."""
    app = Flask(__name__)
    cors = CORS(app, resources={r"/pub/.*": {"origins": [APP]}})

    @app.route("/")
    def index() -> str:
        return "index"

    @app.route("/pub/info")
    def info() -> str:
        return "info"

    @app.route("/pub/strict", methods=["GET", "PUT", "OPTIONS"])
    @cross_origin(automatic_options=False)
    def strict() -> Any:
        if request.method == "OPTIONS":
            return "no", 403
        return "strict"

    @app.route("/pub/star")
    @cross_origin(origins="*", send_wildcard=True)
    def star() -> str:
        return "star"

    api = CorsBlueprint(
        "api", __name__, url_prefix="/api",
        origins=[APP, "https://*.partner.example"],
        methods=["GET", "POST"], supports_credentials=True, max_age=600,
    )

    @api.route("/items", methods=["GET", "POST"])
    def items() -> str:
        return "items"

    @api.route("/items/<int:item_id>", methods=["GET", "PUT"])
    def item(item_id: int) -> str:
        return "item"

    @api.route("/public")
    @cross_origin(origins="*", supports_credentials=False)
    def public() -> str:
        return "public"

    @api.route("/lan")
    @cross_origin(allow_private_network=True)
    def lan() -> str:
        return "lan"

    v1 = CorsBlueprint("v1", __name__, url_prefix="/v1")

    @v1.route("/things")
    def things() -> str:
        return "things"

    api.register_blueprint(v1)
    admin = Blueprint("admin", __name__, url_prefix="/admin")

    @admin.route("/stats")
    def stats() -> str:
        return "stats"

    cors.init_blueprint(admin, origins=["https://admin.example.com"], allow_headers=["X-Token"])
    app.register_blueprint(api)
    app.register_blueprint(admin)
    return app


def invoke(app: Flask, *args: str) -> Any:
    # click < 8.2 mixes stderr into stdout unless told not to; 8.2 always keeps them apart
    options = {"mix_stderr": False} if "mix_stderr" in inspect.signature(CliRunner).parameters else {}
    return app.test_cli_runner(**options).invoke(args=["cors", *args])


def late_app(app: Flask) -> Flask:
    """CORS(app) with any origin, and a plain blueprint whose route asks for credentials:
    the levels only meet when first resolved (a later init_blueprint could still fix it)."""
    if "cors" not in app.extensions:
        CORS(app)
    bp = Blueprint("late", __name__)

    @bp.route("/late")
    @cross_origin(supports_credentials=True)
    def late() -> str:
        return "late"

    app.register_blueprint(bp)
    return app


def check(app: Flask, *args: str) -> tuple[int, str, str]:
    result = invoke(app, "check", *args)
    first = result.output.splitlines()[0] if result.output else ""
    return result.exit_code, first, result.output


def subdomain_app() -> Flask:
    app = Flask(__name__, subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.test"
    api = CorsBlueprint("api", __name__, subdomain="api", origins=["https://partner.example.org"])

    @api.route("/items")
    def items() -> str:
        return "items"

    app.register_blueprint(api)
    return app


def app_with(**options: Any) -> Flask:
    app = Flask(__name__)
    CORS(app, **options)

    @app.route("/")
    def index() -> str:
        return "index"

    return app


def audit(app: Flask) -> tuple[int, list[dict[str, Any]], str]:
    text = invoke(app, "audit")
    result = invoke(app, "audit", "--json")
    assert text.exit_code == result.exit_code
    findings = json.loads(result.stdout)
    lines = [line for line in text.stdout.splitlines() if line.startswith("CORS")]
    assert len(lines) == len(findings)
    return result.exit_code, findings, text.stdout


def ids(findings: list[dict[str, Any]]) -> set[str]:
    return {f["id"] for f in findings}


def api_app(**options: Any) -> Flask:
    """``CORS(app, **options)`` and one route serving GET, POST, PUT and DELETE."""
    app = Flask(__name__)
    CORS(app, **options)

    @app.route("/items", methods=["GET", "POST", "PUT", "DELETE"])
    def items() -> str:
        return "items"

    return app


def snapshot(app: Flask, path: Any) -> str:
    """Write ``flask cors routes --json`` of ``app`` to ``path``; returns the path."""
    result = invoke(app, "routes", "--json")
    assert result.exit_code == 0, result.output
    path.write_text(result.stdout, encoding="utf-8")
    return str(path)


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def example_app(name: str, factory: str = "app") -> Flask:
    """The app of ``examples/<name>.py``, imported afresh: its ``factory`` attribute, called
    when it is a function."""
    spec = importlib.util.spec_from_file_location(f"cli_example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    found = getattr(module, factory)
    app: Flask = found if isinstance(found, Flask) else found()
    return app


PARTNER = "https://shop.partner.example"


def candidate_app() -> Flask:
    """A live policy with report-only candidates at several levels.

    The app answers any origin; its candidate only the front end and the partners. The
    ``api`` blueprint's candidate drops ``DELETE``; ``/api/status`` keeps any origin in its
    candidate; ``/plain`` sets its origins itself, so it has no candidate. The
    ``account`` blueprint's candidate turns credentials off; the ``uploads`` blueprint's
    lists the request headers it allows, one of them a regex.
    """
    app = Flask(__name__)
    CORS(app, origins="*", report_only={"origins": [APP, "https://*.partner.example"]})
    api = CorsBlueprint("api", __name__, url_prefix="/api", methods=["GET", "POST", "DELETE"],
                        report_only={"methods": ["GET", "POST"]})

    @api.route("/orders", methods=["GET", "POST", "DELETE"])
    def orders() -> str:
        return "orders"

    @api.route("/status")
    @cross_origin(report_only={"origins": "*"})
    def status() -> str:
        return "status"

    @app.route("/plain")
    @cross_origin(origins=[APP])
    def plain() -> str:
        return "plain"

    account = CorsBlueprint("account", __name__, url_prefix="/account", origins=[APP],
                            supports_credentials=True,
                            report_only={"supports_credentials": False})

    @account.route("/me")
    def me() -> str:
        return "me"

    uploads = CorsBlueprint("uploads", __name__, url_prefix="/uploads",
                            report_only={"allow_headers": ["Content-Type",
                                                           re.compile(r"X-Upload-[a-z]+")]})

    @uploads.route("/files", methods=["GET", "PUT"])
    def files() -> str:
        return "files"

    for blueprint in (api, account, uploads):
        app.register_blueprint(blueprint)
    return app
