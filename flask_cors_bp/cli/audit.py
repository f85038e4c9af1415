"""``flask cors audit``: review every effective policy; a baseline holds accepted findings."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, NamedTuple, Optional

import click
from flask import Flask
from werkzeug.routing import Rule

from ..policy import CorsPolicy
from .common import Inspected, blueprint_of, load
from .findings import SEVERITIES, Finding, blueprint_key_findings, policy_findings
from .placement import Placed, as_json, describe, placements

#: A baseline entry: (finding id, "blueprint", "endpoint" or "config", its name, the
#: offending value, whether it is about a report-only candidate).
Key = tuple[str, str, str, str, bool]
BASELINE_FORMAT = "flask_cors_bp audit baseline"
KINDS = ("blueprint", "config", "endpoint")
CANDIDATE = "report-only candidate"


def _scope(endpoint: str, source: str | None) -> tuple[str, str]:
    """Where a finding is kept in a baseline: the endpoint's blueprint, unless the endpoint
    belongs to none or the setting comes from its own ``@cross_origin``."""
    blueprint = blueprint_of(endpoint)
    if blueprint is None or source in (None, "route", "route report_only"):
        return "endpoint", endpoint
    return "blueprint", blueprint


def _keys(finding: Finding, endpoint: str, source: str | None, candidate: bool) -> set[Key]:
    kind, name = _scope(endpoint, source)
    return {(finding.id, kind, name, value, candidate) for value in finding.values}


#: What a policy yields: each finding, the level of its field, and whether it is the
#: report-only candidate's.
Found = list[tuple[Finding, Optional[str], bool]]


def _policy_found(policy: CorsPolicy) -> Found:
    """The findings of a policy, then those of its report-only candidate that the policy
    does not have itself (the same id and values)."""
    found: Found = [(f, policy.source(f.field), False) for f in policy_findings(policy)]
    candidate = policy.report_only
    if candidate is not None:
        own = {(f.id, f.values) for f, _, _ in found}
        found += [(f, candidate.source(f.field), True) for f in policy_findings(candidate)
                  if (f.id, f.values) not in own]
    return found


class Collected(NamedTuple):
    """What the audit found, before it is shown: the ``CORS_BLUEPRINTS`` keys' findings,
    each policy finding with the baseline keys of every endpoint it applies to, the
    endpoints of each blueprint, and how many endpoints have a policy."""

    config: list[tuple[str, Finding]]
    grouped: dict[tuple[Finding, bool], dict[str, set[Key]]]
    per_blueprint: dict[str | None, set[str]]
    audited: int


def collect(inspected: Inspected) -> Collected:
    """Findings of every effective policy (and report-only candidate) of every rule, under
    each ``resources`` entry its paths fall under. Notes go to stderr."""
    app = inspected.app
    config = blueprint_key_findings(app, inspected.extension is not None)
    misnamed = {key for key, _ in config}
    grouped: dict[tuple[Finding, bool], dict[str, set[Key]]] = {}
    per_blueprint: dict[str | None, set[str]] = {}
    audited: set[str] = set()
    seen: set[tuple[str, str]] = set()
    for rule in app.url_map.iter_rules():
        per_blueprint.setdefault(blueprint_of(rule.endpoint), set()).add(rule.endpoint)
        try:
            placed = placements(inspected, rule)
        except KeyError:
            continue
        if len(placed) > 1:
            click.echo(f"note: {rule.endpoint} ({rule.rule}): {describe(as_json(placed))}; "
                       "each was audited", err=True)
        for place in placed:
            if (rule.endpoint, place.path) in seen:
                continue
            seen.add((rule.endpoint, place.path))
            found = _found(app, rule, place, misnamed)
            if found is None:
                continue
            audited.add(rule.endpoint)
            for finding, source, candidate in found:
                keys = grouped.setdefault((finding, candidate), {})
                keys.setdefault(rule.endpoint, set()).update(
                    _keys(finding, rule.endpoint, source, candidate))
    return Collected(config, grouped, per_blueprint, len(audited))


def _found(app: Flask, rule: Rule, place: Placed, misnamed: set[str]) -> Found | None:
    """The findings of one placement of a rule (``None``: nothing to audit there)."""
    exc = place.error
    if exc is not None:
        if exc.option == "CORS_BLUEPRINTS" and exc.value in misnamed:
            return None  # the misnamed key's own finding says it, served or not
        where = f" ({exc.where})" if exc.where else ""
        return [(Finding(
            "CORS000", "error",
            f"the policy cannot be resolved: {exc.option}{where} {exc.problem}, so requests "
            "get no CORS grant", exc.hint, exc.option, (exc.option,),
        ), None, False)]
    if place.policy is None:
        return None
    with _request(app, place.path) as raised:  # origin callables may read the request
        found = _policy_found(place.policy)
    if raised is not None:
        sample = f" (a sample path of {rule.rule})" if place.path != rule.rule else ""
        click.echo(f"note: {rule.endpoint}: routing {place.path}{sample} raised {raised}; its "
                   "policy was audited without the route's request", err=True)
    return found


@contextmanager
def _request(app: Flask, path: str) -> Iterator[str | None]:
    """A request context for ``path``; when routing it raises (a URL converter that looks
    the value up), one that skips routing, and what was raised."""
    ctx = app.test_request_context(path)
    raised = None
    try:
        ctx.push()
    except Exception as exc:  # the context is half-pushed: take it down, route nothing
        with suppress(Exception):
            ctx.pop()
        raised = f"{type(exc).__name__}: {exc}"
        ctx = app.test_request_context(path)
        ctx.url_adapter = None
        ctx.push()
    try:
        yield raised
    finally:
        ctx.pop()


def failing_keys(collected: Collected, failing: tuple[str, ...]) -> set[Key]:
    """The baseline keys of every finding at a failing severity."""
    keys: set[Key] = {("CORS012", "config", "CORS_BLUEPRINTS", key, False)
                      for key, f in collected.config if f.severity in failing}
    for (finding, _), by_endpoint in collected.grouped.items():
        if finding.severity in failing:
            keys.update(k for endpoint_keys in by_endpoint.values() for k in endpoint_keys)
    return keys


def audit_findings(collected: Collected, baseline: set[Key]) -> list[dict[str, Any]]:
    """The findings to show, grouped by finding; a group that the baseline covers in part
    is split: the endpoints it covers, then the new ones."""
    out = [{
        "id": f.id, "severity": f.severity, "message": f.message, "hint": f.hint,
        "where": f"config CORS_BLUEPRINTS[{key!r}]", "report_only": False, "endpoints": [],
        "blueprints": [], "keys": [(f.id, "config", "CORS_BLUEPRINTS", key, False)],
    } for key, f in collected.config]
    for (finding, candidate), by_endpoint in collected.grouped.items():
        endpoints = sorted(by_endpoint)
        known = [e for e in endpoints if by_endpoint[e] <= baseline]
        new = [e for e in endpoints if e not in known]
        for part in ([known, new] if known and new else [endpoints]):
            where = _where(part, collected.per_blueprint)
            out.append({
                "id": finding.id, "severity": finding.severity, "message": finding.message,
                "hint": finding.hint, "where": f"{where} ({CANDIDATE})" if candidate else where,
                "report_only": candidate, "endpoints": part,
                "blueprints": sorted({b for b in map(blueprint_of, part) if b is not None}),
                "keys": sorted(k for e in part for k in by_endpoint[e]),
            })
    out.sort(key=lambda f: (SEVERITIES.index(f["severity"]), f["id"], f["where"]))
    return out


def _where(endpoints: list[str], per_blueprint: dict[str | None, set[str]]) -> str:
    """``api.*, index``: a blueprint whose endpoints are all affected is named once."""
    parts: list[str] = []
    done: set[str | None] = set()
    for endpoint in endpoints:
        blueprint = blueprint_of(endpoint)
        if blueprint in done:
            continue
        members = per_blueprint.get(blueprint, set())
        if blueprint is not None and len(members) > 1 and members <= set(endpoints):
            parts.append(f"{blueprint}.*")
            done.add(blueprint)
        else:
            parts.append(endpoint)
    return ", ".join(parts)


def read_baseline(path: str) -> set[Key]:
    """The keys of a baseline file; a ``click.BadParameter`` (usage error) if it is not one."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeError, ValueError) as exc:
        raise click.BadParameter(f"cannot read {path!r}: {exc}", param_hint="--baseline") from None
    entries = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(entries, list) or data.get("format") != BASELINE_FORMAT:
        raise click.BadParameter(f"{path!r} is not an audit baseline (write one with "
                                 "--write-baseline)", param_hint="--baseline")
    keys: set[Key] = set()
    for entry in entries:
        fields = entry if isinstance(entry, dict) else {}
        kind = next((k for k in KINDS if k in fields), "endpoint")
        values = [fields.get(k) for k in ("id", kind, "value")]
        candidate = fields.get("report_only", False)
        if not all(isinstance(v, str) for v in values) or not isinstance(candidate, bool):
            raise click.BadParameter(f"{path!r}: {entry!r} is not a baseline entry (id, "
                                     "blueprint, endpoint or config, value, report_only)",
                                     param_hint="--baseline")
        keys.add((str(values[0]), kind, str(values[1]), str(values[2]), candidate))
    return keys


