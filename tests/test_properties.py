"""Property tests: whatever the ``Origin``, a grant only goes where the configuration allows.

An independent oracle parses each ``Origin`` strictly (docs/origins.rst: ``scheme://host[:port]``,
ASCII letter/digit/hyphen labels, digits-only port without leading zeros, nothing else) and
decides whether the configuration allows it. Every response is checked against it: a grant
(``Access-Control-Allow-Origin``) echoes the request's ``Origin`` byte for byte and only for an
allowed origin, every clearly allowed origin is granted, a refusal carries no
``Access-Control-*`` header, and nothing is ever a 5xx.
"""

from __future__ import annotations

from string import ascii_letters, digits
from typing import NamedTuple

import pytest
from helpers import cors_app, cors_headers, wsgi
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXACT_ORIGINS = ["https://app.example.com", "http://localhost:3000", "https://api.example.com:8443"]
PATTERN_ORIGINS = ["https://*.example.com", "http://*.dev.example.org:8080"]

# What each configuration allows, as (scheme, host, port) with default ports as "".
EXACT_ALLOWED = {
    ("https", "app.example.com", ""),
    ("http", "localhost", "3000"),
    ("https", "api.example.com", "8443"),
}
# (scheme, parent domain, port): one or more whole labels in front of the parent.
PATTERN_ALLOWED = [("https", "example.com", ""), ("http", "dev.example.org", "8080")]

DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443"}
SCHEME_CHARS = frozenset(ascii_letters + digits + "+-.")
LDH = frozenset(ascii_letters + digits + "-")
DIGITS = frozenset(digits)

SETTINGS = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


class Origin(NamedTuple):
    scheme: str
    host: str
    port: str  # "" for the scheme's default port
    doubtful: bool  # well-formed by the documented grammar, but not a host/port DNS or TCP can have


def oracle_parse(value: str) -> Origin | None:
    """Parse a serialized origin strictly; ``None`` when it is not one."""
    scheme, sep, rest = value.partition("://")
    if not sep or not scheme or scheme[0] not in ascii_letters:
        return None
    if not set(scheme) <= SCHEME_CHARS:
        return None
    host, colon, port = rest.partition(":")
    if colon and (not port or not set(port) <= DIGITS or (port[0] == "0" and port != "0")):
        return None
    labels = host.split(".")
    if any(not label or not set(label) <= LDH for label in labels):
        return None
    doubtful = (
        len(host) > 253
        or any(len(label) > 63 or label[0] == "-" or label[-1] == "-" for label in labels)
        or (port != "" and int(port) > 65535)
    )
    scheme = scheme.lower()
    if port == DEFAULT_PORTS.get(scheme):
        port = ""
    return Origin(scheme, host.lower(), port, doubtful)


def oracle(value: str, config: str) -> bool | None:
    """Whether ``config`` allows ``value``: True, False, or None when the documented grammar leaves it open."""
    origin = oracle_parse(value)
    if origin is None:
        return False
    if config == "exact":
        match = (origin.scheme, origin.host, origin.port) in EXACT_ALLOWED
    else:
        match = any(
            origin.scheme == scheme and origin.port == port and origin.host.endswith("." + parent)
            for scheme, parent, port in PATTERN_ALLOWED
        )
    if not match:
        return False
    return None if origin.doubtful else True


def test_oracle_agrees_with_the_documented_examples() -> None:
    assert oracle("https://app.example.com", "exact") is True
    assert oracle("HTTPS://App.Example.COM:443", "exact") is True
    assert oracle("https://app.example.com:0443", "exact") is False
    assert oracle("https://app.example.com.", "exact") is False
    assert oracle("https://app.example.com/", "exact") is False
    assert oracle(" https://app.example.com", "exact") is False
    assert oracle("https://a.b.example.com", "pattern") is True
    assert oracle("https://example.com", "pattern") is False
    assert oracle("https://a_b.example.com", "pattern") is False
    assert oracle("http://x.dev.example.org:8080", "pattern") is True
    assert oracle("http://x.dev.example.org", "pattern") is False


OPTIONS = {"supports_credentials": True, "expose_headers": ["X-Total"], "max_age": 60}
APPS = {"exact": cors_app(origins=EXACT_ORIGINS, **OPTIONS),
        "pattern": cors_app(origins=PATTERN_ORIGINS, **OPTIONS)}
CONFIGS = pytest.mark.parametrize("config", list(APPS))


