"""Per-request cost of CORS handling: bare Flask vs Flask-CORS vs flask_cors_bp.

Each scenario builds the same application several ways (bare Flask, a second identical bare
app as a noise estimate, Flask-CORS, flask_cors_bp) and calls the WSGI apps in-process in
interleaved rounds (A, B, C, D, B, C, D, A, ...). A round is ``--calls`` requests to one app;
the per-request time of a round is its total divided by the number of calls. Reported values
are medians over rounds; overheads are medians of the per-round differences to bare Flask in
the same round, which cancels most of the drift of a busy machine.

Run from the repository root::

    python bench/run.py                  # full run, about 2-3 minutes on 2 cores
    python bench/run.py --quick          # smoke test, about 20 seconds
    python bench/run.py --write-docs     # full run, then regenerate docs/benchmarks.rst
    python bench/run.py --profile preflight   # cProfile flask_cors_bp on one scenario

Not part of the test suite. Needs only the standard library, Flask, Flask-CORS and
flask_cors_bp; without an importable flask_cors_bp the other columns are still measured.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import gc
import importlib.metadata
import io
import os
import platform
import pstats
import re
import statistics
import sys
import textwrap
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import flask_cors  # type: ignore[import-untyped]  # noqa: E402
from flask import Blueprint, Flask  # noqa: E402
from werkzeug.datastructures import Headers  # noqa: E402
from werkzeug.test import EnvironBuilder  # noqa: E402

BP_ERROR: str | None = None
try:
    import flask_cors_bp
    from flask_cors_bp import CORS as BpCORS
    from flask_cors_bp import CorsBlueprint
    from flask_cors_bp.signals import origin_rejected
except Exception as exc:  # any import failure: measure the other columns only
    BP_ERROR = f"{type(exc).__name__}: {exc}"

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Environ = dict[str, Any]

ORIGINS = ["https://a.example.org", "https://b.example.org", "https://c.example.org"]
ALLOWED = ORIGINS[1]
REFUSED = "https://evil.example.net"
PATTERN_BP = "https://*.example.com"
PATTERN_FC = r"https://.*\.example\.com"
PATTERN_ORIGIN = "https://app.example.com"
API = {r"/api/*": {"origins": ORIGINS}}

BARE, BARE2, FC, BP = "bare", "bare (copy)", "Flask-CORS", "flask_cors_bp"
DOCS = ROOT / "docs" / "benchmarks.rst"
COMMAND = "python bench/run.py --write-docs"


# --------------------------------------------------------------------------- apps


def view() -> str:
    return "ok"


def base_app() -> Flask:
    app = Flask(__name__)
    app.add_url_rule("/api/items", "items", view, methods=["GET", "PUT"])
    app.add_url_rule("/other", "other", view)
    return app


def fc_app(resources: dict[str, dict[str, Any]]) -> Flask:
    app = base_app()
    flask_cors.CORS(app, resources=resources)
    return app


def bp_app(resources: dict[str, dict[str, Any]]) -> Flask:
    app = base_app()
    BpCORS(app, resources=resources)
    return app


def blueprints_app(n: int, kind: str) -> Flask:
    """``n`` blueprints at /bp0 ... /bp{n-1}, each with its own allowed origin."""
    app = Flask(__name__)
    resources: dict[str, dict[str, Any]] = {}
    for i in range(n):
        prefix, origins = f"/bp{i}", [f"https://app{i}.example.com"]
        bp: Blueprint
        if kind == BP:
            bp = CorsBlueprint(f"bp{i}", __name__, url_prefix=prefix, origins=origins)
        else:
            bp = Blueprint(f"bp{i}", __name__, url_prefix=prefix)
        bp.add_url_rule("/items", "items", view)
        app.register_blueprint(bp)
        resources[prefix + "/*"] = {"origins": origins}
    if kind == FC:
        flask_cors.CORS(app, resources=resources)
    return app


def environ(path: str, method: str = "GET", **headers: str) -> Environ:
    hdrs = {name.replace("_", "-"): value for name, value in headers.items()}
    return EnvironBuilder(
        path=path, method=method, headers=list(hdrs.items()), base_url="http://localhost"
    ).get_environ()


# --------------------------------------------------------------------------- checks

Check = Callable[[int, Headers], list[str]]


def acao(expected: str | None) -> Check:
    """The response carries ``Access-Control-Allow-Origin: expected`` (None: no such header)."""

    def check(status: int, headers: Headers) -> list[str]:
        got = headers.get("Access-Control-Allow-Origin")
        if got != expected:
            return [f"Access-Control-Allow-Origin: expected {expected!r}, got {got!r}"]
        return []

    return check


def has(name: str, contains: str = "") -> Check:
    def check(status: int, headers: Headers) -> list[str]:
        got = headers.get(name)
        if got is None or contains.lower() not in got.lower():
            return [f"{name}: expected a value containing {contains!r}, got {got!r}"]
        return []

    return check


def status_is(expected: int) -> Check:
    def check(status: int, headers: Headers) -> list[str]:
        return [] if status == expected else [f"status: expected {expected}, got {status}"]

    return check


# --------------------------------------------------------------------------- scenarios


@dataclass
class Variant:
    label: str
    app: WSGIApp
    environ: Environ
    checks: list[Check] = field(default_factory=list)
    enter: Callable[[], None] | None = None
    leave: Callable[[], None] | None = None
    base: str | None = BARE  # the bare app it is compared with, round by round


@dataclass
class Scenario:
    key: str
    title: str
    build: Callable[[], list[Variant]]


def trio(
    env: Environ,
    fc: Callable[[], Flask],
    bp: Callable[[], Flask],
    bare: Callable[[], Flask] = base_app,
    fc_checks: list[Check] | None = None,
    bp_checks: list[Check] | None = None,
    bare_checks: list[Check] | None = None,
) -> list[Variant]:
    variants = [
        Variant(BARE, bare(), env, bare_checks or [], base=None),
        Variant(BARE2, bare(), env, bare_checks or []),
        Variant(FC, fc(), env, fc_checks or []),
    ]
    if BP_ERROR is None:
        variants.append(Variant(BP, bp(), env, bp_checks or []))
    return variants


def simple(
    env: Environ,
    resources: dict[str, dict[str, Any]],
    checks: list[Check],
    bp_extra: list[Check] | None = None,
    bp_resources: dict[str, dict[str, Any]] | None = None,
    fc_checks: list[Check] | None = None,
) -> Callable[[], list[Variant]]:
    return lambda: trio(
        env,
        lambda: fc_app(resources),
        lambda: bp_app(bp_resources or resources),
        fc_checks=checks if fc_checks is None else fc_checks,
        bp_checks=checks + (bp_extra or []),
    )


def preflight() -> list[Variant]:
    env = environ(
        "/api/items",
        "OPTIONS",
        Origin=ALLOWED,
        Access_Control_Request_Method="PUT",
        Access_Control_Request_Headers="X-Custom",
    )
    cors = [
        status_is(200),
        acao(ALLOWED),
        has("Access-Control-Allow-Methods", "PUT"),
        has("Access-Control-Allow-Headers", "X-Custom"),
    ]
    return trio(
        env,
        lambda: fc_app(API),
        lambda: bp_app(API),
        fc_checks=cors,
        bp_checks=[*cors, has("Vary", "Origin")],
        bare_checks=[status_is(200), has("Allow", "PUT"), acao(None)],
    )


NS = (1, 10, 100, 1000)


def at(label: str, n: int) -> str:
    return f"{label} N={n}"


def blueprints(leaf: str = "items") -> list[Variant]:
    """All sizes in one scenario, so that N=1 and N=1000 are compared round by round."""
    variants: list[Variant] = []
    env: dict[int, Environ] = {}
    for n in NS:
        origin = f"https://app{n - 1}.example.com"
        env[n] = environ(f"/bp{n - 1}/{leaf}", Origin=origin)
        bare = at(BARE, n)
        variants += [
            Variant(bare, blueprints_app(n, BARE), env[n], [acao(None)], base=None),
            Variant(at(FC, n), blueprints_app(n, FC), env[n], [acao(origin)], base=bare),
        ]
        if BP_ERROR is None:
            checks = [acao(origin), has("Vary", "Origin")]
            variants.append(Variant(at(BP, n), blueprints_app(n, BP), env[n], checks, base=bare))
    big = NS[-1]
    variants.append(Variant(BARE2, blueprints_app(big, BARE), env[big], base=at(BARE, big)))
    return variants


RECEIVED: list[int] = [0]
SIGNAL_NO_RECV = "refused, no receiver"
SIGNAL_RECV = "refused, receiver connected"
SIGNAL_ALLOWED = "allowed (same app)"
SIGNAL_OFF = "refused, signal step removed"


def guard_cost() -> float:
    """µs for the check the library makes on a refusal before it builds any signal payload."""
    if BP_ERROR is not None:
        return float("nan")
    import logging
    import timeit

    from flask_cors_bp.signals import origin_rejected as o
    from flask_cors_bp.signals import preflight_rejected as p

    log, debug = logging.getLogger("flask_cors_bp"), logging.DEBUG
    setup = {"o": o, "p": p, "log": log, "D": debug}
    n = 200_000
    best = min(timeit.repeat("o.receivers or p.receivers or log.isEnabledFor(D)",
                             globals=setup, number=n, repeat=5))
    return best / n * 1e6


def _receiver(sender: Any, **extra: Any) -> None:
    RECEIVED[0] += 1


def signals() -> list[Variant]:
    refused = environ("/api/items", Origin=REFUSED)
    allowed = environ("/api/items", Origin=ALLOWED)
    variants = [Variant(BARE, base_app(), refused), Variant(BARE2, base_app(), refused)]
    if BP_ERROR is not None:
        return variants
    app = bp_app(API)

    def connect() -> None:
        origin_rejected.connect(_receiver, sender=app, weak=False)

    def disconnect() -> None:
        # without a sender: disconnecting from one sender leaves the receiver in
        # ``origin_rejected.receivers``, and the other rows would no longer be "no receiver"
        origin_rejected.disconnect(_receiver)

    def received_one() -> list[str]:
        return [] if RECEIVED[0] == 1 else [f"receiver: expected 1 call, got {RECEIVED[0]}"]

    def with_receiver(status: int, headers: Headers) -> list[str]:
        return received_one()

    def reset() -> None:
        RECEIVED[0] = 0
        connect()

    # With no receiver (and no debug logging) the library must not even enter its signal
    # step (``_refused``): swapping it for a function that does nothing must change nothing.
    # What is left is the guard in front of it, timed on its own in ``guard_cost``.
    from flask_cors_bp import extension

    sending = extension._refused

    def remove_signal_code() -> None:
        extension._refused = lambda *args, **kwargs: None

    def restore_signal_code() -> None:
        extension._refused = sending

    return [
        *variants,
        Variant(SIGNAL_ALLOWED, app, allowed, [acao(ALLOWED)]),
        Variant(SIGNAL_NO_RECV, app, refused, [acao(None), has("Vary", "Origin")]),
        Variant(SIGNAL_OFF, app, refused, [acao(None)], remove_signal_code, restore_signal_code),
        # the check runs inside enter/leave, right after one call with the receiver connected
        Variant(SIGNAL_RECV, app, refused, [acao(None), with_receiver], reset, disconnect),
    ]


SCENARIOS = [
    Scenario(
        "no_origin",
        "GET without Origin",
        # Flask-CORS sends the first configured origin when there is no Origin: not checked
        simple(environ("/api/items"), API, [acao(None)], [has("Vary", "Origin")], fc_checks=[]),
    ),
    Scenario(
        "allowed",
        "GET, allowed origin (3 exact origins)",
        simple(
            environ("/api/items", Origin=ALLOWED), API, [acao(ALLOWED)], [has("Vary", "Origin")]
        ),
    ),
    Scenario(
        "preflight",
        "preflight PUT + X-Custom (bare: Flask's automatic OPTIONS)",
        preflight,
    ),
    Scenario(
        "refused",
        "GET, refused origin",
        simple(environ("/api/items", Origin=REFUSED), API, [acao(None)], [has("Vary", "Origin")]),
    ),
    Scenario(
        "pattern",
        "GET, pattern origin (regex in Flask-CORS)",
        simple(
            environ("/api/items", Origin=PATTERN_ORIGIN),
            {r"/api/*": {"origins": [PATTERN_FC]}},
            [acao(PATTERN_ORIGIN)],
            bp_resources={r"/api/*": {"origins": [PATTERN_BP]}},
        ),
    ),
    Scenario(
        "no_policy",
        "GET /other, no policy (resources: /api/*)",
        simple(environ("/other", Origin=ALLOWED), API, [acao(None)]),
    ),
    Scenario("blueprints", "N blueprints, request to the last", blueprints),
    Scenario(
        "blueprints_404",
        "N blueprints, unknown path under the last (404)",
        lambda: blueprints("missing"),
    ),
    Scenario(
        "signals",
        "origin_rejected signal (flask_cors_bp only)",
        signals,
    ),
]


# --------------------------------------------------------------------------- timing


def _start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
    return None


def call(v: Variant) -> tuple[int, Headers]:
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        captured["status"], captured["headers"] = status, headers

    body = v.app(v.environ.copy(), start_response)
    try:
        for _chunk in body:
            pass
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    return int(captured["status"].split()[0]), Headers(captured["headers"])


def check(scenario: Scenario, variants: list[Variant]) -> list[str]:
    problems = []
    for v in variants:
        if v.enter:
            v.enter()
        try:
            status, headers = call(v)
            errors = [msg for c in v.checks for msg in c(status, headers)]
        except Exception as exc:  # report, keep benchmarking the others
            errors = [f"raised {type(exc).__name__}: {exc}"]
        finally:
            if v.leave:
                v.leave()
        problems += [f"{scenario.key} / {v.label}: {msg}" for msg in errors]
    return problems


def time_round(app: WSGIApp, env: Environ, calls: int) -> float:
    """Mean µs per request over ``calls`` back-to-back requests."""
    copy, start_response = env.copy, _start_response
    perf = time.perf_counter_ns
    gc.disable()
    try:
        t0 = perf()
        for _ in range(calls):
            body = app(copy(), start_response)
            for _chunk in body:
                pass
            close = getattr(body, "close", None)
            if close is not None:
                close()
        t1 = perf()
    finally:
        gc.enable()
    return (t1 - t0) / calls / 1000


def calls_per_round(v: Variant, calls: int) -> int:
    """``calls``, or fewer for an app slower than 1 ms per request (a round of ~20 ms)."""
    if v.enter:
        v.enter()
    try:
        time_round(v.app, v.environ, 2)
        us = min(time_round(v.app, v.environ, 2) for _ in range(3))
    finally:
        if v.leave:
            v.leave()
    return calls if us < 1000 else max(1, int(calls * 100 / us))


def measure(
    variants: list[Variant], rounds: int, calls: int, warmup: int
) -> tuple[dict[str, list[float]], dict[str, int]]:
    samples: dict[str, list[float]] = {v.label: [] for v in variants}
    per_round = {v.label: calls_per_round(v, calls) for v in variants}
    n = len(variants)
    for r in range(warmup + rounds):
        for i in range(n):
            v = variants[(r + i) % n]
            if v.enter:
                v.enter()
            us = time_round(v.app, v.environ, per_round[v.label])
            if v.leave:
                v.leave()
            if r >= warmup:
                samples[v.label].append(us)
    return samples, per_round


@dataclass
class Result:
    scenario: Scenario
    median: dict[str, float]
    overhead: dict[str, float]  # median of per-round (variant - bare)
    problems: list[str]
    calls: dict[str, int]  # requests per round, fewer than asked only for very slow apps
    samples: dict[str, list[float]]  # µs per request, one value per round

    def ratio(self, fc_label: str = FC, bp_label: str = BP) -> float | None:
        fc, bp = self.overhead.get(fc_label), self.overhead.get(bp_label)
        if fc is None or bp is None or fc <= 0:
            return None
        return bp / fc

    @property
    def noise(self) -> float:
        return self.overhead[BARE2]


def paired(a: list[float], b: list[float]) -> float:
    return statistics.median(x - y for x, y in zip(a, b))


def run_scenario(s: Scenario, rounds: int, calls: int, warmup: int) -> Result:
    variants = s.build()
    gc.collect()
    gc.freeze()  # keep the apps' objects out of the collections that run between rounds
    problems = check(s, variants)
    samples, per_round = measure(variants, rounds, calls, warmup)
    gc.unfreeze()
    median = {label: statistics.median(xs) for label, xs in samples.items()}
    overhead = {v.label: paired(samples[v.label], samples[v.base]) for v in variants if v.base}
    return Result(s, median, overhead, problems, per_round, samples)


# --------------------------------------------------------------------------- reporting


def fmt_us(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def fmt_cell(r: Result, label: str) -> str:
    if label not in r.median:
        return "—"
    return f"{r.median[label]:.2f} ({r.overhead[label]:+.2f})"


def fmt_ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


def table_rows(results: list[Result]) -> list[list[str]]:
    rows = []
    for r in results:
        if r.scenario.key == "signals":
            for label in (SIGNAL_ALLOWED, SIGNAL_NO_RECV, SIGNAL_RECV):
                rows.append(
                    [
                        f"signals: {label}",
                        fmt_us(r.median[BARE]),
                        f"{r.noise:+.2f}",
                        "—",
                        fmt_cell(r, label),
                        "",
                    ]
                )
            continue
        if r.scenario.key in ("blueprints", "blueprints_404"):
            what = ("404 under the last" if r.scenario.key == "blueprints_404"
                    else "request to the last")
            for n in NS:
                fc, bp = at(FC, n), at(BP, n)
                rows.append(
                    [
                        f"{n} blueprint{'s' if n > 1 else ''}, {what}",
                        fmt_us(r.median[at(BARE, n)]),
                        f"{r.noise:+.2f}",
                        fmt_cell(r, fc),
                        fmt_cell(r, bp),
                        fmt_ratio(r.ratio(fc, bp)),
                    ]
                )
            continue
        rows.append(
            [
                r.scenario.title,
                fmt_us(r.median[BARE]),
                f"{r.noise:+.2f}",
                fmt_cell(r, FC),
                fmt_cell(r, BP),
                fmt_ratio(r.ratio()),
            ]
        )
    return rows


HEADER = [
    "Scenario",
    "bare µs",
    "noise µs",
    "Flask-CORS µs (overhead)",
    "flask_cors_bp µs (overhead)",
    "ratio",
]


def print_table(rows: list[list[str]]) -> None:
    widths = [max(len(row[i]) for row in [HEADER, *rows]) for i in range(len(HEADER))]
    for row in [HEADER, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())


GOAL_NAMES = {"allowed": "allowed GET", "no_origin": "GET without Origin", "preflight": "preflight"}


@dataclass
class Target:
    name: str
    value: str
    ok: bool | None  # None: could not be measured


def targets(results: list[Result]) -> list[Target]:
    by = {r.scenario.key: r for r in results}
    out: list[Target] = []

    def ratio_target(key: str, limit: float) -> None:
        r = by.get(key)
        ratio = r.ratio() if r else None
        out.append(
            Target(
                f"{GOAL_NAMES[key]} overhead ≤ {limit}x Flask-CORS's",
                fmt_ratio(ratio),
                None if ratio is None else ratio <= limit,
            )
        )

    ratio_target("allowed", 0.2)
    ratio_target("no_origin", 0.2)
    ratio_target("preflight", 0.25)

    r = by.get("preflight")
    if r and BP in r.overhead:
        over, noise = r.overhead[BP], abs(r.noise)
        ok = over <= 0 or over <= noise
        out.append(
            Target(
                "preflight no slower than bare Flask's automatic OPTIONS",
                f"{over:+.2f} µs, noise ±{noise:.2f} µs",
                ok,
            )
        )
    else:
        out.append(Target("preflight no slower than bare Flask's automatic OPTIONS", "—", None))

    for key, what in (("blueprints", ""), ("blueprints_404", " (404 under a prefix)")):
        r = by.get(key)
        name = f"N=1000 costs ≤ 2 µs more than N=1{what}"
        if r and at(BP, 1) in r.samples:
            diff = scaling(r, BP)
            out.append(Target(name, f"{diff:+.2f} µs", diff <= 2.0))
        else:
            out.append(Target(name, "—", None))

    r = by.get("signals")
    if r and SIGNAL_NO_RECV in r.median:
        s = r.median  # all three use one app: compare them round by round
        entered = paired(r.samples[SIGNAL_NO_RECV], r.samples[SIGNAL_OFF])
        guard = guard_cost()
        cost = max(entered, 0.0) + guard
        recv = paired(r.samples[SIGNAL_RECV], r.samples[SIGNAL_NO_RECV])
        out.append(
            Target(
                "no-receiver signal cost < 0.5 µs",
                f"{cost:+.2f} µs (guard {guard:.3f} µs, signal step {entered:+.2f} µs); "
                f"a connected receiver adds {recv:+.2f} µs (medians: allowed "
                f"{s[SIGNAL_ALLOWED]:.2f}, refused {s[SIGNAL_NO_RECV]:.2f}, without the signal "
                f"step {s[SIGNAL_OFF]:.2f}, refused with "
                f"receiver {s[SIGNAL_RECV]:.2f})",
                cost < 0.5,
            )
        )
    else:
        out.append(
            Target(
                "no-receiver signal cost < 0.5 µs",
                "—",
                None,
            )
        )
    return out


def scaling(r: Result, label: str) -> float:
    """Median over rounds of (overhead at the largest N) - (overhead at N=1)."""
    s, lo, hi = r.samples, NS[0], NS[-1]
    rows = zip(s[at(label, hi)], s[at(BARE, hi)], s[at(label, lo)], s[at(BARE, lo)])
    return statistics.median((a - b) - (c - d) for a, b, c, d in rows)


def blueprint_scaling(results: list[Result]) -> str:
    out = []
    for r in results:
        if r.scenario.key not in ("blueprints", "blueprints_404"):
            continue
        parts = [f"{label} {scaling(r, label):+.2f} µs"
                 for label in (FC, BP) if at(label, 1) in r.samples]
        kind = "404 " if r.scenario.key == "blueprints_404" else ""
        out.append(f"{kind}N={NS[-1]} minus N={NS[0]} overhead (paired by round): "
                   + ", ".join(parts))
    return "; ".join(out)


def reduced_rounds(results: list[Result], calls: int) -> list[str]:
    return [
        f"{label} in '{r.scenario.title}' ran {n} request(s) per round instead of {calls}"
        for r in results
        for label, n in r.calls.items()
        if n < calls
    ]


def yes_no(ok: bool | None) -> str:
    return {True: "yes", False: "NO", None: "n/a"}[ok]


def summary(results: list[Result], tgts: list[Target]) -> str:
    by = {r.scenario.key: r for r in results}
    ratios = " ".join(
        f"{k}={fmt_ratio(by[k].ratio())}" for k in ("allowed", "no_origin", "preflight") if k in by
    )
    checks = "; ".join(
        f"{t.name}: {yes_no(t.ok)} ({re.split(r'[;,(]', t.value)[0].strip()})" for t in tgts
    )
    return f"summary: ratios {ratios} | {checks}"


def version(dist: str, module: Any = None) -> str:
    value = getattr(module, "__version__", None) if module is not None else None
    if isinstance(value, str):
        return value
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "unknown (not installed)"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> list[tuple[str, str]]:
    return [
        ("Platform", platform.platform()),
        ("CPU", f"{cpu_model()} ({os.cpu_count()} logical CPUs)"),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("Flask", version("flask")),
        ("Werkzeug", version("werkzeug")),
        ("Flask-CORS", version("flask-cors")),
        ("flask_cors_bp", version("flask-cors-bp", flask_cors_bp) if BP_ERROR is None else "—"),
    ]


def rst_table(rows: list[list[str]]) -> list[str]:
    lines = [
        ".. list-table:: Median µs per request; overhead over bare Flask in parentheses",
        "   :header-rows: 1",
        "",
    ]
    for row in [HEADER, *rows]:
        for i, cell in enumerate(row):
            text = cell.replace("*", "\\*") or " "  # table cells are plain text
            lines.append(("   * - " if i == 0 else "     - ") + text)
    return lines


def para(text: str, indent: str = "") -> list[str]:
    """A paragraph (or list item, with ``indent`` for its continuation lines), wrapped."""
    text = text.replace(" µs", "\u00a0µs")  # keep numbers with their unit
    return [*textwrap.wrap(text, 92, subsequent_indent=indent, break_on_hyphens=False), ""]


def write_docs(results: list[Result], tgts: list[Target], args: argparse.Namespace) -> None:
    title = "Benchmarks"
    lines = [title, "=" * len(title), ""]
    lines += para(
        "What CORS handling adds to a request, measured in-process: the same application is "
        "built as bare Flask (no CORS), with Flask-CORS and with flask_cors_bp, and each WSGI "
        "app is called directly with a prepared environ (no server, no test client). The apps "
        f"are called in interleaved rounds of {args.calls} requests, {args.rounds} rounds per "
        "app and scenario. *Overhead* is the median, over rounds, of the difference to bare "
        "Flask in the same round. *Noise* is the same figure for a second, identical bare "
        "app: differences of that size mean nothing. *Ratio* is flask_cors_bp's overhead "
        "divided by Flask-CORS's (lower is better; negative when flask_cors_bp answers faster "
        "than bare Flask)."
    )
    lines += para(
        "The numbers come from one machine that may have been running other work at the same "
        "time: compare the columns of one run with each other, not with other machines or runs."
    )
    lines += ["Results", "-------", "", *rst_table(table_rows(results)), ""]
    lines += ["Scenarios:", ""]
    items = [
        'The app-level policy is ``resources={r"/api/*": {"origins": [...]}}`` with '
        "three exact origins, the same for both libraries; ``/other`` is outside it.",
        "Preflight: ``OPTIONS`` with ``Origin``, ``Access-Control-Request-Method: PUT`` and "
        "``Access-Control-Request-Headers: X-Custom``. The bare column is Flask's own "
        "automatic ``OPTIONS`` response.",
        f"Pattern origin: flask_cors_bp ``{PATTERN_BP}``, Flask-CORS the regular expression "
        f"``{PATTERN_FC}``.",
        "N blueprints: flask_cors_bp has one ``CorsBlueprint`` per blueprint, Flask-CORS one "
        "``resources`` entry per blueprint prefix, each with its own origin. The request goes "
        "to the last blueprint.",
        "Signals: a refused origin, with and without a receiver connected to "
        "``origin_rejected``, next to an allowed request to the same app.",
    ]
    for item in items:
        lines += para("- " + item, "  ")[:-1]
    lines.append("")
    scaling = blueprint_scaling(results)
    if scaling:
        lines += para(scaling + ".")
    notes = reduced_rounds(results, args.calls)
    if notes:
        lines += para(
            "Flask-CORS tries its ``resources`` patterns one by one with ``re.match``; with more "
            "patterns than Python's regular expression cache holds (512), every request "
            "compiles them again. Apps that slow run fewer requests per round: "
            + "; ".join(notes)
            + "."
        )
    lines += ["Goals", "-----", ""]
    for t in tgts:
        lines += para(f"- {t.name}: **{yes_no(t.ok)}**, {t.value}", "  ")[:-1]
    lines += ["", "Machine", "-------", ""]
    lines += [f"- {name}: {value}" for name, value in machine()]
    lines += [
        f"- Date: {datetime.date.today().isoformat()}",
        "",
        "Regenerate this page from the repository root with::",
        "",
        f"    {COMMAND}",
        "",
    ]
    DOCS.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {DOCS.relative_to(ROOT)}")


# --------------------------------------------------------------------------- profiling


def profile(key: str, calls: int) -> None:
    if BP_ERROR is not None:
        sys.exit(f"flask_cors_bp is not importable: {BP_ERROR}")
    scenario = next((s for s in SCENARIOS if s.key == key), None)
    if scenario is None:
        sys.exit(f"unknown scenario {key!r}; one of: {', '.join(s.key for s in SCENARIOS)}")
    variants = [v for v in scenario.build() if v.label not in (BARE, BARE2, FC)]
    for v in variants:
        time_round(v.app, v.environ, 200)  # warm caches before profiling
        prof = cProfile.Profile()
        if v.enter:
            v.enter()
        prof.enable()
        time_round(v.app, v.environ, calls)
        prof.disable()
        if v.leave:
            v.leave()
        out = io.StringIO()
        stats = pstats.Stats(prof, stream=out).sort_stats("cumulative")
        print(f"== {key} / {v.label}: {calls} calls, flask_cors_bp functions by cumulative time")
        stats.print_stats(r"flask_cors_bp", 15)
        print(out.getvalue())
        out.truncate(0)
        out.seek(0)
        print(f"== {key} / {v.label}: all functions by cumulative time")
        stats.print_stats(25)
        print(out.getvalue())


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="few rounds: a smoke test")
    p.add_argument("--rounds", type=int, help="timed rounds per app and scenario (default 200)")
    p.add_argument("--calls", type=int, default=200, help="requests per round (default 200)")
    p.add_argument("--only", nargs="+", metavar="KEY", help="run only these scenarios")
    p.add_argument("--write-docs", action="store_true", help="write docs/benchmarks.rst")
    p.add_argument("--profile", metavar="KEY", help="cProfile flask_cors_bp on one scenario")
    args = p.parse_args(argv)
    if args.rounds is None:
        args.rounds = 20 if args.quick else 200
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.profile:
        profile(args.profile, 100 * args.calls)
        return 0
    if BP_ERROR is not None:
        print(f"flask_cors_bp skipped: cannot import it ({BP_ERROR})")
        if args.write_docs:
            print("not writing docs without flask_cors_bp")
            return 1
    scenarios = SCENARIOS
    if args.only:
        scenarios = [s for s in SCENARIOS if s.key in args.only]
        unknown = set(args.only) - {s.key for s in scenarios}
        if unknown:
            sys.exit(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    warmup = 2 if args.quick else 5
    print(f"{args.rounds} rounds x {args.calls} calls per app; interleaved; medians in µs")
    print("other work on this machine makes these numbers noisy: compare columns, not runs")
    start = time.perf_counter()
    results, problems = [], []
    for s in scenarios:
        t0 = time.perf_counter()
        r = run_scenario(s, args.rounds, args.calls, warmup)
        results.append(r)
        problems += r.problems
        cells = ", ".join(f"{k} {v:.2f}" for k, v in r.median.items())
        print(f"  {s.key:<10} {time.perf_counter() - t0:5.1f}s  {cells}")
    rows = table_rows(results)
    print()
    print_table(rows)
    print()
    scaling = blueprint_scaling(results)
    if scaling:
        print(scaling)
    for note in reduced_rounds(results, args.calls):
        print(note)
    tgts = targets(results)
    for t in tgts:
        print(f"  [{yes_no(t.ok):>3}] {t.name}: {t.value}")
    if problems:
        print(f"\n{len(problems)} response check(s) failed (timings of these rows are suspect):")
        for msg in problems:
            print(f"  {msg}")
    print(f"\ntotal {time.perf_counter() - start:.0f}s")
    if args.write_docs:
        write_docs(results, tgts, args)
    print(summary(results, tgts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
