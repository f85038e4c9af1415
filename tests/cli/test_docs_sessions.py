"""The sessions of the debugging page that run on a changed or saved app (``--app myapp``)
print what the commands print for the page's application."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo
from test_docs_examples import DOCS, blocks, consoles

PAGE = DOCS / "debugging.rst"


def build(code: str) -> Flask:
    code = re.sub(r"\): \.\.\.$", "): return 'ok'", code, flags=re.MULTILINE)
    namespace: dict[str, Any] = {"__name__": "docs_debugging"}
    exec(compile(code, PAGE.name, "exec"), namespace)
    app: Flask = namespace["app"]
    return app


def page_code() -> str:
    return next(text for kind, text, _ in blocks(PAGE) if kind == "python")


def run(app: Flask, *args: str) -> list[str]:
    result = CliRunner().invoke(app.cli, ["cors", *args], obj=ScriptInfo(create_app=lambda: app),
                                color=False)
    return [line.rstrip() for line in result.output.splitlines()]


def shown(command: str) -> list[str]:
    return next(lines for text, lines in consoles(PAGE) if text == command and lines)


def test_the_diff_session_is_what_diff_prints(tmp_path: Path) -> None:
    code = page_code()
    before = tmp_path / "cors-snapshot.json"
    before.write_text("\n".join(run(build(code), "routes", "--json")), encoding="utf-8")
    # "after adding an origin and DELETE to the api blueprint, closing /api/status to one
    # origin and lowering max_age on legacy"
    changed = code.replace('"https://*.partner.example"],',
                           '"https://*.partner.example", "https://beta.example.com"],', 1)
    changed = changed.replace('methods=["GET", "POST"], supports',
                              'methods=["GET", "POST", "DELETE"], supports')
    changed = changed.replace('@cross_origin(origins="*", supports_credentials=False)',
                              '@cross_origin(origins=["https://app.example.com"], '
                              'supports_credentials=False)')
    changed = changed.replace("max_age=86400", "max_age=3600")
    assert changed.count("beta") == changed.count("DELETE") - 1 == 1
    assert run(build(changed), "diff", str(before)) == shown(
        "flask --app myapp cors diff cors-snapshot.json")


def test_the_baseline_sessions_are_what_audit_prints(tmp_path: Path) -> None:
    app = build(page_code())
    path = tmp_path / "cors-audit-baseline.json"
    written = run(app, "audit", "--write-baseline", str(path))
    (wrote,) = shown("flask --app myapp cors audit --write-baseline cors-audit-baseline.json")[:1]
    assert written[0] == wrote.replace("cors-audit-baseline.json", str(path))
    printed = run(app, "audit", "--baseline", str(path))
    lines = shown("flask --app myapp cors audit --baseline cors-audit-baseline.json")
    assert len(printed) == len(lines) + 2  # "..." stands for three lines
    for line, expected in zip(printed, lines):
        if expected == "...":
            break
        start, _, end = expected.partition(" ... ")
        assert line.startswith(start) and line.endswith(end), (line, expected)
    assert printed[-1] == lines[-1]


def test_the_tightening_page_shows_where_a_candidate_is() -> None:
    page = DOCS / "tightening.rst"
    namespace: dict[str, Any] = {"__name__": "docs_tightening"}
    for kind, text, line in blocks(page):
        if kind in ("python", "include"):
            exec(compile(text, f"{page.name}:{line}", "exec"), namespace)
    ran = 0
    for command, lines in consoles(page):
        match = re.fullmatch(r"flask --app (\w+) cors routes", command)
        if match:
            app = namespace[match[1]]
            assert run(app, "routes") == [line for line in lines if line], command
            ran += 1
    assert ran == 2
    outlet, fixed = namespace["outlet_cors"], namespace["fixed_cors"]
    assert outlet.policy_for("outlet_home").report_only is None
    assert fixed.policy_for("fixed_home").report_only.origins == ("https://app.example.com",)
