"""The documentation's examples run and say what the library does.

Python blocks of every page must compile. On pages with interactive sessions (``pycon``
blocks), the page's Python blocks (except those marked ``:class: fragment``) and included
example files run in order, and each session runs as a doctest in the same namespace.
"""

from __future__ import annotations

import doctest
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from flask_cors_bp.options import ALL_OPTIONS

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = sorted(DOCS.glob("*.rst"))
DIRECTIVE = re.compile(r"^\.\. (code-block|literalinclude):: *(\S+)\s*$")


def blocks(page: Path) -> list[tuple[str, str, int]]:
    """(kind, text, line) for each python / pycon code block and literalinclude of a page.

    ``kind`` is "python", "pycon", "include", or "fragment" for a python block marked
    ``:class: fragment`` (it illustrates and does not run on its own).
    """
    lines = page.read_text(encoding="utf-8").splitlines()
    out: list[tuple[str, str, int]] = []
    for number, line in enumerate(lines):
        match = DIRECTIVE.match(line.strip()) if line.startswith("..") else None
        if match is None:
            continue
        directive, argument = match.groups()
        if directive == "literalinclude":
            if argument.endswith(".py"):
                out.append(("include", (page.parent / argument).read_text(encoding="utf-8"),
                            number + 1))
            continue
        if argument not in ("python", "pycon"):
            continue
        body: list[str] = []
        kind = argument
        index = number + 1
        while index < len(lines) and (lines[index].strip() == "" or lines[index][:1] == " "):
            if lines[index].lstrip().startswith(":") and not body:
                if lines[index].split() == [":class:", "fragment"]:
                    kind = "fragment"
            else:
                body.append(lines[index])
            index += 1
        out.append((kind, textwrap.dedent("\n".join(body)).strip() + "\n", number + 2))
    return out


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_python_blocks_compile(page: Path) -> None:
    for kind, text, line in blocks(page):
        if kind in ("python", "fragment", "include"):
            compile(text, f"{page.name}:{line}", "exec")


SESSION_PAGES = [page for page in PAGES if any(kind == "pycon" for kind, _, _ in blocks(page))]


@pytest.mark.parametrize("page", SESSION_PAGES, ids=[page.name for page in SESSION_PAGES])
def test_sessions_print_what_the_page_shows(page: Path) -> None:
    namespace: dict[str, Any] = {"__name__": f"docs_{page.stem.replace('-', '_')}"}
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report: list[str] = []
    for kind, text, line in blocks(page):
        if kind in ("python", "include"):
            exec(compile(text, f"{page.name}:{line}", "exec"), namespace)
            continue
        test = parser.get_doctest(text, namespace, f"{page.name}:{line}", str(page), line)
        runner.run(test, out=report.append, clear_globs=False)
    assert runner.failures == 0, "".join(report)
    assert runner.tries > 0


def test_getting_started_curl_answers() -> None:
    from flask import Flask

    from flask_cors_bp import CORS

    app = Flask(__name__)
    CORS(app, origins=["https://app.example.com"])

    @app.get("/items")
    def items() -> dict[str, list[str]]:
        return {"items": []}

    client = app.test_client()
    granted = client.get("/items", headers={"Origin": "https://app.example.com"})
    assert granted.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert granted.headers["Vary"] == "Origin"
    refused = client.get("/items", headers={"Origin": "https://evil.example"})
    assert refused.status_code == 200
    assert [name for name, _ in refused.headers if name.startswith("Access-Control-")] == []
    assert refused.headers["Vary"] == "Origin"


def test_options_page_lists_every_option_and_config_key() -> None:
    text = (DOCS / "options.rst").read_text(encoding="utf-8")
    for name in ALL_OPTIONS:
        assert f".. _opt-{name.replace('_', '-')}:" in text or f"``{name}``\n---" in text, name
        assert f"``CORS_{name.upper()}``" in text, name