def _entry(key: Key) -> dict[str, Any]:
    """A key as a baseline entry: ``{"id": ..., "blueprint", "endpoint" or "config": ...,
    "value": ...}``, and ``"report_only": true`` for a report-only candidate's finding."""
    finding, kind, name, value, candidate = key
    entry: dict[str, Any] = {"id": finding, kind: name, "value": value}
    if candidate:
        entry["report_only"] = True
    return entry


def write_baseline(path: str, keys: set[Key]) -> None:
    """Write ``keys`` as a baseline file, sorted, one entry per line."""
    entries = [_entry(key) for key in sorted(keys)]
    lines = ",\n".join(f"    {json.dumps(entry)}" for entry in entries)
    text = (f'{{\n  "format": "{BASELINE_FORMAT}",\n  "findings": [\n{lines}\n  ]\n}}\n'
            if entries else f'{{"format": "{BASELINE_FORMAT}", "findings": []}}\n')
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.BadParameter(f"cannot write {path!r}: {exc}",
                                 param_hint="--write-baseline") from None


def _entries(count: int) -> str:
    return f"{count} baseline {'entry' if count == 1 else 'entries'}"


_COLOURS = {"error": "red", "warning": "yellow", "info": "cyan"}


@click.command("audit")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of findings.")
@click.option("--fail-on", type=click.Choice(["warning", "error"]), default="warning",
              show_default=True, help="The lowest severity that fails the run.")
