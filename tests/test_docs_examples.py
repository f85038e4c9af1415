"""The documentation's examples run and say what the library does.

Python blocks of every page must compile. On pages with interactive sessions (``pycon``
blocks), the page's Python blocks (except those marked ``:class: fragment``) and included
example files run in order, and each session runs as a doctest in the same namespace.
"""

from __future__ import annotations

import doctest
import re
import shlex
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


def consoles(page: Path) -> list[tuple[str, list[str]]]:
    """(command, the lines shown after it) for each ``$ ...`` line of the console blocks."""
    lines = page.read_text(encoding="utf-8").splitlines()
    out: list[tuple[str, list[str]]] = []
    inside, indent = False, 0
    for line in lines:
        if line.strip() == ".. code-block:: console":
            inside, indent = True, 0
            continue
        if inside and line and not line.startswith(" "):
            inside = False
        if not inside or not line.strip():
            continue
        indent = indent or len(line) - len(line.lstrip())
        text = line[indent:].rstrip()
        if text.startswith("$ "):
            out.append((text[2:], []))
        elif out and out[-1][0].endswith("\\"):
            out[-1] = (out[-1][0][:-1] + text.strip(), [])
        elif out:
            out[-1][1].append(text)
    return out


def page_app(page: Path, index: int = 0) -> Any:
    """The app of a page's ``index``-th python block, its views answering ``"ok"``."""
    code = [text for kind, text, _ in blocks(page) if kind == "python"][index]
    code = re.sub(r"\): \.\.\.$", "): return 'ok'", code, flags=re.MULTILINE)
    namespace: dict[str, Any] = {"__name__": f"docs_{page.stem.replace('-', '_')}"}
    exec(compile(code, page.name, "exec"), namespace)
    return namespace["app"]


def test_getting_started_curl_shows_what_the_app_sends() -> None:
    page = DOCS / "getting-started.rst"
    client = page_app(page).test_client()
    curls = [(c, shown) for c, shown in consoles(page) if c.startswith("curl ")]
    assert len(curls) == 2
    for command, shown in curls:
        origin = re.search(r'-H "Origin: ([^"]+)"', command).group(1)  # type: ignore[union-attr]
        path = command.rsplit("5000", 1)[1]
        response = client.get(path, headers={"Origin": origin})
        sent = [f"HTTP/1.1 {response.status}"] + [
            f"{k}: {v}" for k, v in response.headers.items()
            if k.startswith("Access-Control-") or k == "Vary"]
        assert shown[-1] == "..."
        assert shown[:-1] == sent, command


def test_debugging_page_outputs_are_what_the_commands_print() -> None:
    from click.testing import CliRunner
    from flask.cli import ScriptInfo

    page = DOCS / "debugging.rst"
    app = page_app(page)
    runner = CliRunner()
    ran = 0
    for command, shown in consoles(page):
        if not command.startswith("flask cors ") or "--json" in command or "myapp" in command:
            continue
        args = shlex.split(command)[1:]
        result = runner.invoke(app.cli, args, obj=ScriptInfo(create_app=lambda: app),
                               color=False)
        printed = [line.rstrip() for line in result.output.splitlines()]
        assert printed == shown, command
        ran += 1
    assert ran >= 7


def test_options_page_lists_every_option_and_config_key() -> None:
    text = (DOCS / "options.rst").read_text(encoding="utf-8")
    for name in ALL_OPTIONS:
        assert f".. _opt-{name.replace('_', '-')}:" in text or f"``{name}``\n---" in text, name
        assert f"``CORS_{name.upper()}``" in text, name
