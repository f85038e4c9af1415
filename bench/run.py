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
import atexit
import cProfile
import datetime
import gc
import importlib.metadata
import importlib.util
import io
import os
import platform
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, ModuleType
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
    from flask_cors_bp import CorsConfigError
    from flask_cors_bp.signals import origin_rejected
except Exception as exc:  # any import failure: measure the other columns only
    BP_ERROR = f"{type(exc).__name__}: {exc}"

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Environ = dict[str, Any]

ORIGINS = ["https://a.example.org", "https://b.example.org", "https://c.example.org"]
ALLOWED = ORIGINS[1]
CANDIDATE = [ORIGINS[0], ORIGINS[2]]  # a report-only candidate that would refuse ALLOWED
REFUSED = "https://evil.example.net"
PATTERN_BP = "https://*.example.com"
PATTERN_FC = r"https://.*\.example\.com"
PATTERN_ORIGIN = "https://app.example.com"
API = {r"/api/*": {"origins": ORIGINS}}

BARE, BARE2, FC, BP = "bare", "bare (copy)", "Flask-CORS", "flask_cors_bp"
BEFORE = "flask_cors_bp (before)"
BEFORE_MODULE = "flask_cors_bp_before"
DOCS = ROOT / "docs" / "benchmarks.rst"
COMMAND = "python bench/run.py --write-docs"


# --------------------------------------------------------------------------- libraries


@dataclass
class Lib:
    """A flask_cors_bp to measure: the importable package, or one exported from a commit."""

    label: str
    module: ModuleType
    commit: str = ""  # abbreviated commit it was exported from ("": the importable package)
    date: str = ""  # that commit's date

    def cors(self, app: Flask, **options: Any) -> Any:
        return self.module.CORS(app, **options)

    def blueprint(self, name: str, **options: Any) -> Blueprint:
        return self.module.CorsBlueprint(name, __name__, **options)  # type: ignore[no-any-return]


#: The flask_cors_bp columns, in table order: the importable package, then ``--before``.
LIBS: list[Lib] = [] if BP_ERROR is not None else [Lib(BP, flask_cors_bp)]


class Unavailable(Exception):
    """A column or scenario that cannot be measured here; the message says why."""


def numeric_version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:2])


def git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, check=True)
    return done.stdout.decode()


