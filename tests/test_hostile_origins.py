"""Hostile ``Origin`` values against every kind of ``origins`` entry.

Each known class of CORS misconfiguration attack is sent, as an actual request and as a
preflight, to apps configured with an exact origin, a subdomain pattern, a regex (string and
compiled) and a callable, with and without credentials. None may be granted: no
``Access-Control-*`` header at all, and never a 5xx. Positive controls show that the
legitimate origin is granted and echoed byte for byte.

Origins go in through the WSGI environ (``HTTP_ORIGIN``) so that bytes the test client would
refuse in a header (CR, LF, NUL) still reach the app, encoded the way a WSGI server does
(UTF-8 bytes seen as latin-1).
"""

from __future__ import annotations

import re
from typing import Any, Callable
from urllib.parse import urlsplit

import pytest
from flask import Flask
from helpers import SPA, cors_app, cors_headers, vary_names, wsgi
from werkzeug.test import TestResponse

from flask_cors_bp import CORS, CorsBlueprint, CorsConfigError, cross_origin

EXPOSE = "X-Total-Count"


def _callable_check(origin: str) -> bool:
    """A plausible, sloppy user check: it trusts ``urlsplit`` to have parsed a clean origin.

    ``urlsplit`` strips surrounding whitespace, drops tabs and newlines, ignores userinfo,
    paths and queries, and reads ``:0443`` as 443: the library must refuse malformed origins
    before such a check ever sees them.
    """
    parts = urlsplit(origin)
    return parts.scheme == "https" and parts.hostname == "app.example.com" and parts.port in (
        None,
        443,
    )


CONFIGS: dict[str, list[Any]] = {
    "exact": [SPA],
    "subdomain": ["https://*.example.com"],
    "regex": [r"https://[a-z]+\.example\.com"],
    "regex_compiled": [re.compile(r"https://[a-z]+\.example\.com")],
    "callable": [_callable_check],
}

SPECIALS = ["`", "_", "%60", "!", "$", "&", "'", "(", ")", "*", "+", ",", ";", "=", "~", "\\"]

