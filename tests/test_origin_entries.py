"""Which configured entry grants an origin (``OriginMatcher.match``), and subdomain patterns
over public suffixes (Public Suffix List, private section included)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from flask_cors_bp import CORS, CorsBlueprint, CorsConfigError, cross_origin
from flask_cors_bp.origins import compile_origins, is_public_suffix


def partner(origin: str) -> bool:
    return origin == "https://partner.example"


def broken(origin: str) -> bool:
    raise RuntimeError("the check failed")


REGEX = r"https://(a|b)\.example\.net"
COMPILED = re.compile(r"https://c\.example\.net")
ENTRIES = ["https://App.Example.com:443", "https://*.example.org", REGEX, COMPILED, broken,
           partner, "null"]


@pytest.mark.parametrize(("origin", "entry"), [
    ("https://app.example.com", "https://App.Example.com:443"),
    ("https://APP.example.com", "https://App.Example.com:443"),
    ("https://a.b.example.org", "https://*.example.org"),
    ("https://b.example.net", REGEX),
    ("https://c.example.net", COMPILED),
    ("https://partner.example", partner),
    ("null", "null"),
    ("https://example.org", None),
    ("https://evil.example", None),
    ("https://app.example.com/", None),
    ("", None),
])
def test_match_names_the_entry_as_configured(origin: str, entry: object) -> None:
    matcher = compile_origins(ENTRIES)
    assert matcher.match(origin) is entry or matcher.match(origin) == entry
    assert matcher.allows(origin) is (entry is not None)


def test_match_any_origin() -> None:
    matcher = compile_origins(["*", "https://app.example.com"])
    assert matcher.match("https://app.example.com") == "https://app.example.com"
    assert matcher.match("https://other.example") == "*"
    assert matcher.match("null") == "*"  # any origin grants any value (answered with '*'
    assert matcher.match("www.example.com") == "*"  # when it is not an origin or null)
    assert matcher.match("not an origin") == "*"


ORIGINS = st.one_of(
    st.sampled_from(["https://app.example.com", "https://x.example.org", "null", "HTTPS://A.EXAMPLE.NET",
                     "https://b.example.net:443", "https://partner.example", "http://x.example.org"]),
    st.builds(lambda s, h, p: f"{s}://{h}{p}", st.sampled_from(["http", "https", "HTTPS", "ftp"]),
              st.from_regex(r"[a-z0-9.-]{1,20}", fullmatch=True),
              st.sampled_from(["", ":443", ":80", ":8080", ":0"])),
    st.text(max_size=30),
)


@settings(max_examples=300, deadline=None, database=None)
@given(ORIGINS)
def test_allows_is_match_is_not_none(origin: str) -> None:
    for entries in (ENTRIES, ["*"], ["*", "null"], ["https://*.example.org", REGEX]):
        matcher = compile_origins(entries)
        entry = matcher.match(origin)
        assert matcher.allows(origin) is (entry is not None)
        assert entry is None or entry in ("*", "null") or any(entry is e for e in entries)


@pytest.mark.parametrize(("host", "public"), [
    ("vercel.app", True), ("github.io", True), ("co.uk", True), ("com", True),
    ("example.com", False), ("myapp.vercel.app", False), ("partner.example", False),
])
def test_public_suffixes(host: str, public: bool) -> None:
    assert is_public_suffix(host) is public


@pytest.mark.parametrize("pattern", ["https://*.vercel.app", "https://*.github.io",
                                     "https://*.co.uk", "https://*.GitHub.io:8443"])
def test_a_public_suffix_pattern_with_credentials_is_refused(pattern: str) -> None:
    with pytest.raises(CorsConfigError) as info:
        CORS(Flask(__name__), origins=[pattern], supports_credentials=True)
    message = str(info.value)
    assert info.value.option == "origins"
    assert info.value.value == pattern
    assert "public suffix" in message and "supports_credentials=True" in message
    assert "Hint: list your own sites exactly" in message


def test_the_refusal_comes_from_any_level() -> None:
    app = Flask(__name__)
    CORS(app, supports_credentials=True, origins=["https://app.example.com"])
    api = CorsBlueprint("api", __name__, url_prefix="/api", origins=["https://*.vercel.app"])

    @api.route("/x")
    def x() -> str:
        return "x"

    with pytest.raises(CorsConfigError, match=r"'origins' \(blueprint 'api'\).*vercel\.app"):
        app.register_blueprint(api)
    with pytest.raises(CorsConfigError,
                       match=r"'origins' \(@cross_origin\(\.\.\.\)\).*public suffix 'github.io'"):
        cross_origin(origins=["https://*.github.io"], supports_credentials=True)


@pytest.mark.parametrize("origins", [["https://*.vercel.app"], ["https://*.example.com"],
                                     ["https://myapp.vercel.app"]])
def test_without_credentials_or_over_a_domain_it_is_allowed(origins: list[str]) -> None:
    CORS(Flask(__name__), origins=origins)
    if "vercel" not in origins[0]:
        CORS(Flask(__name__), origins=origins, supports_credentials=True)
