"""The operator CLI: ``flask cors routes``, ``flask cors check`` and ``flask cors audit``."""

from __future__ import annotations

import inspect
import json
import re
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Blueprint, Flask, request
from helpers import SPA
from werkzeug.routing import BaseConverter

from flask_cors_bp import CORS, CorsBlueprint, cross_origin
from flask_cors_bp.cli import regex_samples, safelisted_header
from flask_cors_bp.signals import origin_rejected, preflight_rejected


def make_app() -> Flask:
    """Several levels: resources, a CorsBlueprint with a nested one, a plain blueprint, routes."""
    app = Flask(__name__)
    cors = CORS(app, resources={r"/pub/.*": {"origins": [SPA]}})

    @app.route("/")
    def index() -> str:
        return "index"

    @app.route("/pub/info")
    def info() -> str:
        return "info"

    @app.route("/pub/strict", methods=["GET", "PUT", "OPTIONS"])
    @cross_origin(automatic_options=False)
    def strict() -> Any:
        if request.method == "OPTIONS":
            return "no", 403
        return "strict"

    @app.route("/pub/star")
    @cross_origin(origins="*", send_wildcard=True)
    def star() -> str:
        return "star"

    api = CorsBlueprint(
        "api", __name__, url_prefix="/api",
        origins=[SPA, "https://*.partner.example"],
        methods=["GET", "POST"], supports_credentials=True, max_age=600,
    )

    @api.route("/items", methods=["GET", "POST"])
    def items() -> str:
        return "items"

    @api.route("/items/<int:item_id>", methods=["GET", "PUT"])
    def item(item_id: int) -> str:
        return "item"

    @api.route("/public")
    @cross_origin(origins="*", supports_credentials=False)
    def public() -> str:
        return "public"

    @api.route("/lan")
    @cross_origin(allow_private_network=True)
    def lan() -> str:
        return "lan"

    v1 = CorsBlueprint("v1", __name__, url_prefix="/v1")

    @v1.route("/things")
    def things() -> str:
        return "things"

    api.register_blueprint(v1)
    admin = Blueprint("admin", __name__, url_prefix="/admin")

    @admin.route("/stats")
    def stats() -> str:
        return "stats"

    cors.init_blueprint(admin, origins=["https://admin.example.com"], allow_headers=["X-Token"])
    app.register_blueprint(api)
    app.register_blueprint(admin)
    return app


def invoke(app: Flask, *args: str) -> Any:
    # click < 8.2 mixes stderr into stdout unless told not to; 8.2 always keeps them apart
    options = {"mix_stderr": False} if "mix_stderr" in inspect.signature(CliRunner).parameters else {}
    return app.test_cli_runner(**options).invoke(args=["cors", *args])


@pytest.fixture
def app() -> Flask:
    return make_app()


# -- routes ---------------------------------------------------------------------------------


def test_routes_table(app: Flask) -> None:
    result = invoke(app, "routes")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == [
        "RULE", "ENDPOINT", "BLUEPRINT", "ORIGINS", "METHODS", "CREDENTIALS", "ORIGINS", "FROM"
    ]
    rows = {line.split()[1]: line for line in lines[1:]}
    assert set(rows) == {
        "index", "info", "strict", "star", "api.items", "api.item", "api.public", "api.lan",
        "api.v1.things", "admin.stats", "static",
    }
    assert re.search(r"^/api/items +api\.items +api +https://app\.example\.com, "
                     r"https://\*\.partner\.example +GET, POST +yes +blueprint 'api'$",
                     rows["api.items"])
    assert re.search(r"^/ +index +- +no CORS +- +- +-$", rows["index"])
    assert rows["info"].endswith("resources r'/pub/.*'")
    assert "route" in rows["api.public"].split()
    assert rows["api.v1.things"].split()[2] == "api.v1"
    assert rows["api.v1.things"].endswith("blueprint 'api'")
    assert rows["admin.stats"].endswith("blueprint 'admin'")
    # The columns line up: every row's ENDPOINT starts under the header's.
    start = lines[0].index("ENDPOINT")
    assert all(line[start - 2:start] == "  " and line[start] != " " for line in lines[1:])


