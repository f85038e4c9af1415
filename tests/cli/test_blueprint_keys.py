"""``flask cors audit``: ``CORS_BLUEPRINTS`` keys that name no registered blueprint (CORS012)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Blueprint, Flask
from support import APP, audit, invoke

from flask_cors_bp import CORS, CorsConfigError, cross_origin
from flask_cors_bp.cli import cors_cli


def keyed_app(keys: dict[str, Any], extension: bool = True) -> Flask:
    """Blueprints ``api`` (with ``api.v1`` nested in it) and ``admin``, and the
    ``CORS_BLUEPRINTS`` given."""
    app = Flask(__name__)
    app.config["CORS_BLUEPRINTS"] = keys
    if extension:
        CORS(app, origins=[APP])
    api = Blueprint("api", __name__, url_prefix="/api")
    v1 = Blueprint("v1", __name__, url_prefix="/v1")
    admin = Blueprint("admin", __name__, url_prefix="/admin")

    @api.route("/items")
    @cross_origin(origins=[APP])
    def items() -> str:
        return "items"

    @v1.route("/things")
    def things() -> str:
        return "things"

    @admin.route("/stats")
    def stats() -> str:
        return "stats"

    api.register_blueprint(v1)
    app.register_blueprint(api)
    app.register_blueprint(admin)
    return app


def misnamed(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in findings if f["id"] == "CORS012"]


def test_audit_a_misspelt_key_names_the_blueprint_it_was_meant_for() -> None:
    app = keyed_app({"admn": {"origins": ["https://admin.example.com"]}})
    code, findings, text = audit(app)
    assert code == 1
    (finding,) = misnamed(findings)
    assert (finding["severity"], finding["where"], finding["report_only"]) == (
        "error", "config CORS_BLUEPRINTS['admn']", False)
    assert finding["message"] == (
        "the key 'admn' names no registered blueprint: its options apply to no route, and the "
        "blueprint 'admin' it was likely meant for gets no CORS grant (the app logs the key "
        "when it starts serving)")
    assert finding["hint"] == "did you mean 'admin'? Rename the key to 'admin'"
    assert finding["keys"] == [{"id": "CORS012", "config": "CORS_BLUEPRINTS", "value": "admn"}]
    assert text.splitlines()[0].startswith(
        "CORS012 error   [config CORS_BLUEPRINTS['admn']] the key 'admn' names no registered "
        "blueprint")
    assert invoke(app, "audit", "--fail-on", "error").exit_code == 1


def test_audit_does_not_wait_for_the_first_request() -> None:
    app = keyed_app({"admn": {"origins": ["https://admin.example.com"]}})
    before = audit(app)[1]
    app.test_client().get("/admin/stats", headers={"Origin": APP})
    with pytest.raises(CorsConfigError, match="rename the key to 'admin'"):
        app.extensions["cors"].policy_for("admin.stats")
    after = audit(app)[1]
    assert misnamed(after) == misnamed(before)
    assert "CORS000" not in {f["id"] for f in after}  # the key's own finding says it


def test_audit_a_key_like_no_blueprint_lists_the_registered_ones() -> None:
    (finding,) = misnamed(audit(keyed_app({"zzz": {}}))[1])
    assert finding["message"] == ("the key 'zzz' names no registered blueprint: its options "
                                  "apply to no route")
    assert finding["hint"] == ("use the name of a registered blueprint ('api', 'api.v1', "
                               "'admin'; 'parent.child' for a nested one), or remove the key")


def test_audit_keys_of_registered_blueprints_are_fine() -> None:
    app = keyed_app({"api": {"methods": ["GET"]}, "api.v1": {"origins": [APP]},
                     "admin": {"origins": [APP]}})
    code, findings, _ = audit(app)
    assert (code, findings) == (0, [])


def test_audit_a_nested_blueprint_under_its_own_name() -> None:
    (finding,) = misnamed(audit(keyed_app({"v1": {"origins": [APP]}}))[1])
    assert finding["hint"] == ("did you mean 'api.v1'? A nested blueprint's key is its dotted "
                               "name")


def test_audit_without_the_extension_still_reports_the_key() -> None:
    app = keyed_app({"admn": {}}, extension=False)
    app.cli.add_command(cors_cli)
    result = invoke(app, "audit", "--json")
    assert result.exit_code == 1
    (finding,) = misnamed(json.loads(result.stdout))
    assert "gets no CORS grant" not in finding["message"]  # nothing reads the key then
    assert finding["hint"] == "did you mean 'admin'? Rename the key to 'admin'"


def test_baseline_holds_a_misnamed_key(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    app = keyed_app({"admn": {}})
    assert invoke(app, "audit", "--write-baseline", str(path)).exit_code == 0
    assert json.loads(path.read_text(encoding="utf-8"))["findings"] == [
        {"id": "CORS012", "config": "CORS_BLUEPRINTS", "value": "admn"}]
    assert invoke(keyed_app({"admn": {}}), "audit", "--baseline", str(path)).exit_code == 0
    other = invoke(keyed_app({"admni": {}}), "audit", "--baseline", str(path))
    assert other.exit_code == 1
