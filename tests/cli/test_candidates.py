"""Report-only candidates in ``flask cors check`` and ``flask cors audit``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from support import APP, PARTNER, app_with, audit, candidate_app, check, invoke

from flask_cors_bp.signals import report_only_rejected

CANDIDATE = "report-only candidate"
EVIL = "https://evil.example"


def verdicts(*args: str) -> tuple[int, list[str]]:
    """The exit status and the first two lines of ``check`` on a fresh candidate app."""
    code, _, output = check(candidate_app(), *args)
    return code, output.splitlines()[:2]


def test_check_candidate_would_reject_an_origin() -> None:
    assert verdicts(EVIL, "/api/orders") == (0, [
        "allowed",
        f"{CANDIDATE}: would reject: origin: {EVIL!r} is not allowed; origins come from "
        "app report_only",
    ])


def test_check_candidate_would_reject_a_method() -> None:
    assert verdicts(APP, "/api/orders", "-X", "DELETE") == (0, [
        "allowed",
        f"{CANDIDATE}: would reject: method: DELETE is not allowed (allowed: GET, POST); "
        "methods come from blueprint 'api' report_only",
    ])


def test_check_candidate_would_reject_headers_and_shows_its_regex() -> None:
    code, lines = verdicts(APP, "/uploads/files", "-X", "PUT", "-H", "X-Other")
    assert (code, lines) == (0, [
        "allowed",
        f"{CANDIDATE}: would reject: headers: x-other not allowed (allowed: Content-Type, "
        "X-Upload-[a-z]+); allow_headers come from blueprint 'uploads' report_only",
    ])
    assert verdicts(APP, "/uploads/files", "-X", "PUT", "-H", "X-Upload-id") == (
        0, ["allowed", f"{CANDIDATE}: would allow"])


@pytest.mark.parametrize(("args", "origin"), [
    (("/api/orders",), PARTNER),
    (("/api/orders", "-X", "POST", "-H", "Content-Type: application/json"), APP),
    (("/api/status",), EVIL),  # the route's candidate keeps any origin
])
def test_check_candidate_would_allow(args: tuple[str, ...], origin: str) -> None:
    assert verdicts(origin, *args) == (0, ["allowed", f"{CANDIDATE}: would allow"])


def test_check_no_candidate_line_without_a_candidate() -> None:
    code, _, output = check(candidate_app(), APP, "/plain")
    assert code == 0
    assert CANDIDATE not in output
    code, _, output = check(app_with(origins=[APP]), APP, "/")
    assert code == 0
    assert CANDIDATE not in output


def test_check_exit_status_is_the_enforced_verdict() -> None:
    code, lines = verdicts(APP, "/api/orders", "-X", "PUT")  # the live policy refuses PUT
    assert code == 1
    assert lines[0].startswith("rejected: method: PUT is not allowed")
    assert lines[1] == (f"{CANDIDATE}: not judged (the request is already rejected by the "
                        "enforced policy)")


def test_check_candidate_without_credentials() -> None:
    code, lines = verdicts(APP, "/account/me", "--credentials")
    assert (code, lines) == (0, [
        "allowed",
        f"{CANDIDATE}: would reject: credentials: the candidate would send no "
        "Access-Control-Allow-Credentials: true; supports_credentials comes from blueprint "
        "'account' report_only",
    ])
    assert verdicts(APP, "/account/me") == (0, ["allowed", f"{CANDIDATE}: would allow"])


def test_check_leaves_report_only_receivers_alone() -> None:
    app = candidate_app()
    heard: list[tuple[str, str]] = []

    def log(sender: Flask, **extra: Any) -> None:
        heard.append((extra["origin"], extra["reason"]))

    with report_only_rejected.connected_to(log, sender=app):
        assert check(app, EVIL, "/api/orders")[0] == 0
    assert heard == [(EVIL, "origin")]


def test_audit_labels_a_candidate_finding() -> None:
    app = app_with(origins=[APP], report_only={"origins": "*"})
    code, findings, text = audit(app)
    assert code == 1
    (finding,) = findings
    assert (finding["id"], finding["where"], finding["report_only"]) == (
        "CORS001", f"index, static ({CANDIDATE})", True)
    assert finding["message"].endswith("origins come from app report_only")
    assert [key["report_only"] for key in finding["keys"]] == [True, True]
    assert f"CORS001 warning [index, static ({CANDIDATE})] any origin" in text


def test_audit_reports_a_finding_both_have_once() -> None:
    app = app_with(origins="*", report_only={"methods": ["GET"]})
    findings = audit(app)[1]
    assert [(f["id"], f["report_only"]) for f in findings] == [("CORS001", False)]


def test_audit_candidate_that_narrows_has_no_finding() -> None:
    findings = audit(candidate_app())[1]
    assert [(f["id"], f["where"]) for f in findings] == [
        ("CORS001", "api.*, static, uploads.files")]


def test_baseline_keeps_candidate_and_enforced_findings_apart(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    enforced = app_with(origins="*")
    assert invoke(enforced, "audit", "--write-baseline", str(path)).exit_code == 0
    candidate = app_with(origins=[APP], report_only={"origins": "*"})
    result = invoke(candidate, "audit", "--baseline", str(path))
    assert result.exit_code == 1  # the candidate's finding is not the enforced one's
    assert "2 baseline entries match no finding any more" in result.stderr
    assert invoke(candidate, "audit", "--write-baseline", str(path)).exit_code == 0
    entries = json.loads(path.read_text(encoding="utf-8"))["findings"]
    assert entries == [
        {"id": "CORS001", "endpoint": "index", "value": "*", "report_only": True},
        {"id": "CORS001", "endpoint": "static", "value": "*", "report_only": True},
    ]
    result = invoke(candidate, "audit", "--baseline", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].endswith("(in the baseline)")
    assert invoke(enforced, "audit", "--baseline", str(path)).exit_code == 1


def test_baseline_report_only_must_be_a_boolean(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps({"format": "flask_cors_bp audit baseline", "findings": [
        {"id": "CORS001", "endpoint": "index", "value": "*", "report_only": "yes"}]}),
        encoding="utf-8")
    result = invoke(app_with(origins="*"), "audit", "--baseline", str(path))
    assert result.exit_code == 2
    assert "is not a baseline entry" in result.stderr
