"""CorsPolicy: one effective, immutable policy with its header values computed up front."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from .options import DEFAULTS, POLICY_OPTIONS, REPORT_ONLY, normalize_one
from .origins import OriginMatcher, check_credentials

Header = tuple[str, str]

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"
ACEH = "Access-Control-Expose-Headers"
ACMA = "Access-Control-Max-Age"
ACAPN = "Access-Control-Allow-Private-Network"

#: A level of configuration: its provenance label and the options it sets.
#: In a label, ``{OPTION}`` is replaced by the option name in upper case.
Layer = tuple[str, Mapping[str, Any]]

_DEFAULT_LAYER: Layer = ("default", {k: normalize_one(k, v) for k, v in DEFAULTS.items()})


def _merge(layers: Iterable[Layer]) -> tuple[dict[str, Any], dict[str, str]]:
    """Option values and their provenance labels, later levels winning field by field."""
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for label, options in layers:
        for name, value in options.items():
            if name in DEFAULTS:
                values[name] = value
                sources[name] = label.replace("{OPTION}", name.upper())
    return values, sources


def _with_candidates(layers: Iterable[Layer]) -> Iterator[Layer]:
    """Each level, followed by its report-only options (labelled as such) when it has any."""
    for label, options in layers:
        yield label, options
        if REPORT_ONLY in options:  # "config CORS_{OPTION}" names the config key
            yield (label.replace("{OPTION}", "REPORT_ONLY") if "{OPTION}" in label
                   else f"{label} report_only"), options[REPORT_ONLY]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, OriginMatcher) and isinstance(b, OriginMatcher):
        return a.entries == b.entries
    return bool(a == b)


class CorsPolicy:
    """The effective CORS policy of an endpoint: immutable, validated, precompiled.

    Attributes are named like the options. ``origins`` holds the entries as configured;
    :meth:`source` tells which configuration level set a field.
    """

    __slots__ = (
        *POLICY_OPTIONS, "_sources", "matcher", "report_only",
        "any_origin", "wildcard", "allowed_methods", "any_method", "allowed_headers", "any_header",
        "header_patterns",
        "no_origin_headers", "actual_headers", "preflight_headers", "vary", "preflight_vary",
    )
    _sources: dict[str, str]
    matcher: OriginMatcher  #: the compiled ``origins`` entries
    #: The report-only candidate: what this policy would be with every level's
    #: ``report_only`` options applied (``None``: none, or one with the same option values).
    report_only: CorsPolicy | None
    origins: tuple[Any, ...]
    methods: tuple[str, ...]
    allow_headers: str | tuple[str | re.Pattern[str], ...]
    expose_headers: tuple[str, ...]
    supports_credentials: bool
    max_age: int | None
    send_wildcard: bool
    vary_header: bool
    always_send: bool
    allow_private_network: bool
    automatic_options: bool

    def __init__(self, values: Mapping[str, Any], sources: Mapping[str, str]) -> None:
        matcher: OriginMatcher = values["origins"]
        put = object.__setattr__
        for name in POLICY_OPTIONS:
            put(self, name, matcher.entries if name == "origins" else values[name])
        put(self, "_sources", dict(sources))
        put(self, "report_only", None)
        put(self, "matcher", matcher)
        creds = self.supports_credentials
        if creds:
            check_credentials(matcher, sources["origins"], sources["supports_credentials"])
        put(self, "any_origin", matcher.any_origin)
        put(self, "wildcard", matcher.any_origin and self.send_wildcard and not creds)
        put(self, "allowed_methods", frozenset(self.methods))
        put(self, "any_method", "*" in self.methods)  # answered with the requested method
        put(self, "any_header", self.allow_headers == "*")
        put(self, "allowed_headers",
            frozenset(h.lower() for h in self.allow_headers if isinstance(h, str)))
        put(self, "header_patterns",
            tuple(h for h in self.allow_headers if isinstance(h, re.Pattern)))
        common: list[Header] = [(ACAC, "true")] if creds else []
        expose = [(ACEH, ", ".join(self.expose_headers))] if self.expose_headers else []
        put(self, "actual_headers", tuple(common + expose))
        preflight = [*common] if self.any_method else [*common, (ACAM, ", ".join(self.methods))]
        if self.max_age is not None:
            preflight.append((ACMA, str(self.max_age)))
        put(self, "preflight_headers", tuple(preflight))
        no_origin: tuple[Header, ...] = ()

        if matcher.any_origin and not creds and self.always_send:
            no_origin = ((ACAO, "*"), *expose)
        put(self, "no_origin_headers", no_origin)
        vary = ("Origin",) if self.vary_header else ()
        put(self, "vary", vary)
        asks = (
            "Access-Control-Request-Method",
            "Access-Control-Request-Headers",
            "Access-Control-Request-Private-Network",  # decides between grant and refusal
        )
        put(self, "preflight_vary", vary + asks if vary else ())

    @classmethod
    def from_layers(cls, layers: Iterable[Layer]) -> CorsPolicy:
        """Merge levels field by field, later wins, recording where each field came from.

        When a level has ``report_only`` options, the same levels are merged again with each
        level's candidate options over its own: that is :attr:`report_only` (``None`` when
        no level has one, or when its option values are all this policy's).
        """
        layers = (_DEFAULT_LAYER, *layers)
        values, sources = _merge(layers)
        policy = cls(values, sources)
        candidate = None
        if any(REPORT_ONLY in options for _, options in layers):
            candidate_values, candidate_sources = _merge(_with_candidates(layers))
            if any(not _same(values[name], candidate_values[name]) for name in POLICY_OPTIONS):
                candidate = cls(candidate_values, candidate_sources)
        object.__setattr__(policy, "report_only", candidate)
        return policy

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("CorsPolicy is immutable")

    def source(self, field: str) -> str:
        """Which level set ``field``: ``"route"``, ``"blueprint 'api'"``, ``"app"``, ...

        Raises ``KeyError`` for a name that is not an option.
        """
        return self._sources[field]

    def allows_origin(self, origin: str) -> bool:
        """Whether a request with this ``Origin`` header value is granted."""
        return self.matcher.allows(origin)

    def allows_header(self, name: str) -> bool:
        """Whether a requested header name (a token) is allowed: an entry equal to it in any
        letter case, or a regular-expression entry that matches all of it."""
        if self.any_header or name.lower() in self.allowed_headers:
            return True
        return any(pattern.fullmatch(name) for pattern in self.header_patterns)

    def as_dict(self) -> dict[str, Any]:
        """The option values, with ``origins`` shown as configured (regexes as patterns)."""
        out = {name: getattr(self, name) for name in POLICY_OPTIONS}
        out["origins"] = [getattr(o, "pattern", o) if not callable(o) else repr(o)
                          for o in self.origins]
        if not self.any_header:
            out["allow_headers"] = tuple(getattr(h, "pattern", h) for h in self.allow_headers)
        return out

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{name}={getattr(self, name)!r} [{self._sources[name]}]"
            for name in POLICY_OPTIONS
            if self._sources[name] != "default"
        )
        return f"CorsPolicy({shown})"

    # Precomputed at construction (see __init__); declared for type checkers.
    any_origin: bool
    wildcard: bool
    allowed_methods: frozenset[str]
    any_method: bool
    allowed_headers: frozenset[str]
    header_patterns: tuple[re.Pattern[str], ...]
    any_header: bool
    no_origin_headers: tuple[Header, ...]
    actual_headers: tuple[Header, ...]
    preflight_headers: tuple[Header, ...]
    vary: tuple[str, ...]
    preflight_vary: tuple[str, ...]