def test_routes_json(app: Flask) -> None:
    result = invoke(app, "routes", "--json")
    assert result.exit_code == 0, result.output
    rows = {row["endpoint"]: row for row in json.loads(result.output)}
    assert rows["api.item"] == {
        "rule": "/api/items/<int:item_id>", "endpoint": "api.item", "blueprint": "api",
        "cors": True, "origins": [SPA, "https://*.partner.example"],
        "methods": ["GET"],  # the policy allows GET and POST, the rule serves GET and PUT
        "credentials": True, "origins_source": "blueprint 'api'", "error": None,
        "subdomain": None, "host": None,
    }
    assert rows["index"]["cors"] is False
    assert rows["index"]["origins"] is None
    assert rows["static"]["cors"] is False  # /static/x is outside the resources
    assert rows["info"]["origins_source"] == "resources r'/pub/.*'"
    assert rows["api.public"]["origins"] == ["*"]
    assert rows["api.public"]["credentials"] is False
    assert rows["api.public"]["origins_source"] == "route"
    assert rows["api.v1.things"]["blueprint"] == "api.v1"


def test_routes_place_rules_with_variables_under_resources() -> None:
    app = Flask(__name__)
    CORS(app, resources={r"/files/.*": {"origins": [SPA]}, r"/ids/\d+$": {}})

    @app.route("/files/<path:name>")
    def files(name: str) -> str:
        return name

    @app.route("/ids/<int:n>")
    def ids(n: int) -> str:
        return str(n)

    rows = {r["endpoint"]: r for r in json.loads(invoke(app, "routes", "--json").output)}
    assert rows["files"]["origins_source"] == "resources r'/files/.*'"
    assert rows["ids"]["origins_source"] == "default"
    assert rows["ids"]["cors"] is True
    assert rows["static"]["cors"] is False


def test_routes_show_regexes_and_callables() -> None:
    app = Flask(__name__)

    def partner_check(origin: str) -> bool:
        return origin == "https://partner.example"

    CORS(app, origins=[re.compile(r"https://a\.example\.com"), partner_check])

    @app.route("/")
    def index() -> str:
        return "index"

    rows = {r["endpoint"]: r for r in json.loads(invoke(app, "routes", "--json").output)}
    assert rows["index"]["origins"] == [
        r"https://a\.example\.com",
        "<callable test_routes_show_regexes_and_callables.<locals>.partner_check>",
    ]


def late_app(app: Flask) -> Flask:
    """CORS(app) with any origin, and a plain blueprint whose route asks for credentials:
    the levels only meet when first resolved (a later init_blueprint could still fix it)."""
    if "cors" not in app.extensions:
        CORS(app)
    bp = Blueprint("late", __name__)

    @bp.route("/late")
    @cross_origin(supports_credentials=True)
    def late() -> str:
        return "late"

    app.register_blueprint(bp)
    return app


def test_routes_report_a_policy_that_cannot_be_resolved() -> None:
    app = late_app(Flask(__name__))
    result = invoke(app, "routes", "--json")
    rows = {r["endpoint"]: r for r in json.loads(result.stdout)}
    assert "supports_credentials" in rows["late.late"]["error"]
    table = invoke(app, "routes")
    assert table.exit_code == 0
    assert "error (see below)" in table.stdout
    assert "late.late: CORS option 'supports_credentials'" in table.stderr


def test_group_is_there_with_only_a_cors_blueprint() -> None:
    app = Flask(__name__)
    api = CorsBlueprint("api", __name__, url_prefix="/api", origins=[SPA])

    @api.route("/x")
    def x() -> str:
        return "x"

    app.register_blueprint(api)
    rows = {r["endpoint"]: r for r in json.loads(invoke(app, "routes", "--json").output)}
    assert rows["api.x"]["origins_source"] == "blueprint 'api'"
    assert rows["static"]["cors"] is False


# -- check ----------------------------------------------------------------------------------


def check(app: Flask, *args: str) -> tuple[int, str, str]:
    result = invoke(app, "check", *args)
    first = result.output.splitlines()[0] if result.output else ""
    return result.exit_code, first, result.output


