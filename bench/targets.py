"""The project's performance goals, checked against the results."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bench.libs import BEFORE, BP, FC, before, bp_labels, cors_labels
from bench.report import call_scaling, calls_text, fmt_ratio, scaling
from bench.scenarios import (
    SIGNAL_ALLOWED,
    SIGNAL_NO_RECV,
    SIGNAL_OFF,
    SIGNAL_RECV,
    at,
    guard_cost,
)
from bench.timing import Result

GOAL_NAMES = {"allowed": "allowed GET", "no_origin": "GET without Origin", "preflight": "preflight"}


@dataclass
class Target:
    name: str
    value: str
    ok: bool | None  # None: could not be measured


def yes_no(ok: bool | None) -> str:
    return {True: "yes", False: "NO", None: "n/a"}[ok]


def ratio_target(r: Result | None, key: str, limit: float) -> Target:
    ratio = r.ratio() if r else None
    value = fmt_ratio(ratio)
    if r is not None:
        if before():
            value += f" (before: {fmt_ratio(r.ratio(FC, BEFORE))})"
        value += "; calls over bare: " + calls_text(r, cors_labels())
    return Target(
        f"{GOAL_NAMES[key]} overhead ≤ {limit}x Flask-CORS's",
        value,
        None if ratio is None else ratio <= limit,
    )


def preflight_target(r: Result | None) -> Target:
    name = "preflight no slower than bare Flask's automatic OPTIONS"
    if not r or BP not in r.overhead:
        return Target(name, "—", None)
    over, noise = r.overhead[BP], abs(r.noise)
    ok = over <= 0 or over <= noise
    return Target(
        name,
        f"{over:+.2f} µs, noise ±{noise:.2f} µs; calls over bare: "
        + calls_text(r, bp_labels()),
        ok,
    )


def blueprints_target(r: Result | None, what: str) -> Target:
    name = f"N=1000 costs ≤ 2 µs more than N=1{what}"
    if not r or at(BP, 1) not in r.samples:
        return Target(name, "—", None)
    diff = scaling(r, BP)
    value = f"{diff:+.2f} µs, {call_scaling(r, BP):+d} calls"
    if before():
        value += (f" (before: {scaling(r, BEFORE):+.2f} µs, "
                  f"{call_scaling(r, BEFORE):+d} calls)")
    return Target(name, value, diff <= 2.0)


def signal_target(r: Result | None) -> Target:
    name = "no-receiver signal cost < 0.5 µs"
    if not r or SIGNAL_NO_RECV not in r.median:
        return Target(name, "—", None)
    s = r.median  # all three use one app: compare them round by round
    entered = r.paired(SIGNAL_NO_RECV, SIGNAL_OFF)
    step_calls = r.calls_between(SIGNAL_NO_RECV, SIGNAL_OFF)
    guard = guard_cost()
    # Equal call counts with and without the signal step prove it is not entered: then
    # the timed difference is noise and the cost is the guard alone.
    cost = guard + (max(entered, 0.0) if step_calls else 0.0)
    step = ("not entered: +0 calls" if not step_calls else f"{step_calls:+d} calls"
            ) + f", timed {entered:+.2f} µs"
    recv = r.paired(SIGNAL_RECV, SIGNAL_NO_RECV)
    return Target(
        name,
        f"{cost:+.2f} µs (guard {guard:.3f} µs, signal step {step}); a connected "
        f"receiver adds {recv:+.2f} µs, {r.calls_between(SIGNAL_RECV, SIGNAL_NO_RECV):+d}"
        f" calls (medians: allowed {s[SIGNAL_ALLOWED]:.2f}, refused "
        f"{s[SIGNAL_NO_RECV]:.2f}, without the signal step {s[SIGNAL_OFF]:.2f}, "
        f"refused with receiver {s[SIGNAL_RECV]:.2f})",
        cost < 0.5,
    )


def targets(results: list[Result]) -> list[Target]:
    by = {r.scenario.key: r for r in results}
    return [
        ratio_target(by.get("allowed"), "allowed", 0.2),
        ratio_target(by.get("no_origin"), "no_origin", 0.2),
        ratio_target(by.get("preflight"), "preflight", 0.25),
        preflight_target(by.get("preflight")),
        blueprints_target(by.get("blueprints"), ""),
        blueprints_target(by.get("blueprints_404"), " (404 under a prefix)"),
        signal_target(by.get("signals")),
    ]


def summary(results: list[Result], tgts: list[Target]) -> str:
    by = {r.scenario.key: r for r in results}
    ratios = " ".join(
        f"{k}={fmt_ratio(by[k].ratio())}" for k in ("allowed", "no_origin", "preflight") if k in by
    )
    checks = "; ".join(
        f"{t.name}: {yes_no(t.ok)} ({re.split(r'[;,(]', t.value)[0].strip()})" for t in tgts
    )
    return f"summary: ratios {ratios} | {checks}"
