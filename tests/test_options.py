"""Every option, seen at the HTTP level through the Flask test client."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Blueprint, Flask, Request, abort
from helpers import SPA, acao, cors_headers, get, grants, preflight

from flask_cors_bp import CORS, CorsConfigError, cross_origin


def make_app(**options: Any) -> Flask:
    app = Flask(__name__)
    CORS(app, **options)

    @app.route("/", methods=["GET", "POST", "PUT", "DELETE"])
    def index() -> str:
        return "ok"

    @app.get("/gone")
    def gone() -> str:
        abort(410)

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    return app


# -- defaults -----------------------------------------------------------------------------


def test_defaults_echo_any_origin_without_credentials() -> None:
    r = get(make_app(), "/", origin="https://anything.example")
    assert r.headers["Access-Control-Allow-Origin"] == "https://anything.example"
    assert "Access-Control-Allow-Credentials" not in r.headers
    assert r.headers["Vary"] == "Origin"


def test_default_preflight_lists_default_methods_and_echoes_headers() -> None:
    r = preflight(make_app(), "/", headers="X-Custom, Authorization")
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Methods"] == "GET, HEAD, POST, OPTIONS, PUT, PATCH, DELETE"
    assert r.headers["Access-Control-Allow-Headers"] == "X-Custom, Authorization"
    assert "Access-Control-Max-Age" not in r.headers


def test_no_origin_gets_wildcard_for_any_origin_policy() -> None:
    r = get(make_app(), "/", origin=None)
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert r.headers["Vary"] == "Origin"


# -- origins ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "configured, origin, granted",
    [
        ("https://app.example.com", "https://app.example.com", True),
        ("https://app.example.com", "HTTPS://APP.EXAMPLE.COM", True),
        ("https://app.example.com", "https://app.example.com:443", True),
        ("https://app.example.com:443", "https://app.example.com", True),
        ("http://localhost:3000", "http://localhost:3000", True),
        ("http://localhost:3000", "http://localhost:3001", False),
        ("https://app.example.com", "http://app.example.com", False),
        ("https://*.example.com", "https://a.example.com", True),
        ("https://*.example.com", "https://a.b.example.com", True),
        ("https://*.example.com", "https://example.com", False),
        ("https://*.example.com", "https://a.example.com.evil.net", False),
        ("https://*.example.com", "http://a.example.com", False),
        (r"https://[a-z]+\.example\.com", "https://abc.example.com", True),
        (r"https://[a-z]+\.example\.com", "https://abc.example.com.evil.net", False),
        (re.compile(r"https://api\d\.example\.com"), "https://api1.example.com", True),
        (re.compile(r"https://api\d\.example\.com"), "https://api1.example.com:8443", False),
        ("null", "null", True),
        ("*", "null", True),  # sandboxed iframes, file: pages: a public answer serves them
    ],
)
def test_origin_entries(configured: Any, origin: str, granted: bool) -> None:
    r = get(make_app(origins=[configured]), "/", origin=origin)
    if granted:
        assert r.headers["Access-Control-Allow-Origin"] == origin  # echoed byte for byte
    else:
        assert cors_headers(r) == {}
    assert r.headers["Vary"] == "Origin"


def test_callable_origin_sees_request_context() -> None:
    seen = []

    def check(origin: str) -> bool:
        from flask import request

        seen.append(request.path)
        return origin.endswith(".trusted.example")

    app = make_app(origins=check)
    assert get(app, "/", origin="https://a.trusted.example").headers["Access-Control-Allow-Origin"]
    assert "Access-Control-Allow-Origin" not in get(app, "/", origin="https://evil.example").headers
    assert seen == ["/", "/"]


def test_callable_that_raises_refuses_without_500() -> None:
    def check(origin: str) -> bool:
        raise RuntimeError("db down")

    r = get(make_app(origins=check), "/")
    assert r.status_code == 200
    assert cors_headers(r) == {}


def test_single_string_origin() -> None:
    r = get(make_app(origins=SPA), "/")
    assert r.headers["Access-Control-Allow-Origin"] == SPA


def test_no_origin_never_gets_a_configured_name() -> None:
    r = get(make_app(origins=[SPA]), "/", origin=None)
    assert "Access-Control-Allow-Origin" not in r.headers
    assert r.headers["Vary"] == "Origin"


# -- methods, headers ---------------------------------------------------------------------


def test_methods_exact_match() -> None:
    app = make_app(methods=["GET", "PUT"])
    ok = preflight(app, "/", method="PUT")
    assert ok.headers["Access-Control-Allow-Methods"] == "GET, PUT"
    for method in ("ET", "DELETE", "put", "PUT "):
        assert cors_headers(preflight(app, "/", method=method)) == {}


def test_methods_star_answers_the_requested_method() -> None:
    app = make_app(origins=[SPA], methods="*", supports_credentials=True)
    r = preflight(app, "/", method="DELETE")
    assert r.headers["Access-Control-Allow-Methods"] == "DELETE"  # never a literal '*'
    assert r.headers["Access-Control-Allow-Credentials"] == "true"
    assert cors_headers(preflight(app, "/", method="PATCH")) == {}  # the route does not serve it


def test_methods_as_comma_string() -> None:
    r = preflight(make_app(methods="get, put"), "/", method="PUT")
    assert r.headers["Access-Control-Allow-Methods"] == "GET, PUT"


def test_preflight_for_a_listed_method_the_route_lacks_is_granted_as_in_flask_cors() -> None:
    app = make_app()
    r = preflight(app, "/", method="PATCH")  # the route has GET, POST, PUT, DELETE
    assert r.status_code == 200 and acao(r) == SPA
    assert "PATCH" in r.headers["Access-Control-Allow-Methods"]
    actual = app.test_client().patch("/", headers={"Origin": SPA})
    assert (actual.status_code, acao(actual)) == (405, SPA)  # the route answers for itself
    star = make_app(methods="*")  # "*" means the methods the route serves
    assert cors_headers(preflight(star, "/", method="PATCH")) == {}
    assert preflight(star, "/", method="PUT").headers["Access-Control-Allow-Methods"] == "PUT"


def test_allow_headers_exact_case_insensitive() -> None:
    app = make_app(allow_headers=["X-Custom", "Content-Type"])
    ok = preflight(app, "/", headers="x-custom, content-type")
    assert ok.headers["Access-Control-Allow-Headers"] == "x-custom, content-type"
    for asked in ("X-Custo", "X-Custom-Evil", "X-Custom, Authorization", "X-Custom;x"):
        assert cors_headers(preflight(app, "/", headers=asked)) == {}


@pytest.mark.parametrize(
    ("entry", "asked", "allowed"),
    [
        ("X-Company-.*", "X-Company-Id", True),
        ("X-Company-.*", "x-company-id", True),  # header names are case-insensitive
        ("X-Company-.*", "X-Company-", True),
        ("X-Company-.*", "X-Other", False),
        ("X-Company-.*", "Y-X-Company-Id", False),  # matched against the whole name
        ("X-Company-.*", "X-Company-Id, Authorization", False),  # every name must match
        ("X-(Foo|Bar)", "X-Bar", True),
        ("X-(Foo|Bar)", "X-Barn", False),
        (re.compile("x-token-[0-9]+"), "X-Token-12", True),
        (re.compile("x-token-[0-9]+"), "X-Token-1a", False),
    ],
)
def test_allow_headers_regex_entries_full_match_each_requested_name(
    entry: Any, asked: str, allowed: bool
) -> None:
    app = make_app(allow_headers=[entry, "Content-Type"])
    r = preflight(app, "/", headers=asked)
    if allowed:
        assert r.headers["Access-Control-Allow-Headers"] == asked
    else:
        assert cors_headers(r) == {}
    both = preflight(app, "/", headers=f"{asked}, content-type")
    assert ("Access-Control-Allow-Origin" in both.headers) is allowed


def test_allow_headers_star_echoes_names_never_literal_star() -> None:
    r = preflight(make_app(), "/", headers="Authorization")
    assert r.headers["Access-Control-Allow-Headers"] == "Authorization"


def test_preflight_without_requested_headers_sends_no_allow_headers() -> None:
    r = preflight(make_app(), "/")
    assert "Access-Control-Allow-Headers" not in r.headers
    assert r.headers["Access-Control-Allow-Origin"] == SPA


def test_expose_headers() -> None:
    app = make_app(expose_headers=["X-Total", "X-Page"])
    assert get(app, "/").headers["Access-Control-Expose-Headers"] == "X-Total, X-Page"
    assert "Access-Control-Expose-Headers" not in preflight(app, "/").headers


# -- credentials, wildcard, max_age -------------------------------------------------------


def test_supports_credentials() -> None:
    app = make_app(origins=[SPA], supports_credentials=True)
    r = get(app, "/")
    assert r.headers["Access-Control-Allow-Origin"] == SPA
    assert r.headers["Access-Control-Allow-Credentials"] == "true"
    assert preflight(app, "/").headers["Access-Control-Allow-Credentials"] == "true"
    assert cors_headers(get(app, "/", origin="https://evil.example")) == {}


def test_send_wildcard() -> None:
    app = make_app(send_wildcard=True)
    assert get(app, "/").headers["Access-Control-Allow-Origin"] == "*"
    assert preflight(app, "/").headers["Access-Control-Allow-Origin"] == "*"


def test_send_wildcard_with_listed_origins_still_echoes() -> None:
    r = get(make_app(origins=[SPA], send_wildcard=True), "/")
    assert r.headers["Access-Control-Allow-Origin"] == SPA


@pytest.mark.parametrize("value, sent", [(600, "600"), ("600", "600"), (0, "0"),
                                         (timedelta(minutes=10), "600")])
def test_max_age(value: Any, sent: str) -> None:
    r = preflight(make_app(max_age=value), "/")
    assert r.headers["Access-Control-Max-Age"] == sent
    assert "Access-Control-Max-Age" not in get(make_app(max_age=value), "/").headers


# -- vary, always_send --------------------------------------------------------------------


@pytest.mark.parametrize(("existing", "sent"), [
    ("Accept-Encoding", ["Accept-Encoding, Origin"]),  # merged into the view's header
    ("origin", ["origin"]),  # not duplicated, whatever its case
    ("", ["Origin"]),  # an empty header is replaced
])
def test_vary_merged_into_existing_header(existing: str, sent: list[str]) -> None:
    app = make_app()

    @app.get("/varied")
    def varied() -> Any:
        return "x", 200, {"Vary": existing}

    assert get(app, "/varied").headers.getlist("Vary") == sent


def test_several_vary_headers_become_one_list() -> None:
    app = make_app()

    @app.get("/varied")
    def varied() -> Any:
        return "x", 200, [("Vary", "Accept-Encoding"), ("Vary", "Cookie")]

    @app.get("/has-origin")
    def has_origin() -> Any:
        return "x", 200, [("Vary", "Cookie"), ("Vary", "Origin")]

    assert get(app, "/varied").headers.getlist("Vary") == ["Accept-Encoding, Cookie, Origin"]
    assert get(app, "/has-origin").headers.getlist("Vary") == ["Cookie, Origin"]


def test_vary_on_preflight_includes_request_headers() -> None:
    r = preflight(make_app(), "/")
    assert r.headers["Vary"] == ("Origin, Access-Control-Request-Method, Access-Control-Request-Headers, "
                                 "Access-Control-Request-Private-Network")


def test_vary_header_off() -> None:
    r = get(make_app(vary_header=False), "/")
    assert "Vary" not in r.headers
    assert r.headers["Access-Control-Allow-Origin"] == SPA


def test_always_send_off() -> None:
    r = get(make_app(always_send=False), "/", origin=None)
    assert "Access-Control-Allow-Origin" not in r.headers


# -- private network ----------------------------------------------------------------------


def test_private_network_refused_by_default_and_granted_when_allowed() -> None:
    refused = preflight(make_app(), "/", method="GET", private_network=True)
    assert cors_headers(refused) == {}
    granted = preflight(make_app(allow_private_network=True), "/", method="GET",
                        private_network=True)
    assert granted.headers["Access-Control-Allow-Private-Network"] == "true"
    assert granted.headers["Access-Control-Allow-Origin"] == SPA


# -- resources ----------------------------------------------------------------------------


def resource_app(resources: Any, **options: Any) -> Flask:
    app = Flask(__name__)
    CORS(app, resources=resources, **options)
    for path in ("/api/v1/users", "/api/x", "/other", "/API/x", "/apix"):
        app.add_url_rule(path, path, lambda: "ok")
    return app


def test_resources_limit_app_wide_cors() -> None:
    app = resource_app({r"/api/*": {"origins": [SPA]}})
    assert get(app, "/api/x").headers["Access-Control-Allow-Origin"] == SPA
    assert cors_headers(get(app, "/other")) == {}
    assert "Vary" not in get(app, "/other").headers


def test_resources_are_case_sensitive() -> None:
    app = resource_app({r"/api/.*": {}})
    assert cors_headers(get(app, "/API/x")) == {}


def test_resources_most_specific_first() -> None:
    app = resource_app({
        r"/api/.*": {"origins": ["https://general.example"]},
        r"/api/v1/.*": {"origins": ["https://v1.example"]},
    })
    assert get(app, "/api/v1/users", origin="https://v1.example").headers[
        "Access-Control-Allow-Origin"] == "https://v1.example"
    assert cors_headers(get(app, "/api/v1/users", origin="https://general.example")) == {}
    assert get(app, "/api/x", origin="https://general.example").headers[
        "Access-Control-Allow-Origin"] == "https://general.example"


def test_resources_list_string_and_pattern_forms() -> None:
    for resources in ([r"/api/.*"], r"/api/.*", re.compile(r"/api/.*")):
        app = resource_app(resources)
        assert get(app, "/api/x").headers["Access-Control-Allow-Origin"] == SPA
        assert cors_headers(get(app, "/other")) == {}


def test_resource_options_override_app_options() -> None:
    app = resource_app({r"/api/.*": {"max_age": 5}}, max_age=100)
    assert preflight(app, "/api/x", method="GET").headers["Access-Control-Max-Age"] == "5"


def test_path_is_decoded_once() -> None:
    app = resource_app({r"/api/.*": {}})
    r = get(app, "/%2561pi/x")
    assert r.status_code == 404
    assert cors_headers(r) == {}


# -- config keys --------------------------------------------------------------------------


def test_config_keys_are_defaults_below_constructor_and_init_app() -> None:
    app = Flask(__name__)
    app.config.update(CORS_ORIGINS=["https://config.example"], CORS_MAX_AGE=10,
                      CORS_EXPOSE_HEADERS=["X-Config"])
    cors = CORS(origins=["https://ctor.example"], max_age=20)
    cors.init_app(app, max_age=30)
    app.add_url_rule("/", "index", lambda: "ok")
    assert get(app, "/", origin="https://ctor.example").headers["Access-Control-Expose-Headers"] == "X-Config"
    assert cors_headers(get(app, "/", origin="https://config.example")) == {}
    assert preflight(app, "/", origin="https://ctor.example", method="GET").headers[
        "Access-Control-Max-Age"] == "30"


# -- errors get CORS headers --------------------------------------------------------------


@pytest.mark.parametrize("path, status", [("/missing", 404), ("/gone", 410), ("/boom", 500)])
def test_error_responses_carry_cors_headers(path: str, status: int) -> None:
    app = make_app(origins=[SPA])
    app.config["PROPAGATE_EXCEPTIONS"] = False
    r = get(app, path)
    assert r.status_code == status
    assert r.headers["Access-Control-Allow-Origin"] == SPA


def test_405_carries_cors_headers() -> None:
    app = make_app(origins=[SPA])
    r = app.test_client().patch("/", headers={"Origin": SPA})
    assert r.status_code == 405
    assert r.headers["Access-Control-Allow-Origin"] == SPA


def test_intercept_exceptions_off_leaves_500_alone() -> None:
    app = make_app(origins=[SPA], intercept_exceptions=False)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    r = get(app, "/boom")
    assert r.status_code == 500
    assert cors_headers(r) == {}
    assert get(app, "/").headers["Access-Control-Allow-Origin"] == SPA


# -- cross_origin alone -------------------------------------------------------------------


def test_cross_origin_without_extension() -> None:
    app = Flask(__name__)
    app.config["CORS_MAX_AGE"] = 60

    @app.route("/", methods=["GET", "PUT"])
    @cross_origin(origins=[SPA], methods=["GET", "PUT"])
    def index() -> str:
        return "view"

    @app.get("/plain")
    def plain() -> str:
        return "plain"

    r = get(app, "/")
    assert r.get_data(as_text=True) == "view"
    assert r.headers["Access-Control-Allow-Origin"] == SPA
    p = preflight(app, "/")
    assert p.status_code == 200
    assert p.headers["Access-Control-Allow-Methods"] == "GET, PUT"
    assert p.headers["Access-Control-Max-Age"] == "60"
    assert cors_headers(get(app, "/", origin="https://evil.example")) == {}
    assert cors_headers(get(app, "/plain")) == {}


def test_cross_origin_alone_automatic_options_off_lets_view_answer() -> None:
    app = Flask(__name__)

    @app.route("/", methods=["GET", "OPTIONS"])
    @cross_origin(automatic_options=False)
    def index() -> str:
        from flask import request

        return "mine" if request.method == "OPTIONS" else "get"

    r = preflight(app, "/", method="GET")
    assert r.get_data(as_text=True) == "mine"
    assert r.headers["Access-Control-Allow-Origin"] == SPA


def test_cross_origin_validates_when_decorating() -> None:
    with pytest.raises(CorsConfigError, match="origins"):
        cross_origin(origins=["localhost:3000"])


# -- configuration errors -----------------------------------------------------------------


@pytest.mark.parametrize(
    "options, option, fragment",
    [
        ({"origins": ["localhost:3000"]}, "origins", "http://localhost:3000"),
        ({"origins": ["https://a.example.com/"]}, "origins", "'https://a.example.com'"),
        ({"origins": ["https://a.example.com#top"]}, "origins", "no path, query or fragment"),
        ({"origins": ["https://a.example.com?q=1"]}, "origins", "'https://a.example.com'"),
        ({"origins": ["https://a.example.com/api?x=1"]}, "origins", "no path, query or fragment"),
        ({"origins": ["https://*.com"]}, "origins", "two labels"),
        ({"origins": ["https://api*.example.com"]}, "origins", "first label"),
        ({"origins": ["https://(a"]}, "origins", "regular expression"),
        ({"origins": [42]}, "origins", "string"),
        ({"supports_credentials": True}, "supports_credentials", "any origin"),
        ({"max_age": -1}, "max_age", "non-negative"),
        ({"max_age": 1.5}, "max_age", "seconds"),
        ({"max_age": "ten"}, "max_age", "seconds"),
        ({"methods": 5}, "methods", "list of strings"),
        ({"allow_headers": ["X-(.*"]}, "allow_headers", "regular expression"),
        ({"allow_headers": ["X Custom"]}, "allow_headers", "exact names or regular"),
        ({"vary_header": "yes"}, "vary_header", "True or False"),
        ({"orgins": ["https://a.example.com"]}, "orgins", "did you mean 'origins'"),
        ({"resources": {r"/api/(": {}}}, "resources", "regex"),
        ({"resources": {r"/api/.*": {"orgins": []}}}, "orgins", "did you mean 'origins'"),
    ],
)
def test_bad_configuration_fails_at_start_up(options: dict[str, Any], option: str,
                                             fragment: str) -> None:
    with pytest.raises(CorsConfigError) as info:
        CORS(Flask(__name__), **options)
    assert info.value.option == option
    assert isinstance(info.value, ValueError)
    assert fragment in str(info.value)
    assert "Hint:" in str(info.value)


def test_unknown_config_key_is_an_error() -> None:
    app = Flask(__name__)
    app.config["CORS_ORIGNS"] = ["https://a.example.com"]
    with pytest.raises(CorsConfigError, match="CORS_ORIGINS"):
        CORS(app)


def test_credentials_with_star_from_config_is_an_error() -> None:
    app = Flask(__name__)
    app.config["CORS_SUPPORTS_CREDENTIALS"] = True
    with pytest.raises(CorsConfigError, match="supports_credentials"):
        CORS(app)


def test_app_factory() -> None:
    cors = CORS(origins=[SPA])
    apps = []
    for _ in range(2):
        app = Flask(__name__)
        cors.init_app(app)
        app.add_url_rule("/", "index", lambda: "ok")
        apps.append(app)
    for app in apps:
        assert app.extensions["cors"] is cors
        assert get(app, "/").headers["Access-Control-Allow-Origin"] == SPA


def test_second_cors_on_same_app_is_an_error() -> None:
    app = Flask(__name__)
    CORS(app)
    with pytest.raises(CorsConfigError, match="already"):
        CORS(app)


def test_ipv6_origin_string_is_exact() -> None:
    app = make_app(origins=["http://[::1]:8000"])
    assert get(app, "/", origin="http://[::1]:8000").headers["Access-Control-Allow-Origin"] == "http://[::1]:8000"
    assert cors_headers(get(app, "/", origin="http://[::2]:8000")) == {}


def test_several_origins_in_one_string_suggests_a_list() -> None:
    with pytest.raises(CorsConfigError, match=r"pass a list: \['https://a.com', 'https://b.com'\]"):
        CORS(Flask(__name__), origins="https://a.com, https://b.com")


def test_empty_resources_cover_no_path() -> None:
    app = resource_app([])
    assert cors_headers(get(app, "/api/x")) == {}
    assert "Vary" not in get(app, "/api/x").headers


def test_untrusted_host_is_never_a_500() -> None:
    class TrustingRequest(Request):
        trusted_hosts = ("example.com",)

    app = make_app(origins=[SPA])
    app.request_class = TrustingRequest
    bp = Blueprint("api", __name__, url_prefix="/api")  # 404s under it look up the prefix

    @bp.get("/x")
    def x() -> str:
        return "x"

    app.register_blueprint(bp)
    client = app.test_client()
    for path in ("/", "/api/x", "/api/missing"):
        for origin in (None, SPA, "https://evil.example"):
            headers = {"Origin": origin} if origin else {}
            r = client.get(path, base_url="http://evil.test", headers=headers)
            assert r.status_code < 500, (path, origin)  # Flask 3.1 routing answers 400
            assert "Access-Control-Allow-Origin" not in r.headers or origin == SPA
        assert client.get(path, base_url="http://example.com").status_code != 400


def test_methods_star_never_echoes_a_malformed_method() -> None:
    app = make_app(origins=[SPA], methods="*")
    for method in ("GET, X", "G\x01ET", "PUT X"):
        for path in ("/", "/nowhere"):
            r = preflight(app, path, method=method)
            assert "Access-Control-Allow-Methods" not in r.headers, (path, method)
            assert "Access-Control-Allow-Origin" not in r.headers


def test_bad_subdomain_pattern_error_names_the_pattern() -> None:
    with pytest.raises(CorsConfigError) as info:
        CORS(Flask(__name__), origins=["https://*.example.com/"])
    assert info.value.value == "https://*.example.com/"
    assert "Hint: write 'https://*.example.com'" in str(info.value)


def test_a_question_mark_in_the_host_is_regex_syntax() -> None:
    app = make_app(origins=[r"https://examples?\.com"])
    assert get(app, "/", origin="https://example.com").headers["Access-Control-Allow-Origin"] == \
        "https://example.com"
    assert get(app, "/", origin="https://examples.com").headers["Access-Control-Allow-Origin"] == \
        "https://examples.com"
    assert cors_headers(get(app, "/", origin="https://examplesx.com")) == {}


def test_cross_origin_alone_that_cannot_combine_with_config_fails_closed(caplog: Any) -> None:
    app = Flask(__name__)
    app.config["CORS_ORIGINS"] = "*"  # meets the route's credentials only at the first request

    @app.route("/", methods=["GET", "PUT"])
    @cross_origin(supports_credentials=True)
    def index() -> str:
        return "view"

    for _ in range(2):
        r = get(app, "/")
        assert (r.status_code, r.get_data(as_text=True)) == (200, "view")
        assert cors_headers(r) == {}
    p = preflight(app, "/")
    assert p.status_code == 200 and cors_headers(p) == {}
    assert caplog.text.count("cannot be resolved") == 1  # logged once per app
    assert get(app, "/", origin=None).status_code == 200


def test_string_regexes_ignore_case_compiled_ones_keep_their_flags() -> None:
    text = make_app(origins=[r"https://app\.example\.com"])
    compiled = make_app(origins=[re.compile(r"https://app\.example\.com")])
    assert get(text, "/", origin="https://APP.example.com").headers[
        "Access-Control-Allow-Origin"] == "https://APP.example.com"
    assert cors_headers(get(compiled, "/", origin="https://APP.example.com")) == {}
    assert get(compiled, "/").headers["Access-Control-Allow-Origin"] == SPA


@pytest.mark.parametrize("answer", [1, "yes", object(), [SPA]])
def test_callable_grants_only_on_true(answer: Any) -> None:
    app = make_app(origins=[lambda origin: answer])
    assert cors_headers(get(app, "/")) == {}
    assert get(make_app(origins=[lambda origin: True]), "/").headers[
        "Access-Control-Allow-Origin"] == SPA


def test_url_value_preprocessors_run_before_the_preflight_answer() -> None:
    app = make_app(origins=[SPA])
    called: list[str] = []

    @app.url_value_preprocessor
    def pull(endpoint: str | None, values: Any) -> None:
        called.append(str(endpoint))

    @app.before_request
    def refuse() -> None:
        called.append("before_request")
        abort(403)

    p = preflight(app, "/")
    assert (p.status_code, p.headers["Access-Control-Allow-Origin"]) == (200, SPA)
    assert called == ["index"]  # Flask's order: URL values first, then the preflight answer
    assert get(app, "/").status_code == 403  # the actual request still goes through the hooks


def test_intercept_exceptions_off_keeps_headers_on_http_errors() -> None:
    app = make_app(origins=[SPA], intercept_exceptions=False)
    r = get(app, "/gone")
    assert (r.status_code, r.headers["Access-Control-Allow-Origin"]) == (410, SPA)


def test_literal_resources_come_before_regexes() -> None:
    app = Flask(__name__)
    CORS(app, resources={r"/api/.*": {"origins": ["https://regex.example"]},
                         "/api/feed.xml": {"origins": [SPA]}})

    @app.get("/api/feed.xml")
    def feed() -> str:
        return "feed"

    assert get(app, "/api/feed.xml").headers["Access-Control-Allow-Origin"] == SPA
    assert cors_headers(get(app, "/api/feed.xml", origin="https://regex.example")) == {}


def test_vary_header_off_sends_no_vary_at_all() -> None:
    app = make_app(vary_header=False)
    assert "Vary" not in preflight(app, "/").headers
    assert "Vary" not in get(app, "/").headers


def test_after_request_hooks_cannot_spoil_a_preflight_answer() -> None:
    app = make_app(origins=[SPA], supports_credentials=True)

    @app.after_request
    def meddle(response: Any) -> Any:
        response.headers.add("Vary", "Accept-Encoding")
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    granted = preflight(app, "/")
    assert granted.headers.getlist("Vary") == [
        "Accept-Encoding, Origin, Access-Control-Request-Method, "
        "Access-Control-Request-Headers, Access-Control-Request-Private-Network"]
    assert granted.headers.getlist("Access-Control-Allow-Origin") == [SPA]
    assert granted.headers["Access-Control-Allow-Credentials"] == "true"
    refused = preflight(app, "/", origin="https://evil.example")
    assert grants(refused) == {}
    assert len(refused.headers.getlist("Vary")) == 1


def test_requested_header_names_are_trimmed_of_spaces_and_tabs_only() -> None:
    app = make_app(origins=[SPA], allow_headers=["X-Token"])
    assert preflight(app, "/", headers=" X-Token\t").headers["Access-Control-Allow-Headers"] == \
        "X-Token"
    for odd in ("X-Token\x85", "X-Token\xa0", "\u3000X-Token"):
        r = app.test_client().options("/", environ_overrides={
            "HTTP_ORIGIN": SPA, "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "PUT",
            "HTTP_ACCESS_CONTROL_REQUEST_HEADERS": odd})
        assert cors_headers(r) == {}, repr(odd)


def test_very_long_paths_still_find_their_policy() -> None:
    app = Flask(__name__)
    CORS(app, resources={r"/api/.*": {"origins": [SPA]}})
    api = Blueprint("deep", __name__, url_prefix="/api/v1")
    api.add_url_rule("/x", "x", lambda: "x")
    app.register_blueprint(api)
    long_path = "/api/v1/" + "a/" * 20_000
    r = get(app, long_path)
    assert r.status_code == 404 and r.headers["Access-Control-Allow-Origin"] == SPA
    assert cors_headers(get(app, "/other/" + "a/" * 20_000)) == {}