# Refused by every configuration above.
COMMON_HOSTILE: list[str] = [
    # suffix appended
    "https://app.example.com.evil.net",
    "https://app.example.com.evil.net:443",
    "https://APP.EXAMPLE.COM.evil.net",
    "https://app.example.com-evil.net",
    "https://app.example.comevil.net",
    # special characters after the host (browsers differ in what they put in a host)
    *[f"https://app.example.com{c}.evil.net" for c in SPECIALS],
    *[f"https://app.example.com{c}" for c in SPECIALS],
    # userinfo
    "https://app.example.com@evil.net",
    "https://evil.net@app.example.com",
    "https://user:pass@app.example.com",
    "https://app.example.com\\@evil.net",
    "https://app.example.com:443@evil.net",
    # path, query, fragment
    "https://app.example.com/",
    "https://app.example.com/x",
    "https://app.example.com?",
    "https://app.example.com?x=1",
    "https://app.example.com#",
    "https://app.example.com#x",
    "https://app.example.com:443/",
    # prefix and missing dot
    "https://evil-example.com",
    "https://evilexample.com",
    "https://appexample.com",
    "https://example.com",
    "https://example.com.evil.net",
    "https://evil.net/app.example.com",
    "https://evil.net?app.example.com",
    "https://evil.net#app.example.com",
    # scheme tricks
    "http://app.example.com",
    "HTTP://APP.EXAMPLE.COM",
    "ws://app.example.com",
    "wss://app.example.com",
    "ftp://app.example.com",
    "file://app.example.com",
    "https:app.example.com",
    "https:/app.example.com",
    "https:///app.example.com",
    "//app.example.com",
    "app.example.com",
    "https//app.example.com",
    # other ports and malformed ports
    "https://app.example.com:8443",
    "https://app.example.com:0443",
    "https://app.example.com:00443",
    "https://app.example.com:80",
    "https://app.example.com:443:443",
    "https://app.example.com:",
    "https://app.example.com:+443",
    "https://app.example.com:-443",
    "https://app.example.com: 443",
    "https://app.example.com:65979",
    "https://app.example.com:*",
    # null and friends
    "null",
    "NULL",
    "Null",
    "null ",
    # dots
    "https://app.example.com.",
    "https://app.example.com..",
    "https://app..example.com",
    "https://.app.example.com",
    # whitespace and control characters
    " https://app.example.com",
    "https://app.example.com ",
    "\thttps://app.example.com",
    "https://app.example.com\t",
    "https://app.exa\tmple.com",
    "https://app.example.com\r\n",
    "https://app.example.com\r\nX-Injected: 1",
    "https://app.exa\nmple.com",
    "https://app.exa\rmple.com",
    "https://app.example.com\x00",
    "https://app.example.com\x00.evil.net",
    "\x00https://app.example.com",
    "https://app.example.com\x0b",
    "https://app.example.com\x0c",
    "https://app.example.com\xa0",
    "https://app.example.com\u200b",
    "https://app.example.com\u2028",
    # several origins in one header
    "https://app.example.com https://evil.net",
    "https://evil.net https://app.example.com",
    "https://app.example.com, https://evil.net",
    "https://app.example.com,https://evil.net",
    "https://evil.net, https://app.example.com",
    "https://app.example.com,",
    "https://app.example.com https://app.example.com",
    # non-ASCII lookalikes, punycode lookalikes and IDN in Unicode form
    "https://app.ex\u0430mple.com",  # Cyrillic a
    "https://\u0430pp.example.com",
    "https://\uff41pp.example.com",  # fullwidth a
    "https://app\u3002example.com",  # ideographic full stop
    "https://app\uff0eexample.com",  # fullwidth full stop
    "https://\u017fhop.example.com",  # long s: case-folds to "s"
    "https://\u212aey.example.com",  # Kelvin sign: lower-cases to "k"
    "https://app.example.com\u0338",
    "https://app.xn--exmple-4nf.com",  # punycode of the Cyrillic-a lookalike
    "https://app.ex\u00e4mple.com",
    "https://b\u00fccher.example.com",
    # very long values
    SPA + "/" + "a" * 10_000,
    SPA + " " * 10_000,
    SPA + "." + "a" * 10_000,
    "https://" + "a" * 10_000 + ".example.com",  # a 10 kB DNS label cannot exist
    SPA + "/" + "a" * 100_000,
    "https://" + "a." * 50_000 + "app.example.com",
    # empty, wildcard, the configuration itself
    "",
    " ",
    "*",
    "https://*",
    "https://*.example.com",
    "https://[a-z]+\\.example\\.com",
    "https://.*",
    # IP literals and odd hosts
    "https://[::1]",
    "https://127.0.0.1",
    "https://[app.example.com]",
    "https://app_x.example.com",
]

# Refused by configurations narrower than "any subdomain" (exact and callable).
EXACT_ONLY_HOSTILE = [
    "https://evilapp.example.com",
    "https://evil.app.example.com",
    "https://www.example.com",
    "https://app-example.example.com",
]

# Refused by the regex but within the subdomain pattern.
REGEX_ONLY_HOSTILE = [
    "https://a.b.example.com",
    "https://app-x.example.com",
    "https://1.example.com",
]

EXTRA_HOSTILE = {
    "exact": EXACT_ONLY_HOSTILE,
    "callable": EXACT_ONLY_HOSTILE,
    "regex": REGEX_ONLY_HOSTILE,
    "regex_compiled": REGEX_ONLY_HOSTILE,
    "subdomain": [],
}

