"""``flask cors diff BEFORE.json [AFTER.json]``: what widened and what narrowed, per endpoint.

Snapshots are the output of ``flask cors routes --json``. Every change is sorted into:

- ``widened``: more origins, methods or headers, credentials, private network or
  ``intercept_exceptions`` turned on, CORS on a rule that had none, a new rule with CORS;
- ``unproven``: a regex or callable entry (``origins``; a regex in ``allow_headers``) added
  or changed, which cannot be compared (it may accept anything);
- ``narrowed``: the reverse of a widening;
- ``changed``: neither (``max_age``, ``send_wildcard``, ``vary_header``, ``always_send``,
  a report-only candidate added or removed, an endpoint renamed on the same rule).

The command fails (exit 1) on anything widened or unproven, in the enforced policies or in
their report-only candidates.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, NamedTuple

import click

from ..origins import looks_like_regex, parse_origin
from .common import load, regex_text
from .routes import FIELDS, rule_text, snapshot

KINDS = ("widened", "unproven", "narrowed", "changed")
Changes = dict[str, list[str]]


class Origins:
    """The entries of a snapshot's ``origins``, sorted by kind."""

    def __init__(self, entries: list[str]) -> None:
        self.any = "*" in entries
        self.null = "null" in entries
        self.exact: dict[str, str] = {}  # canonical key -> entry
        self.patterns: dict[tuple[str, str, str], str] = {}  # (scheme, .suffix, port) -> entry
        self.opaque: set[str] = set()  # regexes, callables, anything not understood
        for entry in entries:
            if entry in ("*", "null"):
                continue
            parsed = None if looks_like_regex(entry) else parse_origin(entry.replace("://*.", "://"))
            if parsed is None:
                self.opaque.add(entry)
            elif "://*." in entry:
                self.patterns[(parsed.scheme, "." + parsed.host, parsed.port)] = entry
            else:
                self.exact[parsed.key] = entry

    def covers_exact(self, key: str) -> bool:
        """Whether these entries provably accept the origin ``key``."""
        if self.any or key in self.exact:
            return True
        parsed = parse_origin(key)
        if parsed is None:
            return False
        return any(parsed.scheme == s and parsed.port == p and parsed.host.endswith(suffix)
                   for s, suffix, p in self.patterns) or any(
            _fullmatch(entry, key) for entry in self.opaque)

    def covers_pattern(self, pattern: tuple[str, str, str]) -> bool:
        """Whether these entries provably accept every origin a subdomain pattern does."""
        scheme, suffix, port = pattern
        return self.any or any(scheme == s and port == p and suffix.endswith(other)
                               for s, other, p in self.patterns)


def _fullmatch(entry: str, origin: str) -> bool:
    if not looks_like_regex(entry):
        return False
    try:
        return re.fullmatch(entry, origin, re.IGNORECASE) is not None
    except re.error:
        return False


def compare_origins(before: list[str], after: list[str], out: Changes) -> None:
    """Origins added (widened or unproven) and removed (narrowed)."""
    b, a = Origins(before), Origins(after)
    if a.any and not b.any:
        out["widened"].append("any origin ('*') allowed")
    if b.any and not a.any:
        out["narrowed"].append("any origin ('*') no longer allowed")
    for new, old, verb, kind in ((a, b, "added", "widened"), (b, a, "removed", "narrowed")):
        if new.null and not (old.null or old.any):
            out[kind].append(f"origin 'null' {verb}")
        for key, entry in new.exact.items():
            if not old.covers_exact(key):
                out[kind].append(f"origin {entry!r} {verb}")
        for pattern, entry in new.patterns.items():
            if not old.covers_pattern(pattern):
                covered = [e for k, e in old.exact.items() if _in_pattern(k, pattern)]
                also = (f" (it covers {', '.join(map(repr, covered))})"
                        if covered and kind == "widened" else "")
                out[kind].append(f"origin pattern {entry!r} {verb}{also}")
        for entry in sorted(new.opaque - old.opaque):
            if old.any:
                continue
            shown = entry if entry.startswith("<callable") else f"regex {regex_text(entry)}"
            if kind == "widened":
                out["unproven"].append(f"{shown} added: it cannot be compared, review what it "
                                       "accepts")
            else:
                out[kind].append(f"{shown} removed")


def _in_pattern(key: str, pattern: tuple[str, str, str]) -> bool:
    parsed = parse_origin(key)
    scheme, suffix, port = pattern
    return parsed is not None and (parsed.scheme, parsed.port) == (scheme, port) and \
        parsed.host.endswith(suffix)


def _names(field: str, values: list[str]) -> tuple[dict[str, str], set[str]]:
    """Names by lower case, and (``allow_headers`` only) the regex sources apart."""
    names: dict[str, str] = {}
    regexes: set[str] = set()
    for value in values:
        if field == "allow_headers" and value != "*" and looks_like_regex(value):
            regexes.add(value)
        else:
            names[value.lower()] = value
    return names, regexes


