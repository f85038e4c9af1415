"""What a scenario is made of: variants (an app, the request it gets and checks of its
response), the checks, and one request sent to a variant."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from werkzeug.datastructures import Headers

from bench.apps import Environ, WSGIApp, base_app, bp_app, fc_app
from bench.libs import BARE, BARE2, FC, LIBS, Lib

Check = Callable[[int, Headers], list[str]]


@dataclass
class Variant:
    label: str
    app: WSGIApp
    environ: Environ
    checks: list[Check] = field(default_factory=list)
    enter: Callable[[], None] | None = None
    leave: Callable[[], None] | None = None
    base: str | None = BARE  # the bare app it is compared with, round by round

    @contextmanager
    def entered(self) -> Iterator[None]:
        """Around requests to this variant: its ``enter`` before them, its ``leave`` after."""
        if self.enter:
            self.enter()
        try:
            yield
        finally:
            if self.leave:
                self.leave()


@dataclass
class Scenario:
    key: str
    title: str
    build: Callable[[], list[Variant]]  # raises Unavailable when it cannot be measured here


# --------------------------------------------------------------------------- requests


def ignore_start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
    return None


def request(app: WSGIApp, env: Environ, start_response: Callable[..., Any] = ignore_start
            ) -> None:
    """One request: the body read to its end, then closed."""
    body = app(env, start_response)
    try:
        for _chunk in body:
            pass
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()


def response(v: Variant) -> tuple[int, Headers]:
    """Status and headers of one request to ``v``."""
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        captured["status"], captured["headers"] = status, headers

    request(v.app, v.environ.copy(), start_response)
    return int(captured["status"].split()[0]), Headers(captured["headers"])


def check(scenario: Scenario, variants: list[Variant]) -> list[str]:
    problems = []
    for v in variants:
        with v.entered():
            try:
                status, headers = response(v)
                errors = [msg for c in v.checks for msg in c(status, headers)]
            except Exception as exc:  # report, keep benchmarking the others
                errors = [f"raised {type(exc).__name__}: {exc}"]
        problems += [f"{scenario.key} / {v.label}: {msg}" for msg in errors]
    return problems


# --------------------------------------------------------------------------- checks


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


RECEIVED: list[int] = [0]


def _receiver(sender: Any, **extra: Any) -> None:
    RECEIVED[0] += 1


def received_one(status: int, headers: Headers) -> list[str]:
    """Check for a variant whose ``enter`` and ``leave`` come from ``counting_receiver``."""
    return [] if RECEIVED[0] == 1 else [f"receiver: expected 1 call, got {RECEIVED[0]}"]


def counting_receiver(signal: Any, sender: Flask) -> tuple[Callable[[], None], Callable[[], None]]:
    """``enter`` and ``leave`` of a variant: connect a receiver to ``signal`` for ``sender``
    that counts from zero (see ``received_one``), and disconnect it."""

    def connect() -> None:
        RECEIVED[0] = 0
        signal.connect(_receiver, sender=sender, weak=False)

    def disconnect() -> None:
        # without a sender: disconnecting from one sender leaves the receiver in
        # ``signal.receivers``, and the other rows would no longer be "no receiver"
        signal.disconnect(_receiver)

    return connect, disconnect


# --------------------------------------------------------------------------- columns


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
