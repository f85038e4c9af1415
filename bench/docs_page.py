"""docs/benchmarks.rst: the results, the method, the goals and the machine, as a docs page."""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import textwrap
from pathlib import Path

from bench.apps import hook_style
from bench.libs import BEFORE, BEFORE_MODULE, BP_ERROR, LIBS, ROOT, before, version
from bench.report import (
    calls_legend,
    header,
    notes,
    reduced_rounds,
    table_rows,
    unstable_counts,
)
from bench.scenarios import PATTERN_BP, PATTERN_FC
from bench.targets import Target, yes_no
from bench.timing import Result
from bench.variants import Scenario

DOCS = ROOT / "docs" / "benchmarks.rst"
COMMAND = "python bench/run.py --write-docs"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> list[tuple[str, str]]:
    out = [
        ("Platform", platform.platform()),
        ("CPU", f"{cpu_model()} ({os.cpu_count()} logical CPUs)"),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("Flask", version("flask")),
        ("Werkzeug", version("werkzeug")),
        ("Flask-CORS", version("flask-cors")),
        ("flask_cors_bp",
         version("flask-cors-bp", LIBS[0].module) if BP_ERROR is None else "—"),
    ]
    for lib in LIBS:
        if lib.commit:
            value = version("flask-cors-bp", lib.module)
            out.append((lib.label, f"{value}, commit {lib.commit} of {lib.date}"))
    return out


def rst_table(rows: list[list[str]]) -> list[str]:
    lines = [
        ".. list-table:: Median µs per request; overhead over bare Flask in parentheses; "
        f"calls over bare Flask for {calls_legend()}",
        "   :header-rows: 1",
        "",
    ]
    for cells in [header(), *rows]:
        for i, cell in enumerate(cells):
            text = cell.replace("*", "\\*") or " "  # table cells are plain text
            lines.append(("   * - " if i == 0 else "     - ") + text)
    return lines


def para(text: str, indent: str = "") -> list[str]:
    """A paragraph (or list item, with ``indent`` for its continuation lines), wrapped."""
    text = text.replace(" µs", "\u00a0µs")  # keep numbers with their unit
    return [*textwrap.wrap(text, 92, subsequent_indent=indent, break_on_hyphens=False), ""]


def items(texts: list[str]) -> list[str]:
    """A bullet list, then a blank line."""
    lines = []
    for text in texts:
        lines += para("- " + text, "  ")[:-1]
    return [*lines, ""]


SCENARIO_NOTES = [
    'The app-level policy is ``resources={r"/api/*": {"origins": [...]}}`` with '
    "three exact origins, the same for every library; ``/other`` is outside it.",
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
    "Report-only: ``CORS(app, origins=[A, B, C], report_only={\"origins\": [A, C]})`` and "
    "a ``GET`` from B, which the enforced policy allows and the candidate would refuse, "
    "with and without a receiver connected to ``report_only_rejected``, next to the same "
    "request to ``CORS(app, origins=[A, B, C])``.",
]


def method(args: argparse.Namespace) -> list[str]:
    """The paragraphs above the table: how the figures are made and how to read them."""
    lines = para(
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
        "*Calls over bare* counts Python function calls (including generator resumptions) of "
        "one request, made after a few warm-up requests, minus those of the bare app of the "
        "same scenario; *C calls over bare* does the same for calls into C functions. Both "
        "come from a ``sys.setprofile`` hook, are exact and do not depend on the load of the "
        "machine: they show where time goes when the timings are too noisy to tell."
    )
    old = before()
    if old is not None:
        lines += para(
            f"*{BEFORE}* is the package as of commit ``{old.commit}`` ({old.date}), "
            f"exported from the repository and imported under another name "
            f"(``{BEFORE_MODULE}``); its apps are built with its own ``CORS`` and "
            "``CorsBlueprint`` and measured in the same interleaved rounds as the others, so "
            f"before and after come from one run. On the request path it {hook_style(old)}; "
            f"the current package {hook_style(LIBS[0])}. *Ratio (before)* is its overhead "
            "divided by Flask-CORS's."
        )
    lines += para(
        "The numbers come from one machine that may have been running other work at the same "
        "time: compare the columns of one run with each other, not with other machines or runs."
    )
    return lines


def write_docs(
    results: list[Result], tgts: list[Target], skipped: list[tuple[Scenario, str]],
    args: argparse.Namespace,
) -> None:
    title = "Benchmarks"
    lines = [title, "=" * len(title), "", *method(args)]
    lines += ["Results", "-------", "", *rst_table(table_rows(results)), ""]
    lines += ["Scenarios:", "", *items(SCENARIO_NOTES)]
    for scenario, why in skipped:
        lines += para(f"Not measured: {scenario.title}: {why}.")
    for note in notes(results):
        lines += para(note + ".")
    reduced = reduced_rounds(results, args.calls)
    if reduced:
        lines += para(
            "Flask-CORS tries its ``resources`` patterns one by one with ``re.match``; with more "
            "patterns than Python's regular expression cache holds (512), every request "
            "compiles them again. Apps that slow run fewer requests per round: "
            + "; ".join(reduced)
            + "."
        )
    unstable = unstable_counts(results)
    if unstable:
        lines += para(
            "Call counts that differed between two requests in a row (the lower is shown): "
            + ", ".join(unstable) + "."
        )
    lines += ["Goals", "-----", ""]
    lines += items([f"{t.name}: **{yes_no(t.ok)}**, {t.value}" for t in tgts])
    lines += para(
        "Preflights and the ``before_request`` hook: the library answers a preflight ahead "
        "of the app's hooks only while something could see it (a hook of the app's or a "
        "blueprint's, or a view that answers ``OPTIONS`` itself). An app with none leaves "
        "it to Flask's own ``OPTIONS`` answer and saves the hook on every other request; its "
        "preflight then costs Flask's answer plus the CORS decision, which is why the "
        "preflight scenario is slower than bare Flask's automatic ``OPTIONS`` while the same "
        "preflight to an app with a hook is faster. Browsers cache preflights (``max_age``)"
        ", so the request that is not a preflight is the one that counts."
    )
    lines += ["Machine", "-------", ""]
    lines += [f"- {name}: {value}" for name, value in machine()]
    command = COMMAND if before() is None else f"{COMMAND} --before {args.before}"
    lines += [
        f"- Date: {datetime.date.today().isoformat()}",
        "",
        "Regenerate this page from the repository root with::",
        "",
        f"    {command}",
        "",
    ]
    DOCS.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {DOCS.relative_to(ROOT)}")