def compare_policies(before: dict[str, Any], after: dict[str, Any], out: Changes) -> None:
    """Every field of two policies of the same rule."""
    compare_origins(before["origins"], after["origins"], out)
    for field, label in (("methods", "methods"), ("allow_headers", "request headers"),
                         ("expose_headers", "exposed headers")):
        (old, old_re), (new, new_re) = _names(field, before[field]), _names(field, after[field])
        old_any = "*" in old and (field != "expose_headers" or not before["credentials"])
        new_any = "*" in new and (field != "expose_headers" or not after["credentials"])
        if new_any and not old_any:
            out["widened"].append(f"any {label} allowed ({field} '*')")
        elif old_any and not new_any:
            out["narrowed"].append(f"{label} no longer any ({field} '*')")
        # a name a regex on the other side accepts is neither added nor removed
        added = sorted(new[k] for k in new.keys() - old.keys()
                       if k != "*" and not any(_fullmatch(r, k) for r in old_re))
        removed = sorted(old[k] for k in old.keys() - new.keys()
                         if k != "*" and not any(_fullmatch(r, k) for r in new_re))
        if added and not old_any:
            out["widened"].append(f"{field} added: {', '.join(added)}")
        if removed and not new_any:
            out["narrowed"].append(f"{field} removed: {', '.join(removed)}")
        for source in sorted(new_re - old_re) if not old_any else ():
            out["unproven"].append(f"{field} regex {regex_text(source)} added: it cannot be "
                                   "compared, review what it accepts")
        for source in sorted(old_re - new_re) if not new_any else ():
            out["narrowed"].append(f"{field} regex {regex_text(source)} removed")
    for field, label in (("credentials", "credentials (supports_credentials)"),
                         ("private_network", "private network access")):
        if after[field] and not before[field]:
            out["widened"].append(f"{label} turned on")
        elif before[field] and not after[field]:
            out["narrowed"].append(f"{label} turned off")
    for field in ("max_age", "send_wildcard", "vary_header", "always_send"):
        if before[field] != after[field]:
            out["changed"].append(f"{field}: {before[field]!r} -> {after[field]!r}")


def compare_rows(before: dict[str, Any] | None, after: dict[str, Any] | None) -> Changes:
    """The changes between two snapshots of a rule (``None``: the rule is not there)."""
    out: Changes = {kind: [] for kind in KINDS}
    old = before if before is not None and before["cors"] else None
    new = after if after is not None and after["cors"] else None
    error = after.get("error") if after is not None else None
    if error and error != (before or {}).get("error"):
        out["changed"].append("the policy cannot be resolved: requests get no CORS grant")
    if old is None and new is not None:
        what = "new rule with CORS" if before is None else "CORS turned on"
        out["widened"].append(f"{what}: origins {', '.join(new['origins']) or '(none)'}")
    elif old is not None and new is None:
        out["narrowed"].append("rule removed" if after is None else "CORS turned off")
    elif old is not None and new is not None:
        compare_policies(old, new, out)
        _compare_intercept(old.get("intercept_exceptions"), new.get("intercept_exceptions"), out)
        _compare_candidates(old.get("report_only"), new.get("report_only"), out)
    return out


def _compare_intercept(before: bool | None, after: bool | None, out: Changes) -> None:
    """``intercept_exceptions`` (app level; not in snapshots of earlier versions): on, the
    allowed origins can read the 500 responses of unhandled exceptions too."""
    if before is None or after is None or before == after:
        return
    if after:
        out["widened"].append("intercept_exceptions turned on: the 500 responses of unhandled "
                              "exceptions carry CORS headers")
    else:
        out["narrowed"].append("intercept_exceptions turned off: the 500 responses of "
                               "unhandled exceptions carry no CORS headers")


def _compare_candidates(before: Any, after: Any, out: Changes) -> None:
    if before and after:
        inner: Changes = {kind: [] for kind in KINDS}
        compare_policies(before, after, inner)
        for kind, items in inner.items():
            out[kind].extend(f"report-only candidate: {item}" for item in items)
    elif after:
        out["changed"].append("report-only candidate added")
    elif before:
        out["changed"].append("report-only candidate removed")


class Pair(NamedTuple):
    """A rule's rows in the two snapshots (``None``: not in that one)."""

    endpoint: str
    rule: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    def renamed(self) -> str | None:
        """``endpoint renamed: 'old' -> 'new'`` for rows paired by their rule."""
        if self.before is None or self.after is None or \
                self.before["endpoint"] == self.after["endpoint"]:
            return None
        return f"endpoint renamed: {self.before['endpoint']!r} -> {self.after['endpoint']!r}"


Rows = dict[tuple[str, str], dict[str, Any]]


