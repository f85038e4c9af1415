"""The pure origin module, without an app: ``parse_origin``, ``looks_like_regex``,
``compile_origins`` and ``OriginMatcher.allows``, and the configuration errors they raise.

The tables follow docs/origins.rst: a request's ``Origin`` is granted only when it is a
well-formed serialized origin, compared on scheme, host and port with letter case and default
ports normalised; each kind of configured entry has its own rows.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from helpers import OTHER, SPA

from flask_cors_bp import CorsConfigError
from flask_cors_bp.origins import ParsedOrigin, compile_origins, looks_like_regex, parse_origin

LABEL_63 = "a" * 63
HOST_253 = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 61])


# -- parse_origin: well-formed ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "scheme", "host", "port"),
    [
        pytest.param("https://app.example.com", "https", "app.example.com", "", id="https"),
        pytest.param("http://localhost", "http", "localhost", "", id="single-label"),
        pytest.param("http://localhost:3000", "http", "localhost", "3000", id="port"),
        pytest.param("HTTPS://App.Example.COM", "https", "app.example.com", "", id="uppercase"),
        pytest.param("https://app.example.com:443", "https", "app.example.com", "",
                     id="https-default-port"),
        pytest.param("http://app.example.com:80", "http", "app.example.com", "",
                     id="http-default-port"),
        pytest.param("ws://app.example.com:80", "ws", "app.example.com", "", id="ws-default-port"),
        pytest.param("wss://app.example.com:443", "wss", "app.example.com", "",
                     id="wss-default-port"),
        pytest.param("https://app.example.com:80", "https", "app.example.com", "80",
                     id="https-on-port-80"),
        pytest.param("http://app.example.com:443", "http", "app.example.com", "443",
                     id="http-on-port-443"),
        pytest.param("ftp://app.example.com:21", "ftp", "app.example.com", "21",
                     id="scheme-without-known-default"),
        pytest.param("https://app.example.com:0", "https", "app.example.com", "0", id="port-0"),
        pytest.param("https://app.example.com:65535", "https", "app.example.com", "65535",
                     id="port-65535"),
        pytest.param("chrome-extension://abcdefgh", "chrome-extension", "abcdefgh", "",
                     id="scheme-with-hyphen"),
        pytest.param("http://127.0.0.1:8000", "http", "127.0.0.1", "8000", id="ipv4"),
        pytest.param("http://[::1]:8000", "http", "[::1]", "8000", id="ipv6-port"),
        pytest.param("http://[::1]", "http", "[::1]", "", id="ipv6"),
        pytest.param("https://[2001:DB8::1]:443", "https", "[2001:db8::1]", "",
                     id="ipv6-uppercase-default-port"),
        pytest.param("https://a-b.example.com", "https", "a-b.example.com", "", id="hyphen"),
        pytest.param("https://1.example.com", "https", "1.example.com", "", id="digit-label"),
        pytest.param("https://xn--exmple-4nf.com", "https", "xn--exmple-4nf.com", "",
                     id="punycode"),
        pytest.param(f"https://{LABEL_63}.com", "https", f"{LABEL_63}.com", "", id="label-63"),
        pytest.param(f"https://{HOST_253}", "https", HOST_253, "", id="host-253"),
    ],
)
def test_parse_well_formed_origin(value: str, scheme: str, host: str, port: str) -> None:
    key = f"{scheme}://{host}:{port}" if port else f"{scheme}://{host}"
    assert parse_origin(value) == ParsedOrigin(scheme, host, port, key)


# -- parse_origin: malformed -------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        # schemes
        pytest.param("", id="empty"),
        pytest.param("app.example.com", id="no-scheme"),
        pytest.param("//app.example.com", id="no-scheme-slashes"),
        pytest.param("://app.example.com", id="empty-scheme"),
        pytest.param("https:app.example.com", id="no-slashes"),
        pytest.param("https:/app.example.com", id="one-slash"),
        pytest.param("https:///app.example.com", id="three-slashes"),
        pytest.param("https//app.example.com", id="no-colon"),
        pytest.param("1https://app.example.com", id="scheme-starts-with-digit"),
        pytest.param("ht tps://app.example.com", id="space-in-scheme"),
        # ports
        pytest.param("https://app.example.com:0443", id="port-leading-zero"),
        pytest.param("https://app.example.com:00", id="port-00"),
        pytest.param("https://app.example.com:65536", id="port-65536"),
        pytest.param("https://app.example.com:99999", id="port-99999"),
        pytest.param("https://app.example.com:100000", id="port-six-digits"),
        pytest.param("https://app.example.com:", id="port-empty"),
        pytest.param("https://app.example.com:+443", id="port-plus"),
        pytest.param("https://app.example.com:-1", id="port-negative"),
        pytest.param("https://app.example.com: 443", id="port-space"),
        pytest.param("https://app.example.com:443:443", id="port-twice"),
        pytest.param("https://app.example.com:0x1bb", id="port-hex"),
        pytest.param("https://app.example.com:\uff14\uff14\uff13", id="port-fullwidth-digits"),
        # host labels
        pytest.param("https://app.example.com.", id="trailing-dot"),
        pytest.param("https://.app.example.com", id="leading-dot"),
        pytest.param("https://app..example.com", id="empty-label"),
        pytest.param("https://app_x.example.com", id="underscore"),
        pytest.param("https://-app.example.com", id="label-starts-with-hyphen"),
        pytest.param("https://app-.example.com", id="label-ends-with-hyphen"),
        pytest.param(f"https://{LABEL_63}a.com", id="label-64"),
        pytest.param(f"https://{HOST_253}d", id="host-254"),
        pytest.param("https://*.example.com", id="wildcard-label"),
        pytest.param("https://app.ex\u0430mple.com", id="cyrillic-a"),
        pytest.param("https://\uff41pp.example.com", id="fullwidth-letter"),
        pytest.param("https://app\u3002example.com", id="ideographic-full-stop"),
        pytest.param("https://\u212aey.example.com", id="kelvin-sign"),
        # IP literals
        pytest.param("http://[::1", id="ipv6-unclosed"),
        pytest.param("http://::1", id="ipv6-without-brackets"),
        pytest.param("http://[::1]]", id="ipv6-extra-bracket"),
        pytest.param("http://[app.example.com]", id="name-in-brackets"),
        pytest.param("http://[]", id="empty-brackets"),
        # whitespace and control characters
        pytest.param(" https://app.example.com", id="leading-space"),
        pytest.param("https://app.example.com ", id="trailing-space"),
        pytest.param("\thttps://app.example.com", id="leading-tab"),
        pytest.param("https://app.exa\tmple.com", id="inner-tab"),
        pytest.param("https://app.example.com\r\n", id="crlf"),
        pytest.param("https://app.example.com\x00", id="nul"),
        pytest.param("https://app.example.com\xa0", id="nbsp"),
        # path, query, fragment
        pytest.param("https://app.example.com/", id="slash"),
        pytest.param("https://app.example.com/x", id="path"),
        pytest.param("https://app.example.com:443/", id="port-and-slash"),
        pytest.param("https://app.example.com?", id="empty-query"),
        pytest.param("https://app.example.com?x=1", id="query"),
        pytest.param("https://app.example.com#", id="empty-fragment"),
        pytest.param("https://app.example.com#x", id="fragment"),
        # userinfo
        pytest.param("https://user@app.example.com", id="user"),
        pytest.param("https://user:pass@app.example.com", id="user-password"),
        pytest.param("https://app.example.com@evil.net", id="origin-as-user"),
        # several values, null, wildcard
        pytest.param("https://app.example.com https://evil.net", id="two-space-separated"),
        pytest.param("https://app.example.com,https://evil.net", id="two-comma-separated"),
        pytest.param("null", id="null"),
        pytest.param("*", id="star"),
        # very long values
        pytest.param("https://" + "a" * 10_000 + ".example.com", id="10k-label"),
        pytest.param(SPA + "/" + "a" * 100_000, id="100k-path"),
        pytest.param("a" * 300 + "://app.example.com", id="longer-than-any-origin"),
    ],
)
def test_parse_malformed_origin(value: str) -> None:
    assert parse_origin(value) is None


# -- looks_like_regex --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "regex"),
    [
        *[pytest.param(f"https://app{c}.example.com", True, id=f"char-{c}")
          for c in "\\^$()[]{}|+?"],
        pytest.param("https://.*.example.com", True, id="dot-star"),
        pytest.param("https://app.*", True, id="dot-star-at-end"),
        pytest.param(r"https://[a-z]+\.example\.com", True, id="character-class-after-scheme"),
        pytest.param(r"https://examples?\.com", True, id="question-mark-in-host"),
        pytest.param("https://app.example.com", False, id="exact"),
        pytest.param("http://localhost:3000", False, id="exact-with-port"),
        pytest.param("https://*.example.com", False, id="subdomain-pattern"),
        pytest.param("*", False, id="star"),
        pytest.param("null", False, id="null"),
        pytest.param("http://[::1]", False, id="ipv6"),
        pytest.param("http://[::1]:8000", False, id="ipv6-port"),
        pytest.param("https://[2001:db8::1]:8443", False, id="ipv6-long"),
        pytest.param("https://app.example.com/?x", False, id="query-after-path"),
        pytest.param("https://app.example.com?x=1", False, id="query-with-value"),
        pytest.param("https://app.example.com?a&b", False, id="query-with-ampersand"),
    ],
)
def test_looks_like_regex(entry: str, regex: bool) -> None:
    assert looks_like_regex(entry) is regex


# -- compile_origins + allows, entry by entry --------------------------------------------------


def _raises(origin: str) -> bool:
    raise RuntimeError("backend down")


def _answers(answer: Any) -> Any:
    return lambda origin: answer


def _is_spa(origin: str) -> bool:
    return origin == SPA


SUB = "https://*.example.com"
REGEX = r"https://[a-z]+\.example\.com"
DOT_STAR = r"https://.*\.example\.com"
COMPILED = re.compile(r"https://api\d\.example\.com")


@pytest.mark.parametrize(
    ("entries", "origin", "allowed"),
    [
        # exact origins
        pytest.param([SPA], SPA, True, id="exact"),
        pytest.param([SPA], "HTTPS://APP.EXAMPLE.COM", True, id="exact-uppercase"),
        pytest.param([SPA], "https://App.Example.Com", True, id="exact-mixed-case"),
        pytest.param([SPA], "https://app.example.com:443", True, id="exact-default-port"),
        pytest.param(["HTTPS://App.Example.COM:443"], SPA, True, id="exact-configured-spelling"),
        pytest.param([SPA], "http://app.example.com", False, id="exact-other-scheme"),
        pytest.param([SPA], "https://app.example.com:8443", False, id="exact-other-port"),
        pytest.param([SPA], "https://app.example.com:0443", False, id="exact-port-leading-zero"),
        pytest.param([SPA], "https://app.example.com.", False, id="exact-trailing-dot"),
        pytest.param([SPA], "https://app.example.com/", False, id="exact-with-slash"),
        pytest.param([SPA], " https://app.example.com", False, id="exact-with-space"),
        pytest.param([SPA], "https://www.example.com", False, id="exact-sibling"),
        pytest.param([SPA], "https://app.example.com.evil.net", False, id="exact-suffix-attack"),
        pytest.param(["http://localhost:3000"], "http://localhost:3000", True, id="localhost"),
        pytest.param(["http://localhost:3000"], "http://localhost:3001", False,
                     id="localhost-other-port"),
        pytest.param(["http://localhost:3000"], "http://localhost", False,
                     id="localhost-no-port"),
        pytest.param(["http://[::1]:8000"], "http://[::1]:8000", True, id="ipv6"),
        pytest.param(["http://[::1]:8000"], "http://[::2]:8000", False, id="ipv6-other"),
        pytest.param([SPA, OTHER], OTHER, True, id="exact-second-of-two"),
        # subdomain patterns
        pytest.param([SUB], "https://a.example.com", True, id="subdomain-one-label"),
        pytest.param([SUB], "https://a.b.example.com", True, id="subdomain-two-labels"),
        pytest.param([SUB], "https://a.b.c.example.com", True, id="subdomain-three-labels"),
        pytest.param([SUB], "https://A.EXAMPLE.COM", True, id="subdomain-uppercase"),
        pytest.param([SUB], "https://a.example.com:443", True, id="subdomain-default-port"),
        pytest.param([SUB], "https://example.com", False, id="subdomain-bare-parent"),
        pytest.param([SUB], "https://aexample.com", False, id="subdomain-no-dot"),
        pytest.param([SUB], "https://evil-example.com", False, id="subdomain-lookalike"),
        pytest.param([SUB], "https://a.example.com.evil.net", False,
                     id="subdomain-suffix-attack"),
        pytest.param([SUB], "http://a.example.com", False, id="subdomain-other-scheme"),
        pytest.param([SUB], "https://a.example.com:8443", False, id="subdomain-other-port"),
        pytest.param([SUB], "https://.example.com", False, id="subdomain-empty-label"),
        pytest.param([SUB], "https://a_b.example.com", False, id="subdomain-underscore"),
        pytest.param([SUB], "https://a.example.com/", False, id="subdomain-with-slash"),
        pytest.param(["https://*.example.com:443"], "https://a.example.com", True,
                     id="subdomain-configured-default-port"),
        pytest.param(["http://*.dev.example.org:8080"], "http://x.dev.example.org:8080", True,
                     id="subdomain-port"),
        pytest.param(["http://*.dev.example.org:8080"], "http://x.y.dev.example.org:8080", True,
                     id="subdomain-port-two-labels"),
        pytest.param(["http://*.dev.example.org:8080"], "http://x.dev.example.org", False,
                     id="subdomain-port-missing"),
        # regular expressions
        pytest.param([REGEX], "https://abc.example.com", True, id="regex"),
        pytest.param([REGEX], "https://ABC.example.com", True, id="regex-string-ignores-case"),
        pytest.param([REGEX], "https://abc.example.com.evil.net", False,
                     id="regex-suffix-attack"),
        pytest.param([REGEX], "https://x.abc.example.com", False, id="regex-prefix-attack"),
        pytest.param([REGEX], "https://abc.example.com:8443", False, id="regex-port"),
        pytest.param([REGEX], "https://abc.example.com/", False, id="regex-with-slash"),
        pytest.param([DOT_STAR], "https://a.example.com.evil.net", False,
                     id="dot-star-suffix-attack"),
        pytest.param([DOT_STAR], "https://evil.net/.example.com", False, id="dot-star-path"),
        pytest.param([DOT_STAR], "https://evil.net@x.example.com", False,
                     id="dot-star-userinfo"),
        pytest.param([DOT_STAR], "https://evil.net.example.com", True, id="dot-star-subdomain"),
        pytest.param([r"^https://app\.example\.com$"], SPA, True, id="regex-anchored"),
        pytest.param([r"https://(app|www).example.com"], "https://appXexample.com", True,
                     id="regex-unescaped-dot-as-written"),
        pytest.param([r"https://(app|www).example.com"], "https://app.example.com.evil.net",
                     False, id="regex-unescaped-dot-suffix-attack"),
        pytest.param([COMPILED], "https://api1.example.com", True, id="compiled"),
        pytest.param([COMPILED], "https://API1.example.com", False, id="compiled-keeps-case"),
        pytest.param([COMPILED], "https://api1.example.com.evil.net", False,
                     id="compiled-suffix-attack"),
        # callables
        pytest.param([_is_spa], SPA, True, id="callable-true"),
        pytest.param([_is_spa], "https://www.example.com", False, id="callable-false"),
        pytest.param([_answers(True)], "https://app.example.com/", False,
                     id="callable-never-sees-malformed"),
        pytest.param([_answers(1)], SPA, False, id="callable-returns-1"),
        pytest.param([_answers("yes")], SPA, False, id="callable-returns-string"),
        pytest.param([_answers([SPA])], SPA, False, id="callable-returns-list"),
        pytest.param([_answers(object())], SPA, False, id="callable-returns-object"),
        pytest.param([_raises], SPA, False, id="callable-raises"),
        pytest.param([_raises, SPA], SPA, True, id="callable-raises-exact-still-granted"),
        # null
        pytest.param(["null"], "null", True, id="null-listed"),
        pytest.param([SPA], "null", False, id="null-not-listed"),
        pytest.param([SUB, REGEX, _answers(True)], "null", False, id="null-not-listed-patterns"),
        pytest.param(["null"], "Null", False, id="null-capitalised"),
        pytest.param(["null"], "NULL", False, id="null-uppercase"),
        pytest.param(["null"], " null", False, id="null-with-space"),
        pytest.param(["null"], SPA, False, id="null-only"),
        pytest.param(["null", SPA], SPA, True, id="null-and-exact"),
        # any origin (only well-formed origins here)
        pytest.param(["*"], "https://anyone.example", True, id="any-origin"),
        pytest.param(["*"], "http://localhost:5173", True, id="any-origin-localhost"),
    ],
)
def test_allows(entries: list[Any], origin: str, allowed: bool) -> None:
    assert compile_origins(entries).allows(origin) is allowed


def test_a_callable_sees_the_origin_as_sent_and_only_when_well_formed() -> None:
    seen: list[str] = []

    def check(origin: str) -> bool:
        seen.append(origin)
        return False

    matcher = compile_origins([check])
    for origin in ("HTTPS://App.Example.COM:443", "https://app.example.com/", "null", ""):
        assert matcher.allows(origin) is False
    assert seen == ["HTTPS://App.Example.COM:443"]


def test_a_callable_that_raises_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="flask_cors_bp")
    assert compile_origins(_raises).allows("https://evil.example") is False
    assert "refused 'https://evil.example'" in caplog.text
    assert "RuntimeError: backend down" in caplog.text  # with the traceback


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(SPA, id="string"),
        pytest.param([SPA], id="list"),
        pytest.param((SPA,), id="tuple"),
        pytest.param(iter([SPA]), id="iterator"),
    ],
)
def test_one_entry_or_an_iterable_of_entries(value: Any) -> None:
    matcher = compile_origins(value)
    assert matcher.entries == (SPA,)
    assert matcher.allows(SPA) and not matcher.allows(OTHER)


@pytest.mark.parametrize(
    "value",
    [pytest.param(COMPILED, id="compiled"), pytest.param(_is_spa, id="callable")],
)
def test_a_lone_pattern_or_callable_is_one_entry(value: Any) -> None:
    assert compile_origins(value).entries == (value,)


def test_any_origin_is_a_flag_not_an_entry_to_match() -> None:
    assert compile_origins("*").any_origin is True
    assert compile_origins([SPA, "*"]).any_origin is True
    assert compile_origins([SPA]).any_origin is False


# -- configuration errors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "problem", "hint"),
    [
        pytest.param("localhost:3000", "needs a scheme", "'http://localhost:3000'",
                     id="no-scheme-localhost"),
        pytest.param("127.0.0.1:5000", "needs a scheme", "'http://127.0.0.1:5000'",
                     id="no-scheme-loopback"),
        pytest.param("app.example.com", "needs a scheme", "'https://app.example.com'",
                     id="no-scheme-name"),
        pytest.param("https://app.example.com/", "no path, query or fragment",
                     "write 'https://app.example.com'", id="slash"),
        pytest.param("https://app.example.com/api", "no path, query or fragment",
                     "write 'https://app.example.com'", id="path"),
        pytest.param("https://app.example.com?x=1", "no path, query or fragment",
                     "write 'https://app.example.com'", id="query"),
        pytest.param("https://app.example.com/?x", "no path, query or fragment",
                     "write 'https://app.example.com'", id="path-and-query"),
        pytest.param("https://app.example.com#top", "no path, query or fragment",
                     "write 'https://app.example.com'", id="fragment"),
        pytest.param("https://*.example.com/", "no path, query or fragment",
                     "write 'https://*.example.com'", id="subdomain-pattern-with-slash"),
        pytest.param("https://a.example.com, https://b.example.com", "several origins",
                     "pass a list: ['https://a.example.com', 'https://b.example.com']",
                     id="several-comma-space"),
        pytest.param("https://a.example.com,https://b.example.com", "several origins",
                     "pass a list: ['https://a.example.com', 'https://b.example.com']",
                     id="several-comma"),
        pytest.param("https://a.example.com https://b.example.com", "several origins",
                     "pass a list: ['https://a.example.com', 'https://b.example.com']",
                     id="several-space"),
        pytest.param(" https://app.example.com", "surrounding whitespace",
                     "write 'https://app.example.com'", id="leading-space"),
        pytest.param("https://app.example.com\n", "surrounding whitespace",
                     "write 'https://app.example.com'", id="trailing-newline"),
        pytest.param("https://*.com", "at least two labels", "never 'https://*.com'",
                     id="star-dot-com"),
        pytest.param("https://*.localhost", "at least two labels", "'https://*.example.com'",
                     id="star-dot-single-label"),
        pytest.param("https://app*.example.com", "only allowed as the first label",
                     "'https://*.example.com'", id="star-inside-label"),
        pytest.param("https://*", "only allowed as the first label", "'https://*.example.com'",
                     id="star-host"),
        pytest.param("https://(a", "not a valid regular expression", "write the origin plainly",
                     id="bad-regex-group"),
        pytest.param("https://[a-z", "not a valid regular expression", "write the origin plainly",
                     id="bad-regex-class"),
        pytest.param("https://a{2,1}.com", "not a valid regular expression",
                     "write the origin plainly", id="bad-regex-repeat"),
        pytest.param("https://app.example.com:0443", "not a valid origin", "scheme://host[:port]",
                     id="port-leading-zero"),
        pytest.param("https://app_x.example.com", "not a valid origin", "scheme://host[:port]",
                     id="underscore"),
        pytest.param("https://app.example.com.", "not a valid origin", "scheme://host[:port]",
                     id="trailing-dot"),
    ],
)
def test_bad_entry_is_a_config_error(entry: str, problem: str, hint: str) -> None:
    with pytest.raises(CorsConfigError) as info:
        compile_origins([entry])
    error = info.value
    assert isinstance(error, ValueError)
    assert (error.option, error.value) == ("origins", entry)
    assert problem in error.problem
    assert hint in error.hint
    assert str(error).startswith("CORS option 'origins': ")
    assert f"Hint: {error.hint}" in str(error)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        pytest.param(42, "must be a string, a regex, a callable or a list", id="int"),
        pytest.param(None, "must be a string, a regex, a callable or a list", id="none"),
        pytest.param(b"https://app.example.com", "must be a string, a regex, a callable",
                     id="bytes"),
        pytest.param({SPA: True}, "must be a string, a regex, a callable", id="dict"),
        pytest.param([42], "an entry must be a string, a compiled regex or a callable",
                     id="int-entry"),
        pytest.param([SPA, None], "an entry must be a string", id="none-entry"),
    ],
)
def test_bad_value_type_is_a_config_error(value: Any, problem: str) -> None:
    with pytest.raises(CorsConfigError) as info:
        compile_origins(value)
    assert info.value.option == "origins"
    assert problem in info.value.problem
    assert info.value.hint


def test_the_error_names_the_option_it_was_given() -> None:
    with pytest.raises(CorsConfigError) as info:
        compile_origins("localhost:3000", option="report_only.origins")
    assert info.value.option == "report_only.origins"
    assert str(info.value).startswith("CORS option 'report_only.origins': ")