POSITIVE: dict[str, list[str]] = {
    "exact": [SPA, "HTTPS://APP.EXAMPLE.COM", "https://app.example.com:443", "https://App.Example.Com"],
    "callable": [SPA, "HTTPS://APP.EXAMPLE.COM", "https://app.example.com:443"],
    "subdomain": [SPA, "https://www.example.com", "https://a.b.example.com", "https://x-1.example.com"],
    "regex": [SPA, "https://www.example.com"],
    "regex_compiled": [SPA, "https://www.example.com"],
}


def _build_apps() -> dict[tuple[str, bool], Flask]:
    return {
        (name, credentials): cors_app(origins=origins, supports_credentials=credentials,
                                      expose_headers=[EXPOSE], max_age=600)
        for name, origins in CONFIGS.items()
        for credentials in (False, True)
    }


APPS = _build_apps()


def send(app: Flask, origin: str, preflight: bool) -> TestResponse:
    environ = {"HTTP_ORIGIN": wsgi(origin)}
    if preflight:
        environ["HTTP_ACCESS_CONTROL_REQUEST_METHOD"] = "GET"
        environ["HTTP_ACCESS_CONTROL_REQUEST_HEADERS"] = "content-type"
        return app.test_client().open("/r", method="OPTIONS", environ_overrides=environ)
    return app.test_client().get("/r", environ_overrides=environ)


def assert_refused(response: TestResponse) -> None:
    assert response.status_code < 500
    assert cors_headers(response) == {}
    assert "origin" in vary_names(response)


def _hostile_cases() -> list[Any]:
    cases = []
    for name in CONFIGS:
        for origin in COMMON_HOSTILE + EXTRA_HOSTILE[name]:
            label = ascii(origin)[:60]
            cases.append(pytest.param(name, origin, id=f"{name}-{label}"))
    return cases


HOSTILE_CASES = _hostile_cases()


@pytest.mark.parametrize("credentials", [False, True], ids=["nocreds", "creds"])
@pytest.mark.parametrize("preflight", [False, True], ids=["actual", "preflight"])
@pytest.mark.parametrize(("config", "origin"), HOSTILE_CASES)
def test_hostile_origin_is_not_granted(
    config: str, origin: str, preflight: bool, credentials: bool
) -> None:
    response = send(APPS[(config, credentials)], origin, preflight)
    assert_refused(response)


@pytest.mark.parametrize("credentials", [False, True], ids=["nocreds", "creds"])
@pytest.mark.parametrize("preflight", [False, True], ids=["actual", "preflight"])
@pytest.mark.parametrize(
    ("config", "origin"),
    [pytest.param(name, o, id=f"{name}-{o}") for name, values in POSITIVE.items() for o in values],
)
def test_legitimate_origin_is_granted_verbatim(
    config: str, origin: str, preflight: bool, credentials: bool
) -> None:
    response = send(APPS[(config, credentials)], origin, preflight)
    assert response.status_code == 200
    assert response.headers.getlist("Access-Control-Allow-Origin") == [origin]
    assert "origin" in vary_names(response)
    if credentials:
        assert response.headers.get("Access-Control-Allow-Credentials") == "true"
    else:
        assert "Access-Control-Allow-Credentials" not in response.headers
    if preflight:
        assert "GET" in response.headers["Access-Control-Allow-Methods"]
        assert response.headers["Access-Control-Allow-Headers"].lower() == "content-type"
        assert response.headers["Access-Control-Max-Age"] == "600"
    else:
        assert response.headers["Access-Control-Expose-Headers"] == EXPOSE
        assert response.get_data(as_text=True) == "ok"


@pytest.mark.parametrize("credentials", [False, True], ids=["nocreds", "creds"])
@pytest.mark.parametrize("config", list(CONFIGS))
def test_request_without_origin_gets_no_configured_name(config: str, credentials: bool) -> None:
    response = APPS[(config, credentials)].test_client().get("/r")
    assert response.status_code == 200
    assert cors_headers(response) == {}
    assert "origin" in vary_names(response)


# -- sloppy regexes ------------------------------------------------------------------------


