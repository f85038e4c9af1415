"""``flask cors routes``: the table and the JSON snapshot."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask
from support import APP, invoke, late_app, subdomain_app

from flask_cors_bp import CORS, CorsBlueprint, CorsPolicy
from flask_cors_bp.cli import cors_cli
from flask_cors_bp.options import normalize


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
    blueprint = "blueprint 'api'"
    assert rows["api.item"] == {
        "rule": "/api/items/<int:item_id>", "endpoint": "api.item", "blueprint": "api",
        "subdomain": None, "host": None, "cors": True, "error": None,
        "origins": [APP, "https://*.partner.example"],
        "methods": ["GET"],  # the policy allows GET and POST, the rule serves GET and PUT
        "allow_headers": ["*"], "expose_headers": [], "credentials": True, "max_age": 600,
        "private_network": False, "send_wildcard": False, "vary_header": True,
        "always_send": True,
        "sources": {
            "origins": blueprint, "methods": blueprint, "allow_headers": "default",
            "expose_headers": "default", "credentials": blueprint, "max_age": blueprint,
            "private_network": "default", "send_wildcard": "default", "vary_header": "default",
            "always_send": "default",
        },
        "intercept_exceptions": True, "report_only": None, "placements": None,
    }
    assert rows["index"]["cors"] is False
    assert rows["index"]["origins"] is None
    assert rows["index"]["sources"] is None
    assert rows["static"]["cors"] is False  # /static/x is outside the resources
    assert rows["info"]["sources"]["origins"] == "resources r'/pub/.*'"
    assert rows["api.public"]["origins"] == ["*"]
    assert rows["api.public"]["credentials"] is False
    assert rows["api.public"]["sources"]["origins"] == "route"
    assert rows["api.public"]["sources"]["max_age"] == blueprint
    assert rows["api.lan"]["private_network"] is True
    assert rows["api.v1.things"]["blueprint"] == "api.v1"
    assert rows["admin.stats"]["allow_headers"] == ["X-Token"]


def test_routes_json_has_the_same_keys_on_every_row(app: Flask) -> None:
    rows = json.loads(invoke(app, "routes", "--json").output)
    assert len({tuple(row) for row in rows}) == 1


def test_routes_place_rules_with_variables_under_resources() -> None:
    app = Flask(__name__)
    CORS(app, resources={r"/files/.*": {"origins": [APP]}, r"/ids/\d+$": {}})

    @app.route("/files/<path:name>")
    def files(name: str) -> str:
        return name

    @app.route("/ids/<int:n>")
    def ids(n: int) -> str:
        return str(n)

    rows = {r["endpoint"]: r for r in json.loads(invoke(app, "routes", "--json").output)}
    assert rows["files"]["sources"]["origins"] == "resources r'/files/.*'"
    assert rows["ids"]["sources"]["origins"] == "default"
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
    regex, check = rows["index"]["origins"]
    assert regex == r"https://a\.example\.com"
    assert check.startswith(
        "<callable test_routes_show_regexes_and_callables.<locals>.partner_check #")


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
    api = CorsBlueprint("api", __name__, url_prefix="/api", origins=[APP])

    @api.route("/x")
    def x() -> str:
        return "x"

    app.register_blueprint(api)
    rows = {r["endpoint"]: r for r in json.loads(invoke(app, "routes", "--json").output)}
    assert rows["api.x"]["sources"]["origins"] == "blueprint 'api'"
    assert rows["static"]["cors"] is False


def test_routes_show_the_subdomain() -> None:
    result = invoke(subdomain_app(), "routes")
    assert any(line.startswith("api./items ") for line in result.output.splitlines())
    rows = json.loads(invoke(subdomain_app(), "routes", "--json").output)
    assert [(r["subdomain"], r["rule"]) for r in rows if r["endpoint"] == "api.items"] == [
        ("api", "/items")]


class WithCandidate(CorsPolicy):
    """A policy that carries a report-only candidate, as ``policy.report_only``."""


class CandidateExtension:
    """Stands in for an extension whose policies have report-only candidates: the
    snapshot only reads ``app.extensions["cors"].policy_for``."""

    def __init__(self, candidate: dict[str, Any]) -> None:
        self.candidate = normalize(candidate, where="candidate")

    def policy_for(self, endpoint: str, path: str | None = None,
                   app: Flask | None = None) -> CorsPolicy | None:
        if endpoint != "index":
            return None
        policy = WithCandidate.from_layers([("app", normalize({"origins": [APP, OTHER]},
                                                               where="app"))])
        candidate = CorsPolicy.from_layers([("app", self.candidate)])
        object.__setattr__(policy, "report_only", candidate)
        return policy


OTHER = "https://other.example.com"


def test_routes_show_a_report_only_candidate() -> None:
    app = Flask(__name__)

    @app.route("/")
    def index() -> str:
        return "index"

    app.extensions["cors"] = CandidateExtension({"origins": [APP], "methods": ["GET"]})
    app.cli.add_command(cors_cli)
    rows = {r["endpoint"]: r for r in json.loads(invoke(app, "routes", "--json").stdout)}
    candidate = rows["index"]["report_only"]
    assert rows["index"]["origins"] == [APP, OTHER]
    assert set(candidate) == set(rows["index"]) - {
        "endpoint", "rule", "blueprint", "subdomain", "host", "cors", "error", "report_only",
        "intercept_exceptions", "placements"}
    assert candidate["origins"] == [APP]
    assert candidate["methods"] == ["GET"]
    assert candidate["sources"]["methods"] == "app"
    assert rows["static"]["report_only"] is None
    table = invoke(app, "routes").stdout
    assert f"index: report-only candidate: origins {APP}; methods GET; credentials no" in table


def test_routes_usage_error(app: Flask) -> None:
    result = invoke(app, "routes", "--yaml")
    assert result.exit_code == 2
    assert "--yaml" in result.stderr


def files_app(rule: str) -> Flask:
    """Path-based resources that only some values of a rule's variable fall under."""
    app = Flask(__name__)
    CORS(app, resources={r"/files/(a|b)/.*": {"origins": [APP]}})

    @app.route(rule)
    def files(kind: str) -> str:
        return kind

    return app


