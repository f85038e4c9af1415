"""``flask cors diff``: what widened and what narrowed between two snapshots."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable

import pytest
from flask import Flask
from support import APP, api_app, invoke, snapshot

from flask_cors_bp import CORS, cross_origin

OTHER = "https://other.example.com"


def partner_check(origin: str) -> bool:
    return origin == "https://partner.example"


def _partner_check_v2(origin: str) -> bool:
    return origin.endswith(".partner.example")  # a wider check under the same name


_partner_check_v2.__name__ = _partner_check_v2.__qualname__ = "partner_check"
partner_check_v2 = _partner_check_v2


def allow_in(hosts: list[str]) -> Callable[[str], bool]:
    def check(origin: str) -> bool:
        return origin.partition("://")[2] in hosts
    return check


def with_status(**route: Any) -> Callable[[], Flask]:
    """An app-wide policy on /items, and /status whose own policy is ``route`` (or none)."""

    def build() -> Flask:
        app = api_app(origins=[APP], resources={r"/items": {}})

        @app.route("/status")
        @cross_origin(**route)
        def status() -> str:
            return "status"

        if not route:  # no route-level policy: /status is outside the resources
            app.view_functions["status"] = lambda: "status"
        return app

    return build


def extra_route() -> Flask:
    app = api_app(origins=[APP])

    @app.route("/more")
    def more() -> str:
        return "more"

    return app


def options(**given: Any) -> Callable[[], Flask]:
    return lambda: api_app(**given)


# (before, after, the kind of change, text in its line, exit status)
CASES: list[tuple[str, Callable[[], Flask], Callable[[], Flask], str, str, int]] = [
    ("origin added", options(origins=[APP]), options(origins=[APP, OTHER]),
     "widened", f"origin {OTHER!r} added", 1),
    ("origin removed", options(origins=[APP, OTHER]), options(origins=[APP]),
     "narrowed", f"origin {OTHER!r} removed", 0),
    ("exact origin replaced by a pattern that covers it", options(origins=[APP]),
     options(origins=["https://*.example.com"]), "widened",
     f"origin pattern 'https://*.example.com' added (it covers {APP!r})", 1),
    ("pattern replaced by an exact origin under it", options(origins=["https://*.example.com"]),
     options(origins=[APP]), "narrowed", "origin pattern 'https://*.example.com' removed", 0),
    ("pattern narrowed to a deeper one", options(origins=["https://*.example.com"]),
     options(origins=["https://*.eu.example.com"]), "narrowed",
     "origin pattern 'https://*.example.com' removed", 0),
    ("any origin turned on", options(origins=[APP]), options(origins="*"),
     "widened", "any origin ('*') allowed", 1),
    ("any origin turned off", options(origins="*"), options(origins=[APP]),
     "narrowed", "any origin ('*') no longer allowed", 0),
    ("null added", options(origins=[APP]), options(origins=[APP, "null"]),
     "widened", "origin 'null' added", 1),
    ("regex added", options(origins=[APP]), options(origins=[APP, r"https://.*\.example\.org"]),
     "unproven", r"regex r'https://.*\.example\.org' added", 1),
    ("regex changed", options(origins=[r"https://a\.example\.com"]),
     options(origins=[r"https://(a|b)\.example\.com"]), "unproven", "added", 1),
    ("regex removed", options(origins=[APP, r"https://a\.example\.org"]), options(origins=[APP]),
     "narrowed", "removed", 0),
    ("exact origin the old regex accepted", options(origins=[r"https://(a|b)\.example\.com"]),
     options(origins=["https://a.example.com"]), "narrowed", "regex", 0),
    ("callable added", options(origins=[APP]), options(origins=[APP, partner_check]),
     "unproven", "<callable partner_check #", 1),
    ("callable changed, same name", options(origins=[partner_check]),
     options(origins=[partner_check_v2]), "unproven", "<callable partner_check #", 1),
    ("callable opening its closed-over list", options(origins=[allow_in(["a.example"])]),
     options(origins=[allow_in(["a.example", "b.example"])]), "unproven", "added", 1),
    ("methods added", options(origins=[APP], methods=["GET"]),
     options(origins=[APP], methods=["GET", "PUT"]), "widened", "methods added: PUT", 1),
    ("methods removed", options(origins=[APP], methods=["GET", "DELETE"]),
     options(origins=[APP], methods=["GET"]), "narrowed", "methods removed: DELETE", 0),
    ("allow_headers added", options(origins=[APP], allow_headers=["X-A"]),
     options(origins=[APP], allow_headers=["X-A", "X-B"]),
     "widened", "allow_headers added: X-B", 1),
    ("allow_headers opened to any", options(origins=[APP], allow_headers=["X-A"]),
     options(origins=[APP]), "widened", "any request headers allowed (allow_headers '*')", 1),
    ("allow_headers removed", options(origins=[APP], allow_headers=["X-A", "X-B"]),
     options(origins=[APP], allow_headers=["x-a"]), "narrowed", "allow_headers removed: X-B", 0),
    ("allow_headers regex added", options(origins=[APP], allow_headers=["X-A"]),
     options(origins=[APP], allow_headers=["X-A", "X-Co-.*"]),
     "unproven", "allow_headers regex r'X-Co-.*' added: it cannot be compared", 1),
    ("allow_headers compiled regex added", options(origins=[APP], allow_headers=["X-A"]),
     options(origins=[APP], allow_headers=["X-A", re.compile("X-Co")]),
     "unproven", "allow_headers regex r'^X-Co$' added", 1),
    ("allow_headers regex changed", options(origins=[APP], allow_headers=["X-Co-[a-z]+"]),
     options(origins=[APP], allow_headers=["X-Co-.+"]), "unproven",
     "allow_headers regex r'X-Co-.+' added", 1),
    ("allow_headers regex removed", options(origins=[APP], allow_headers=["X-A", "X-Co-.*"]),
     options(origins=[APP], allow_headers=["X-A"]),
     "narrowed", "allow_headers regex r'X-Co-.*' removed", 0),
    ("allow_headers name the old regex accepted", options(origins=[APP], allow_headers=["X-Co-.*"]),
     options(origins=[APP], allow_headers=["X-Co-Id"]),
     "narrowed", "allow_headers regex r'X-Co-.*' removed", 0),
    ("allow_headers regex over any", options(origins=[APP]),
     options(origins=[APP], allow_headers=["X-Co-.*"]),
     "narrowed", "request headers no longer any (allow_headers '*')", 0),
    ("expose_headers added", options(origins=[APP]),
     options(origins=[APP], expose_headers=["X-Total"]),
     "widened", "expose_headers added: X-Total", 1),
    ("expose_headers removed", options(origins=[APP], expose_headers=["X-Total"]),
     options(origins=[APP]), "narrowed", "expose_headers removed: X-Total", 0),
    ("credentials turned on", options(origins=[APP]),
     options(origins=[APP], supports_credentials=True),
     "widened", "credentials (supports_credentials) turned on", 1),
    ("credentials turned off", options(origins=[APP], supports_credentials=True),
     options(origins=[APP]), "narrowed", "credentials (supports_credentials) turned off", 0),
    ("private network turned on", options(origins=[APP]),
     options(origins=[APP], allow_private_network=True),
     "widened", "private network access turned on", 1),
    ("private network turned off", options(origins=[APP], allow_private_network=True),
     options(origins=[APP]), "narrowed", "private network access turned off", 0),
    ("max_age raised", options(origins=[APP], max_age=600),
     options(origins=[APP], max_age=86400), "changed", "max_age: 600 -> 86400", 0),
    ("max_age lowered", options(origins=[APP], max_age=600),
     options(origins=[APP], max_age=60), "changed", "max_age: 600 -> 60", 0),
    ("send_wildcard", options(), options(send_wildcard=True),
     "changed", "send_wildcard: False -> True", 0),
    ("vary_header", options(origins=[APP]), options(origins=[APP], vary_header=False),
     "changed", "vary_header: True -> False", 0),
    ("new rule with CORS", options(origins=[APP]), extra_route,
     "widened", f"new rule with CORS: origins {APP}", 1),
    ("rule removed", extra_route, options(origins=[APP]), "narrowed", "rule removed", 0),
    ("CORS turned on", with_status(), with_status(origins=[OTHER]),
     "widened", f"CORS turned on: origins {OTHER}", 1),
    ("CORS turned off", with_status(origins=[OTHER]), with_status(),
     "narrowed", "CORS turned off", 0),
]


def diff_lines(output: str) -> dict[str, list[str]]:
    """The change lines of a diff's text output, by kind."""
    out: dict[str, list[str]] = {}
    for line in output.splitlines():
        match = re.match(r"  (widened|unproven|narrowed|changed): (.*)", line)
        if match:
            out.setdefault(match[1], []).append(match[2])
    return out


