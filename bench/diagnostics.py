"""Where the time of one scenario goes: ``--profile`` (cProfile) and ``--call-diff``."""

from __future__ import annotations

import cProfile
import io
import pstats
import sys

from bench.libs import BARE, BARE2, BP_ERROR, FC, Unavailable
from bench.scenarios import find
from bench.timing import call_histogram, time_round
from bench.variants import Variant


def build_or_exit(key: str) -> list[Variant]:
    scenario = find(key)
    try:
        return scenario.build()
    except Unavailable as exc:
        sys.exit(f"{scenario.key} cannot be measured here: {exc}")


def print_stats(prof: cProfile.Profile, title: str, *restrictions: str | int) -> None:
    """``title``, then the functions of ``prof`` by cumulative time, limited by
    ``restrictions`` as in ``pstats.Stats.print_stats``."""
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(*restrictions)
    print(title)
    print(out.getvalue())


def profile(key: str, calls: int) -> None:
    if BP_ERROR is not None:
        sys.exit(f"flask_cors_bp is not importable: {BP_ERROR}")
    variants = [v for v in build_or_exit(key)
                if v.label not in (BARE, BARE2, FC) and not v.label.startswith(f"{FC} ")
                and not v.label.startswith(f"{BARE} ")]
    for v in variants:
        time_round(v.app, v.environ, 200)  # warm caches before profiling
        prof = cProfile.Profile()
        with v.entered():
            prof.enable()
            time_round(v.app, v.environ, calls)
            prof.disable()
        print_stats(prof, f"== {key} / {v.label}: {calls} calls, flask_cors_bp functions by "
                    "cumulative time", r"flask_cors_bp", 15)
        print_stats(prof, f"== {key} / {v.label}: all functions by cumulative time", 25)


def call_diff(key: str) -> None:
    """Per function, the calls of one request of each variant minus those of its bare app."""
    variants = build_or_exit(key)
    histograms = {v.label: call_histogram(v) for v in variants}
    for v in variants:
        if v.base is None:
            continue
        own, bare = histograms[v.label], histograms[v.base]
        diff = {name: own[name] - bare[name] for name in own.keys() | bare.keys()
                if own[name] != bare[name]}
        py = sum(n for name, n in diff.items() if not name.startswith("C "))
        c = sum(n for name, n in diff.items() if name.startswith("C "))
        print(f"== {key} / {v.label} minus {v.base}: {py:+d} Python calls, {c:+d} C calls")
        for name, n in sorted(diff.items(), key=lambda item: (-abs(item[1]), item[0])):
            print(f"  {n:+5d}  {name}")
        print()