def check(config: str, origin: str) -> None:
    """Send ``origin`` as an actual request and as a preflight; hold both to the oracle."""
    expected = oracle(origin, config)
    client = APPS[config].test_client()
    base = {"HTTP_ORIGIN": origin}
    preflight = {**base, "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "POST"}
    responses = [
        client.get("/r", base_url="https://backend.test", environ_overrides=base),
        client.open(
            "/r", method="OPTIONS", base_url="https://backend.test", environ_overrides=preflight
        ),
    ]
    for response in responses:
        assert response.status_code < 500
        granted = response.headers.getlist("Access-Control-Allow-Origin")
        if granted:
            assert expected is not False, f"granted {origin!r}, which the config does not allow"
            assert granted == [origin]
            assert response.headers.get("Access-Control-Allow-Credentials") == "true"
        else:
            assert expected is not True, f"refused {origin!r}, which the config allows"
            assert cors_headers(response) == {}


# -- strategies ----------------------------------------------------------------------------

any_text = st.text(max_size=120)
latin1_text = st.text(st.characters(codec="latin-1"), max_size=120)
# What a WSGI server hands over for arbitrary UTF-8 header bytes.
wsgi_text = any_text.map(wsgi)

CLEAN_SCHEMES = ["https", "https", "http", "HTTPS", "Http", "wss", "ftp"]
BAD_SCHEMES = ["", "https:", "h", "1https", "https+x", "htt", "ht tps", "\u0068ttps\u0301"]
BAD_SEPARATORS = [":/", ":///", "//", ":\\\\", "", ":// ", ":/\\"]
GOOD_LABELS = ["app", "api", "www", "example", "com", "org", "dev", "localhost", "evil", "net",
               "APP", "Example", "x", "a-b", "xn--exmple-4nf", "1", "0", "a" * 63]
BAD_LABELS = ["-a", "a-", "a_b", "", "ex\u0430mple", "*", "a" * 64, "%60", "app`", "\u212a",
              "a b", "[::1]"]
NEAR_HOSTS = ["app.example.com", "api.example.com", "localhost", "example.com", "x.example.com",
              "a.b.dev.example.org", "dev.example.org", "app.example.com.evil.net", "127.0.0.1",
              "[::1]", "appexample.com", "evil-example.com", "APP.EXAMPLE.COM"]
USERINFOS = ["user@", "evil.net@", "app.example.com@", "a:b@", "@"]
CLEAN_PORTS = ["", "", "", ":443", ":8443", ":3000", ":8080", ":80", ":0", ":65535"]
BAD_PORTS = [":0443", ":08443", ":65536", ":99999999", ":", "::443", ": 443", ":+443", ":443 ",
             ":\uff13\uff10\uff10\uff10", ":-1", ":0x1bb"]
SUFFIXES = ["/", "/x", "?", "#", ".", " ", "\t", "\r\n", "\x00", "\n", ",https://evil.net",
            " https://evil.net", "@evil.net", ".evil.net", "%60", "\u200b", ";", "\\"]
PREFIXES = [" ", "\t", "\x00", "\ufeff", "\r\n", "null ", "https://evil.net, "]
CORRUPTIONS = ["scheme", "separator", "userinfo", "label", "port", "suffix", "prefix", "stray"]

sub_labels = st.lists(st.sampled_from(GOOD_LABELS), min_size=1, max_size=3).map(".".join)
hosts = st.one_of(
    st.sampled_from(NEAR_HOSTS),
    st.lists(st.sampled_from(GOOD_LABELS), min_size=1, max_size=5).map(".".join),
    sub_labels.map(lambda sub: sub + ".example.com"),
    sub_labels.map(lambda sub: sub + ".dev.example.org"),
)


@st.composite
def structured_origins(draw: st.DrawFn) -> str:
    """A clean origin near the configured ones, then none, one or two corruptions."""
    parts = {
        "prefix": "",
        "scheme": draw(st.sampled_from(CLEAN_SCHEMES)),
        "separator": "://",
        "userinfo": "",
        "host": draw(hosts),
        "port": draw(st.sampled_from(CLEAN_PORTS)),
        "suffix": "",
    }
    if draw(st.booleans()):  # start from a configured exact origin
        scheme, host, port = draw(st.sampled_from(sorted(EXACT_ALLOWED)))
        parts.update(scheme=scheme, host=host, port=f":{port}" if port else "")
    for corruption in draw(st.lists(st.sampled_from(CORRUPTIONS), max_size=2)):
        if corruption == "label":
            labels = parts["host"].split(".")
            at = draw(st.integers(0, len(labels) - 1))
            labels[at] = draw(st.sampled_from(BAD_LABELS))
            parts["host"] = ".".join(labels)
        elif corruption == "stray":
            host = parts["host"]
            at = draw(st.integers(0, len(host)))
            parts["host"] = host[:at] + draw(st.characters()) + host[at:]
        else:
            source = {
                "scheme": BAD_SCHEMES, "separator": BAD_SEPARATORS, "userinfo": USERINFOS,
                "port": BAD_PORTS, "suffix": SUFFIXES, "prefix": PREFIXES,
            }[corruption]
            parts[corruption] = draw(st.sampled_from(source))
    value = "".join(parts.values())
    if draw(st.integers(0, 4)) == 0:
        value = value.upper()
    return wsgi(value) if draw(st.booleans()) else value


label = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)


def _flip_case(value: str, flips: list[bool]) -> str:
    return "".join(c.upper() if flip else c for c, flip in zip(value, flips + [False] * len(value)))


@st.composite
def allowed_origins(draw: st.DrawFn, config: str) -> str:
    """Origins the configuration allows, in the spellings the docs call equal."""
    if config == "exact":
        scheme, host, port = draw(st.sampled_from(sorted(EXACT_ALLOWED)))
    else:
        scheme, parent, port = draw(st.sampled_from(PATTERN_ALLOWED))
        host = ".".join([*draw(st.lists(label, min_size=1, max_size=4)), parent])
    if not port and draw(st.booleans()):
        port = DEFAULT_PORTS[scheme]
    value = f"{scheme}://{host}" + (f":{port}" if port else "")
    return _flip_case(value, draw(st.lists(st.booleans(), max_size=len(value))))


# -- properties ----------------------------------------------------------------------------


@CONFIGS
@SETTINGS
@given(origin=st.one_of(any_text, latin1_text, wsgi_text))
def test_arbitrary_text_origin(config: str, origin: str) -> None:
    check(config, origin)


@CONFIGS
@SETTINGS
@given(origin=structured_origins())
def test_structured_origin_near_the_configured_ones(config: str, origin: str) -> None:
    check(config, origin)


@SETTINGS
@given(origin=allowed_origins("exact"))
def test_allowed_exact_origin_is_granted_verbatim(origin: str) -> None:
    assert oracle(origin, "exact") is True
    check("exact", origin)


@SETTINGS
@given(origin=allowed_origins("pattern"))
def test_allowed_subdomain_origin_is_granted_verbatim(origin: str) -> None:
    assert oracle(origin, "pattern") is True
    check("pattern", origin)
