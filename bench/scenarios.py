"""The scenarios: which requests are measured, on which apps, with which checks."""

from __future__ import annotations

import importlib
import logging
import sys
import timeit
from types import ModuleType

from bench.apps import (
    API,
    ORIGINS,
    Environ,
    base_app,
    blueprints_app,
    bp_app,
    environ,
    fc_app,
    hooked,
)
from bench.libs import BARE, BARE2, BP_ERROR, FC, LIBS, Unavailable, current
from bench.variants import (
    Check,
    Scenario,
    Variant,
    acao,
    columns,
    counting_receiver,
    has,
    received_one,
    simple,
    status_is,
)

ALLOWED = ORIGINS[1]
CANDIDATE = [ORIGINS[0], ORIGINS[2]]  # a report-only candidate that would refuse ALLOWED
REFUSED = "https://evil.example.net"
PATTERN_BP = "https://*.example.com"
PATTERN_FC = r"https://.*\.example\.com"
PATTERN_ORIGIN = "https://app.example.com"


def preflight_environ() -> Environ:
    return environ("/api/items", "OPTIONS", Origin=ALLOWED, Access_Control_Request_Method="PUT",
                   Access_Control_Request_Headers="X-Custom")


def preflight() -> list[Variant]:
    cors = [
        status_is(200),
        acao(ALLOWED),
        has("Access-Control-Allow-Methods", "PUT"),
        has("Access-Control-Allow-Headers", "X-Custom"),
    ]
    return columns(
        preflight_environ(),
        lambda: fc_app(API),
        lambda lib: bp_app(API, lib),
        fc_checks=cors,
        bp_checks=[*cors, has("Vary", "Origin")],
        bare_checks=[status_is(200), has("Allow", "PUT"), acao(None)],
    )


def hooked_columns(env: Environ, **checks: list[Check]) -> list[Variant]:
    """``columns`` of the API apps, each with a ``before_request`` hook."""
    return columns(env, hooked(lambda: fc_app(API)), hooked(lambda lib: bp_app(API, lib)),
                   bare=hooked(base_app), **checks)


def preflight_hooked() -> list[Variant]:
    cors = [status_is(200), acao(ALLOWED), has("Access-Control-Allow-Methods", "PUT")]
    return hooked_columns(preflight_environ(), fc_checks=cors, bp_checks=cors,
                          bare_checks=[status_is(200), acao(None)])


def allowed_hooked() -> list[Variant]:
    env = environ("/api/items", Origin=ALLOWED)
    return hooked_columns(env, fc_checks=[acao(ALLOWED)], bp_checks=[acao(ALLOWED)])


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


SIGNAL_NO_RECV = "refused, no receiver"
SIGNAL_RECV = "refused, receiver connected"
SIGNAL_ALLOWED = "allowed (same app)"
SIGNAL_OFF = "refused, signal step removed"


def guard_cost() -> float:
    """µs for the check the library makes on a refusal before it builds any signal payload."""
    if BP_ERROR is not None:
        return float("nan")
    from flask_cors_bp.signals import origin_rejected as o
    from flask_cors_bp.signals import preflight_rejected as p

    log, debug = logging.getLogger("flask_cors_bp"), logging.DEBUG
    setup = {"o": o, "p": p, "log": log, "D": debug}
    n = 200_000
    best = min(timeit.repeat("o.receivers or p.receivers or log.isEnabledFor(D)",
                             globals=setup, number=n, repeat=5))
    return best / n * 1e6


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
    app = bp_app(API, current())
    from flask_cors_bp.signals import origin_rejected

    refused = environ("/api/items", Origin=REFUSED)
    allowed = environ("/api/items", Origin=ALLOWED)

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
        Variant(SIGNAL_RECV, app, refused, [acao(None), received_one],
                *counting_receiver(origin_rejected, app)),
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
    lib = current()
    from flask_cors_bp import CorsConfigError

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
    return [
        Variant(BARE, base_app(), env, [acao(None)], base=None),
        Variant(BARE2, base_app(), env, [acao(None)]),
        Variant(RO_NONE, plain, env, checks),
        Variant(RO_NO_RECV, candidate, env, checks),
        Variant(RO_RECV, candidate, env, [*checks, received_one],
                *counting_receiver(signal, candidate)),
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

#: Scenarios whose rows are the flask_cors_bp variants of one app: the rows' title prefix and
#: the variants, in this order.
SPECIAL_ROWS = {
    "signals": ("signals", (SIGNAL_ALLOWED, SIGNAL_NO_RECV, SIGNAL_RECV)),
    "report_only": ("report-only", (RO_NONE, RO_NO_RECV, RO_RECV)),
}

#: Scenarios with a row per number of blueprints: what the request of each row is.
BLUEPRINT_ROWS = {"blueprints": "request to the last", "blueprints_404": "404 under the last"}


def find(key: str) -> Scenario:
    scenario = next((s for s in SCENARIOS if s.key == key), None)
    if scenario is None:
        sys.exit(f"unknown scenario {key!r}; one of: {', '.join(s.key for s in SCENARIOS)}")
    return scenario


def select(keys: list[str] | None) -> list[Scenario]:
    """The scenarios of these keys, in the usual order (None: all of them)."""
    if not keys:
        return SCENARIOS
    scenarios = [s for s in SCENARIOS if s.key in keys]
    unknown = set(keys) - {s.key for s in scenarios}
    if unknown:
        sys.exit(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    return scenarios
