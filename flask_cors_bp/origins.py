"""Origin parsing and matching.

A request's ``Origin`` is granted only when it is a well-formed serialized origin
(``scheme://host[:port]``). Configured entries are compiled once into an :class:`OriginMatcher`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, Callable, NamedTuple

from .errors import CorsConfigError

log = logging.getLogger("flask_cors_bp")

ANY = "*"
NULL = "null"
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
MAX_ORIGIN_LENGTH = 300  # scheme + "://" + 253-byte host + ":65535", with room to spare

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DNS_HOST = rf"{_LABEL}(?:\.{_LABEL})*"
_IPV6_HOST = r"\[[0-9A-Fa-f:.]{2,45}\]"
_ORIGIN_RE = re.compile(
    rf"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<host>{_IPV6_HOST}|{_DNS_HOST})"
    r"(?::(?P<port>0|[1-9][0-9]{0,4}))?"
)
# Characters that make a configured string a regular expression.
_REGEX_CHARS = frozenset("\\^$()[]{}|+?")

OriginCheck = Callable[[str], bool]


class ParsedOrigin(NamedTuple):
    """A well-formed origin, lower-cased, with its default port dropped."""

    scheme: str
    host: str
    port: str  # "" for the scheme's default port
    key: str  # scheme://host[:port], the form exact origins are compared in


def _parse(value: str) -> ParsedOrigin | None:
    m = _ORIGIN_RE.fullmatch(value)
    if m is None:
        return None
    scheme = m["scheme"].lower()
    host = m["host"].lower()
    if len(host) > 253:
        return None
    port = m["port"] or ""
    if port:
        if int(port) > 65535:
            return None
        if DEFAULT_PORTS.get(scheme) == int(port):
            port = ""
    key = f"{scheme}://{host}:{port}" if port else f"{scheme}://{host}"
    return ParsedOrigin(scheme, host, port, key)


_parse_cached = lru_cache(maxsize=2048)(_parse)


def parse_origin(value: str) -> ParsedOrigin | None:
    """Parse a request's ``Origin``; ``None`` unless it is a well-formed serialized origin."""
    if len(value) > MAX_ORIGIN_LENGTH:
        return None
    return _parse_cached(value)


def grant_value(origin: str, any_origin: bool) -> str:
    """What ``Access-Control-Allow-Origin`` says to a granted ``Origin``: the value as received
    when it is a well-formed origin or ``null``; ``*`` for any other value, which only an
    any-origin policy grants (such a value is never echoed)."""
    if not any_origin or origin == NULL or parse_origin(origin) is not None:
        return origin
    return ANY


def looks_like_regex(entry: str) -> bool:
    """Whether a configured origin string is a regular expression.

    It is when it holds any of ``\\ ^ $ ( ) [ ] { } | + ?`` or ``.*`` -- except a well-formed
    origin with an IPv6 host (``http://[::1]:8000``), which is an exact origin, and a URL whose
    only such character is a ``?`` that starts a query (after a path, or before a ``=``:
    ``https://a.example/?x``, ``https://a.example?x=1``), which is an error.
    """
    if "://[" in entry and _parse(entry) is not None:
        return False
    if ".*" in entry:
        return True
    found = _REGEX_CHARS.intersection(entry)
    if found == {"?"} and "://" in entry:
        before, _, after = entry.partition("://")[2].partition("?")
        if "/" in before or "=" in after or "&" in after:
            return False
    return bool(found)