@pytest.mark.parametrize(("before", "after", "kind", "text", "code"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_diff_sorts_each_change(
    tmp_path: Path, before: Callable[[], Flask], after: Callable[[], Flask], kind: str,
    text: str, code: int,
) -> None:
    old = snapshot(before(), tmp_path / "before.json")
    new = snapshot(after(), tmp_path / "after.json")
    result = invoke(after(), "diff", old, new)
    assert result.exit_code == code, result.output
    found = diff_lines(result.stdout)
    assert any(text in line for line in found.get(kind, [])), result.stdout
    if code == 0:
        assert not found.get("widened") and not found.get("unproven"), result.stdout
    verdict = result.stdout.splitlines()[-1]
    assert verdict.startswith("widened: " if code else "not widened: ")
    # AFTER defaults to the running app: the same verdict.
    assert invoke(after(), "diff", old).exit_code == code


def test_diff_of_an_app_with_itself(tmp_path: Path) -> None:
    app = api_app(origins=[APP, "https://*.partner.example"], supports_credentials=True)
    old = snapshot(app, tmp_path / "before.json")
    result = invoke(app, "diff", old)
    assert result.exit_code == 0
    assert result.stdout == ("not widened: 0 rules changed (0 widened, 0 unproven, "
                             "0 narrowed, 0 changed)\n")


def test_diff_json(tmp_path: Path) -> None:
    old = snapshot(api_app(origins=[APP]), tmp_path / "before.json")
    app = api_app(origins=[APP, OTHER], max_age=60)
    result = invoke(app, "diff", old, "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["widened"] is True
    rules = {r["endpoint"]: r for r in data["rules"]}
    assert set(rules) == {"items", "static"}
    assert rules["items"]["rule"] == "/items"
    assert rules["items"]["widened"] == [f"origin {OTHER!r} added"]
    assert rules["items"]["changed"] == ["max_age: None -> 60"]
    assert rules["items"]["narrowed"] == rules["items"]["unproven"] == []


def test_diff_follows_a_moved_rule(tmp_path: Path) -> None:
    old = snapshot(api_app(origins=[APP]), tmp_path / "before.json")
    app = Flask(__name__)
    CORS(app, origins=[APP])

    @app.route("/v2/items", methods=["GET", "POST", "PUT", "DELETE"])
    def items() -> str:
        return "items"

    result = invoke(app, "diff", old)
    assert (result.exit_code, result.stdout.splitlines()[-1]) == (0, (
        "not widened: 0 rules changed (0 widened, 0 unproven, 0 narrowed, 0 changed)"))


def with_candidate(path: Path, **changes: Any) -> str:
    """The snapshot at ``path`` with a report-only candidate on /items: its policy, changed."""
    rows = json.loads(path.read_text(encoding="utf-8"))
    for row in rows:
        if row["endpoint"] == "items":
            fields = {k: row[k] for k in ("origins", "methods", "allow_headers",
                                          "expose_headers", "credentials", "max_age",
                                          "private_network", "send_wildcard", "vary_header",
                                          "always_send", "sources")}
            row["report_only"] = {**fields, **changes}
    out = path.with_name(f"candidate-{len(changes)}-{path.name}")
    out.write_text(json.dumps(rows), encoding="utf-8")
    return str(out)


def test_diff_compares_report_only_candidates(tmp_path: Path) -> None:
    base = Path(snapshot(api_app(origins=[APP, OTHER]), tmp_path / "s.json"))
    narrow = with_candidate(base, origins=[APP])
    wide = with_candidate(base, origins=[APP, OTHER, "https://third.example.com"],
                          credentials=True)
    added = invoke(api_app(), "diff", str(base), narrow)
    assert added.exit_code == 0
    assert diff_lines(added.stdout) == {"changed": ["report-only candidate added"]}
    widened = invoke(api_app(), "diff", narrow, wide)
    assert widened.exit_code == 1
    assert diff_lines(widened.stdout)["widened"] == [
        f"report-only candidate: origin {OTHER!r} added",
        "report-only candidate: origin 'https://third.example.com' added",
        "report-only candidate: credentials (supports_credentials) turned on",
    ]
    back = invoke(api_app(), "diff", wide, narrow)
    assert back.exit_code == 0
    assert all(line.startswith("report-only candidate: ")
               for line in diff_lines(back.stdout)["narrowed"])


@pytest.mark.parametrize(("content", "message"), [
    (None, "cannot read"),
    ("{not json", "cannot read"),
    ('{"rules": []}', "is not a snapshot"),
    ('[{"id": "CORS001", "severity": "warning"}]', "is not a snapshot"),
    ('[{"endpoint": "x", "rule": "/x", "cors": true, "origins": ["*"]}]', "is not a snapshot"),
])
def test_diff_usage_errors(tmp_path: Path, content: str | None, message: str) -> None:
    app = api_app(origins=[APP])
    good = snapshot(app, tmp_path / "good.json")
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_text(content, encoding="utf-8")
    for args in ([str(bad)], [str(bad), good], [good, str(bad)]):
        result = invoke(app, "diff", *args)
        assert result.exit_code == 2, result.output
        assert message in result.stderr
    assert invoke(app, "diff").exit_code == 2  # BEFORE is required


@pytest.mark.parametrize("field", ["origins", "methods", "allow_headers", "expose_headers"])
@pytest.mark.parametrize("candidate", [False, True])
def test_diff_refuses_a_snapshot_with_non_string_entries(
    tmp_path: Path, field: str, candidate: bool,
) -> None:
    app = api_app(origins=[APP])
    good = Path(snapshot(app, tmp_path / "good.json"))
    rows = json.loads(good.read_text(encoding="utf-8"))
    for row in rows:
        if row["cors"]:
            target = row
            if candidate:
                row["report_only"] = {k: row[k] for k in (
                    "origins", "methods", "allow_headers", "expose_headers", "credentials",
                    "max_age", "private_network", "send_wildcard", "vary_header",
                    "always_send", "sources")}
                target = row["report_only"]
            target[field] = [None]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(rows), encoding="utf-8")
    for args in ([str(bad)], [str(bad), str(good)], [str(good), str(bad)]):
        result = invoke(app, "diff", *args)
        assert result.exit_code == 2, result.output
        assert "is not a snapshot of 'flask cors routes --json'" in result.stderr


def test_diff_pairs_a_renamed_endpoint_by_its_rule(tmp_path: Path) -> None:
    old = snapshot(api_app(origins=[APP]), tmp_path / "before.json")
    app = Flask(__name__)
    CORS(app, origins=[APP])

    @app.route("/items", methods=["GET", "POST", "PUT", "DELETE"])
    def list_items() -> str:
        return "items"

    result = invoke(app, "diff", old)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "list_items (/items)",
        "  changed: endpoint renamed: 'items' -> 'list_items'",
        "not widened: 1 rules changed (0 widened, 0 unproven, 0 narrowed, 1 changed)",
    ]


def test_diff_a_renamed_endpoint_that_widened(tmp_path: Path) -> None:
    old = snapshot(api_app(origins=[APP]), tmp_path / "before.json")
    app = Flask(__name__)
    CORS(app, origins=[APP, OTHER])

    @app.route("/items", methods=["GET", "POST", "PUT", "DELETE"])
    def list_items() -> str:
        return "items"

    result = invoke(app, "diff", old)
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[:3] == ["list_items (/items)",
                         f"  widened: origin {OTHER!r} added",
                         "  changed: endpoint renamed: 'items' -> 'list_items'"]
    assert "rule removed" not in result.stdout
    assert "new rule with CORS" not in result.stdout


@pytest.mark.parametrize(("before", "after", "line", "code"), [
    (True, False, "narrowed: intercept_exceptions turned off: the 500 responses of "
                  "unhandled exceptions carry no CORS headers", 0),
    (False, True, "widened: intercept_exceptions turned on: the 500 responses of "
                  "unhandled exceptions carry CORS headers", 1),
])
def test_diff_intercept_exceptions(tmp_path: Path, before: bool, after: bool, line: str,
                                   code: int) -> None:
    old_app = api_app(origins=[APP], intercept_exceptions=before)
    rows = {r["endpoint"]: r for r in json.loads(invoke(old_app, "routes", "--json").stdout)}
    assert rows["items"]["intercept_exceptions"] is before
    old = snapshot(old_app, tmp_path / "before.json")
    result = invoke(api_app(origins=[APP], intercept_exceptions=after), "diff", old)
    assert result.exit_code == code, result.output
    assert f"  {line}" in result.stdout.splitlines()


def test_diff_reads_snapshots_without_intercept_exceptions(tmp_path: Path) -> None:
    app = api_app(origins=[APP], intercept_exceptions=False)
    path = Path(snapshot(app, tmp_path / "s.json"))
    rows = json.loads(path.read_text(encoding="utf-8"))
    for row in rows:
        del row["intercept_exceptions"]
    path.write_text(json.dumps(rows), encoding="utf-8")
    result = invoke(app, "diff", str(path))
    assert (result.exit_code, result.stdout.splitlines()[-1]) == (0, (
        "not widened: 0 rules changed (0 widened, 0 unproven, 0 narrowed, 0 changed)"))
    rows[0]["intercept_exceptions"] = "yes"
    path.write_text(json.dumps(rows), encoding="utf-8")
    assert invoke(app, "diff", str(path)).exit_code == 2


CHECKS = '''
ALLOWED = {"https://a.example", "https://b.example"}
LIMITS = {"ports": (443, 8443), "strict": True}
NAME = "partners"


def partner_check(origin):
    assert origin, "an origin"  # gone under -O: the bytecode changes, the source does not
    return origin in ALLOWED and NAME and LIMITS["strict"]
'''


def load_checks(tmp_path: Path, optimize: int = 0, name: str = "checks") -> Any:
    """The module above, from a file (so that its source can be read), compiled with
    ``optimize`` (2 is ``python -OO``)."""
    import types

    path = tmp_path / f"{name}.py"
    path.write_text(CHECKS, encoding="utf-8")
    module = types.ModuleType(name)
    module.__file__ = str(path)
    exec(compile(CHECKS, str(path), "exec", optimize=optimize), module.__dict__)
    return module


def shown_check(check: Callable[[str], bool]) -> str:
    rows = json.loads(invoke(api_app(origins=[check]), "routes", "--json").stdout)
    (entry,) = {r["origins"][0] for r in rows if r["cors"]}
    return str(entry)


def test_callable_digest_follows_the_source_not_the_bytecode(tmp_path: Path) -> None:
    plain, optimized = load_checks(tmp_path), load_checks(tmp_path, optimize=2)
    assert plain.partner_check.__code__.co_code != optimized.partner_check.__code__.co_code
    shown = shown_check(plain.partner_check)
    assert re.fullmatch(r"<callable partner_check #[0-9a-f]{10}>", shown)
    assert shown_check(optimized.partner_check) == shown


def test_callable_digest_follows_the_globals_it_reads(tmp_path: Path) -> None:
    module = load_checks(tmp_path)
    before = snapshot(api_app(origins=[module.partner_check]), tmp_path / "before.json")
    shown = shown_check(module.partner_check)
    module.ALLOWED = set(reversed(sorted(module.ALLOWED)))  # the same set: the same digest
    assert shown_check(module.partner_check) == shown
    module.ALLOWED.add("https://c.example")
    assert shown_check(module.partner_check) != shown
    result = invoke(api_app(origins=[module.partner_check]), "diff", before)
    assert result.exit_code == 1, result.output
    assert any(line.startswith("<callable partner_check #") and line.endswith(
        "added: it cannot be compared, review what it accepts")
        for line in diff_lines(result.stdout)["unproven"])
    module.LIMITS["strict"] = False
    changed = shown_check(module.partner_check)
    module.LIMITS["strict"] = True
    assert changed != shown_check(module.partner_check)


def test_callable_digest_without_source(tmp_path: Path) -> None:
    namespace: dict[str, Any] = {"ALLOWED": {"https://a.example"}}
    exec(compile("def check(origin):\n    return origin in ALLOWED\n", "<generated>", "exec"),
         namespace)
    shown = shown_check(namespace["check"])
    assert re.fullmatch(r"<callable check #[0-9a-f]{10}>", shown)
    namespace["ALLOWED"].add("https://b.example")
    assert shown_check(namespace["check"]) != shown
