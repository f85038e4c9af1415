"""``flask cors`` for every app: the ``flask.commands`` entry point, and apps that only use
``@cross_origin`` (no extension on the app)."""

from __future__ import annotations

import configparser
import json
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.cli import FlaskGroup
from support import APP, invoke

from flask_cors_bp import cross_origin
from flask_cors_bp.cli import cors_cli

SETUP_CFG = Path(__file__).resolve().parents[2] / "setup.cfg"
NOTE = "note: this app has no CORS extension"


def test_setup_cfg_declares_the_entry_point() -> None:
    config = configparser.ConfigParser()
    config.read(SETUP_CFG, encoding="utf-8")
    declared = config["options.entry_points"]["flask.commands"].strip().splitlines()
    assert declared == ["cors = flask_cors_bp.cli:cors_cli"]
    name, value = (part.strip() for part in declared[0].split("="))
    entry = EntryPoint(name=name, value=value, group="flask.commands")
    assert entry.load() is cors_cli
    assert "publicsuffixlist" in config["options"]["install_requires"]


def decorator_only_app() -> Flask:
    """No CORS(app), no CorsBlueprint: only @cross_origin views and the CORS_* config."""
    app = Flask(__name__)
    app.config["CORS_ORIGINS"] = [APP]

    @app.route("/items", methods=["GET", "PUT"])
    @cross_origin(methods=["GET", "PUT"], max_age=60)
    def items() -> str:
        return "items"

    @app.route("/public")
    @cross_origin(origins="*")
    def public() -> str:
        return "public"

    @app.route("/plain")
    def plain() -> str:
        return "plain"

    return app


def run(*args: str) -> Any:
    """``flask cors ...`` as the flask command runs it: a FlaskGroup with the command added
    (as the entry point does for an installed package)."""
    app = decorator_only_app()
    group = FlaskGroup(create_app=lambda: app)
    group.add_command(cors_cli)
    return CliRunner().invoke(group, ["cors", *args])


def test_routes_without_the_extension() -> None:
    result = run("routes", "--json")
    assert result.exit_code == 0
    assert NOTE in result.stderr
    rows = {row["endpoint"]: row for row in json.loads(result.stdout)}
    assert rows["items"]["origins"] == [APP]
    assert rows["items"]["sources"]["origins"] == "config CORS_ORIGINS"
    assert rows["items"]["methods"] == ["GET", "PUT"]
    assert rows["items"]["sources"]["max_age"] == "route"
    assert rows["public"]["origins"] == ["*"]
    assert rows["plain"]["cors"] is False
    assert rows["static"]["cors"] is False
    table = run("routes")
    assert any(line.split()[:4] == ["/plain", "plain", "-", "no"] for line in
               table.stdout.splitlines())


@pytest.mark.parametrize(("args", "code", "first"), [
    ([APP, "/items", "-X", "PUT"], 0, "allowed"),
    (["https://evil.example", "/items"], 1,
     "rejected: origin: 'https://evil.example' is not allowed; origins come from config "
     "CORS_ORIGINS"),
    ([APP, "/plain"], 1, "rejected: no CORS policy on this route: endpoint 'plain'"),
    ([APP, "/nowhere"], 4, "no route: no rule serves /nowhere (the app answers 404)"),
    (["no-scheme", "/items"], 2, ""),
])
def test_check_without_the_extension(args: list[str], code: int, first: str) -> None:
    result = run("check", *args)
    assert result.exit_code == code, result.output
    if first:
        assert result.stdout.splitlines()[0].startswith(first)


def test_audit_and_diff_without_the_extension(tmp_path: Path) -> None:
    result = run("audit")
    assert result.exit_code == 1
    assert result.stdout.startswith("CORS001 warning [public] any origin")
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text(run("routes", "--json").stdout, encoding="utf-8")
    assert run("diff", str(snapshot)).exit_code == 0


def test_test_cli_runner_with_the_command_added() -> None:
    app = decorator_only_app()
    app.cli.add_command(cors_cli)
    result = invoke(app, "check", APP, "/items")  # through app.test_cli_runner()
    assert (result.exit_code, result.stdout.splitlines()[0]) == (0, "allowed")
    assert NOTE in result.stderr
