"""Measuring a scenario: interleaved timed rounds, medians, and exact call counts."""

from __future__ import annotations

import gc
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import Any

from bench.apps import Environ, WSGIApp
from bench.libs import BARE2, BP, FC
from bench.variants import Scenario, Variant, check, ignore_start, request

# --------------------------------------------------------------------------- rounds


def time_round(app: WSGIApp, env: Environ, calls: int) -> float:
    """Mean µs per request over ``calls`` back-to-back requests."""
    # ``request`` written out: a function call per request would be part of every figure
    copy, start_response = env.copy, ignore_start
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
    with v.entered():
        time_round(v.app, v.environ, 2)
        us = min(time_round(v.app, v.environ, 2) for _ in range(3))
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
            with v.entered():
                us = time_round(v.app, v.environ, per_round[v.label])
            if r >= warmup:
                samples[v.label].append(us)
    return samples, per_round


def paired(a: list[float], b: list[float]) -> float:
    """Median over rounds of ``a - b``, round by round."""
    return statistics.median(x - y for x, y in zip(a, b))


# --------------------------------------------------------------------------- call counts

#: Python calls (``call`` events, generator resumptions included) and C calls (``c_call``).
Calls = tuple[int, int]
ProfileHook = Callable[[FrameType, str, Any], None]


def profiled_request(v: Variant, hook: ProfileHook, warm: int = 3) -> None:
    """One request to ``v`` under ``hook`` (a ``sys.setprofile`` function), after ``warm``
    requests without it. The environ is copied before the hook is set."""
    with v.entered():
        gc.disable()  # a collection would run finalizers inside the counted request
        try:
            for _ in range(warm):
                request(v.app, v.environ.copy())
            env = v.environ.copy()
            sys.setprofile(hook)
            try:
                request(v.app, env)
            finally:
                sys.setprofile(None)
        finally:
            gc.enable()


def count_calls(v: Variant) -> tuple[Calls, bool]:
    """Calls of one warmed request, and whether two requests in a row agreed."""
    seen: list[Calls] = []
    for _ in range(2):
        counts = [0, 0]

        def hook(frame: FrameType, event: str, arg: Any, counts: list[int] = counts) -> None:
            if event == "call":
                counts[0] += 1
            elif event == "c_call":
                counts[1] += 1

        profiled_request(v, hook)
        seen.append((counts[0], counts[1]))
    return min(seen), seen[0] == seen[1]


def call_histogram(v: Variant) -> Counter[str]:
    """Python functions (``module:qualname``) and C functions (``C qualname``) of one request."""
    seen: Counter[str] = Counter()

    def hook(frame: FrameType, event: str, arg: Any) -> None:
        if event == "call":
            code = frame.f_code
            name = getattr(code, "co_qualname", code.co_name)
            seen[f"{frame.f_globals.get('__name__', '?')}:{name}"] += 1
        elif event == "c_call":
            seen[f"C {getattr(arg, '__qualname__', repr(arg))}"] += 1

    profiled_request(v, hook)
    return seen


# --------------------------------------------------------------------------- results


@dataclass
class Result:
    scenario: Scenario
    median: dict[str, float]
    overhead: dict[str, float]  # median of per-round (variant - bare)
    problems: list[str]
    calls: dict[str, int]  # requests per round, fewer than asked only for very slow apps
    samples: dict[str, list[float]]  # µs per request, one value per round
    counts: dict[str, Calls]  # calls of one warmed request
    bases: dict[str, str]  # the bare app each variant is compared with
    unstable: list[str]  # variants whose call count differed between two requests

    def ratio(self, fc_label: str = FC, bp_label: str = BP) -> float | None:
        fc, bp = self.overhead.get(fc_label), self.overhead.get(bp_label)
        if fc is None or bp is None or fc <= 0:
            return None
        return bp / fc

    def calls_over(self, label: str) -> Calls | None:
        """Calls over the bare app of the same scenario (None: no such variant)."""
        if label not in self.bases:
            return None
        (py, c), (bare_py, bare_c) = self.counts[label], self.counts[self.bases[label]]
        return py - bare_py, c - bare_c

    def calls_between(self, a: str, b: str) -> int:
        """Python calls of variant ``a`` minus those of variant ``b``."""
        return self.counts[a][0] - self.counts[b][0]

    def paired(self, a: str, b: str) -> float:
        """Median over rounds of variant ``a`` minus variant ``b``, round by round."""
        return paired(self.samples[a], self.samples[b])

    @property
    def noise(self) -> float:
        return self.overhead[BARE2]


def run_scenario(s: Scenario, rounds: int, calls: int, warmup: int) -> Result:
    variants = s.build()
    gc.collect()
    gc.freeze()  # keep the apps' objects out of the collections that run between rounds
    problems = check(s, variants)
    counted = {v.label: count_calls(v) for v in variants}
    samples, per_round = measure(variants, rounds, calls, warmup)
    gc.unfreeze()
    median = {label: statistics.median(xs) for label, xs in samples.items()}
    overhead = {v.label: paired(samples[v.label], samples[v.base]) for v in variants if v.base}
    return Result(
        s, median, overhead, problems, per_round, samples,
        counts={label: counts for label, (counts, _) in counted.items()},
        bases={v.label: v.base for v in variants if v.base},
        unstable=[label for label, (_, stable) in counted.items() if not stable],
    )
