"""``flask cors audit``: --fail-on, --baseline and --write-baseline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from support import APP, app_with, invoke

from flask_cors_bp import CORS, CorsBlueprint, cross_origin


def blueprint_app(extra_public_route: bool = False, private_origins: Any = (APP,),
                  max_age: int = 600, more: dict[str, Any] | None = None) -> Flask:
    """A public blueprint (any origin: a warning meant to stay) and a private one."""
    app = Flask(__name__)
    CORS(app, origins=[APP])
    public = CorsBlueprint("public", __name__, url_prefix="/public", origins="*",
                           max_age=max_age)
    private = CorsBlueprint("private", __name__, url_prefix="/private",
                            origins=list(private_origins), supports_credentials=True)

    @public.route("/stats")
    def stats() -> str:
        return "stats"

    if extra_public_route:
        @public.route("/news")
        def news() -> str:
            return "news"

    @private.route("/me")
    def me() -> str:
        return "me"

    @app.route("/health")
    @cross_origin(origins="*")
    def health() -> str:
        return "ok"

    app.register_blueprint(public)
    app.register_blueprint(private)
    if more:
        extra = CorsBlueprint("extra", __name__, url_prefix="/extra", **more)

        @extra.route("/x")
        def x() -> str:
            return "x"

        app.register_blueprint(extra)
    return app


def write(app: Flask, path: Path, *args: str) -> Any:
    result = invoke(app, "audit", "--write-baseline", str(path), *args)
    assert result.exit_code == 0, result.output
    return result


def test_fail_on(tmp_path: Path) -> None:
    warnings = app_with(origins="*")
    assert invoke(warnings, "audit").exit_code == 1
    assert invoke(warnings, "audit", "--fail-on", "warning").exit_code == 1
    assert invoke(warnings, "audit", "--fail-on", "error").exit_code == 0
    errors = app_with(origins=["https://*.vercel.app"])
    assert invoke(errors, "audit", "--fail-on", "error").exit_code == 1
    info = app_with(origins=[APP], max_age=86400)
    assert invoke(info, "audit").exit_code == 0
    assert invoke(app_with(origins=[APP]), "audit", "--fail-on", "error").exit_code == 0
    assert invoke(warnings, "audit", "--fail-on", "info").exit_code == 2


def test_write_then_pass(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    app = blueprint_app()
    assert invoke(app, "audit").exit_code == 1
    written = write(app, path)
    assert written.stderr == f"wrote 2 baseline entries to {path}\n"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["findings"] == [
        {"id": "CORS001", "blueprint": "public", "value": "*"},
        {"id": "CORS001", "endpoint": "health", "value": "*"},
    ]
    result = invoke(blueprint_app(), "audit", "--baseline", str(path))
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("CORS")]
    assert lines and all(line.endswith("(in the baseline)") for line in lines)
    assert result.stdout.splitlines()[-1] == (
        "2 findings (0 error, 2 warning, 0 info, 2 in the baseline) in 4 endpoints with a "
        "CORS policy")
    shown = json.loads(invoke(blueprint_app(), "audit", "--json", "--baseline",
                              str(path)).stdout)
    assert [f["baseline"] for f in shown] == [True, True]


@pytest.mark.parametrize("change", [
    {"extra_public_route": True},  # a new route in the blueprint the finding is about
    {"max_age": 60},  # another setting of the same policy
    {"more": {"origins": ["https://admin.example.com"]}},  # another, clean blueprint
    {"private_origins": (APP, "https://admin.example.com")},  # another policy's origins
])
def test_unrelated_edits_keep_the_baseline(tmp_path: Path, change: dict[str, Any]) -> None:
    path = tmp_path / "baseline.json"
    write(blueprint_app(), path)
    result = invoke(blueprint_app(**change), "audit", "--baseline", str(path))
    assert result.exit_code == 0, result.output
    assert "no finding any more" not in result.stderr


@pytest.mark.parametrize(("change", "new"), [
    ({"private_origins": (APP, "null")}, "CORS004 warning [private.me] the 'null' origin"),
    ({"more": {"origins": "*"}}, "CORS001 warning [extra.x] any origin"),
    ({"private_origins": (APP, "https://*.example.org")}, "CORS010 warning [private.me]"),
    ({"more": {"origins": ["https://*.github.io"]}}, "CORS011 error   [extra.x]"),
])
def test_a_new_finding_fails(tmp_path: Path, change: dict[str, Any], new: str) -> None:
    path = tmp_path / "baseline.json"
    write(blueprint_app(), path)
    result = invoke(blueprint_app(**change), "audit", "--baseline", str(path))
    assert result.exit_code == 1, result.output
    (line,) = [line for line in result.stdout.splitlines() if line.startswith(new)]
    assert not line.endswith("(in the baseline)")


def test_a_new_error_fails_also_with_fail_on_error(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    write(blueprint_app(), path, "--fail-on", "error")
    assert json.loads(path.read_text(encoding="utf-8"))["findings"] == []
    app = blueprint_app(more={"origins": ["https://*.github.io"]})
    assert invoke(app, "audit", "--baseline", str(path), "--fail-on", "error").exit_code == 1
    assert invoke(blueprint_app(), "audit", "--baseline", str(path),
                  "--fail-on", "error").exit_code == 0


def test_stale_entries_are_reported_not_failed(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    write(blueprint_app(more={"origins": "*"}), path)
    result = invoke(blueprint_app(), "audit", "--baseline", str(path))
    assert result.exit_code == 0
    assert result.stderr == ("note: 1 baseline entry matches no finding any more; rewrite the "
                             "baseline with --write-baseline\n")


@pytest.mark.parametrize("content", [
    None, "{broken", "[]", '{"findings": []}',
    '{"format": "flask_cors_bp audit baseline", "findings": [{"id": "CORS001"}]}',
])
def test_baseline_usage_errors(tmp_path: Path, content: str | None) -> None:
    path = tmp_path / "baseline.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = invoke(blueprint_app(), "audit", "--baseline", str(path))
    assert result.exit_code == 2, result.output
    assert "--baseline" in result.stderr
    unwritable = invoke(blueprint_app(), "audit", "--write-baseline", str(tmp_path))
    assert unwritable.exit_code == 2
    assert "cannot write" in unwritable.stderr


def app_routes(*names: str) -> Flask:
    """Any origin on the app, and one route per name outside any blueprint."""
    app = app_with(origins="*")
    for name in names:
        app.add_url_rule(f"/{name}", name, lambda: "ok")
    return app


def test_a_group_shows_which_endpoints_are_new(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    write(app_routes("a", "b"), path)
    result = invoke(app_routes("a", "b", "c"), "audit", "--baseline", str(path))
    assert result.exit_code == 1, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("CORS")]
    assert [line.split("] ")[0] for line in lines] == [
        "CORS001 warning [a, b, index, static", "CORS001 warning [c"]
    assert lines[0].endswith("(in the baseline)")
    assert not lines[1].endswith("(in the baseline)")
    assert result.stdout.splitlines()[-1] == (
        "2 findings (0 error, 2 warning, 0 info, 1 in the baseline) in 5 endpoints with a "
        "CORS policy")
    shown = json.loads(invoke(app_routes("a", "b", "c"), "audit", "--json", "--baseline",
                              str(path)).stdout)
    assert [(f["endpoints"], f["baseline"]) for f in shown] == [
        (["a", "b", "index", "static"], True), (["c"], False)]
    assert [k["endpoint"] for k in shown[1]["keys"]] == ["c"]
    # Without a baseline, or with one that covers them all, the group stays whole.
    assert len(json.loads(invoke(app_routes("a", "b", "c"), "audit", "--json").stdout)) == 1
    write(app_routes("a", "b", "c"), path)
    again = invoke(app_routes("a", "b", "c"), "audit", "--baseline", str(path))
    assert again.exit_code == 0
    assert [line for line in again.stdout.splitlines() if line.startswith("CORS")] == [
        lines[0].replace("[a, b, index, static]", "[a, b, c, index, static]")]
