"""Per-request cost of CORS handling: bare Flask vs Flask-CORS vs flask_cors_bp.

Each scenario builds the same application several ways (bare Flask, a second identical bare
app as a noise estimate, Flask-CORS, flask_cors_bp and, with ``--before REF``, flask_cors_bp
as of an earlier commit) and calls the WSGI apps in-process in interleaved rounds (A, B, C,
D, B, C, D, A, ...). A round is ``--calls`` requests to one app; the per-request time of a
round is its total divided by the number of calls. Reported values are medians over rounds;
overheads are medians of the per-round differences to bare Flask in the same round, which
cancels most of the drift of a busy machine.

Next to the times, the Python function calls of one warmed request are counted exactly
(``call`` events of a ``sys.setprofile`` hook; ``c_call`` events separately) and reported
over those of bare Flask: a figure that does not depend on what else the machine is doing.

``--before REF`` exports the ``flask_cors_bp`` package of a git commit into a temporary
directory, imports it as ``flask_cors_bp_before`` (its apps are built with its own ``CORS``
and ``CorsBlueprint``) and measures it as one more column in the same rounds, so that
before/after figures come from one run.

Run from the repository root::

    python bench/run.py                  # full run, about 3-4 minutes on 2 cores
    python bench/run.py --quick          # smoke test, about 30 seconds
    python bench/run.py --write-docs     # full run, then regenerate docs/benchmarks.rst
    python bench/run.py --before REF     # one more column: flask_cors_bp as of commit REF
    python bench/run.py --profile preflight   # cProfile flask_cors_bp on one scenario
    python bench/run.py --call-diff allowed   # the functions behind the calls over bare

Not part of the test suite. Needs only the standard library, Flask, Flask-CORS,
flask_cors_bp and (for ``--before``) git; without an importable flask_cors_bp the other
columns are still measured.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.diagnostics import call_diff, profile  # noqa: E402
from bench.docs_page import write_docs  # noqa: E402
from bench.libs import BEFORE, BP_ERROR, LIBS, Unavailable, load_before  # noqa: E402
from bench.report import (  # noqa: E402
    notes,
    print_table,
    reduced_rounds,
    table_rows,
    unstable_counts,
)
from bench.scenarios import select  # noqa: E402
from bench.targets import summary, targets, yes_no  # noqa: E402
from bench.timing import Result, run_scenario  # noqa: E402
from bench.variants import Scenario  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="few rounds: a smoke test")
    p.add_argument("--rounds", type=int, help="timed rounds per app and scenario (default 200)")
    p.add_argument("--calls", type=int, default=200, help="requests per round (default 200)")
    p.add_argument("--only", nargs="+", metavar="KEY", help="run only these scenarios")
    p.add_argument("--write-docs", action="store_true", help="write docs/benchmarks.rst")
    p.add_argument("--before", metavar="REF",
                   help="also measure flask_cors_bp as of this git commit, in the same rounds")
    p.add_argument("--profile", metavar="KEY", help="cProfile flask_cors_bp on one scenario")
    p.add_argument("--call-diff", metavar="KEY",
                   help="per function, the calls over bare of one request, on one scenario")
    args = p.parse_args(argv)
    if args.rounds is None:
        args.rounds = 20 if args.quick else 200
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.before:
        try:
            LIBS.append(load_before(args.before))
        except Unavailable as exc:
            print(f"{BEFORE} skipped: {exc}")
    if args.profile:
        profile(args.profile, 100 * args.calls)
        return 0
    if args.call_diff:
        call_diff(args.call_diff)
        return 0
    if BP_ERROR is not None:
        print(f"flask_cors_bp skipped: cannot import it ({BP_ERROR})")
        if args.write_docs:
            print("not writing docs without flask_cors_bp")
            return 1
    scenarios = select(args.only)
    warmup = 2 if args.quick else 5
    print(f"{args.rounds} rounds x {args.calls} calls per app; interleaved; medians in µs")
    print("other work on this machine makes these numbers noisy: compare columns, not runs")
    start = time.perf_counter()
    results: list[Result] = []
    problems: list[str] = []
    skipped: list[tuple[Scenario, str]] = []
    for s in scenarios:
        t0 = time.perf_counter()
        try:
            r = run_scenario(s, args.rounds, args.calls, warmup)
        except Unavailable as exc:
            skipped.append((s, str(exc)))
            print(f"  {s.key:<10} skipped: {exc}")
            continue
        results.append(r)
        problems += r.problems
        cells = ", ".join(f"{k} {v:.2f}" for k, v in r.median.items())
        print(f"  {s.key:<10} {time.perf_counter() - t0:5.1f}s  {cells}")
    print()
    print_table(table_rows(results))
    print()
    for note in notes(results):
        print(note)
    for s, why in skipped:
        print(f"{s.key} not measured: {why}")
    for note in reduced_rounds(results, args.calls):
        print(note)
    unstable = unstable_counts(results)
    if unstable:
        print("call counts differed between two requests in a row: " + ", ".join(unstable))
    tgts = targets(results)
    for t in tgts:
        print(f"  [{yes_no(t.ok):>3}] {t.name}: {t.value}")
    if problems:
        print(f"\n{len(problems)} response check(s) failed (timings of these rows are suspect):")
        for msg in problems:
            print(f"  {msg}")
    print(f"\ntotal {time.perf_counter() - start:.0f}s")
    if args.write_docs:
        write_docs(results, tgts, skipped, args)
    print(summary(results, tgts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
