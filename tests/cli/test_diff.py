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