@click.option("--baseline", "baseline_path", metavar="FILE",
              help="Findings listed in FILE are accepted: they do not fail the run.")
@click.option("--write-baseline", "write_path", metavar="FILE",
              help="Write the findings that would fail the run to FILE, as a baseline.")
def audit_command(as_json: bool, fail_on: str, baseline_path: str | None,
                  write_path: str | None) -> None:
    """Review every effective policy for risky settings.

    One finding per line: id, severity, where (endpoints; "api.*" means every endpoint of
    blueprint api), the message and a hint. Endpoints that share a finding share a line,
    unless the baseline covers only some of them: the new ones then get a line of their own.
    Report-only candidates are reviewed too (where ends in "(report-only candidate)"), and
    so are the keys of CORS_BLUEPRINTS.

    Exit status 1 when a finding at or above --fail-on is not in the baseline, 0
    otherwise, 2 for a usage error (a baseline that cannot be read).
    """
    baseline = read_baseline(baseline_path) if baseline_path else set()
    inspected = load()
    inspected.note()
    collected = collect(inspected)
    audited = collected.audited
    failing = SEVERITIES[:SEVERITIES.index(fail_on) + 1]
    if write_path:
        baseline = failing_keys(collected, failing)
        write_baseline(write_path, baseline)
        click.echo(f"wrote {_entries(len(baseline))} to {write_path}", err=True)
    findings = audit_findings(collected, baseline)
    for f in findings:
        f["baseline"] = all(tuple(k) in baseline for k in f["keys"])
    if as_json:
        shown = [{**f, "keys": [_entry(k) for k in f["keys"]]} for f in findings]
        click.echo(json.dumps(shown, indent=2))
    else:
        for f in findings:
            severity = click.style(f"{f['severity']:<7}", fg=_COLOURS[f["severity"]])
            mark = " (in the baseline)" if f["baseline"] else ""
            click.echo(f"{f['id']} {severity} [{f['where']}] {f['message']}. "
                       f"Hint: {f['hint']}{mark}")
        counts = [f"{sum(f['severity'] == s for f in findings)} {s}" for s in SEVERITIES]
        total = f"{len(findings)} finding{'s' if len(findings) != 1 else ''}"
        known = sum(f["baseline"] for f in findings)
        accepted = f", {known} in the baseline" if baseline_path or write_path else ""
        click.echo(f"{total} ({', '.join(counts)}{accepted}) in {audited} endpoints with a "
                   "CORS policy")
    stale = baseline - {tuple(k) for f in findings for k in f["keys"]}
    if stale and not write_path:
        verb = "matches" if len(stale) == 1 else "match"
        click.echo(f"note: {_entries(len(stale))} {verb} no finding any more; rewrite the "
                   "baseline with --write-baseline", err=True)
    new = [f for f in findings if f["severity"] in failing and not f["baseline"]]
    click.get_current_context().exit(1 if new else 0)