SLOPPY_CANDIDATES = [
    "https://app.example.com",
    "https://www.example.com",
    "https://appXexample.com",
    "https://app-example.com",
    "https://wwwXexample.com",
    "https://app.exampleXcom",
    "https://app.example.com.evil.net",
    "https://appXexample.com.evil.net",
    "https://appXexample.com/",
    "https://appXexample.com:8443",
    "https://evil.appXexample.com",
    " https://appXexample.com",
    "https://appXexample.com\r\n",
]


@pytest.mark.parametrize("origin", SLOPPY_CANDIDATES)
def test_dotted_string_without_regex_syntax_is_an_exact_origin(origin: str) -> None:
    app = cors_app(origins=["https://app.example.com"])
    response = send(app, origin, preflight=False)
    if origin == SPA:
        assert response.headers.get("Access-Control-Allow-Origin") == origin
    else:
        assert_refused(response)


@pytest.mark.parametrize("preflight", [False, True], ids=["actual", "preflight"])
@pytest.mark.parametrize("origin", SLOPPY_CANDIDATES)
def test_regex_with_unescaped_dot_grants_only_its_full_matches(origin: str, preflight: bool) -> None:
    """A real regex is used as written, but only ever full-matched against a clean origin.

    ``.`` in ``(app|www).example.com`` matches any character, so ``https://appXexample.com``
    is what this configuration says (the audit is the place to flag it); what the library adds
    is that nothing around such a match (suffix, path, port, whitespace) is ever granted.
    """
    pattern = r"https://(app|www).example.com"
    app = cors_app(origins=[pattern])
    response = send(app, origin, preflight)
    assert response.status_code < 500
    if re.fullmatch(pattern, origin):
        assert response.headers.get("Access-Control-Allow-Origin") == origin
    else:
        assert_refused(response)


# -- faulty callables ----------------------------------------------------------------------


@pytest.mark.parametrize("preflight", [False, True], ids=["actual", "preflight"])
def test_callable_that_raises_refuses_without_500(preflight: bool) -> None:
    def broken(origin: str) -> bool:
        raise RuntimeError("backend down")

    app = cors_app(origins=[broken], supports_credentials=True)
    assert_refused(send(app, SPA, preflight))


# -- configuration errors ------------------------------------------------------------------


Builder = Callable[..., object]


def _on_app(**options: Any) -> object:
    return CORS(Flask("config_error"), **options)


def _on_blueprint(**options: Any) -> object:
    return CorsBlueprint("bp", __name__, **options)


def _on_route(**options: Any) -> object:
    return cross_origin(**options)


BUILDERS = [
    pytest.param(_on_app, id="CORS"),
    pytest.param(_on_blueprint, id="CorsBlueprint"),
    pytest.param(_on_route, id="cross_origin"),
]


@pytest.mark.parametrize("build", BUILDERS)
@pytest.mark.parametrize(
    ("entry", "suggestion", "leftover"),
    [
        ("localhost:3000", "http://localhost:3000", None),
        ("https://a.com/path", "https://a.com", "/path"),
        ("https://a.com/", "https://a.com", "https://a.com/"),
        ("https://a.com#top", "https://a.com", "#top"),
        ("https://*.com", None, None),
        ("https://(a", None, None),
        ("https://app*.example.com", None, None),
    ],
)
def test_bad_origin_entry_is_a_config_error_naming_option_value_and_hint(
    build: Builder, entry: str, suggestion: str | None, leftover: str | None
) -> None:
    with pytest.raises(CorsConfigError) as info:
        build(origins=[entry])
    assert isinstance(info.value, ValueError)
    message = str(info.value)
    assert "origins" in message
    assert entry in message
    _, sep, hint = message.lower().partition("hint")
    assert sep, f"no hint in {message!r}"
    assert hint.strip(" :.")
    if suggestion is not None:
        assert suggestion in hint
    if leftover is not None:
        assert leftover not in hint  # the suggestion is the fixed form, not the input