def test_check_allowed_simple_request(app: Flask) -> None:
    code, first, output = check(app, SPA, "/api/items")
    assert (code, first) == (0, "allowed")
    assert "preflight: not needed" in output
    assert f"Access-Control-Allow-Origin: {SPA}" in output


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
    code, first, output = check(app, SPA, "/api/items/1", "--method", "put")
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
    _, _, output = check(app, SPA, "/api/items", "-X", "POST", "-H", "Content-Type: text/plain",
                         "-H", "Accept", "-H", "Accept-Language: en-GB")
    assert "preflight: not needed" in output
    _, _, output = check(app, SPA, "/api/items", "-X", "POST", "-H", "Content-Type")
    assert "preflight: OPTIONS /api/items" in output


def test_check_private_network(app: Flask) -> None:
    code, first, _ = check(app, SPA, "/api/items", "--private-network")
    assert code == 1
    assert first == ("rejected: private network: private network access is not allowed; "
                     "allow_private_network comes from the default: set it with "
                     "@cross_origin, on the blueprint or in CORS(app)")
    code, first, output = check(app, SPA, "/api/lan", "--private-network")
    assert (code, first) == (0, "allowed")
    assert "Access-Control-Allow-Private-Network: true" in output


def test_check_credentials(app: Flask) -> None:
    code, first, _ = check(app, SPA, "/pub/info", "--credentials")
    assert code == 1
    assert first == ("rejected: credentials: the response has no "
                     "Access-Control-Allow-Credentials: true; "
                     "supports_credentials comes from the default: set it with "
                     "@cross_origin, on the blueprint or in CORS(app)")
    assert check(app, SPA, "/pub/info")[:2] == (0, "allowed")
    assert check(app, SPA, "/api/items", "--credentials")[:2] == (0, "allowed")


def test_check_wildcard_with_credentials(app: Flask) -> None:
    assert check(app, SPA, "/pub/star")[:2] == (0, "allowed")
    code, first, _ = check(app, SPA, "/pub/star", "--credentials")
    assert code == 1
    assert first.startswith("rejected: credentials: Access-Control-Allow-Origin is '*'")


def test_check_preflight_status(app: Flask) -> None:
    code, first, output = check(app, SPA, "/pub/strict", "-X", "PUT")
    assert code == 1
    assert first.startswith("rejected: preflight: the preflight was answered with status 403; "
                            "browsers need a 2xx status: the view or a before_request hook")
    assert "403 FORBIDDEN" in output


def test_check_no_policy(app: Flask) -> None:
    code, first, _ = check(app, SPA, "/")
    assert code == 1
    assert first.startswith("rejected: no CORS policy on this route: endpoint 'index'")
    code, first, _ = check(app, SPA, "/", "-X", "PUT")  # needs a preflight
    assert code == 1
    assert first.startswith("rejected: no CORS policy on this route")
    code, first, _ = check(app, SPA, "/nowhere")
    assert code == 1
    assert first == "rejected: no CORS policy on this route: no route matches /nowhere (404)"


def test_check_policy_that_cannot_be_resolved() -> None:
    app = late_app(Flask(__name__))
    code, first, _ = check(app, SPA, "/late")
    assert code == 1
    assert first.startswith("rejected: policy error: the policy of 'late.late' cannot be "
                            "resolved")


def test_check_redirect() -> None:
    app = app_with(origins=[SPA])

    @app.route("/things/")
    def things() -> str:
        return "things"

    code, first, output = check(app, SPA, "/things")
    assert (code, first) == (0, "allowed")
    assert "note: the app redirects /things to http://localhost/things/" in output
    assert "308 PERMANENT REDIRECT" in output
    code, first, _ = check(app, SPA, "/things", "-X", "PUT")
    assert code == 1
    assert first.startswith("rejected: preflight: the preflight was answered with status 308")
    assert first.endswith("browsers do not follow redirects on a preflight: call the URL it "
                          "redirects to")
    code, first, _ = check(app, SPA, "/nothing", "-X", "PUT")
    assert (code, first.rsplit(": ", 1)[1]) == (1, "no route answers this path")