class OriginMatcher:
    """Compiled ``origins`` entries: an exact set, subdomain patterns, regexes and callables."""

    __slots__ = (
        "_regex_rules", "_subdomain_rules", "allow_null", "any_origin", "callables", "entries",
        "exact", "exact_entries", "regex_entries", "regexes", "subdomain_entries", "subdomains",
    )

    def __init__(self, entries: tuple[Any, ...], option: str = "origins") -> None:
        self.entries = entries
        self.any_origin = False
        self.allow_null = False
        exact: dict[str, Any] = {}  # canonical key -> the entry as configured
        subdomains: dict[tuple[str, str, str], str] = {}
        regexes: dict[re.Pattern[str], Any] = {}
        callables: list[OriginCheck] = []
        for entry in entries:
            if isinstance(entry, re.Pattern):
                regexes.setdefault(entry, entry)
            elif isinstance(entry, str):
                if entry == ANY:
                    self.any_origin = True
                elif entry == NULL:
                    self.allow_null = True
                elif looks_like_regex(entry):
                    regexes.setdefault(_compile_regex(entry, option), entry)
                elif "://*" in entry:
                    subdomains.setdefault(_subdomain_pattern(entry, option), entry)
                else:
                    exact.setdefault(_exact_origin(entry, option).key, entry)
            elif callable(entry):
                callables.append(entry)
            else:
                raise CorsConfigError(
                    option, entry, "an entry must be a string, a compiled regex or a callable",
                    "use 'https://app.example.com', 'https://*.example.com', re.compile(...) "
                    "or a function taking the origin and returning a bool",
                )
        self.exact = frozenset(exact)
        self.exact_entries: dict[str, Any] = exact  #: canonical key -> configured entry
        self.subdomains = tuple(subdomains)  #: (scheme, ".suffix", port) of each pattern
        self.subdomain_entries = tuple(subdomains.values())  #: the patterns as configured
        self.regexes = tuple(regexes)
        self.regex_entries = tuple(regexes.values())  #: strings or patterns, as configured
        self.callables = tuple(callables)
        # Flat (test..., entry) tuples: what match() walks per request.
        self._subdomain_rules = tuple((*key, entry) for key, entry in subdomains.items())
        self._regex_rules = tuple(regexes.items())

    def public_suffix_patterns(self) -> list[str]:
        """The subdomain patterns whose base is a public suffix (``https://*.vercel.app``):
        anyone can register a host they match. Reads the Public Suffix List; not for requests."""
        return [entry for (_, suffix, _), entry in zip(self.subdomains, self.subdomain_entries)
                if is_public_suffix(suffix[1:])]

    def allows(self, origin: str) -> bool:
        """Whether a request ``Origin`` header value is granted."""
        if origin in self.exact:  # canonical keys are well-formed origins: no parse needed
            return True
        return self.match(origin) is not None

    def match(self, origin: str) -> Any:
        """The configured entry that grants a request ``Origin`` value, or ``None``.

        The entry is returned as configured: an exact origin or a subdomain pattern string,
        a regex (string or compiled), a callable, ``"*"`` or ``"null"``. ``"*"`` grants any
        value (see :func:`grant_value` for the answer); otherwise ``null`` is only granted
        when listed literally, and other values only when they are well-formed origins.
        """
        if origin in self.exact:
            return self.exact_entries[origin]
        if self.any_origin:
            return ANY
        if origin == NULL:
            return NULL if self.allow_null else None
        parsed = _parse_cached(origin) if len(origin) <= MAX_ORIGIN_LENGTH else None
        if parsed is None:
            return None
        if parsed.key in self.exact:
            return self.exact_entries[parsed.key]
        for scheme, suffix, port, entry in self._subdomain_rules:
            if parsed.scheme == scheme and parsed.port == port and parsed.host.endswith(suffix):
                return entry
        for regex, entry in self._regex_rules:
            if regex.fullmatch(origin):
                return entry
        for check in self.callables:
            try:
                if check(origin) is True:
                    return check
            except Exception:  # a faulty check refuses; it never turns the request into a 500
                log.exception("CORS origin check %r raised; refused %s", check, ascii(origin))
        return None


_public_suffixes: Any = None  # the Public Suffix List, loaded on first use


def check_credentials(matcher: OriginMatcher, origins_from: str, credentials_from: str) -> None:
    """Raise when ``origins`` cannot be combined with ``supports_credentials=True``: any
    origin, or a subdomain pattern over a public suffix (anyone may register a site there).
    The two ``*_from`` name where each setting came from."""
    if matcher.any_origin:
        raise CorsConfigError(
            "supports_credentials", True,
            f"cannot be combined with any origin ('*' from {origins_from})",
            "list the allowed origins (or a pattern or a callable) at the same level",
            credentials_from,
        )
    public = matcher.public_suffix_patterns() if matcher.subdomains else []
    if public:
        base = public[0].partition("://*.")[2].rsplit(":", 1)[0]
        raise CorsConfigError(
            "origins", public[0],
            f"is a subdomain pattern over the public suffix {base!r}, where anyone can "
            f"register a site, and cannot be combined with supports_credentials=True (from "
            f"{credentials_from})",
            f"list your own sites exactly, e.g. 'https://myapp.{base}', or use a pattern "
            "under a domain you own",
            origins_from,
        )


