"""``flask cors routes``: every URL rule with its effective policy; ``--json`` is a snapshot."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

import click
from werkzeug.routing import Rule

from ..extension import app_state
from ..policy import CorsPolicy
from .common import Inspected, blueprint_of, load, show_header, show_origin, table
from .placement import as_json, describe, placements

#: Snapshot field -> the option it shows (for ``sources``).
FIELDS = {
    "origins": "origins",
    "methods": "methods",
    "allow_headers": "allow_headers",
    "expose_headers": "expose_headers",
    "credentials": "supports_credentials",
    "max_age": "max_age",
    "private_network": "allow_private_network",
    "send_wildcard": "send_wildcard",
    "vary_header": "vary_header",
    "always_send": "always_send",
}


def policy_fields(policy: CorsPolicy, served: Collection[str]) -> dict[str, Any]:
    """A policy as snapshot fields, ``sources`` included.

    ``methods`` are what a cross-origin page can use on the rule: the policy's methods that
    the rule serves (all of them for ``methods="*"``). Regular expressions (``origins``,
    ``allow_headers``) are shown as their source.
    """
    methods = sorted(served) if policy.any_method else [m for m in policy.methods if m in served]
    headers = policy.allow_headers
    return {
        "origins": [show_origin(entry) for entry in policy.origins],
        "methods": methods,
        "allow_headers": [headers] if isinstance(headers, str) else list(map(show_header, headers)),
        "expose_headers": list(policy.expose_headers),
        "credentials": policy.supports_credentials,
        "max_age": policy.max_age,
        "private_network": policy.allow_private_network,
        "send_wildcard": policy.send_wildcard,
        "vary_header": policy.vary_header,
        "always_send": policy.always_send,
        "sources": {field: policy.source(option) for field, option in FIELDS.items()},
    }


def rule_row(inspected: Inspected, rule: Rule) -> dict[str, Any]:
    """One rule's snapshot: where it is, and its policy (``cors`` false without one).

    Under path-based ``resources`` whose entries the rule's paths fall under differently,
    the policy shown is the first one that some of its paths get, and ``placements`` lists
    each sample path with its entry.
    """
    row: dict[str, Any] = {
        "endpoint": rule.endpoint, "rule": rule.rule, "blueprint": blueprint_of(rule.endpoint),
        "subdomain": rule.subdomain or None, "host": rule.host or None,
        "cors": False, "error": None, **dict.fromkeys(FIELDS), "sources": None,
        "intercept_exceptions": None, "report_only": None, "placements": None,
    }
    try:
        placed = placements(inspected, rule)
    except KeyError:
        row["error"] = "the rule has no view function"
        return row
    if len(placed) > 1:
        row["placements"] = as_json(placed)
    policy, error = placed[0].policy, placed[0].error
    if error is not None:
        row["error"] = str(error)
        return row
    if policy is not None:
        served = rule.methods or ()
        row.update(cors=True, **policy_fields(policy, served),
                   intercept_exceptions=intercept_exceptions(inspected))
        candidate = getattr(policy, "report_only", None)
        if isinstance(candidate, CorsPolicy):
            row["report_only"] = policy_fields(candidate, served)
    return row


def intercept_exceptions(inspected: Inspected) -> bool:
    """Whether the 500 responses of unhandled exceptions get CORS headers (an app-level
    option; ``@cross_origin`` alone never reaches them)."""
    state = app_state(inspected.app) if inspected.extension is not None else None
    return bool(state.registry.intercept_exceptions) if state is not None else False


def snapshot(inspected: Inspected) -> list[dict[str, Any]]:
    """Every URL rule of the app with its effective policy, sorted by rule and endpoint."""
    rules = sorted(inspected.app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))
    return [rule_row(inspected, rule) for rule in rules]


def rule_text(row: dict[str, Any]) -> str:
    """The rule as shown: ``host|/path`` under host matching, ``sub./path`` on a subdomain."""
    if row.get("host"):
        return f"{row['host']}|{row['rule']}"
    return f"{row['subdomain']}.{row['rule']}" if row.get("subdomain") else str(row["rule"])


@click.command("routes")
@click.option("--json", "as_json", is_flag=True,
              help="Print a JSON snapshot: one object per rule with its whole policy.")
def routes_command(as_json: bool) -> None:
    """List every URL rule with the CORS policy that applies to it.

    METHODS are the policy's methods that the rule serves. Rules without a policy
    show "no CORS". A rule on a subdomain shows as "sub./path". A rule whose paths fall
    under different app-level resources entries shows the policy of the first that has
    CORS, and a line under the table lists them. With --json, the output is a snapshot of
    every field of every policy, for "flask cors diff".
    """
    inspected = load()
    inspected.note()
    rows = snapshot(inspected)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    header = ("RULE", "ENDPOINT", "BLUEPRINT", "ORIGINS", "METHODS", "CREDENTIALS", "ORIGINS FROM")
    cells = []
    for row in rows:
        if row["error"]:
            cors_cells = ["error (see below)", "-", "-", "-"]
        elif not row["cors"]:
            cors_cells = ["no CORS", "-", "-", "-"]
        else:
            source = row["sources"]["origins"]
            cors_cells = [
                ", ".join(row["origins"]) or "(none)", ", ".join(row["methods"]) or "(none)",
                "yes" if row["credentials"] else "no",
                f"{source}; depends on the path (see below)" if row["placements"] else source,
            ]
        cells.append([rule_text(row), row["endpoint"], row["blueprint"] or "-", *cors_cells])
    for line in table(header, cells):
        click.echo(line)
    for row in rows:
        candidate = row["report_only"]
        if candidate:
            headers = candidate["allow_headers"]
            also = (f"; allow_headers {', '.join(headers) or '(none)'}"
                    if headers != row["allow_headers"] else "")
            click.echo(f"{row['endpoint']}: report-only candidate: origins "
                       f"{', '.join(candidate['origins']) or '(none)'}; methods "
                       f"{', '.join(candidate['methods']) or '(none)'}; credentials "
                       f"{'yes' if candidate['credentials'] else 'no'}{also}")
    for row in rows:
        if row["placements"]:
            click.echo(f"{row['endpoint']}: {describe(row['placements'], shown=True)}")
    for row in rows:
        if row["error"]:
            click.echo(f"{row['endpoint']}: {row['error']}", err=True)
