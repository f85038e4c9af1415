"""The results as text: the table, and the notes under it."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence

from bench.libs import BARE, BP, FC, LIBS, bp_labels, cors_labels
from bench.scenarios import BLUEPRINT_ROWS, NS, RO_NO_RECV, RO_NONE, RO_RECV, SPECIAL_ROWS, at
from bench.timing import Result

# --------------------------------------------------------------------------- the table


def fmt_us(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def fmt_cell(r: Result, label: str) -> str:
    if label not in r.median:
        return "—"
    return f"{r.median[label]:.2f} ({r.overhead[label]:+.2f})"


def fmt_ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


def fmt_calls(r: Result, labels: Iterable[str | None], which: int) -> str:
    """Calls over bare for several columns, ``/``-separated (``which``: 0 Python, 1 C)."""
    cells = []
    for label in labels:
        over = r.calls_over(label) if label is not None else None
        cells.append("—" if over is None else f"{over[which]:+d}")
    return " / ".join(cells)


def calls_legend() -> str:
    return " / ".join(cors_labels())


def header() -> list[str]:
    cells = ["Scenario", "bare µs", "noise µs", f"{FC} µs (overhead)"]
    for lib in LIBS:
        cells += [f"{lib.label} µs (overhead)", "ratio" if lib.label == BP else "ratio (before)"]
    return [*cells, "calls over bare", "C calls over bare"]


def row(r: Result, title: str, bare: str, fc: str | None, bps: Sequence[str | None]
        ) -> list[str]:
    """A table row: ``fc`` and ``bps`` are the variant labels of each column (None: empty)."""
    cells = [title, fmt_us(r.median[bare]), f"{r.noise:+.2f}", fmt_cell(r, fc) if fc else "—"]
    for label in bps:
        if label is None:
            cells += ["—", ""]
        else:
            cells += [fmt_cell(r, label), fmt_ratio(r.ratio(fc, label)) if fc else ""]
    labels = [fc, *bps]
    return [*cells, fmt_calls(r, labels, 0), fmt_calls(r, labels, 1)]


def table_rows(results: list[Result]) -> list[list[str]]:
    rows = []
    bps: list[str | None]
    for r in results:
        key = r.scenario.key
        if key in SPECIAL_ROWS:
            prefix, labels = SPECIAL_ROWS[key]
            for label in labels:
                bps = [label if lib.label == BP else None for lib in LIBS]
                rows.append(row(r, f"{prefix}: {label}", BARE, None, bps))
            continue
        if key in BLUEPRINT_ROWS:
            for n in NS:
                title = f"{n} blueprint{'s' if n > 1 else ''}, {BLUEPRINT_ROWS[key]}"
                bps = [at(label, n) for label in bp_labels()]
                rows.append(row(r, title, at(BARE, n), at(FC, n), bps))
            continue
        rows.append(row(r, r.scenario.title, BARE, FC, bp_labels()))
    return rows


def print_table(rows: list[list[str]]) -> None:
    head = header()
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]
    for cells in [head, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(cells, widths)).rstrip())
    print(f"calls over bare: {calls_legend()}")


# --------------------------------------------------------------------------- figures


def calls_text(r: Result, labels: Iterable[str]) -> str:
    parts = []
    for label in labels:
        over = r.calls_over(label)
        if over is not None:
            parts.append(f"{label.split(' N=')[0]} {over[0]:+d}")
    return ", ".join(parts)


def scaling(r: Result, label: str) -> float:
    """Median over rounds of (overhead at the largest N) - (overhead at N=1)."""
    s, lo, hi = r.samples, NS[0], NS[-1]
    rows = zip(s[at(label, hi)], s[at(BARE, hi)], s[at(label, lo)], s[at(BARE, lo)])
    return statistics.median((a - b) - (c - d) for a, b, c, d in rows)


def call_scaling(r: Result, label: str) -> int:
    """(Calls over bare at the largest N) - (calls over bare at N=1)."""
    hi, lo = r.calls_over(at(label, NS[-1])), r.calls_over(at(label, NS[0]))
    assert hi is not None and lo is not None
    return hi[0] - lo[0]


# --------------------------------------------------------------------------- notes


def blueprint_scaling(results: list[Result]) -> str:
    out = []
    for r in results:
        if r.scenario.key not in BLUEPRINT_ROWS:
            continue
        parts = [f"{label} {scaling(r, label):+.2f} µs ({call_scaling(r, label):+d} calls)"
                 for label in cors_labels() if at(label, 1) in r.samples]
        kind = "404 " if r.scenario.key == "blueprints_404" else ""
        out.append(f"{kind}N={NS[-1]} minus N={NS[0]} overhead (paired by round): "
                   + ", ".join(parts))
    return "; ".join(out)


def report_only_summary(results: list[Result]) -> str:
    r = next((r for r in results if r.scenario.key == "report_only"), None)
    if r is None:
        return ""
    return (
        f"Report-only: a candidate that refuses the allowed origin adds "
        f"{r.paired(RO_NO_RECV, RO_NONE):+.2f} µs and "
        f"{r.calls_between(RO_NO_RECV, RO_NONE):+d} calls to the same request on an app "
        f"without a candidate (paired by round); a connected receiver adds "
        f"{r.paired(RO_RECV, RO_NO_RECV):+.2f} µs "
        f"and {r.calls_between(RO_RECV, RO_NO_RECV):+d} calls"
    )


def notes(results: list[Result]) -> list[str]:
    """What the table does not show: blueprint scaling, the report-only cost (if measured)."""
    return [note for note in (blueprint_scaling(results), report_only_summary(results)) if note]


def reduced_rounds(results: list[Result], calls: int) -> list[str]:
    return [
        f"{label} in '{r.scenario.title}' ran {n} request(s) per round instead of {calls}"
        for r in results
        for label, n in r.calls.items()
        if n < calls
    ]


def unstable_counts(results: list[Result]) -> list[str]:
    return [f"{r.scenario.key} / {label}" for r in results for label in r.unstable]