def load_before(ref: str) -> Lib:
    """flask_cors_bp as of commit ``ref``, imported as ``flask_cors_bp_before``."""
    flask = version("flask")
    if numeric_version(flask) >= (3, 2):
        raise Unavailable(
            f"Flask {flask} is installed: flask_cors_bp before the move to Flask's public "
            "request hooks replaces app.process_response, which only works on Flask 3.1 and "
            "earlier"
        )
    try:
        commit = git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip()
        date = git("show", "-s", "--format=%cs", commit).strip()
        archive = subprocess.run(
            ["git", "archive", "--format=tar", commit, "flask_cors_bp"],
            cwd=ROOT, capture_output=True, check=True,
        ).stdout
    except FileNotFoundError as exc:
        raise Unavailable("git is not installed") from exc
    except subprocess.CalledProcessError as exc:
        why = exc.stderr.decode().strip() or "unknown revision"
        raise Unavailable(f"git cannot export flask_cors_bp at {ref!r}: {why}") from exc
    tmp = Path(tempfile.mkdtemp(prefix=f"{BEFORE_MODULE}-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)  # after the last request
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(tmp, filter="data")
        else:  # pragma: no cover - Pythons without extraction filters
            tar.extractall(tmp)
    package = tmp / "flask_cors_bp"
    spec = importlib.util.spec_from_file_location(
        BEFORE_MODULE, package / "__init__.py", submodule_search_locations=[str(package)]
    )
    if spec is None or spec.loader is None:
        raise Unavailable(f"no flask_cors_bp package at {ref!r}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[BEFORE_MODULE] = module  # its relative imports resolve under this name
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        for name in [n for n in sys.modules if n.split(".")[0] == BEFORE_MODULE]:
            del sys.modules[name]
        raise Unavailable(
            f"cannot import flask_cors_bp at {ref!r}: {type(exc).__name__}: {exc}"
        ) from exc
    return Lib(BEFORE, module, commit[:7], date)


def hook_style(lib: Lib) -> str:
    """How a flask_cors_bp gets onto the request path of an app (seen on a built app)."""
    app = base_app()
    lib.cors(app, resources=API)
    patched = [name for name in ("preprocess_request", "process_response") if name in vars(app)]
    if patched:
        return "wraps the app's " + " and ".join(f"``{name}``" for name in patched)
    if "wsgi_app" in vars(app):
        return ("wraps ``app.wsgi_app`` in a WSGI middleware (and puts a ``before_request`` "
                "function first in line while the app has hooks of its own)")
    return "adds functions to the app's ``before_request`` and ``after_request`` hook lists"


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


def bp_app(resources: dict[str, dict[str, Any]], lib: Lib) -> Flask:
    app = base_app()
    lib.cors(app, resources=resources)
    return app


def blueprints_app(n: int, kind: str, lib: Lib | None = None) -> Flask:
    """``n`` blueprints at /bp0 ... /bp{n-1}, each with its own allowed origin.

    ``kind`` is BARE, FC or a flask_cors_bp column, whose ``CorsBlueprint`` is ``lib``'s.
    """
    app = Flask(__name__)
    resources: dict[str, dict[str, Any]] = {}
    for i in range(n):
        prefix, origins = f"/bp{i}", [f"https://app{i}.example.com"]
        bp: Blueprint
        if lib is not None:
            bp = lib.blueprint(f"bp{i}", url_prefix=prefix, origins=origins)
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
    build: Callable[[], list[Variant]]  # raises Unavailable when it cannot be measured here


def columns(
    env: Environ,
    fc: Callable[[], Flask],
    bp: Callable[[Lib], Flask],
    bare: Callable[[], Flask] = base_app,
    fc_checks: list[Check] | None = None,
    bp_checks: list[Check] | None = None,
    bare_checks: list[Check] | None = None,
) -> list[Variant]:
    """One request to bare Flask (twice), Flask-CORS and every flask_cors_bp column."""
    variants = [
        Variant(BARE, bare(), env, bare_checks or [], base=None),
        Variant(BARE2, bare(), env, bare_checks or []),
        Variant(FC, fc(), env, fc_checks or []),
    ]
    variants += [Variant(lib.label, bp(lib), env, bp_checks or []) for lib in LIBS]
    return variants


def simple(
    env: Environ,
    resources: dict[str, dict[str, Any]],
    checks: list[Check],
    bp_extra: list[Check] | None = None,
    bp_resources: dict[str, dict[str, Any]] | None = None,
    fc_checks: list[Check] | None = None,
) -> Callable[[], list[Variant]]:
    return lambda: columns(
        env,
        lambda: fc_app(resources),
        lambda lib: bp_app(bp_resources or resources, lib),
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
    return columns(
        env,
        lambda: fc_app(API),
        lambda lib: bp_app(API, lib),
        fc_checks=cors,
        bp_checks=[*cors, has("Vary", "Origin")],
        bare_checks=[status_is(200), has("Allow", "PUT"), acao(None)],
    )


def hooked(build: Callable[..., Flask]) -> Callable[..., Flask]:
    """The same app with a ``before_request`` hook, as most real apps have (here a no-op
    that loads no user): flask_cors_bp then keeps answering preflights ahead of it."""
    def with_hook(*args: Any) -> Flask:
        app = build(*args)

        @app.before_request
        def load_user() -> None:
            return None

        return app

    return with_hook


def preflight_hooked() -> list[Variant]:
    env = environ("/api/items", "OPTIONS", Origin=ALLOWED, Access_Control_Request_Method="PUT",
                  Access_Control_Request_Headers="X-Custom")
    cors = [status_is(200), acao(ALLOWED), has("Access-Control-Allow-Methods", "PUT")]
    return columns(env, hooked(lambda: fc_app(API)), hooked(lambda lib: bp_app(API, lib)),
                   bare=hooked(base_app), fc_checks=cors, bp_checks=cors,
                   bare_checks=[status_is(200), acao(None)])


def allowed_hooked() -> list[Variant]:
    env = environ("/api/items", Origin=ALLOWED)
    return columns(env, hooked(lambda: fc_app(API)), hooked(lambda lib: bp_app(API, lib)),
                   bare=hooked(base_app), fc_checks=[acao(ALLOWED)], bp_checks=[acao(ALLOWED)])


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
        checks = [acao(origin), has("Vary", "Origin")]
        variants += [
            Variant(at(lib.label, n), blueprints_app(n, lib.label, lib), env[n], checks,
                    base=bare)
            for lib in LIBS
        ]
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


def received_one(status: int, headers: Headers) -> list[str]:
    """Check for a variant whose ``enter`` resets the count and connects ``_receiver``."""
    return [] if RECEIVED[0] == 1 else [f"receiver: expected 1 call, got {RECEIVED[0]}"]


def signal_step() -> tuple[ModuleType, str]:
    """The module and name of the function a refusal calls to log and signal."""
    for module, name in (("dispatch", "report"), ("extension", "_refused")):
        try:
            found = importlib.import_module(f"flask_cors_bp.{module}")
        except ImportError:
            continue
        if callable(getattr(found, name, None)):
            return found, name
    raise Unavailable("cannot find the function flask_cors_bp signals refusals from")


def signals() -> list[Variant]:
    if BP_ERROR is not None:
        raise Unavailable(f"flask_cors_bp is not importable ({BP_ERROR})")
    refused = environ("/api/items", Origin=REFUSED)
    allowed = environ("/api/items", Origin=ALLOWED)
    app = bp_app(API, LIBS[0])

    def connect() -> None:
        RECEIVED[0] = 0
        origin_rejected.connect(_receiver, sender=app, weak=False)

    def disconnect() -> None:
        # without a sender: disconnecting from one sender leaves the receiver in
        # ``origin_rejected.receivers``, and the other rows would no longer be "no receiver"
        origin_rejected.disconnect(_receiver)

    # With no receiver (and no debug logging) the library must not even enter its signal
    # step: swapping it for a function that does nothing must change nothing. What is left
    # is the guard in front of it, timed on its own in ``guard_cost``.
    module, name = signal_step()
    sending = getattr(module, name)

    def remove_signal_code() -> None:
        setattr(module, name, lambda *args, **kwargs: None)

    def restore_signal_code() -> None:
        setattr(module, name, sending)

    return [
        Variant(BARE, base_app(), refused, base=None),
        Variant(BARE2, base_app(), refused),
        Variant(SIGNAL_ALLOWED, app, allowed, [acao(ALLOWED)]),
        Variant(SIGNAL_NO_RECV, app, refused, [acao(None), has("Vary", "Origin")]),
        Variant(SIGNAL_OFF, app, refused, [acao(None)], remove_signal_code, restore_signal_code),
        # the check runs inside enter/leave, right after one call with the receiver connected
        Variant(SIGNAL_RECV, app, refused, [acao(None), received_one], connect, disconnect),
    ]


RO_NONE = "no candidate"
RO_NO_RECV = "candidate, no receiver"
RO_RECV = "candidate, receiver connected"


def first_line(exc: BaseException) -> str:
    """The exception's type and first line, without the hint a CorsConfigError adds."""
    lines = str(exc).strip().splitlines()
    text = (lines[0] if lines else "").split(" Hint:")[0].rstrip(".")
    return f"{type(exc).__name__}: {text}"


def report_only() -> list[Variant]:
    """An allowed GET on an app with a report-only candidate that would refuse its origin.

    Responses follow the enforced policy; the candidate costs one more decision and the
    check for receivers of ``report_only_rejected`` (and, with one connected, the signal).
    """
    if BP_ERROR is not None:
        raise Unavailable(f"flask_cors_bp is not importable ({BP_ERROR})")
    lib = LIBS[0]
    why: list[str] = []
    signal = getattr(sys.modules["flask_cors_bp.signals"], "report_only_rejected", None)
    if signal is None:
        why.append("flask_cors_bp.signals has no report_only_rejected")
    try:
        candidate = base_app()
        lib.cors(candidate, origins=ORIGINS, report_only={"origins": CANDIDATE})
    except (CorsConfigError, TypeError) as exc:
        why.append(f"CORS(app, report_only=...) is refused ({first_line(exc)})")
    if why or signal is None:
        raise Unavailable("; ".join(why))
    plain = base_app()
    lib.cors(plain, origins=ORIGINS)
    env = environ("/api/items", Origin=ALLOWED)
    checks = [acao(ALLOWED), has("Vary", "Origin")]

    def connect() -> None:
        RECEIVED[0] = 0
        signal.connect(_receiver, sender=candidate, weak=False)

    def disconnect() -> None:
        signal.disconnect(_receiver)

    return [
        Variant(BARE, base_app(), env, [acao(None)], base=None),
        Variant(BARE2, base_app(), env, [acao(None)]),
        Variant(RO_NONE, plain, env, checks),
        Variant(RO_NO_RECV, candidate, env, checks),
        Variant(RO_RECV, candidate, env, [*checks, received_one], connect, disconnect),
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
        "allowed_hooked",
        "GET, allowed origin, app with a before_request hook",
        allowed_hooked,
    ),
    Scenario(
        "preflight_hooked",
        "preflight, app with a before_request hook (answered ahead of it)",
        preflight_hooked,
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
    Scenario(
        "report_only",
        "report-only candidate refusing an allowed origin (flask_cors_bp only)",
        report_only,
    ),
]

#: Scenarios whose rows are the flask_cors_bp variants of one app, in this order.
SPECIAL_ROWS = {
    "signals": (SIGNAL_ALLOWED, SIGNAL_NO_RECV, SIGNAL_RECV),
    "report_only": (RO_NONE, RO_NO_RECV, RO_RECV),
}


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


# --------------------------------------------------------------------------- call counts

#: Python calls (``call`` events, generator resumptions included) and C calls (``c_call``).
Calls = tuple[int, int]
ProfileHook = Callable[[FrameType, str, Any], None]


def request_once(app: WSGIApp, env: Environ) -> None:
    body = app(env, _start_response)
    for _chunk in body:
        pass
    close = getattr(body, "close", None)
    if close is not None:
        close()


def profiled_request(v: Variant, hook: ProfileHook, warm: int = 3) -> None:
    """One request to ``v`` under ``hook`` (a ``sys.setprofile`` function), after ``warm``
    requests without it. The environ is copied before the hook is set."""
    if v.enter:
        v.enter()
    gc.disable()  # a collection would run finalizers inside the counted request
    try:
        for _ in range(warm):
            request_once(v.app, v.environ.copy())
        env = v.environ.copy()
        sys.setprofile(hook)
        try:
            request_once(v.app, env)
        finally:
            sys.setprofile(None)
    finally:
        gc.enable()
        if v.leave:
            v.leave()


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


# --------------------------------------------------------------------------- reporting


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
    return " / ".join([FC, *(lib.label for lib in LIBS)])


def header() -> list[str]:
    cells = ["Scenario", "bare µs", "noise µs", f"{FC} µs (overhead)"]
    for lib in LIBS:
        cells += [f"{lib.label} µs (overhead)", "ratio" if lib.label == BP else "ratio (before)"]
    return [*cells, "calls over bare", "C calls over bare"]


def row(r: Result, title: str, bare: str, fc: str | None, bps: list[str | None]) -> list[str]:
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
            prefix = "signals" if key == "signals" else "report-only"
            for label in SPECIAL_ROWS[key]:
                bps = [label if lib.label == BP else None for lib in LIBS]
                rows.append(row(r, f"{prefix}: {label}", BARE, None, bps))
            continue
        if key in ("blueprints", "blueprints_404"):
            what = "404 under the last" if key == "blueprints_404" else "request to the last"
            for n in NS:
                title = f"{n} blueprint{'s' if n > 1 else ''}, {what}"
                bps = [at(lib.label, n) for lib in LIBS]
                rows.append(row(r, title, at(BARE, n), at(FC, n), bps))
            continue
        rows.append(row(r, r.scenario.title, BARE, FC, [lib.label for lib in LIBS]))
    return rows


def print_table(rows: list[list[str]]) -> None:
    head = header()
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]
    for cells in [head, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(cells, widths)).rstrip())
    print(f"calls over bare: {calls_legend()}")


GOAL_NAMES = {"allowed": "allowed GET", "no_origin": "GET without Origin", "preflight": "preflight"}


@dataclass
class Target:
    name: str
    value: str
    ok: bool | None  # None: could not be measured


def calls_text(r: Result, labels: Iterable[str]) -> str:
    parts = []
    for label in labels:
        over = r.calls_over(label)
        if over is not None:
            parts.append(f"{label.split(' N=')[0]} {over[0]:+d}")
    return ", ".join(parts)


def has_before() -> bool:
    return any(lib.label == BEFORE for lib in LIBS)


def targets(results: list[Result]) -> list[Target]:
    by = {r.scenario.key: r for r in results}
    out: list[Target] = []

    def ratio_target(key: str, limit: float) -> None:
        r = by.get(key)
        ratio = r.ratio() if r else None
        value = fmt_ratio(ratio)
        if r is not None and has_before():
            value += f" (before: {fmt_ratio(r.ratio(FC, BEFORE))})"
        if r is not None:
            value += "; calls over bare: " + calls_text(r, [FC, *(lib.label for lib in LIBS)])
        out.append(
            Target(
                f"{GOAL_NAMES[key]} overhead ≤ {limit}x Flask-CORS's",
                value,
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
                f"{over:+.2f} µs, noise ±{noise:.2f} µs; calls over bare: "
                + calls_text(r, [lib.label for lib in LIBS]),
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
            value = f"{diff:+.2f} µs, {call_scaling(r, BP):+d} calls"
            if has_before():
                value += (f" (before: {scaling(r, BEFORE):+.2f} µs, "
                          f"{call_scaling(r, BEFORE):+d} calls)")
            out.append(Target(name, value, diff <= 2.0))
        else:
            out.append(Target(name, "—", None))

    r = by.get("signals")
    if r and SIGNAL_NO_RECV in r.median:
        s = r.median  # all three use one app: compare them round by round
        entered = paired(r.samples[SIGNAL_NO_RECV], r.samples[SIGNAL_OFF])
        step_calls = calls_between(r, SIGNAL_NO_RECV, SIGNAL_OFF)
        guard = guard_cost()
        # Equal call counts with and without the signal step prove it is not entered: then
        # the timed difference is noise and the cost is the guard alone.
        cost = guard + (max(entered, 0.0) if step_calls else 0.0)
        step = ("not entered: +0 calls" if not step_calls else f"{step_calls:+d} calls"
                ) + f", timed {entered:+.2f} µs"
        recv = paired(r.samples[SIGNAL_RECV], r.samples[SIGNAL_NO_RECV])
        out.append(
            Target(
                "no-receiver signal cost < 0.5 µs",
                f"{cost:+.2f} µs (guard {guard:.3f} µs, signal step {step}); a connected "
                f"receiver adds {recv:+.2f} µs, {calls_between(r, SIGNAL_RECV, SIGNAL_NO_RECV):+d}"
                f" calls (medians: allowed {s[SIGNAL_ALLOWED]:.2f}, refused "
                f"{s[SIGNAL_NO_RECV]:.2f}, without the signal step {s[SIGNAL_OFF]:.2f}, "
                f"refused with receiver {s[SIGNAL_RECV]:.2f})",
                cost < 0.5,
            )
        )
    else:
        out.append(Target("no-receiver signal cost < 0.5 µs", "—", None))
    return out


def calls_between(r: Result, a: str, b: str) -> int:
    """Python calls of variant ``a`` minus those of variant ``b``."""
    return r.counts[a][0] - r.counts[b][0]


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


def blueprint_scaling(results: list[Result]) -> str:
    out = []
    for r in results:
        if r.scenario.key not in ("blueprints", "blueprints_404"):
            continue
        parts = [f"{label} {scaling(r, label):+.2f} µs ({call_scaling(r, label):+d} calls)"
                 for label in (FC, *(lib.label for lib in LIBS)) if at(label, 1) in r.samples]
        kind = "404 " if r.scenario.key == "blueprints_404" else ""
        out.append(f"{kind}N={NS[-1]} minus N={NS[0]} overhead (paired by round): "
                   + ", ".join(parts))
    return "; ".join(out)


def report_only_summary(results: list[Result]) -> str:
    r = next((r for r in results if r.scenario.key == "report_only"), None)
    if r is None:
        return ""
    candidate = paired(r.samples[RO_NO_RECV], r.samples[RO_NONE])
    receiver = paired(r.samples[RO_RECV], r.samples[RO_NO_RECV])
    return (
        f"Report-only: a candidate that refuses the allowed origin adds {candidate:+.2f} µs and "
        f"{calls_between(r, RO_NO_RECV, RO_NONE):+d} calls to the same request on an app "
        f"without a candidate (paired by round); a connected receiver adds {receiver:+.2f} µs "
        f"and {calls_between(r, RO_RECV, RO_NO_RECV):+d} calls"
    )


def reduced_rounds(results: list[Result], calls: int) -> list[str]:
    return [
        f"{label} in '{r.scenario.title}' ran {n} request(s) per round instead of {calls}"
        for r in results
        for label, n in r.calls.items()
        if n < calls
    ]


def unstable_counts(results: list[Result]) -> list[str]:
    return [f"{r.scenario.key} / {label}" for r in results for label in r.unstable]


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
    out = [
        ("Platform", platform.platform()),
        ("CPU", f"{cpu_model()} ({os.cpu_count()} logical CPUs)"),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("Flask", version("flask")),
        ("Werkzeug", version("werkzeug")),
        ("Flask-CORS", version("flask-cors")),
        ("flask_cors_bp", version("flask-cors-bp", flask_cors_bp) if BP_ERROR is None else "—"),
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


def write_docs(
    results: list[Result], tgts: list[Target], skipped: list[tuple[Scenario, str]],
    args: argparse.Namespace,
) -> None:
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
        "*Calls over bare* counts Python function calls (including generator resumptions) of "
        "one request, made after a few warm-up requests, minus those of the bare app of the "
        "same scenario; *C calls over bare* does the same for calls into C functions. Both "
        "come from a ``sys.setprofile`` hook, are exact and do not depend on the load of the "
        "machine: they show where time goes when the timings are too noisy to tell."
    )
    before = next((lib for lib in LIBS if lib.label == BEFORE), None)
    if before is not None:
        lines += para(
            f"*{BEFORE}* is the package as of commit ``{before.commit}`` ({before.date}), "
            f"exported from the repository and imported under another name "
            f"(``{BEFORE_MODULE}``); its apps are built with its own ``CORS`` and "
            "``CorsBlueprint`` and measured in the same interleaved rounds as the others, so "
            f"before and after come from one run. On the request path it {hook_style(before)}; "
            f"the current package {hook_style(LIBS[0])}. *Ratio (before)* is its overhead "
            "divided by Flask-CORS's."
        )
    lines += para(
        "The numbers come from one machine that may have been running other work at the same "
        "time: compare the columns of one run with each other, not with other machines or runs."
    )
    lines += ["Results", "-------", "", *rst_table(table_rows(results)), ""]
    lines += ["Scenarios:", ""]
    items = [
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
    for item in items:
        lines += para("- " + item, "  ")[:-1]
    lines.append("")
    for scenario, why in skipped:
        lines += para(f"Not measured: {scenario.title}: {why}.")
    notes = [blueprint_scaling(results), report_only_summary(results)]
    for note in notes:
        if note:
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
    for t in tgts:
        lines += para(f"- {t.name}: **{yes_no(t.ok)}**, {t.value}", "  ")[:-1]
    lines += ["", "Machine", "-------", ""]
    lines += [f"- {name}: {value}" for name, value in machine()]
    command = COMMAND if before is None else f"{COMMAND} --before {args.before}"
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


# --------------------------------------------------------------------------- profiling


def find_scenario(key: str) -> Scenario:
    scenario = next((s for s in SCENARIOS if s.key == key), None)
    if scenario is None:
        sys.exit(f"unknown scenario {key!r}; one of: {', '.join(s.key for s in SCENARIOS)}")
    return scenario


def build_or_exit(scenario: Scenario) -> list[Variant]:
    try:
        return scenario.build()
    except Unavailable as exc:
        sys.exit(f"{scenario.key} cannot be measured here: {exc}")


def profile(key: str, calls: int) -> None:
    if BP_ERROR is not None:
        sys.exit(f"flask_cors_bp is not importable: {BP_ERROR}")
    variants = [v for v in build_or_exit(find_scenario(key))
                if v.label not in (BARE, BARE2, FC) and not v.label.startswith(f"{FC} ")
                and not v.label.startswith(f"{BARE} ")]
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


def call_diff(key: str) -> None:
    """Per function, the calls of one request of each variant minus those of its bare app."""
    variants = build_or_exit(find_scenario(key))
    by_label = {v.label: v for v in variants}
    histograms: dict[str, Counter[str]] = {}
    for v in variants:
        histograms[v.label] = call_histogram(v)
    for v in variants:
        if v.base is None:
            continue
        own, bare = histograms[v.label], histograms[v.base]
        diff = {name: own[name] - bare[name] for name in own.keys() | bare.keys()
                if own[name] != bare[name]}
        py = sum(n for name, n in diff.items() if not name.startswith("C "))
        c = sum(n for name, n in diff.items() if name.startswith("C "))
        print(f"== {key} / {v.label} minus {by_label[v.base].label}: "
              f"{py:+d} Python calls, {c:+d} C calls")
        for name, n in sorted(diff.items(), key=lambda item: (-abs(item[1]), item[0])):
            print(f"  {n:+5d}  {name}")
        print()


# --------------------------------------------------------------------------- main


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
    rows = table_rows(results)
    print()
    print_table(rows)
    print()
    for note in (blueprint_scaling(results), report_only_summary(results)):
        if note:
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
