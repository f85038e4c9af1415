"""The CORS protocol (WHATWG Fetch), as pure decisions on a :class:`CorsPolicy`.

Nothing here knows about Flask. The glue passes in header values exactly as received and
gets back the response headers to set, the ``Vary`` names to merge, and why a request was
refused (``None`` when it was not).

- A request with ``Origin`` is granted when the policy allows the origin; the grant echoes
  the header as received (or ``*`` for a wildcard policy), never a configured name. An
  any-origin policy grants every value; one that is neither an origin nor ``null`` is
  answered with ``*``, never echoed.
- A request without ``Origin`` (or a same-origin one) is not a CORS request: it only gets
  ``Access-Control-Allow-Origin: *`` when the policy allows any origin without credentials
  and ``always_send`` is on.
- A preflight is granted only when the origin, the method, every requested header and
  any private-network access are all allowed. A refusal carries no ``Access-Control-Allow-*``.
  ``"*"`` in ``methods`` or ``allow_headers`` is answered with what was requested; header
  names are compared case-insensitively, with entries or full-matched regular expressions.
- ``Vary: Origin`` goes on every response of a policy (when ``vary_header``), refused ones too.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any, NamedTuple, Optional, Protocol

from .options import TOKEN
from .origins import grant_value
from .policy import ACAH, ACAM, ACAO, ACAPN, CorsPolicy, Header

MAX_REQUEST_HEADERS_LENGTH = 4096
_ELEMENT = rf"[ \t]*(?:{TOKEN.pattern}[ \t]*)?"
_TOKEN_LIST = re.compile(rf"{_ELEMENT}(?:,{_ELEMENT})*")


#: What to add to a response: (headers, ``Vary`` names, why it was refused or None).
#: A refusal reason is "origin", "method", "headers" or "private_network".
#: (A plain tuple: this is built on every request.)
Decision = tuple[tuple[Header, ...], tuple[str, ...], Optional[str]]


class Target(Protocol):
    """Where the request went: its own origin is ``scheme://host``."""

    @property
    def scheme(self) -> str: ...

    @property
    def host(self) -> str: ...


class RequestFacts(NamedTuple):
    """What a CORS decision reads of a request, taken from its WSGI environ once."""

    origin: str | None  #: the ``Origin`` header as received
    preflight: bool  #: ``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``
    method: str | None  #: ``Access-Control-Request-Method`` as received
    headers: str | None  #: ``Access-Control-Request-Headers`` as received (unparsed)
    private_network: bool  #: ``Access-Control-Request-Private-Network: true``
    target: Target  #: where the request went (read lazily, for same-origin checks)


def is_preflight(environ: Mapping[str, Any]) -> bool:
    """Whether a request is a CORS preflight: ``OPTIONS`` with ``Origin`` and
    ``Access-Control-Request-Method``."""
    return (environ["REQUEST_METHOD"] == "OPTIONS" and "HTTP_ORIGIN" in environ
            and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ)


def request_facts(environ: Mapping[str, Any], target: Target) -> RequestFacts:
    """The facts of a request with ``Origin``, from its WSGI environ."""
    get = environ.get
    return _new_facts(RequestFacts, (
        get("HTTP_ORIGIN"),
        is_preflight(environ),
        get("HTTP_ACCESS_CONTROL_REQUEST_METHOD"),
        get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS"),
        get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK", "").lower() == "true",
        target,
    ))


_new_facts = tuple.__new__  # builds the named tuple without a Python-level call


def decide(
    policy: CorsPolicy, facts: RequestFacts, route_methods: Collection[str] | None = None
) -> Decision:
    """The decision for a request under a policy: a preflight's or an actual request's."""
    if facts.preflight:
        return decide_preflight(policy, facts.origin or "", facts.method or "", facts.headers,
                                facts.private_network, facts.target, route_methods)
    origin = facts.origin
    if origin is None:
        return not_cors(policy)
    if policy.matcher.allows(origin):
        return ((_grant_origin(policy, origin), *policy.actual_headers), policy.vary, None)
    if same_origin(origin, facts.target):
        return not_cors(policy)
    return ((), policy.vary, "origin")


def not_cors(policy: CorsPolicy) -> Decision:
    """The decision for a request without ``Origin``."""
    return (policy.no_origin_headers, policy.vary, None)


def same_origin(origin: str, target: Target) -> bool:
    """Whether ``Origin`` names the request's own origin (browsers send it on same-origin POSTs).

    A target whose host cannot be read (an untrusted ``Host``) is never the same origin.
    """
    try:
        own = f"{target.scheme}://{target.host}"
    except Exception:
        return False
    return origin.lower() == own.lower()


def _grant_origin(policy: CorsPolicy, origin: str) -> Header:
    if policy.wildcard:
        return (ACAO, "*")
    return (ACAO, grant_value(origin, True) if policy.any_origin else origin)


def requested_headers(value: str | None) -> tuple[str, ...] | None:
    """Parse ``Access-Control-Request-Headers``; ``None`` when it is malformed or too long."""
    if not value:
        return ()
    if len(value) > MAX_REQUEST_HEADERS_LENGTH:
        return None
    # A comma-separated list of tokens; only spaces and tabs surround a list element
    # (RFC 9110), not every Unicode space. Empty elements are allowed and dropped.
    if _TOKEN_LIST.fullmatch(value) is None:
        return None
    return tuple(filter(None, [name.strip(" \t") for name in value.split(",")]))


def decide_preflight(
    policy: CorsPolicy,
    origin: str,
    method: str,
    headers: str | None,
    private_network: bool,
    target: Target,
    route_methods: Collection[str] | None = None,
) -> Decision:
    """Headers for the answer to a preflight.

    ``route_methods`` are the methods the target route accepts (``None``: not known; empty:
    no route serves the path, so no method is granted). A listed method is granted whatever
    the route serves (the actual request then gets the route's 405); ``"*"`` grants only the
    methods the route serves.
    """
    vary = policy.preflight_vary
    if not policy.matcher.allows(origin):
        if same_origin(origin, target):
            return (policy.no_origin_headers, vary, None)
        return ((), vary, "origin")
    if (route_methods is not None and not route_methods) or (
        method not in policy.allowed_methods and not (
            policy.any_method and TOKEN.fullmatch(method)
            and (route_methods is None or method in route_methods))
    ):
        return ((), vary, "method")
    names = requested_headers(headers)
    if names is None or not (
        policy.any_header or all(policy.allows_header(name) for name in names)
    ):
        return ((), vary, "headers")
    if private_network and not policy.allow_private_network:
        return ((), vary, "private_network")
    out = [_grant_origin(policy, origin), *policy.preflight_headers]
    if policy.any_method:  # never a literal '*': with credentials browsers read it as a name
        out.append((ACAM, method))
    if names:
        out.append((ACAH, ", ".join(names)))
    if private_network:
        out.append((ACAPN, "true"))
    return (tuple(out), vary, None)


def merge_vary(values: list[str], names: tuple[str, ...]) -> str | None:
    """One ``Vary`` value for a response's ``Vary`` headers (several are one list, RFC 9110)
    with ``names`` added once each; ``None`` when its one header can stay as it is."""
    parts = [part.strip() for value in values for part in value.split(",") if part.strip()]
    present = {part.lower() for part in parts}
    missing = [] if "*" in present else [n for n in names if n.lower() not in present]
    if len(values) == 1 and not missing:
        return None
    return ", ".join([*parts, *missing])