def test_check_converters_that_read_the_request() -> None:
    class Language(BaseConverter):
        def to_python(self, value: str) -> str:
            if value == "auto":  # a converter that needs the request context
                return request.accept_languages.best or "en"
            return value

    app = Flask(__name__)
    app.url_map.converters["lang"] = Language
    CORS(app, origins=[SPA], methods=["GET", "PUT", "DELETE"])

    @app.route("/<lang:code>/items", methods=["GET", "PUT"])
    def items(code: str) -> str:
        return code

    code, first, output = check(app, SPA, "/auto/items", "-X", "PUT")
    assert (code, first) == (0, "allowed")
    assert "route: /auto/items -> items" in output
    code, first, _ = check(app, SPA, "/auto/items", "-X", "DELETE")
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
    [SPA, "api/items"],
    [SPA, "/api/items", "-X", "GE T"],
    [SPA, "/api/items", "-H", "Bad Name: x"],
    [SPA, "/api/items", "-H", "X-A: b\r\nX-B: c"],
    [SPA, "ftp://example.com/api/items"],
    [SPA, "http://[bad/x"],
    [SPA, "http://localhost:abc/api/items"],
    [SPA, "http://localhost:99999/api/items"],
    [SPA, "http://a..b/api/items"],
    [SPA, "/api/items", "-X", "POST", "-H", "Origin: https://evil.example"],
    [SPA, "/api/items", "-H", "Cookie: session=1"],
    [SPA, "/api/items", "-H", "Sec-Fetch-Mode: cors"],
    [SPA, "/api/items", "-H", "Host: evil.example"],
    [SPA],
])
def test_check_usage_errors(app: Flask, args: list[str]) -> None:
    result = invoke(app, "check", *args)
    assert result.exit_code == 2, result.output


