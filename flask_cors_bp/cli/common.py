"""What the commands share: the app under inspection, its policies, and how values are shown."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from typing import Any

import click
from flask import Flask
from flask.cli import ScriptInfo
from werkzeug.routing import Rule

from ..options import config_options
from ..origins import looks_like_regex
from ..policy import CorsPolicy
from ..registry import ROUTE_ATTR

NO_EXTENSION = ("this app has no CORS extension (no CORS(app), init_app or CorsBlueprint): "
                "only views decorated with @cross_origin have a policy, their options merged "
                "over the CORS_* config")


class Inspected:
    """The app a command runs for, and the effective policy of each endpoint.

    With the extension on the app, policies come from ``cors.policy_for``. Without it, only
    ``@cross_origin`` views have one: their options over the ``CORS_*`` config and the
    defaults, which is what the decorator applies on its own.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        extension = app.extensions.get("cors")
        self.extension = extension if callable(getattr(extension, "policy_for", None)) else None

    def policy(self, endpoint: str, path: str | None = None) -> CorsPolicy | None:
        """The effective policy of ``endpoint`` (``None``: no CORS on it).

        Raises ``KeyError`` for an endpoint without a view and ``CorsConfigError`` for levels
        that do not combine.
        """
        if self.extension is not None:
            policy: CorsPolicy | None = self.extension.policy_for(endpoint, path=path,
                                                                  app=self.app)
            return policy
        options = getattr(self.app.view_functions[endpoint], ROUTE_ATTR, None)
        if options is None:
            return None
        config, _ = config_options(self.app.config)
        return CorsPolicy.from_layers([("config CORS_{OPTION}", config), ("route", options)])

    def note(self) -> None:
        """Tell the user (on stderr) when the app has no CORS extension."""
        if self.extension is None:
            click.echo(f"note: {NO_EXTENSION}", err=True)


def load() -> Inspected:
    """The app the command runs for (``--app`` / ``FLASK_APP``, or the test runner's)."""
    app: Flask = click.get_current_context().ensure_object(ScriptInfo).load_app()
    return Inspected(app)


def blueprint_of(endpoint: str) -> str | None:
    """The innermost blueprint of an endpoint (``api.v1.items`` -> ``api.v1``)."""
    return endpoint.rpartition(".")[0] or None


_VARIABLE = re.compile(r"<(?:([A-Za-z_]\w*)(?:\([^)]*\))?:)?[A-Za-z_]\w*>")
_SAMPLE_VALUES = {"int": "1", "float": "1.0", "uuid": "00000000-0000-0000-0000-000000000000"}


def sample_path(rule: Rule) -> str:
    """A path the rule matches, its variables replaced by sample values (to place the rule
    under the app-level ``resources``)."""
    return _VARIABLE.sub(lambda m: _SAMPLE_VALUES.get(m.group(1) or "", "x"), rule.rule)


def regex_text(source: str) -> str:
    """A regex source as a raw string literal, as it would be written in Python."""
    return f"r'{source}'" if "'" not in source and not source.endswith("\\") else repr(source)


def show_origin(entry: Any) -> str:
    """An ``origins`` entry as text: strings as given, regexes as their source (anchored
    when the source alone would read as an exact origin), callables by name."""
    if isinstance(entry, str):
        return entry
    if isinstance(entry, re.Pattern):
        source = str(entry.pattern)
        return source if looks_like_regex(source) else f"^{source}$"
    name = getattr(entry, "__qualname__", None) or type(entry).__name__
    return f"<callable {name} #{code_digest(entry)}>"


def code_digest(func: Any) -> str:
    """A short digest of a callable's code and of the plain values it closes over, so that a
    snapshot tells a changed check from the same one (its name alone does not)."""
    target = func if hasattr(func, "__code__") else vars(type(func)).get("__call__", func)
    digest = hashlib.sha256()
    code = getattr(target, "__code__", None)
    codes = [code] if code is not None else []
    while codes:  # the function's code and the code of functions defined inside it
        current = codes.pop()
        digest.update(current.co_code)
        digest.update(repr(current.co_names).encode())
        for const in current.co_consts:
            if hasattr(const, "co_code"):
                codes.append(const)
            else:
                digest.update(repr(const).encode())
    for cell in getattr(target, "__closure__", None) or ():
        try:
            value = cell.cell_contents
        except ValueError:
            continue
        if isinstance(value, (str, bytes, int, float, bool, tuple, frozenset, set, list)):
            digest.update(repr(sorted(map(repr, value)) if isinstance(value, (set, frozenset))
                               else value).encode())
    return digest.hexdigest()[:10]


def show_header(entry: Any) -> str:
    """An ``allow_headers`` entry as text: names as given, regexes as their source (anchored
    when the source alone would read as a name)."""
    if isinstance(entry, re.Pattern):
        source = str(entry.pattern)
        return source if looks_like_regex(source) else f"^{source}$"
    return str(entry)


def entry_label(entry: Any) -> str:
    """``regex r'...'``, ``callable <callable name>`` or the quoted entry: as findings name it."""
    if isinstance(entry, re.Pattern):
        return f"regex {regex_text(entry.pattern)}"
    if isinstance(entry, str):
        return f"regex {regex_text(entry)}" if looks_like_regex(entry) else repr(entry)
    return f"callable {show_origin(entry)}"


def comes_from(policy: CorsPolicy, field: str) -> str:
    """``origins come from blueprint 'api'``: which level to change for a field."""
    source = policy.source(field)
    verb = "come" if field in ("origins", "methods", "allow_headers", "expose_headers") else "comes"
    if source == "default":
        return (f"{field} {verb} from the default: set it with @cross_origin, on the blueprint "
                "or in CORS(app)")
    return f"{field} {verb} from {source}"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> Iterator[str]:
    """Lines of a left-aligned table, columns two spaces apart."""
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        yield "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()
