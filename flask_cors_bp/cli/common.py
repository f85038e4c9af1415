"""What the commands share: the app under inspection, its policies, and how values are shown."""

from __future__ import annotations

import hashlib
import inspect
import re
import textwrap
from collections.abc import Iterator, Sequence
from typing import Any

import click
from flask import Flask
from flask.cli import ScriptInfo

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
    """A short digest of a callable: its source (its code where the source cannot be read),
    the plain values it closes over and the plain values of the module globals it reads, so
    that a snapshot tells a changed check from the same one (its name alone does not).

    The source, not the bytecode, is what is hashed: the digest stays the same from one
    Python version to the next.
    """
    target = func if hasattr(func, "__code__") else vars(type(func)).get("__call__", func)
    digest = hashlib.sha256()
    source = _source(target)
    if source is not None:
        digest.update(source.encode())
    code = getattr(target, "__code__", None)
    codes = [code] if code is not None else []
    names: set[str] = set()
    while codes:  # the function's code and the code of functions defined inside it
        current = codes.pop()
        names.update(current.co_names)
        if source is None:
            digest.update(current.co_code)
            digest.update(repr(current.co_names).encode())
        for const in current.co_consts:
            if hasattr(const, "co_code"):
                codes.append(const)
            elif source is None:
                digest.update(repr(const).encode())
    for cell in getattr(target, "__closure__", None) or ():
        try:
            value = plain_value(cell.cell_contents)
        except ValueError:  # an empty cell
            continue
        if value is not None:
            digest.update(value.encode())
    module_globals = getattr(target, "__globals__", None) or {}
    for name in sorted(names):
        value = plain_value(module_globals[name]) if name in module_globals else None
        if value is not None:
            digest.update(f"{name}={value}".encode())
    return digest.hexdigest()[:10]


def _source(func: Any) -> str | None:
    """The source text of a function, dedented (``None``: it cannot be read)."""
    try:
        return textwrap.dedent(inspect.getsource(func))
    except (OSError, TypeError):
        return None


_SCALARS = (str, bytes, int, float, bool, type(None))


def plain_value(value: Any, depth: int = 0) -> str | None:
    """Plain data (scalars, and tuples, lists, sets and dicts of them) as stable text, sets
    and dicts sorted; ``None`` for anything else."""
    if type(value) in _SCALARS:
        return repr(value)
    if depth > 8 or type(value) not in (tuple, list, set, frozenset, dict):
        return None
    if isinstance(value, dict):
        pairs = [(plain_value(k, depth + 1), plain_value(v, depth + 1))
                 for k, v in value.items()]
        if any(k is None or v is None for k, v in pairs):
            return None
        return "{" + ", ".join(sorted(f"{k}: {v}" for k, v in pairs)) + "}"
    items = [plain_value(item, depth + 1) for item in value]
    if any(item is None for item in items):
        return None
    texts = [str(item) for item in items]
    if isinstance(value, (set, frozenset)):
        return f"{type(value).__name__}({{{', '.join(sorted(texts))}}})"
    return f"{type(value).__name__}[{', '.join(texts)}]"


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
