"""``flask cors check``: the browser model, verdicts and exit codes."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, request
from support import APP, app_with, check, invoke, late_app, subdomain_app
from werkzeug.routing import BaseConverter

from flask_cors_bp import CORS
from flask_cors_bp.cli import safelisted_header
from flask_cors_bp.signals import origin_rejected, preflight_rejected, report_only_rejected


def test_check_allowed_simple_request(app: Flask) -> None:
    code, first, output = check(app, APP, "/api/items")
    assert (code, first) == (0, "allowed")
    assert "preflight: not needed" in output
    assert f"Access-Control-Allow-Origin: {APP}" in output


def test_check_allowed_with_preflight(app: Flask) -> None:
    code, first, output = check(
        app, "https://shop.partner.example", "/api/items", "-X", "POST",
        "-H", "Content-Type: application/json", "--credentials",
    )
    assert (code, first) == (0, "allowed")
    assert "Access-Control-Request-Headers: content-type" in output
    assert "Access-Control-Allow-Methods: GET, POST" in output


def test_check_rejected_origin_names_the_level(app: Flask) -> None:
    code, first, _ = check(app, "https://evil.example", "/api/items")
    assert code == 1
    assert first == ("rejected: origin: 'https://evil.example' is not allowed; "
                     "origins come from blueprint 'api'")
    code, first, _ = check(app, "https://evil.example", "/pub/info", "-X", "PUT")
    assert code == 1
    assert first.startswith("rejected: origin: ")
    assert first.endswith("origins come from resources r'/pub/.*'")


def test_check_rejected_method(app: Flask) -> None:
    code, first, output = check(app, APP, "/api/items/1", "--method", "put")
    assert code == 1
    assert first == ("rejected: method: PUT is not allowed (allowed: GET, POST); "
                     "methods come from blueprint 'api'")
    assert "request: PUT /api/items/1 not sent" in output


def test_check_rejected_method_the_route_does_not_serve(app: Flask) -> None:
    code, first, _ = check(app, "https://admin.example.com", "/admin/stats", "-X", "DELETE")
    assert code == 1
    assert first.startswith("rejected: method: DELETE is allowed by the policy but the route "
                            "does not serve it")


def test_check_headers(app: Flask) -> None:
    admin = "https://admin.example.com"
    code, first, _ = check(app, admin, "/admin/stats", "-H", "X-Other", "-H", "X-Token")
    assert code == 1
    assert first == ("rejected: headers: x-other not allowed (allowed: X-Token); "
                     "allow_headers come from blueprint 'admin'")
    assert check(app, admin, "/admin/stats", "-H", "X-Token")[:2] == (0, "allowed")


def test_check_safelisted_headers_need_no_preflight(app: Flask) -> None:
    _, _, output = check(app, APP, "/api/items", "-X", "POST", "-H", "Content-Type: text/plain",
                         "-H", "Accept", "-H", "Accept-Language: en-GB")
    assert "preflight: not needed" in output
    _, _, output = check(app, APP, "/api/items", "-X", "POST", "-H", "Content-Type")
    assert "preflight: OPTIONS /api/items" in output


def test_check_private_network(app: Flask) -> None:
    code, first, _ = check(app, APP, "/api/items", "--private-network")
    assert code == 1
    assert first == ("rejected: private network: private network access is not allowed; "
                     "allow_private_network comes from the default: set it with "
                     "@cross_origin, on the blueprint or in CORS(app)")
    code, first, output = check(app, APP, "/api/lan", "--private-network")
    assert (code, first) == (0, "allowed")
    assert "Access-Control-Allow-Private-Network: true" in output


def test_check_credentials(app: Flask) -> None:
    code, first, _ = check(app, APP, "/pub/info", "--credentials")
    assert code == 1
    assert first == ("rejected: credentials: the response has no "
                     "Access-Control-Allow-Credentials: true; "
                     "supports_credentials comes from the default: set it with "
                     "@cross_origin, on the blueprint or in CORS(app)")
    assert check(app, APP, "/pub/info")[:2] == (0, "allowed")
    assert check(app, APP, "/api/items", "--credentials")[:2] == (0, "allowed")


def test_check_wildcard_with_credentials(app: Flask) -> None:
    assert check(app, APP, "/pub/star")[:2] == (0, "allowed")
    code, first, _ = check(app, APP, "/pub/star", "--credentials")
    assert code == 1
    assert first.startswith("rejected: credentials: Access-Control-Allow-Origin is '*'")


def test_check_preflight_status(app: Flask) -> None:
    code, first, output = check(app, APP, "/pub/strict", "-X", "PUT")
    assert code == 1
    assert first.startswith("rejected: preflight: the preflight was answered with status 403; "
                            "browsers need a 2xx status: the view or a before_request hook")
    assert "403 FORBIDDEN" in output


def test_check_no_policy(app: Flask) -> None:
    code, first, _ = check(app, APP, "/")
    assert code == 1
    assert first.startswith("rejected: no CORS policy on this route: endpoint 'index'")
    code, first, _ = check(app, APP, "/", "-X", "PUT")  # needs a preflight
    assert code == 1
    assert first.startswith("rejected: no CORS policy on this route")


def test_check_policy_that_cannot_be_resolved() -> None:
    app = late_app(Flask(__name__))
    code, first, _ = check(app, APP, "/late")
    assert code == 1
    assert first.startswith("rejected: policy error: the policy of 'late.late' cannot be "
                            "resolved")


def test_check_redirect() -> None:
    app = app_with(origins=[APP])

    @app.route("/things/")
    def things() -> str:
        return "things"

    code, first, output = check(app, APP, "/things")
    assert (code, first) == (0, "allowed")
    assert "note: the app redirects /things to http://localhost/things/" in output
    assert "308 PERMANENT REDIRECT" in output
    code, first, _ = check(app, APP, "/things", "-X", "PUT")
    assert code == 1
    assert first.startswith("rejected: preflight: the preflight was answered with status 308")
    assert first.endswith("browsers do not follow redirects on a preflight: call the URL it "
                          "redirects to")
    code, first, _ = check(app, APP, "/nothing", "-X", "PUT")
    assert (code, first) == (4, "no route: no rule serves /nothing (the app answers 404); "
                                "nothing was sent")


def test_check_converters_that_read_the_request() -> None:
    class Language(BaseConverter):
        def to_python(self, value: str) -> str:
            if value == "auto":  # a converter that needs the request context
                return request.accept_languages.best or "en"
            return value

    app = Flask(__name__)
    app.url_map.converters["lang"] = Language
    CORS(app, origins=[APP], methods=["GET", "PUT", "DELETE"])

    @app.route("/<lang:code>/items", methods=["GET", "PUT"])
    def items(code: str) -> str:
        return code

    code, first, output = check(app, APP, "/auto/items", "-X", "PUT")
    assert (code, first) == (0, "allowed")
    assert "route: /auto/items -> items" in output
    code, first, _ = check(app, APP, "/auto/items", "-X", "DELETE")
    assert code == 1
    assert "the route does not serve it (it serves GET, HEAD, OPTIONS, PUT)" in first


def test_check_same_origin_is_not_cors(app: Flask) -> None:
    code, first, output = check(app, "http://localhost", "/")
    assert (code, first) == (0, "allowed")
    assert "not a CORS request" in output


def test_check_null_origin(app: Flask) -> None:
    code, first, _ = check(app, "null", "/api/items")
    assert code == 1
    assert first.startswith("rejected: origin: 'null' is not allowed")


@pytest.mark.parametrize("args", [
    ["app.example.com", "/api/items"],
    ["https://app.example.com/", "/api/items"],
    [" https://app.example.com", "/api/items"],
    [APP, "api/items"],
    [APP, "/api/items", "-X", "GE T"],
    [APP, "/api/items", "-H", "Bad Name: x"],
    [APP, "/api/items", "-H", "X-A: b\r\nX-B: c"],
    [APP, "ftp://example.com/api/items"],
    [APP, "http://[bad/x"],
    [APP, "http://localhost:abc/api/items"],
    [APP, "http://localhost:99999/api/items"],
    [APP, "http://a..b/api/items"],
    [APP, "/api/items", "-X", "POST", "-H", "Origin: https://evil.example"],
    [APP, "/api/items", "-H", "Cookie: session=1"],
    [APP, "/api/items", "-H", "Sec-Fetch-Mode: cors"],
    [APP, "/api/items", "-H", "Host: evil.example"],
    [APP],
])
def test_check_usage_errors(app: Flask, args: list[str]) -> None:
    result = invoke(app, "check", *args)
    assert result.exit_code == 2, result.output


def test_check_a_full_url_reaches_a_subdomain() -> None:
    app = subdomain_app()
    partner = "https://partner.example.org"
    code, first, output = check(app, partner, "http://api.example.test/items")
    assert (code, first) == (0, "allowed")
    assert "route: http://api.example.test/items -> api.items (blueprint 'api')" in output
    code, first, _ = check(app, "https://evil.example", "http://api.example.test/items")
    assert code == 1
    assert first.startswith("rejected: origin: 'https://evil.example' is not allowed; "
                            "origins come from blueprint 'api'")
    code, first, _ = check(app, partner, "/items")  # the default host has no such route
    assert (code, first.split(":")[0]) == (4, "no route")


def test_check_when_a_url_converter_raises() -> None:
    class Lookup(BaseConverter):
        def to_python(self, value: str) -> str:
            raise LookupError(f"no order {value}")  # e.g. a database lookup that fails

    app = Flask(__name__)
    app.url_map.converters["order"] = Lookup
    CORS(app, origins=[APP])

    @app.route("/orders/<order:o>")
    def order(o: str) -> str:
        return o

    code, first, output = check(app, APP, "/orders/7")
    assert (code, first) == (0, "allowed")  # the 500 page is readable from the page
    assert "routing /orders/7 raised LookupError" in output
    assert "500 INTERNAL SERVER ERROR" in output


def test_check_when_the_app_raises() -> None:
    app = Flask(__name__)
    app.testing = True  # exceptions propagate: there is no response to judge
    CORS(app, origins=[APP])

    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("kaput")

    result = invoke(app, "check", APP, "/boom")
    assert result.exit_code == 3
    assert "GET /boom raised RuntimeError: kaput" in result.output
    app.testing = False  # the app answers 500, with the CORS headers: readable
    assert check(app, APP, "/boom")[:2] == (0, "allowed")


def test_check_disconnects_its_receivers(app: Flask) -> None:
    signals = (origin_rejected, preflight_rejected, report_only_rejected)
    before = [dict(signal.receivers) for signal in signals]
    assert check(app, "https://evil.example", "/api/items", "-X", "DELETE")[0] == 1
    assert check(app, APP, "/api/items", "-X", "DELETE")[0] == 1
    assert check(app, APP, "/api/items")[0] == 0
    assert [dict(signal.receivers) for signal in signals] == before


def test_check_leaves_other_receivers_alone(app: Flask) -> None:
    heard: list[str] = []

    def log(sender: Flask, **extra: Any) -> None:
        heard.append(extra["origin"])

    with origin_rejected.connected_to(log, sender=app):
        check(app, "https://evil.example", "/api/items")
    assert heard == ["https://evil.example"]


def test_safelisted_header() -> None:
    assert safelisted_header("Accept", None)
    assert safelisted_header("content-type", "text/plain; charset=utf-8")
    assert not safelisted_header("Content-Type", "application/json")
    assert not safelisted_header("Content-Type", None)
    assert not safelisted_header("Accept-Language", "en(")
    assert safelisted_header("Range", "bytes=0-99")
    assert not safelisted_header("Range", "bytes=0-1,5-9")
    assert not safelisted_header("Authorization", "x")


@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_check_a_path_no_route_serves(app: Flask, method: str) -> None:
    # The app-wide policy would answer the 404 with CORS headers: the path is still wrong.
    app = app_with(origins=[APP])
    hits: list[str] = []
    app.before_request(lambda: hits.append("hit"))  # type: ignore[func-returns-value]
    code, first, output = check(app, APP, "/nowhere", "-X", method)
    assert code == 4
    assert first == ("no route: no rule serves /nowhere (the app answers 404); "
                     "nothing was sent")
    assert "allowed" not in output
    assert hits == []


def test_check_help_documents_the_exit_codes(app: Flask) -> None:
    text = " ".join(invoke(app, "check", "--help").output.split())
    assert ("Exit status (the enforced policy's verdict): 0 allowed, 1 rejected, 2 usage "
            "error, 3 the app raised an exception, 4 no route serves PATH") in text
    assert "report-only candidate" in text and "never changes the exit status" in text


@pytest.mark.parametrize(("options", "origin", "granted"), [
    ({"origins": ["https://App.Example.com:443"]}, APP,
     "'https://App.Example.com:443' in origins; origins come from app"),
    ({"origins": ["https://*.example.com"]}, APP,
     "'https://*.example.com' in origins; origins come from app"),
    ({"origins": [r"https://(app|www)\.example\.com"]}, APP,
     r"regex r'https://(app|www)\.example\.com' in origins; origins come from app"),
    ({"origins": "*"}, "https://x.example", "'*' in origins; origins come from app"),
])
def test_check_names_the_entry_that_granted(options: dict[str, Any], origin: str,
                                            granted: str) -> None:
    code, first, output = check(app_with(**options), origin, "/")
    assert (code, first) == (0, "allowed")
    assert output.splitlines()[2] == f"  granted by: {granted}"


@pytest.mark.parametrize(("method", "code", "first"), [
    ("patch", 1, "rejected: method: patch is not allowed (allowed: GET, HEAD, POST, OPTIONS, "
                 "PUT, PATCH, DELETE); methods are case-sensitive, and browsers only upper-case "
                 "DELETE, GET, HEAD, OPTIONS, POST and PUT: send PATCH; methods come from the "
                 "default: set it with @cross_origin, on the blueprint or in CORS(app)"),
    ("PATCH", 0, "allowed"),
    ("delete", 0, "allowed"),  # fetch upper-cases it
    ("Put", 0, "allowed"),
])
def test_check_keeps_the_case_of_a_method_browsers_keep(method: str, code: int,
                                                        first: str) -> None:
    app = app_with(origins=[APP])

    @app.route("/items", methods=["GET", "PUT", "PATCH", "DELETE"])
    def items() -> str:
        return "items"

    result, line, output = check(app, APP, "/items", "-X", method)
    assert (result, line) == (code, first), output
    if method == "patch":
        assert "Access-Control-Request-Method: patch" in output


def test_browser_method_and_its_case() -> None:
    from flask_cors_bp.cli.browser import Answer, browser_method, preflight_failure

    assert [browser_method(m) for m in ("get", "Delete", "options", "patch", "PATCH", "Foo")] == [
        "GET", "DELETE", "OPTIONS", "patch", "PATCH", "Foo"]
    answer = Answer(200, [("Access-Control-Allow-Origin", APP),
                          ("Access-Control-Allow-Methods", "GET, PATCH")])
    assert preflight_failure(answer, APP, "PATCH", [], False, False) is None
    failure = preflight_failure(answer, APP, "patch", [], False, False)
    assert failure is not None
    assert failure.detail == ("patch is not in Access-Control-Allow-Methods; methods are "
                              "case-sensitive, and browsers only upper-case DELETE, GET, HEAD, "
                              "OPTIONS, POST and PUT: send PATCH")