def pair_rows(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[Pair]:
    """Rows of the same rule, by endpoint and rule; then an endpoint's only remaining rule
    on each side (a moved rule); then a rule (and its methods) that only one remaining row
    has on each side (a renamed endpoint); then what is left, alone."""
    old = {(r["endpoint"], rule_text(r)): r for r in before}
    new = {(r["endpoint"], rule_text(r)): r for r in after}
    pairs = [Pair(e, t, old.pop((e, t)), new.pop((e, t))) for e, t in list(new) if (e, t) in old]
    pairs += _pair_by(old, new, lambda key, row: key[0])
    pairs += _pair_by(old, new, lambda key, row: (key[1], json.dumps(row.get("methods"))))
    pairs += [Pair(e, t, None, row) for (e, t), row in new.items()]
    pairs += [Pair(e, t, row, None) for (e, t), row in old.items()]
    return sorted(pairs, key=lambda p: (p.endpoint, p.rule))


def _pair_by(old: Rows, new: Rows, by: Callable[[tuple[str, str], dict[str, Any]], Any],
             ) -> list[Pair]:
    """Pair the rows left on each side that alone have the same ``by`` value; they are
    taken out of ``old`` and ``new``."""
    left_old: dict[Any, list[tuple[str, str]]] = defaultdict(list)
    left_new: dict[Any, list[tuple[str, str]]] = defaultdict(list)
    for key, row in old.items():
        left_old[by(key, row)].append(key)
    for key, row in new.items():
        left_new[by(key, row)].append(key)
    pairs = []
    for value, keys in left_new.items():
        if len(keys) == 1 and len(left_old.get(value, ())) == 1:
            (endpoint, text) = keys[0]
            pairs.append(Pair(endpoint, text, old.pop(left_old[value][0]), new.pop(keys[0])))
    return pairs


_POLICY_TYPES = {"origins": list, "methods": list, "allow_headers": list,
                 "expose_headers": list, "credentials": bool, "private_network": bool}
_LISTS = ("origins", "methods", "allow_headers", "expose_headers")


def read_snapshot(path: str, hint: str) -> list[dict[str, Any]]:
    """A snapshot file's rows; a ``click.BadParameter`` (usage error) if it is not one."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeError, ValueError) as exc:
        raise click.BadParameter(f"cannot read {path!r}: {exc}", param_hint=hint) from None
    if not isinstance(data, list) or not all(_is_row(row) for row in data):
        raise click.BadParameter(f"{path!r} is not a snapshot of 'flask cors routes --json' "
                                 "(regenerate it with this version)", param_hint=hint)
    return data


def _is_row(row: Any) -> bool:
    if not isinstance(row, dict) or not isinstance(row.get("endpoint"), str) or \
            not isinstance(row.get("rule"), str) or not isinstance(row.get("cors"), bool):
        return False
    if not isinstance(row.get("intercept_exceptions", False), (bool, type(None))):
        return False
    policies = [row] if row["cors"] else []
    if row.get("report_only"):
        policies.append(row["report_only"])
    return all(isinstance(p, dict) and all(f in p for f in FIELDS) and all(
        isinstance(p[f], t) for f, t in _POLICY_TYPES.items()) and all(
        isinstance(item, str) for f in _LISTS for item in p[f]) for p in policies)


@click.command("diff")
@click.argument("before", metavar="BEFORE.json")
@click.argument("after", metavar="[AFTER.json]", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
def diff_command(before: str, after: str | None, as_json: bool) -> None:
    """Compare two snapshots of "flask cors routes --json" (AFTER defaults to this app).

    Lists per rule what widened (origins, methods or headers added, credentials, private
    network or intercept_exceptions turned on, CORS turned on, a new rule with CORS), what
    cannot be proven narrower (a regex or callable added or changed, in origins or
    allow_headers), what narrowed, and other changes (max_age..., an endpoint renamed on the
    same rule).

    Exit status: 0 nothing widened, 1 something widened or cannot be proven narrower,
    2 usage error (a file that cannot be read or is not a snapshot).
    """
    old = read_snapshot(before, "BEFORE.json")
    if after is not None:
        new = read_snapshot(after, "AFTER.json")
    else:
        new = json.loads(json.dumps(snapshot(load())))
    results = []
    for pair in pair_rows(old, new):
        changes = compare_rows(pair.before, pair.after)
        renamed = pair.renamed()
        if renamed is not None:
            changes["changed"].append(renamed)
        if any(changes.values()):
            results.append({"endpoint": pair.endpoint, "rule": pair.rule, **changes})
    failed = any(r["widened"] or r["unproven"] for r in results)
    if as_json:
        click.echo(json.dumps({"widened": failed, "rules": results}, indent=2))
    else:
        for r in results:
            click.echo(f"{r['endpoint']} ({r['rule']})")
            for kind in KINDS:
                for item in r[kind]:
                    click.echo(f"  {kind}: {item}")
        counts = ", ".join(f"{sum(bool(r[k]) for r in results)} {k}" for k in KINDS)
        verdict = "widened" if failed else "not widened"
        click.echo(f"{verdict}: {len(results)} rules changed ({counts})")
    click.get_current_context().exit(1 if failed else 0)