def is_public_suffix(host: str) -> bool:
    """Whether ``host`` is a public suffix per the Public Suffix List, its private section
    included (``co.uk``, ``github.io``, ``vercel.app``): anyone may register a name under it.

    Loads the list that the ``publicsuffixlist`` package ships (no network) on first use.
    """
    global _public_suffixes
    if _public_suffixes is None:
        from publicsuffixlist import PublicSuffixList

        _public_suffixes = PublicSuffixList()
    return bool(_public_suffixes.is_public(host.lower().strip(".")))


def _compile_regex(entry: str, option: str) -> re.Pattern[str]:
    try:
        return re.compile(entry, re.IGNORECASE)
    except re.error as exc:
        raise CorsConfigError(
            option, entry, f"is not a valid regular expression ({exc})",
            "fix the expression, or write the origin plainly: 'https://app.example.com'",
        ) from None


def _exact_origin(entry: str, option: str) -> ParsedOrigin:
    if "://" not in entry:
        scheme = "http" if entry.split(":")[0] in ("localhost", "127.0.0.1") else "https"
        raise CorsConfigError(
            option, entry, "an origin needs a scheme",
            f"write {scheme + '://' + entry!r}: the scheme and port are part of an origin",
        )
    parsed = _parse(entry)
    if parsed is not None:
        return parsed
    if "," in entry or " " in entry.strip():
        listed = [part.strip() for part in entry.replace(",", " ").split() if part.strip()]
        raise CorsConfigError(
            option, entry, "holds several origins in one string", f"pass a list: {listed!r}",
        )
    if entry != entry.strip():
        raise CorsConfigError(option, entry, "has surrounding whitespace",
                              f"write {entry.strip()!r}")
    head = re.match(r"[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*", entry)
    if head and head.end() < len(entry) and entry[head.end()] in "/?#":
        raise CorsConfigError(
            option, entry, "an origin has no path, query or fragment",
            f"write {head.group(0)!r}",
        )
    if "*" in entry:
        raise CorsConfigError(
            option, entry, "'*' is only allowed as the first label of the host",
            "write 'https://*.example.com' for subdomains, or a regular expression",
        )
    raise CorsConfigError(
        option, entry, "is not a valid origin",
        "write scheme://host[:port], e.g. 'https://app.example.com' or 'http://localhost:3000'",
    )


def _subdomain_pattern(entry: str, option: str) -> tuple[str, str, str]:
    scheme, _, rest = entry.partition("://")
    if not rest.startswith("*."):
        _exact_origin(entry, option)  # raises the right message
    parsed = _parse(f"{scheme}://{rest[2:]}")
    if parsed is None:
        try:
            _exact_origin(f"{scheme}://{rest[2:]}", option)
        except CorsConfigError as exc:  # the same problem, told about the pattern as given
            raise CorsConfigError(option, entry, exc.problem,
                                  exc.hint.replace("://", "://*.", 1)) from None
        raise AssertionError("unreachable")
    if "." not in parsed.host or parsed.host.startswith("["):
        raise CorsConfigError(
            option, entry, "a subdomain pattern needs at least two labels after '*.'",
            "write 'https://*.example.com', never 'https://*.com'",
        )
    return parsed.scheme, "." + parsed.host, parsed.port


def compile_origins(value: Any, option: str = "origins") -> OriginMatcher:
    """Validate an ``origins`` value (one entry or an iterable of entries) and compile it."""
    entries: Iterable[Any]
    if isinstance(value, (str, re.Pattern)) or callable(value):
        entries = (value,)
    elif isinstance(value, Iterable) and not isinstance(value, (bytes, dict)):
        entries = tuple(value)
    else:
        raise CorsConfigError(
            option, value, "must be a string, a regex, a callable or a list of them",
            "e.g. origins=['https://app.example.com']",
        )
    return OriginMatcher(tuple(entries), option)