@pytest.mark.parametrize("build", BUILDERS)
@pytest.mark.parametrize("origins", ["*", ["*"], ["https://app.example.com", "*"]], ids=repr)
def test_credentials_with_any_origin_is_a_config_error(build: Builder, origins: object) -> None:
    with pytest.raises(CorsConfigError) as info:
        build(origins=origins, supports_credentials=True)
    message = str(info.value)
    assert "supports_credentials" in message
    assert "*" in message
    assert "origins" in message.lower()
    assert "hint" in message.lower()


def test_credentials_under_default_any_origin_fail_at_configuration() -> None:
    """The default ``origins`` is ``"*"``: credentials alone fail when ``CORS(app)`` runs."""
    app = Flask("config_error_default")

    @app.route("/r")
    def resource() -> str:
        return "ok"

    with pytest.raises(CorsConfigError) as info:
        CORS(app, supports_credentials=True)
    assert "supports_credentials" in str(info.value)


def test_route_credentials_with_any_origin_fails_where_written() -> None:
    """Without the extension too: the error belongs to configuration time."""
    with pytest.raises(CorsConfigError, match="supports_credentials"):
        cross_origin(origins="*", supports_credentials=True)


# -- any-origin policies still refuse malformed origins ------------------------------------

MALFORMED = [
    "",
    " ",
    "*",
    "null ",
    "Null",
    "https://evil.net/",
    "https://evil.net?",
    "https://evil.net#",
    "https://evil.net.",
    "https://evil.net:0443",
    "https://evil.net:",
    "https://user@evil.net",
    " https://evil.net",
    "https://evil.net ",
    "https://evil.net\r\nSet-Cookie: a=b",
    "https://evil.net\nX: y",
    "https://evil.net\x00",
    "https://evil.net, https://other.net",
    "https://evil.net https://other.net",
    "https://ev\u0430l.net",
    "https://ev_l.net",
    "https://evil..net",
    "evil.net",
    "//evil.net",
    "https:/evil.net",
    "https://" + "a" * 10_000 + ".net",
]


@pytest.mark.parametrize("preflight", [False, True], ids=["actual", "preflight"])
@pytest.mark.parametrize("send_wildcard", [False, True], ids=["reflect", "wildcard"])
@pytest.mark.parametrize("origin", MALFORMED, ids=lambda o: ascii(o)[:40])
def test_any_origin_policy_answers_a_malformed_origin_with_a_star(
    origin: str, send_wildcard: bool, preflight: bool
) -> None:
    app = Flask("any_origin")
    CORS(app, origins="*", send_wildcard=send_wildcard)

    @app.route("/r")
    def resource() -> str:
        return "ok"

    # Any origin means any value: the answer is public, but a value that is not an origin
    # is never echoed (it could split a header or name a host it does not stand for).
    response = send(app, origin, preflight)
    assert response.status_code < 500
    assert response.headers.get("Access-Control-Allow-Origin") == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    if origin.strip() not in ("", "*"):
        assert all(origin not in value for _, value in response.headers.items())
    assert "origin" in vary_names(response)
    granted = send(app, "https://evil.net", preflight)  # well-formed: echoed
    expected = "*" if send_wildcard else "https://evil.net"
    assert granted.headers.get("Access-Control-Allow-Origin") == expected


DOT_STAR_REACH = [
    "https://evil.net/.example.com",
    "https://evil.net?.example.com",
    "https://evil.net#.example.com",
    "https://evil.net@x.example.com",
    "https://evil.net:1.example.com",
    "https://evil.net\\.example.com",
    "https://evil.net .example.com",
    "https://evil.net\r\n.example.com",
    "https://.example.com",
    "https://a.example.com.evil.net",
]


