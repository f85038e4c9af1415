"""Regular expressions in ``allow_headers``: shown as their source, compared as unproven,
and audited when they accept more than they seem to (CORS013)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from support import APP, app_with, audit, check, ids, invoke, snapshot

HEADERS = ["X-Token", re.compile("X-Co-[a-z]+"), r"X-Req-\d+", re.compile("X-Exact")]
SHOWN = ["X-Token", "X-Co-[a-z]+", r"X-Req-\d+", "^X-Exact$"]


def test_routes_json_shows_header_regexes_as_their_source() -> None:
    app = app_with(origins=[APP], allow_headers=HEADERS,
                   report_only={"allow_headers": [re.compile("X-Co-.*")]})
    result = invoke(app, "routes", "--json")
    assert result.exit_code == 0, result.output
    (row,) = [r for r in json.loads(result.stdout) if r["endpoint"] == "index"]
    assert row["allow_headers"] == SHOWN
    assert row["report_only"]["allow_headers"] == ["X-Co-.*"]


def test_routes_candidate_line_shows_allow_headers_when_they_differ() -> None:
    app = app_with(origins=[APP], allow_headers=HEADERS,
                   report_only={"allow_headers": ["X-Token", re.compile("X-Co-.*")]})
    result = invoke(app, "routes")
    assert result.exit_code == 0
    assert (f"index: report-only candidate: origins {APP}; methods GET, HEAD, OPTIONS; "
            "credentials no; allow_headers X-Token, X-Co-.*") in result.stdout.splitlines()
    same = app_with(origins=[APP], allow_headers=HEADERS, report_only={"methods": ["GET"]})
    line = next(x for x in invoke(same, "routes").stdout.splitlines()
                if x.startswith("index: report-only candidate"))
    assert "allow_headers" not in line


def test_check_names_header_regexes_in_a_rejection() -> None:
    app = app_with(origins=[APP], allow_headers=HEADERS)
    code, first, _ = check(app, APP, "/", "-H", "X-Other")
    assert code == 1
    assert first == (r"rejected: headers: x-other not allowed (allowed: X-Token, X-Co-[a-z]+, "
                     r"X-Req-\d+, ^X-Exact$); allow_headers come from app")
    for name in ("X-Co-id", "X-Req-7", "x-exact"):
        assert check(app, APP, "/", "-H", name)[:2] == (0, "allowed"), name


@pytest.mark.parametrize(("entry", "accepts"), [
    (".*", "any request header, 'Authorization' included"),
    (re.compile(r"[\w-]+"), "any request header, 'Authorization' included"),
    (r"(X-)?Auth.*", "'Authorization', which it does not name"),
    (r"C.*", "headers it does not name, such as 'Cors-Audit-Probe'"),
])
def test_audit_broad_header_regex(entry: Any, accepts: str) -> None:
    code, findings, text = audit(app_with(origins=[APP], allow_headers=["Content-Type", entry]))
    assert code == 1
    (finding,) = findings
    label = f"regex r'{getattr(entry, 'pattern', entry)}'"
    assert (finding["id"], finding["severity"]) == ("CORS013", "warning")
    assert finding["message"] == (f"allow_headers {label} accepts {accepts}; allow_headers "
                                  "come from app")
    assert finding["keys"] == [{"id": "CORS013", "endpoint": "index", "value": label},
                               {"id": "CORS013", "endpoint": "static", "value": label}]
    assert text.splitlines()[0].startswith("CORS013 warning [index, static] allow_headers")


@pytest.mark.parametrize("allow_headers", [
    ["X-Company-.*"], [r"X-Req-\d+", "Content-Type"], ["Authorization|X-Token"], "*",
])
def test_audit_header_regexes_that_say_what_they_accept(allow_headers: Any) -> None:
    app = app_with(origins=[APP], allow_headers=allow_headers)
    assert "CORS013" not in ids(audit(app)[1])


def test_audit_broad_header_regex_of_a_candidate() -> None:
    app = app_with(origins=[APP], allow_headers=["X-Token"],
                   report_only={"allow_headers": [".*"]})
    (finding,) = audit(app)[1]
    assert (finding["id"], finding["where"]) == (
        "CORS013", "index, static (report-only candidate)")


def test_diff_a_header_regex_added_to_a_candidate(tmp_path: Path) -> None:
    old = snapshot(app_with(origins=[APP], report_only={"allow_headers": ["X-A"]}),
                   tmp_path / "before.json")
    app = app_with(origins=[APP], report_only={"allow_headers": ["X-A", re.compile("X-B-.*")]})
    result = invoke(app, "diff", old)
    assert result.exit_code == 1
    assert ("  unproven: report-only candidate: allow_headers regex r'X-B-.*' added: it cannot "
            "be compared, review what it accepts") in result.stdout.splitlines()


def test_diff_a_name_the_new_regex_accepts_is_not_removed(tmp_path: Path) -> None:
    old = snapshot(app_with(origins=[APP], allow_headers=["X-Co-Id", "X-A"]),
                   tmp_path / "before.json")
    result = invoke(app_with(origins=[APP], allow_headers=["X-Co-.*"]), "diff", old)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:4] == [
        "index (/)",
        "  unproven: allow_headers regex r'X-Co-.*' added: it cannot be compared, review what "
        "it accepts",
        "  narrowed: allow_headers removed: X-A",
        "static (/static/<path:filename>)",
    ]