def subdomain_app() -> Flask:
    app = Flask(__name__, subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.test"
    api = CorsBlueprint("api", __name__, subdomain="api", origins=["https://partner.example.org"])

    @api.route("/items")
    def items() -> str:
        return "items"

    app.register_blueprint(api)
    return app


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
    assert (code, first.split(":")[0]) == (1, "rejected")


def test_routes_show_the_subdomain() -> None:
    result = invoke(subdomain_app(), "routes")
    assert any(line.startswith("api./items ") for line in result.output.splitlines())
    rows = json.loads(invoke(subdomain_app(), "routes", "--json").output)
    assert [(r["subdomain"], r["rule"]) for r in rows if r["endpoint"] == "api.items"] == [
        ("api", "/items")]


def test_check_when_a_url_converter_raises() -> None:
    class Lookup(BaseConverter):
        def to_python(self, value: str) -> str:
            raise LookupError(f"no order {value}")  # e.g. a database lookup that fails

    app = Flask(__name__)
    app.url_map.converters["order"] = Lookup
    CORS(app, origins=[SPA])

    @app.route("/orders/<order:o>")
    def order(o: str) -> str:
        return o

    code, first, output = check(app, SPA, "/orders/7")
    assert (code, first) == (0, "allowed")  # the 500 page is readable from the page
    assert "routing /orders/7 raised LookupError" in output
    assert "500 INTERNAL SERVER ERROR" in output


def test_check_when_the_app_raises() -> None:
    app = Flask(__name__)
    app.testing = True  # exceptions propagate: there is no response to judge
    CORS(app, origins=[SPA])

    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("kaput")

    result = invoke(app, "check", SPA, "/boom")
    assert result.exit_code == 3
    assert "GET /boom raised RuntimeError: kaput" in result.output
    app.testing = False  # the app answers 500, with the CORS headers: readable
    assert check(app, SPA, "/boom")[:2] == (0, "allowed")


def test_check_disconnects_its_receivers(app: Flask) -> None:
    before = (dict(origin_rejected.receivers), dict(preflight_rejected.receivers))
    assert check(app, "https://evil.example", "/api/items", "-X", "DELETE")[0] == 1
    assert check(app, SPA, "/api/items", "-X", "DELETE")[0] == 1
    assert (dict(origin_rejected.receivers), dict(preflight_rejected.receivers)) == before


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


# -- audit ----------------------------------------------------------------------------------


def app_with(**options: Any) -> Flask:
    app = Flask(__name__)
    CORS(app, **options)

    @app.route("/")
    def index() -> str:
        return "index"

    return app


def audit(app: Flask) -> tuple[int, list[dict[str, Any]], str]:
    text = invoke(app, "audit")
    result = invoke(app, "audit", "--json")
    assert text.exit_code == result.exit_code
    findings = json.loads(result.output)
    lines = [line for line in text.output.splitlines() if line.startswith("CORS")]
    assert len(lines) == len(findings)
    return result.exit_code, findings, text.output


def ids(findings: list[dict[str, Any]]) -> set[str]:
    return {f["id"] for f in findings}


CLEAN = {"origins": [SPA, "https://admin.example.com"], "supports_credentials": True,
         "max_age": 600, "expose_headers": ["X-Total"]}


def test_audit_clean_configuration() -> None:
    code, findings, output = audit(app_with(**CLEAN))
    assert (code, findings) == (0, [])
    assert output.splitlines()[-1] == "0 findings (0 error, 0 warning, 0 info) in 2 endpoints " \
                                      "with a CORS policy"


def test_audit_clean_multi_blueprint_app() -> None:
    app = Flask(__name__)
    CORS(app, origins=[SPA])
    api = CorsBlueprint("api", __name__, url_prefix="/api", origins=[SPA, "https://*.example.org"],
                        supports_credentials=True, allow_headers=["X-Token"])

    @api.route("/a")
    def a() -> str:
        return "a"

    app.register_blueprint(api)
    assert audit(app)[:2] == (0, [])


def test_audit_any_origin(app: Flask) -> None:
    code, findings, output = audit(app)
    assert code == 1
    (finding,) = [f for f in findings if f["id"] == "CORS001"]
    assert finding["severity"] == "warning"
    assert finding["endpoints"] == ["api.public", "star"]
    assert "origins come from route" in finding["message"]
    assert finding["blueprints"] == ["api"]
    line = next(line for line in output.splitlines() if line.startswith("CORS001"))
    assert line.startswith("CORS001 warning [api.public, star] any origin")
    assert "Hint: " in line


def test_audit_default_any_origin_groups_endpoints() -> None:
    app = Flask(__name__)
    CORS(app)
    api = CorsBlueprint("api", __name__, url_prefix="/api")

    @api.route("/a")
    def a() -> str:
        return "a"

    @api.route("/b")
    def b() -> str:
        return "b"

    app.register_blueprint(api)
    code, findings, _ = audit(app)
    assert code == 1
    (finding,) = findings
    assert finding["id"] == "CORS001"
    assert finding["where"] == "api.*, static"
    assert finding["endpoints"] == ["api.a", "api.b", "static"]
    assert "origins come from the default" in finding["message"]


def test_audit_regex_where_a_subdomain_pattern_would_do() -> None:
    code, findings, _ = audit(app_with(origins=[r"https://.*\.example\.com"]))
    assert code == 0  # info only
    (finding,) = findings
    assert (finding["id"], finding["severity"]) == ("CORS002", "info")
    assert "'https://*.example.com'" in finding["message"]
    assert audit(app_with(origins=["https://*.example.com"]))[1] == []


def test_audit_plain_http_with_credentials() -> None:
    code, findings, _ = audit(app_with(origins=["http://app.example.com"],
                                       supports_credentials=True))
    assert code == 1
    assert ids(findings) == {"CORS003"}
    assert "'http://app.example.com'" in findings[0]["message"]
    assert audit(app_with(origins=["http://app.example.com"]))[1] == []
    localhost = app_with(origins=["http://localhost:3000", SPA], supports_credentials=True)
    assert audit(localhost)[1] == []


def test_audit_null_origin() -> None:
    code, findings, _ = audit(app_with(origins=[SPA, "null"]))
    assert code == 1
    assert ids(findings) == {"CORS004"}


def test_audit_private_network_with_broad_origins() -> None:
    code, findings, _ = audit(app_with(origins=["https://*.example.com"],
                                       allow_private_network=True))
    assert code == 1
    assert ids(findings) == {"CORS005"}
    assert "https://*.example.com" in findings[0]["message"]
    assert audit(app_with(origins=[SPA], allow_private_network=True))[1] == []
    exact_regex = [r"^https://app\.example\.com$", r"https://(a|b)\.example\.com"]
    assert audit(app_with(origins=exact_regex, allow_private_network=True))[1] == []


def test_audit_long_max_age() -> None:
    code, findings, _ = audit(app_with(origins=[SPA], max_age=86400))
    assert code == 0
    assert ids(findings) == {"CORS006"}
    assert audit(app_with(origins=[SPA], max_age=7200))[1] == []


def test_audit_star_expose_headers_with_credentials() -> None:
    code, findings, _ = audit(app_with(origins=[SPA], supports_credentials=True,
                                       expose_headers="*"))
    assert code == 1
    assert ids(findings) == {"CORS007"}
    assert audit(app_with(origins=[SPA], expose_headers="*"))[1] == []


@pytest.mark.parametrize(("origins", "variant"), [
    ([r"https://.*.example.com"], "https://subxexample.com"),  # unescaped dot
    ([r"https://.*example\.com"], "https://evilexample.com"),  # no dot before the domain
    ([r"https://app\.example\.com.*"], "https://app.example.com.evil.net"),  # open end
    ([r"https?://app\.example\.com", r"https://.*"], "https://cors-audit.invalid"),
    ([SPA, lambda origin: origin.startswith(SPA)], "https://app.example.com.evil.net"),
    ([r".*"], "https://cors-audit.invalid"),  # accepts anything, with or without credentials
    ([r"^.+$"], "https://cors-audit.invalid"),
    ([lambda origin: True], "https://cors-audit.invalid"),
])
def test_audit_self_probe_finds_look_alikes(origins: list[Any], variant: str) -> None:
    code, findings, _ = audit(app_with(origins=origins))
    assert code == 1
    errors = [f for f in findings if f["id"] == "CORS008"]
    assert errors
    assert all(f["severity"] == "error" for f in errors)
    assert any(f"origins accept {variant!r}" in f["message"] for f in errors), errors


def test_audit_regex_that_reflects_everything_with_credentials() -> None:
    code, findings, _ = audit(app_with(origins=[r".*"], supports_credentials=True))
    assert code == 1
    (finding, *_) = findings
    assert (finding["id"], finding["severity"]) == ("CORS008", "error")
    assert "an unrelated origin" in finding["message"]
    assert finding["hint"].startswith("list the origins that need access")


@pytest.mark.parametrize("origins", [
    [r"https://app\.example\.com(:\d+)?"],  # any port, spelled out on purpose
    [r"http://localhost:\d+", r"http://127\.0\.0\.1:[0-9]+"],
])
def test_audit_self_probe_accepts_a_port_part_written_on_purpose(origins: list[str]) -> None:
    code, findings, _ = audit(app_with(origins=origins, allow_private_network=False))
    assert (code, findings) == (0, [])


@pytest.mark.parametrize(("regex", "hint"), [
    (r"^https://app.example.com$", "write 'https://app.example.com' instead of the regex"),
    (r"^https://app\.example\.com.*$", "tighten the regex"),
    (r"https://.*.example.com", "write 'https://*.example.com' instead of the regex"),
])
def test_audit_self_probe_hint_fits_the_regex(regex: str, hint: str) -> None:
    findings = audit(app_with(origins=[regex]))[1]
    assert findings
    assert all(f["hint"].startswith(hint) for f in findings if f["id"] == "CORS008"), findings


def test_audit_self_probe_hint_names_the_pattern() -> None:
    (finding, *_) = audit(app_with(origins=[r"https://.*.example.com"]))[1]
    assert finding["id"] == "CORS008"
    assert "through regex r'https://.*.example.com'" in finding["message"]
    assert finding["hint"].startswith("write 'https://*.example.com' instead of the regex")


def test_audit_self_probe_scheme_downgrade() -> None:
    app = app_with(origins=[SPA, lambda origin: origin == "http://app.example.com"])
    findings = audit(app)[1]
    assert any("'http://app.example.com' (plain http instead of https" in f["message"]
               for f in findings if f["id"] == "CORS008")


def test_audit_self_probe_accepts_what_is_configured() -> None:
    # Both schemes listed on purpose, and an exact origin inside a subdomain pattern.
    origins = [SPA, "http://app.example.com", "https://*.example.com",
               r"^https://(www\.)?example\.net$"]
    assert audit(app_with(origins=origins))[1] == []


def test_audit_cannot_probe() -> None:
    code, findings, _ = audit(app_with(origins=[r"https://(?!evil)[a-z]+\.example\.com",
                                                lambda origin: False]))
    assert code == 0
    assert [f["id"] for f in findings] == ["CORS009", "CORS009"]


def test_audit_callables_run_in_a_request_context() -> None:
    def strict(origin: str) -> bool:
        return origin == request.host_url.rstrip("/")  # needs a request context

    code, findings, _ = audit(app_with(origins=[SPA, strict]))
    assert ids(findings) == {"CORS009"}
    assert code == 0

    def loose(origin: str) -> bool:  # lets everything in, once it can read the request
        return bool(request.host)

    code, findings, _ = audit(app_with(origins=[SPA, loose]))
    assert code == 1
    assert any(f["id"] == "CORS008" and "an unrelated origin" in f["message"] for f in findings)


@pytest.mark.parametrize(("origins", "expected"), [
    ([r"https://example\.[a-z]+"], {"CORS008", "CORS005"}),  # any top-level domain
    ([r"https://[a-z]+\.example\.com"], {"CORS002", "CORS005"}),  # subdomains: broad, not loose
    ([r"https://[a-z0-9-]+-preview\.example\.com"], {"CORS005"}),  # preview deploys
    ([SPA, lambda origin: origin == SPA], {"CORS005", "CORS009"}),
    ([SPA, "null"], {"CORS004", "CORS005"}),
    ([r"https://(app|www)\.example\.com"], set()),  # two exact origins in one regex
])
def test_audit_broad_origins_with_private_network(origins: list[Any], expected: set[str]) -> None:
    code, findings, _ = audit(app_with(origins=origins, allow_private_network=True))
    assert ids(findings) == expected
    assert code == (1 if expected - {"CORS002", "CORS009"} else 0)


@pytest.mark.parametrize("regex", [
    r"https://[a-z]+\.example\.com",
    r"https://[a-z0-9-]+-preview\.example\.com",
    r"https://(app|www)\.example\.com",
])
def test_audit_correct_regexes_are_not_errors(regex: str) -> None:
    code, findings, _ = audit(app_with(origins=[regex], supports_credentials=True))
    assert code == 0
    assert all(f["severity"] == "info" for f in findings), findings


def test_audit_policy_that_cannot_be_resolved() -> None:
    app = late_app(app_with())
    code, findings, _ = audit(app)
    assert code == 1
    (finding,) = [f for f in findings if f["id"] == "CORS000"]
    assert (finding["severity"], finding["endpoints"]) == ("error", ["late.late"])
    assert "supports_credentials" in finding["message"]


def test_audit_json_shape(app: Flask) -> None:
    for finding in audit(app)[1]:
        assert set(finding) == {"id", "severity", "message", "hint", "where", "endpoints",
                                "blueprints"}
        assert re.fullmatch(r"CORS\d{3}", finding["id"])
        assert finding["severity"] in ("error", "warning", "info")


def test_audit_sorted_by_severity() -> None:
    findings = audit(app_with(origins=[r"https://.*", "null"], max_age=86400))[1]
    order = [f["severity"] for f in findings]
    assert order == sorted(order, key=["error", "warning", "info"].index)
    assert order[0] == "error"
    assert order[-1] == "info"


def test_no_colour_when_not_a_terminal(app: Flask) -> None:
    for args in (["audit"], ["check", SPA, "/api/items"], ["check", SPA, "/"], ["routes"]):
        assert "\x1b[" not in invoke(app, *args).output


# -- the regex sampler ----------------------------------------------------------------------


@pytest.mark.parametrize(("pattern", "sample"), [
    (r"https://.*\.example\.com", "https://a.example.com"),
    (r"^https://(www\.)?example\.com$", "https://www.example.com"),
    (r"https?://app\.example\.com", "https://app.example.com"),
    (r"http://localhost:\d+", "http://localhost:1"),
    (r"https://[a-z0-9-]+\.example\.com", "https://a.example.com"),
    (r"(?i)https://(?:app|admin)\.example\.com", "https://app.example.com"),
    (r"https://.*.example.com", "https://a.example.com"),
])
def test_regex_samples(pattern: str, sample: str) -> None:
    samples = regex_samples(pattern)
    assert sample in samples
    assert all(re.fullmatch(pattern, s) for s in samples)


def test_regex_samples_per_alternative() -> None:
    assert regex_samples(r"https://a\.com|https://b\.com") == ["https://a.com", "https://b.com"]
    assert regex_samples(r"https://(?=x)") == []
