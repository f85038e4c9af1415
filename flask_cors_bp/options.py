"""Option names, defaults and validation.

Every option value is checked and normalised here, once, when it is given; the result is a
plain immutable value (tuples, ints, bools, a compiled :class:`OriginMatcher`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any, NamedTuple

from .errors import CorsConfigError
from .origins import OriginMatcher, check_credentials, compile_origins, looks_like_regex

ALL_METHODS = ("GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE")

#: Options every level accepts, with the library defaults (same as Flask-CORS 6.0.2).
DEFAULTS: Mapping[str, Any] = {
    "origins": "*",
    "methods": ALL_METHODS,
    "allow_headers": "*",
    "expose_headers": (),
    "supports_credentials": False,
    "max_age": None,
    "send_wildcard": False,
    "vary_header": True,
    "always_send": True,
    "allow_private_network": False,
    "automatic_options": True,
}
POLICY_OPTIONS = tuple(DEFAULTS)
#: Every level also takes a report-only candidate: options merged over that level's own.
REPORT_ONLY = "report_only"
LEVEL_OPTIONS = (*POLICY_OPTIONS, REPORT_ONLY)
#: Options only ``CORS(app, ...)`` / ``init_app`` / ``CORS_*`` config accept.
APP_OPTIONS = ("resources", "intercept_exceptions")
ALL_OPTIONS = LEVEL_OPTIONS + APP_OPTIONS
BOOL_OPTIONS = frozenset(
    ["supports_credentials", "send_wildcard", "vary_header", "always_send",
     "allow_private_network", "automatic_options", "intercept_exceptions"]
)
#: An HTTP token (RFC 9110): what header names and method names are made of.
TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def unknown_option(name: str, where: str, known: Iterable[str] = ALL_OPTIONS) -> CorsConfigError:
    """The error for an option name that does not exist, suggesting the closest one."""
    close = difflib.get_close_matches(name, list(known), n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"valid options: {', '.join(known)}"
    return CorsConfigError(name, name, "is not a CORS option", hint, where)


def _names(option: str, value: Any, *, upper: bool, patterns: bool = False
           ) -> tuple[Any, ...]:
    """Header or method names; with ``patterns``, regular expressions too (compiled,
    case-insensitive; a string is one when it has regex syntax, as for origins)."""
    if isinstance(value, (str, re.Pattern)):
        items: Iterable[Any] = value.split(",") if isinstance(value, str) else (value,)
    elif isinstance(value, Iterable) and not isinstance(value, (bytes, Mapping)):
        items = value
    else:
        example = "['GET', 'POST']" if upper else "['X-Requested-With']"
        raise CorsConfigError(option, value, "must be a string or a list of strings",
                              f"e.g. {option}={example}")
    out: list[Any] = []
    for item in items:
        if patterns and isinstance(item, re.Pattern):
            out.append(re.compile(item.pattern, item.flags | re.IGNORECASE))
            continue
        if not isinstance(item, str):
            raise CorsConfigError(option, item, "entries must be strings", "list names as strings")
        name = item.strip()
        if not name:
            continue
        if patterns and looks_like_regex(name):
            try:
                out.append(re.compile(name, re.IGNORECASE))
            except re.error as exc:
                raise CorsConfigError(option, item, f"is not a valid regular expression ({exc})",
                                      "fix the expression, or list exact header names") from None
            continue
        if not TOKEN.fullmatch(name) or ("*" in name and name != "*"):
            hint = ("list exact names or regular expressions such as 'X-Company-.*'; "
                    "'*' alone means any") if patterns else "list exact names; '*' alone means any"
            raise CorsConfigError(option, item, "is not a header or method name", hint)
        name = name.upper() if upper else name
        if name not in out:
            out.append(name)
    return tuple(out)


def _max_age(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, int) and not isinstance(value, bool):
        seconds = value
    elif isinstance(value, str) and value.strip().isdigit() and value.strip().isascii():
        seconds = int(value.strip())
    else:
        raise CorsConfigError("max_age", value, "must be a number of seconds",
                              "use an int, a string of digits or a timedelta, e.g. max_age=600")
    if seconds < 0 or seconds != int(seconds):
        raise CorsConfigError("max_age", value, "must be a whole, non-negative number of seconds",
                              "e.g. max_age=600")
    return int(seconds)


class Resource(NamedTuple):
    """One ``resources`` entry: a path pattern and the options that apply under it."""

    label: str
    pattern: str
    regex: re.Pattern[str] | None  # None: the path must equal ``pattern``
    options: Mapping[str, Any]

    def matches(self, path: str) -> bool:
        if self.regex is None:
            return path == self.pattern
        return self.regex.match(path) is not None


def _is_path_regex(pattern: str) -> bool:
    return any(c in pattern for c in "*\\]?$^[()")


def _resources(value: Any, where: str) -> tuple[Resource, ...]:
    if isinstance(value, (str, re.Pattern)):
        pairs: list[tuple[Any, Any]] = [(value, {})]
    elif isinstance(value, Mapping):
        pairs = list(value.items())
    elif isinstance(value, Iterable) and not isinstance(value, bytes):
        pairs = [(item, {}) for item in value]
    else:
        raise CorsConfigError("resources", value, "must be a dict, a list, a string or a regex",
                              "e.g. resources={r'/api/*': {'origins': ['https://app.example.com']}}")
    out: list[tuple[tuple[int, int, int, int], Resource]] = []
    for pattern, opts in pairs:
        if not isinstance(opts, Mapping):
            raise CorsConfigError("resources", opts, f"options for {pattern!r} must be a dict",
                                  "e.g. {r'/api/*': {'origins': [...]}}")
        regex: re.Pattern[str] | None
        if isinstance(pattern, re.Pattern):
            source, regex = pattern.pattern, pattern
            order = (1, 0)
        elif isinstance(pattern, str):
            source = ".*" if pattern == "*" else pattern
            try:
                regex = re.compile(source) if _is_path_regex(source) else None
            except re.error as exc:
                raise CorsConfigError("resources", pattern, f"is not a valid regex ({exc})",
                                      "fix the path pattern, e.g. r'/api/.*'") from None
            order = (0, 0) if regex is None else (1, 1)
        else:
            raise CorsConfigError("resources", pattern, "a path pattern must be a string or regex",
                                  "e.g. r'/api/*'")
        label = f"resources r{source!r}"
        entry = Resource(label, source, regex,
                         normalize(opts, where=f"{where}, {label}", allowed=LEVEL_OPTIONS))
        # Literal paths first, then regexes; deeper and longer ones first (Flask-CORS 6 order).
        out.append(((*order, -source.count("/"), -len(source)), entry))
    if isinstance(value, Mapping):
        out.sort(key=lambda pair: pair[0])
    return tuple(entry for _, entry in out)


def normalize_one(name: str, value: Any) -> Any:
    """Validate one option and return its normalised, immutable value."""
    if name == "origins":
        return value if isinstance(value, OriginMatcher) else compile_origins(value)
    if name == "methods":
        return _names(name, value, upper=True)
    if name == "allow_headers":
        names = _names(name, value, upper=False, patterns=True)
        return "*" if "*" in names else names
    if name == "expose_headers":
        return _names(name, value, upper=False)
    if name == "max_age":
        return _max_age(value)
    if name in BOOL_OPTIONS:
        if not isinstance(value, bool):
            raise CorsConfigError(name, value, "must be True or False",
                                  f"write {name}=True or {name}=False")
        return value
    raise AssertionError(name)


def _report_only(value: Any, level: Mapping[str, Any], where: str) -> dict[str, Any]:
    """A level's report-only candidate options, validated alone and over the level's own."""
    if not isinstance(value, Mapping):
        raise CorsConfigError(REPORT_ONLY, value, "must be a dict of options",
                              "e.g. report_only={'origins': ['https://app.example.com']}", where)
    where = f"{where}, report_only"
    options = normalize(value, where=where, allowed=POLICY_OPTIONS)
    _check_credentials({**level, **options}, where)
    return options


def _check_credentials(options: Mapping[str, Any], where: str) -> None:
    origins = options.get("origins")
    if options.get("supports_credentials") and origins is not None:
        check_credentials(origins, where, where)


def normalize(
    options: Mapping[str, Any], *, where: str, allowed: Iterable[str] = LEVEL_OPTIONS
) -> dict[str, Any]:
    """Validate a mapping of options given at one level; unknown names are errors."""
    allowed = tuple(allowed)
    out: dict[str, Any] = {}
    for name, value in options.items():
        if name not in allowed:
            if name == REPORT_ONLY:
                raise CorsConfigError(name, value, "a report_only candidate has no candidate "
                                      "of its own", "list the candidate's options only", where)
            if name in ALL_OPTIONS:
                raise CorsConfigError(name, value, "is only accepted by CORS(app) / init_app",
                                      "set it on the application, not here", where)
            raise unknown_option(name, where, allowed)
        if name == "resources":
            out[name] = _resources(value, where)
        elif name == REPORT_ONLY:
            continue  # below, once the level's own options are known
        else:
            try:
                out[name] = normalize_one(name, value)
            except CorsConfigError as exc:
                if exc.where:
                    raise
                raise CorsConfigError(exc.option, exc.value, exc.problem, exc.hint, where) from None
    _check_credentials(out, where)
    if REPORT_ONLY in options and REPORT_ONLY in allowed:
        out[REPORT_ONLY] = _report_only(options[REPORT_ONLY], out, where)
    return out


def config_options(config: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Read ``CORS_<OPTION>`` keys of a Flask config; returns (options, CORS_BLUEPRINTS)."""
    options: dict[str, Any] = {}
    blueprints: dict[str, Any] = {}
    known = [f"CORS_{name.upper()}" for name in ALL_OPTIONS] + ["CORS_BLUEPRINTS"]
    for key, value in config.items():
        if not key.startswith("CORS_"):
            continue
        if key == "CORS_BLUEPRINTS":
            if not isinstance(value, Mapping):
                raise CorsConfigError(key, value, "must be a dict of blueprint name to options",
                                      "e.g. CORS_BLUEPRINTS = {'api': {'origins': [...]}}",
                                      "app config")
            for bp_name, opts in value.items():
                if not isinstance(opts, Mapping):
                    raise CorsConfigError(key, opts, f"the entry for {bp_name!r} must be a dict",
                                          "e.g. {'origins': ['https://app.example.com']}",
                                          "app config")
                blueprints[bp_name] = normalize(opts, where=f"config CORS_BLUEPRINTS[{bp_name!r}]")
            continue
        name = key[5:].lower()
        if name not in ALL_OPTIONS:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"valid keys: {', '.join(known)}"
            raise CorsConfigError(key, key, "is not a CORS config key", hint, "app config")
        options[name] = value
    return normalize(options, where="app config", allowed=ALL_OPTIONS), blueprints