def test_routes_place_an_any_converter_by_its_first_item() -> None:
    app = files_app("/files/<any(a,b):kind>/list")
    rows = {r["endpoint"]: r for r in json.loads(invoke(app, "routes", "--json").stdout)}
    assert rows["files"]["cors"] is True
    assert rows["files"]["origins"] == [APP]
    assert rows["files"]["sources"]["origins"] == "resources r'/files/(a|b)/.*'"
    assert rows["files"]["placements"] is None
    table = invoke(app, "routes").stdout
    (line,) = [line for line in table.splitlines() if line.startswith("/files/")]
    assert re.search(r" files +- +https://app\.example\.com +GET, HEAD, OPTIONS +no +"
                     r"resources r'/files/\(a\|b\)/\.\*'$", line)


def test_routes_say_when_the_path_picks_the_policy() -> None:
    app = files_app("/files/<kind>/list")
    rows = {r["endpoint"]: r for r in json.loads(invoke(app, "routes", "--json").stdout)}
    row = rows["files"]
    assert row["cors"] is True  # the policy some of its paths get, not "no CORS"
    assert row["origins"] == [APP]
    assert row["placements"] == [
        {"path": "/files/a/list", "resource": "resources r'/files/(a|b)/.*'", "cors": True},
        {"path": "/files/x/list", "resource": None, "cors": False},
    ]
    table = invoke(app, "routes").stdout.splitlines()
    (line,) = [line for line in table if line.startswith("/files/")]
    assert "no CORS" not in line
    assert line.endswith("resources r'/files/(a|b)/.*'; depends on the path (see below)")
    assert ("files: the policy depends on the path (app resources): /files/a/list is under "
            "resources r'/files/(a|b)/.*' (shown), /files/x/list is outside the resources (no CORS)"
            ) in table
