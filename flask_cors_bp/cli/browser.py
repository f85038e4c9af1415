"""What a browser does with CORS (WHATWG Fetch), as pure functions on response headers.

``flask cors check`` sends the requests; this module decides, as a browser would, whether a
request needs a preflight and whether a response lets the page read it. Nothing here
knows about Flask.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from ..options import TOKEN

SAFELISTED_METHODS = ("GET", "HEAD", "POST")
#: The methods fetch upper-cases ("normalize a method"); any other is sent as written.
NORMALIZED_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")
_UNSAFE_BYTES = re.compile(r'[\x00-\x08\x0a-\x1f"():<>?@\[\\\]{}\x7f]')
_LANGUAGE = re.compile(r"[0-9A-Za-z *,\-.;=]*")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")

#: The value sent for a header given without one (``-H Accept``).
DEFAULT_VALUES = {
    "accept": "*/*", "accept-language": "en", "content-language": "en",
    "content-type": "application/json", "range": "bytes=0-",
}

#: Request headers a page cannot set (Fetch: forbidden request-header names).
FORBIDDEN_HEADERS = frozenset((
    "accept-charset", "accept-encoding", "access-control-request-headers",
    "access-control-request-method", "access-control-request-private-network", "connection",
    "content-length", "cookie", "cookie2", "date", "dnt", "expect", "host", "keep-alive",
    "origin", "referer", "set-cookie", "te", "trailer", "transfer-encoding", "upgrade", "via",
))


def safelisted_header(name: str, value: str | None) -> bool:
    """Whether a request header is CORS-safelisted (Fetch), so needs no preflight.

    Without a value, Accept, Accept-Language and Content-Language count as safelisted;
    Content-Type and Range only with a value that qualifies (``text/plain``, ``bytes=0-``).
    """
    name = name.lower()
    if value is not None and len(value) > 128:
        return False
    if name == "accept":
        return value is None or not _UNSAFE_BYTES.search(value)
    if name in ("accept-language", "content-language"):
        return value is None or _LANGUAGE.fullmatch(value) is not None
    if name == "content-type":
        if value is None or _UNSAFE_BYTES.search(value):
            return False
        return value.split(";")[0].strip().lower() in _FORM_TYPES
    if name == "range":
        return value is not None and re.fullmatch(r"bytes=[0-9]+-[0-9]*", value) is not None
    return False


def parse_header(text: str) -> tuple[str, str | None]:
    """``NAME`` or ``NAME: VALUE`` as a page would set it; ``ValueError`` says why not."""
    name, colon, value = text.partition(":")
    name = name.strip()
    if not TOKEN.fullmatch(name) or _CONTROL.search(value):
        raise ValueError(f"{text!r} is not NAME or NAME: VALUE")
    low = name.lower()
    if low in FORBIDDEN_HEADERS or low.startswith(("proxy-", "sec-")):
        hint = " (use --credentials for cookies)" if low.startswith("cookie") else ""
        raise ValueError(f"{name!r} is set by the browser, a page cannot send it{hint}")
    return name, value.strip() if colon else None


def browser_method(method: str) -> str:
    """The method as a browser sends it: DELETE, GET, HEAD, OPTIONS, POST and PUT in upper
    case whatever their case (``fetch`` normalises them), any other method as written
    (``patch`` stays ``patch``, and CORS compares methods case-sensitively)."""
    return method.upper() if method.upper() in NORMALIZED_METHODS else method


def case_hint(method: str, allowed: Sequence[str]) -> str:
    """Why ``patch`` fails where ``PATCH`` is allowed (empty for other methods)."""
    if method == method.upper() or method.upper() not in allowed:
        return ""
    return (f"; methods are case-sensitive, and browsers only upper-case "
            f"{', '.join(NORMALIZED_METHODS[:-1])} and {NORMALIZED_METHODS[-1]}: send "
            f"{method.upper()}")


def needs_preflight(method: str, unsafe_headers: Sequence[str], private_network: bool) -> bool:
    """Whether a browser sends a preflight before the request."""
    return method not in SAFELISTED_METHODS or bool(unsafe_headers) or private_network


class Answer(NamedTuple):
    """A response as the browser's checks see it: its status and headers."""

    status: int
    headers: Sequence[tuple[str, str]]

    def values(self, name: str) -> list[str]:
        """Every value of a header (names compared case-insensitively)."""
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def value(self, name: str) -> str | None:
        """The first value of a header, or ``None``."""
        found = self.values(name)
        return found[0] if found else None

    def tokens(self, name: str) -> list[str]:
        """A comma-separated header as a list of its items."""
        return [v.strip() for v in ",".join(self.values(name)).split(",") if v.strip()]


class Failure(NamedTuple):
    """Why a browser would refuse: what failed, the detail, and the policy field to change."""

    what: str
    detail: str
    field: str | None = None


def cors_failure(answer: Answer, origin: str, credentials: bool) -> Failure | None:
    """The browser's CORS check on a response (Fetch), as a :class:`Failure`."""
    values = answer.values("Access-Control-Allow-Origin")
    if not values:
        return Failure("origin", "the response has no Access-Control-Allow-Origin", "origins")
    if len(values) > 1:
        return Failure("origin", "the response has several Access-Control-Allow-Origin headers")
    if values[0] == "*":
        if credentials:
            return Failure("credentials", "Access-Control-Allow-Origin is '*', which browsers "
                           "refuse for requests with credentials", "supports_credentials")
    elif values[0] != origin:
        return Failure("origin", f"Access-Control-Allow-Origin is {values[0]!r}, not the "
                       "request's origin", "origins")
    if credentials and answer.value("Access-Control-Allow-Credentials") != "true":
        return Failure("credentials", "the response has no Access-Control-Allow-Credentials: "
                       "true", "supports_credentials")
    return None


def status_failure(code: int) -> Failure:
    """A preflight answered with a status browsers do not accept (not 2xx)."""
    if 300 <= code < 400:
        why = "browsers do not follow redirects on a preflight: call the URL it redirects to"
    elif code == 404:
        why = "no route answers this path"
    else:
        why = ("the view or a before_request hook answered the OPTIONS request itself (let "
               "the library answer it: automatic_options=True, the default)")
    return Failure("preflight", f"the preflight was answered with status {code}; browsers "
                   f"need a 2xx status: {why}")


def preflight_failure(
    answer: Answer, origin: str, method: str, names: Sequence[str],
    credentials: bool, private_network: bool,
) -> Failure | None:
    """The browser's checks on a preflight response, after the CORS check."""
    failure = cors_failure(answer, origin, credentials)
    if failure is not None:
        return failure
    if not 200 <= answer.status < 300:
        return status_failure(answer.status)
    methods = answer.tokens("Access-Control-Allow-Methods")
    wildcard = "*" in methods and not credentials
    if method not in SAFELISTED_METHODS and method not in methods and not wildcard:
        return Failure("method", f"{method} is not in Access-Control-Allow-Methods"
                       f"{case_hint(method, methods)}", "methods")
    allowed = {h.lower() for h in answer.tokens("Access-Control-Allow-Headers")}
    missing = [n for n in names if n.lower() not in allowed and (
        credentials or "*" not in allowed or n.lower() == "authorization")]
    if missing:
        return Failure("headers", f"{', '.join(missing)} not in Access-Control-Allow-Headers",
                       "allow_headers")
    if private_network and answer.value("Access-Control-Allow-Private-Network") != "true":
        return Failure("private network", "the response has no "
                       "Access-Control-Allow-Private-Network: true", "allow_private_network")
    return None