@pytest.mark.parametrize("preflight", [False, True], ids=["actual", "preflight"])
@pytest.mark.parametrize("origin", DOT_STAR_REACH, ids=lambda o: ascii(o)[:40])
def test_dot_star_regex_cannot_reach_past_the_host(origin: str, preflight: bool) -> None:
    """``.*`` matches any character: only a well-formed origin is offered to the regex."""
    app = cors_app(origins=[r"https://.*\.example\.com"], supports_credentials=True)
    assert_refused(send(app, origin, preflight))
    legit = send(app, "https://evil.net.example.com", preflight)  # a real subdomain
    assert legit.headers.get("Access-Control-Allow-Origin") == "https://evil.net.example.com"


# -- null and configured spellings ---------------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "granted"),
    [("null", True), ("Null", False), ("NULL", False), (" null", False), ("null\n", False),
     ("null,null", False), ("nul", False)],
)
def test_null_is_granted_only_when_listed_and_only_verbatim(origin: str, granted: bool) -> None:
    listed = cors_app(origins=["null", SPA])
    unlisted = APPS[("exact", False)]
    assert_refused(send(unlisted, origin, preflight=False))
    response = send(listed, origin, preflight=False)
    if granted:
        assert response.headers.get("Access-Control-Allow-Origin") == origin
    else:
        assert_refused(response)


@pytest.mark.parametrize(
    "entry", ["HTTPS://APP.EXAMPLE.COM", "https://app.example.com:443", "Https://App.Example.Com"]
)
def test_configured_spelling_of_an_exact_origin_is_normalised(entry: str) -> None:
    app = cors_app(origins=[entry])
    assert send(app, SPA, preflight=False).headers.get("Access-Control-Allow-Origin") == SPA
    assert_refused(send(app, "https://app.example.com:8443", preflight=False))
    assert_refused(send(app, "http://app.example.com", preflight=False))


# -- hostile request headers on a preflight from an allowed origin -------------------------

TOKEN_LIST = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+(, [!#$%&'*+\-.^_`|~0-9A-Za-z]+)*")


@pytest.mark.parametrize("allow_headers", ["*", ["X-A", "X-B"]], ids=["any", "list"])
@pytest.mark.parametrize(
    "requested",
    [
        "X-A\r\nSet-Cookie: a=b",
        "X-A\nX-B",
        "X-A\x00",
        "X A",
        "X-\u00c9",
        "X-A;X-B",
        "X-A:1",
        "(X-A)",
        "X-A, " * 2_000,
        "X-" + "a" * 10_000,
    ],
    ids=lambda h: ascii(h)[:30],
)
def test_hostile_request_headers_never_split_a_response_header(
    allow_headers: object, requested: str
) -> None:
    app = cors_app(origins=[SPA], allow_headers=allow_headers)
    environ = {
        "HTTP_ORIGIN": SPA,
        "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "GET",
        "HTTP_ACCESS_CONTROL_REQUEST_HEADERS": wsgi(requested),
    }
    response = app.test_client().options("/r", environ_overrides=environ)
    assert response.status_code < 500
    for name, value in response.headers.items():
        assert not any(c in value for c in "\r\n\x00"), (name, value)
    echoed = response.headers.get("Access-Control-Allow-Headers")
    if echoed is not None:
        assert TOKEN_LIST.fullmatch(echoed)
        assert response.headers["Access-Control-Allow-Origin"] == SPA
    else:
        assert cors_headers(response) == {}


@pytest.mark.parametrize(
    "method", ["GET\r\n", "GET ", " GET", "G\x00ET", "GET, POST", "GETX", "\u0120ET", "*", ""],
    ids=lambda m: ascii(m),
)
def test_hostile_request_method_is_refused(method: str) -> None:
    app = APPS[("exact", True)]
    environ = {"HTTP_ORIGIN": SPA, "HTTP_ACCESS_CONTROL_REQUEST_METHOD": wsgi(method)}
    response = app.test_client().options("/r", environ_overrides=environ)
    assert_refused(response)
