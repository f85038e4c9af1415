"""``flask cors audit``: the findings and the self-probe."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask, request
from support import APP, app_with, audit, ids, invoke, late_app
from werkzeug.routing import BaseConverter

from flask_cors_bp import CORS, CorsBlueprint

CLEAN = {"origins": [APP, "https://admin.example.com"], "supports_credentials": True,
         "max_age": 600, "expose_headers": ["X-Total"]}


def test_audit_clean_configuration() -> None:
    code, findings, output = audit(app_with(**CLEAN))
    assert (code, findings) == (0, [])
    assert output.splitlines()[-1] == "0 findings (0 error, 0 warning, 0 info) in 2 endpoints " \
                                      "with a CORS policy"


def test_audit_clean_multi_blueprint_app() -> None:
    app = Flask(__name__)
    CORS(app, origins=[APP])
    api = CorsBlueprint("api", __name__, url_prefix="/api", origins=[APP, "https://*.example.org"],
                        allow_headers=["X-Token"])

    @api.route("/a")
    def a() -> str:
        return "a"

    app.register_blueprint(api)
    assert audit(app)[:2] == (0, [])


def test_audit_subdomain_pattern_with_credentials() -> None:
    app = app_with(origins=[APP, "https://*.example.org"], supports_credentials=True)
    code, findings, output = audit(app)
    assert code == 1
    (finding,) = findings
    assert (finding["id"], finding["severity"]) == ("CORS010", "warning")
    assert "'https://*.example.org' is allowed with credentials" in finding["message"]
    assert "CORS010 warning [index, static]" in output
    assert audit(app_with(origins=["https://*.example.org"]))[1] == []


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
    localhost = app_with(origins=["http://localhost:3000", APP], supports_credentials=True)
    assert audit(localhost)[1] == []


def test_audit_null_origin() -> None:
    code, findings, _ = audit(app_with(origins=[APP, "null"]))
    assert code == 1
    assert ids(findings) == {"CORS004"}


def test_audit_private_network_with_broad_origins() -> None:
    code, findings, _ = audit(app_with(origins=["https://*.example.com"],
                                       allow_private_network=True))
    assert code == 1
    assert ids(findings) == {"CORS005"}
    assert "https://*.example.com" in findings[0]["message"]
    assert audit(app_with(origins=[APP], allow_private_network=True))[1] == []
    exact_regex = [r"^https://app\.example\.com$", r"https://(a|b)\.example\.com"]
    assert audit(app_with(origins=exact_regex, allow_private_network=True))[1] == []


def test_audit_long_max_age() -> None:
    code, findings, _ = audit(app_with(origins=[APP], max_age=86400))
    assert code == 0
    assert ids(findings) == {"CORS006"}
    assert audit(app_with(origins=[APP], max_age=7200))[1] == []


def test_audit_star_expose_headers_with_credentials() -> None:
    code, findings, _ = audit(app_with(origins=[APP], supports_credentials=True,
                                       expose_headers="*"))
    assert code == 1
    assert ids(findings) == {"CORS007"}
    assert audit(app_with(origins=[APP], expose_headers="*"))[1] == []


@pytest.mark.parametrize(("origins", "variant"), [
    ([r"https://.*.example.com"], "https://subxexample.com"),  # unescaped dot
    ([r"https://.*example\.com"], "https://evilexample.com"),  # no dot before the domain
    ([r"https://app\.example\.com.*"], "https://app.example.com.evil.net"),  # open end
    ([r"https?://app\.example\.com", r"https://.*"], "https://cors-audit.invalid"),
    ([APP, lambda origin: origin.startswith(APP)], "https://app.example.com.evil.net"),
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
    app = app_with(origins=[APP, lambda origin: origin == "http://app.example.com"])
    findings = audit(app)[1]
    assert any("'http://app.example.com' (plain http instead of https" in f["message"]
               for f in findings if f["id"] == "CORS008")


def test_audit_self_probe_accepts_what_is_configured() -> None:
    # Both schemes listed on purpose, and an exact origin inside a subdomain pattern.
    origins = [APP, "http://app.example.com", "https://*.example.com",
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

    code, findings, _ = audit(app_with(origins=[APP, strict]))
    assert ids(findings) == {"CORS009"}
    assert code == 0

    def loose(origin: str) -> bool:  # lets everything in, once it can read the request
        return bool(request.host)

    code, findings, _ = audit(app_with(origins=[APP, loose]))
    assert code == 1
    assert any(f["id"] == "CORS008" and "an unrelated origin" in f["message"] for f in findings)


@pytest.mark.parametrize(("origins", "expected"), [
    ([r"https://example\.[a-z]+"], {"CORS008", "CORS005"}),  # any top-level domain
    ([r"https://[a-z]+\.example\.com"], {"CORS002", "CORS005"}),  # subdomains: broad, not loose
    ([r"https://[a-z0-9-]+-preview\.example\.com"], {"CORS005"}),  # preview deploys
    ([APP, lambda origin: origin == APP], {"CORS005", "CORS009"}),
    ([APP, "null"], {"CORS004", "CORS005"}),
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
        assert set(finding) == {"id", "severity", "message", "hint", "where", "report_only",
                                "endpoints", "blueprints", "keys", "baseline"}
        assert finding["baseline"] is False
        assert finding["report_only"] is False
        for key in finding["keys"]:
            assert set(key) in ({"id", "endpoint", "value"}, {"id", "blueprint", "value"})
            assert key["id"] == finding["id"]
        assert re.fullmatch(r"CORS\d{3}", finding["id"])
        assert finding["severity"] in ("error", "warning", "info")


def test_audit_sorted_by_severity() -> None:
    findings = audit(app_with(origins=[r"https://.*", "null"], max_age=86400))[1]
    order = [f["severity"] for f in findings]
    assert order == sorted(order, key=["error", "warning", "info"].index)
    assert order[0] == "error"
    assert order[-1] == "info"


def test_no_colour_when_not_a_terminal(app: Flask) -> None:
    for args in (["audit"], ["check", APP, "/api/items"], ["check", APP, "/"], ["routes"]):
        assert "\x1b[" not in invoke(app, *args).output


@pytest.mark.parametrize("pattern", ["https://*.vercel.app", "https://*.github.io",
                                     "https://*.co.uk", r"https://[a-z0-9-]+\.vercel\.app"])
def test_audit_pattern_over_a_public_suffix(pattern: str) -> None:
    code, findings, output = audit(app_with(origins=[APP, pattern]))
    assert code == 1
    found = [f for f in findings if f["id"] == "CORS011"]
    assert [f["severity"] for f in found] == ["error"]
    assert "public suffix" in found[0]["message"]
    assert found[0]["hint"].startswith("list your own sites exactly, e.g. 'https://myapp.")
    assert output.splitlines()[0].startswith("CORS011 error   [index, static]")
    assert invoke(app_with(origins=[APP, pattern]), "audit", "--fail-on", "error").exit_code == 1


@pytest.mark.parametrize("origins", [["https://*.example.com"], ["https://myapp.vercel.app"],
                                     [r"https://[a-z]+\.example\.com"]])
def test_audit_pattern_over_a_domain_is_not_an_error(origins: list[str]) -> None:
    findings = audit(app_with(origins=origins))[1]
    assert "CORS011" not in ids(findings)
    assert invoke(app_with(origins=origins), "audit", "--fail-on", "error").exit_code == 0


def test_audit_when_a_url_converter_raises_on_the_sample_value() -> None:
    class Lookup(BaseConverter):
        def to_python(self, value: str) -> str:
            raise LookupError(f"no order {value}")  # e.g. a database lookup that fails

    app = Flask(__name__)
    app.url_map.converters["order"] = Lookup
    CORS(app, origins="*")

    @app.route("/orders/<order:o>")
    def order(o: str) -> str:
        return o

    code, findings, _ = audit(app)
    assert code == 1
    (finding,) = findings
    assert (finding["id"], finding["endpoints"]) == ("CORS001", ["order", "static"])
    result = invoke(app, "audit")
    assert "Traceback" not in result.output + result.stderr
    assert result.stderr == (
        "note: order: routing /orders/x (a sample path of /orders/<order:o>) raised "
        "LookupError: no order x; its policy was audited without the route's request\n")


def test_audit_a_rule_whose_policy_depends_on_the_path() -> None:
    app = Flask(__name__)
    CORS(app, resources={r"/files/(a|b)/.*": {"origins": "*"}})

    @app.route("/files/<name>/list")
    def files(name: str) -> str:
        return name

    code, findings, output = audit(app)
    assert code == 1
    assert [(f["id"], f["endpoints"]) for f in findings] == [("CORS001", ["files"])]
    assert output.splitlines()[-1] == ("1 finding (0 error, 1 warning, 0 info) in 1 endpoints "
                                       "with a CORS policy")
    result = invoke(app, "audit")
    assert result.stderr == (
        "note: files (/files/<name>/list): the policy depends on the path (app resources): "
        "/files/a/list is under resources r'/files/(a|b)/.*', /files/x/list is outside the "
        "resources (no CORS); each was audited\n")
