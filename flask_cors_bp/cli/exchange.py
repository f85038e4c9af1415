"""How ``flask cors check`` runs its requests: where a path leads, the requests sent through
the test client, and what the rejection signals said while they ran."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any, NamedTuple

import click
from flask import Flask
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect, Rule
from werkzeug.test import TestResponse

from ..policy import CorsPolicy
from ..signals import origin_rejected, preflight_rejected, report_only_rejected
from .browser import (
    DEFAULT_VALUES,
    Answer,
    Failure,
    case_hint,
    cors_failure,
    needs_preflight,
    preflight_failure,
    safelisted_header,
    status_failure,
)
from .common import show_header

APP_RAISED = 3  # check's exit status when the app raised instead of answering


class Route(NamedTuple):
    """Where a path leads: the endpoint (if any), the methods its rule serves, own origin."""

    endpoint: str | None
    methods: tuple[str, ...]
    own_origin: str
    note: str
    found: bool = True  # False: no rule serves the path at all (404)


def _match(app: Flask, path: str, method: str) -> tuple[str, Rule | None, Exception | None]:
    """Route ``path`` as the test client will (in a request context, for converters that
    read it): the request's own origin, the rule, and the routing error."""
    ctx = app.test_request_context(path, method=method)
    try:
        own = f"{ctx.request.scheme}://{ctx.request.host}"
    except Exception:  # an untrusted Host
        own = f"{ctx.request.scheme}://{ctx.request.environ.get('HTTP_HOST', '')}"
    try:
        ctx.push()
    except Exception as exc:  # a converter raised while matching: the context is half-pushed
        with suppress(Exception):
            ctx.pop()
        return own, None, exc
    try:
        return own, ctx.request.url_rule, ctx.request.routing_exception
    finally:
        ctx.pop()


def route_of(app: Flask, path: str, method: str) -> Route:
    """Match ``path`` like the test client will, without running the app."""
    own, rule, error = _match(app, path, method)
    if isinstance(error, NotFound) and not _served(app, path, method):
        return Route(None, (), own, f"no rule serves {path} (the app answers 404)", False)
    if rule is not None:
        return Route(rule.endpoint, tuple(sorted(rule.methods or ())), own, "")
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        _, rule, _ = _match(app, path, next(iter(error.valid_methods)))
        if rule is not None:
            methods = tuple(sorted(rule.methods or ()))
            note = f"the route does not serve {method} (it serves {', '.join(methods)})"
            return Route(rule.endpoint, methods, own, note)
    if isinstance(error, RequestRedirect):
        return Route(None, (), own, f"the app redirects {path} to {error.new_url}")
    if isinstance(error, HTTPException) or error is None:
        code = getattr(error, "code", 404)
        return Route(None, (), own, f"the app answers {code} to {method} {path}")
    return Route(None, (), own, f"routing {path} raised {type(error).__name__}: {error}")


def _served(app: Flask, path: str, method: str) -> bool:
    """Whether a rule serves ``path`` for a preflight or a GET (maybe through a redirect),
    when it serves it for no ``method``."""
    for other in ("OPTIONS", "GET"):
        if other != method:
            _, rule, error = _match(app, path, other)
            if rule is not None or not isinstance(error, NotFound):
                return True
    return False


class Recorder:
    """Receives the rejection signals of one app while the requests run.

    The enforced policy's refusals (``origin_rejected``, ``preflight_rejected``) are read one
    request at a time; the report-only candidate's (``report_only_rejected``) are kept
    for the whole exchange: the first one is the candidate's verdict.
    """

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.candidate: list[dict[str, Any]] = []

    def enforced(self, sender: Flask, **extra: Any) -> None:
        self.events.append(extra)

    def report_only(self, sender: Flask, **extra: Any) -> None:
        self.candidate.append(extra)

    @contextmanager
    def listening(self, app: Flask) -> Iterator[None]:
        """Connected to the three signals of ``app`` (only) while the block runs."""
        with origin_rejected.connected_to(self.enforced, sender=app), \
                preflight_rejected.connected_to(self.enforced, sender=app), \
                report_only_rejected.connected_to(self.report_only, sender=app):
            yield

    def last(self) -> dict[str, Any] | None:
        """The enforced policy's refusal of the request just sent (``None``: none)."""
        event = self.events[-1] if self.events else None
        self.events.clear()
        return event


def signal_failure(event: dict[str, Any], route: Route, status: int) -> Failure:
    """What a rejection signal says, in the words of a :class:`Failure`."""
    reason, policy = event["reason"], event["policy"]
    if reason == "origin":
        return Failure("origin", f"{event['origin']!r} is not allowed", "origins")
    if reason == "method" and route.endpoint is None:
        return status_failure(status)  # no route serves the path: no method to grant
    if reason == "method":
        method = event["method"]
        if method in policy.methods or policy.any_method:
            served = ", ".join(route.methods) or "unknown"
            return Failure("method", f"{method} is allowed by the policy but the route does not "
                           f"serve it (it serves {served}); add it to the route's methods")
        return Failure("method", f"{method} is not allowed (allowed: "
                       f"{', '.join(policy.methods) or 'none'}){case_hint(method, policy.methods)}",
                       "methods")
    if reason == "headers":
        bad = [h for h in event["headers"] if not policy.allows_header(h)]
        shown = ", ".join(bad) or "the requested headers"
        allowed = ", ".join(map(show_header, policy.allow_headers))
        return Failure("headers", f"{shown} not allowed (allowed: {allowed or 'none'})",
                       "allow_headers")
    return Failure("private network", "private network access is not allowed",
                   "allow_private_network")


def _show_response(label: str, response: TestResponse) -> Iterator[str]:
    yield f"  {label} -> {response.status}"
    for name, value in response.headers.items():
        if name.lower().startswith("access-control-") or name.lower() == "vary":
            yield f"    {name}: {value}"
    location = response.headers.get("Location")
    if location and 300 <= response.status_code < 400:
        yield f"    (redirects to {location}: check that path too)"


class AppRaised(click.ClickException):
    """The app raised instead of answering: no CORS verdict."""

    exit_code = APP_RAISED


def _send(client: Any, path: str, method: str, headers: dict[str, str]) -> TestResponse:
    try:
        response: TestResponse = client.open(path, method=method, headers=headers)
    except Exception as exc:  # the app raised and propagates exceptions (TESTING)
        raise AppRaised(f"{method} {path} raised {type(exc).__name__}: {exc} (the app propagates "
                        "exceptions, e.g. TESTING is on: no CORS verdict)") from exc
    return response


def _answer(response: TestResponse) -> Answer:
    return Answer(response.status_code, list(response.headers.items()))


class Outcome(NamedTuple):
    """What the exchange showed: the enforced verdict and what the candidate reported."""

    failure: Failure | None  #: the first failure, as a browser sees it (``None``: allowed)
    policy: CorsPolicy | None  #: the policy of the refusal signal, when one was sent
    candidate: Failure | None  #: the candidate's first refusal (``report_only_rejected``)
    candidate_policy: CorsPolicy | None


def exchange(
    app: Flask, route: Route, path: str, origin: str, method: str,
    headers: list[tuple[str, str | None]], credentials: bool, private_network: bool,
    lines: list[str],
) -> Outcome:
    """Send the preflight (if needed) and the request; what failed, and what the signals
    said. Adds what was sent and answered to ``lines``."""
    recorder = Recorder()
    with recorder.listening(app):
        failure, event = _requests(app, route, path, origin, method, headers, credentials,
                                   private_network, lines, recorder)
    first = recorder.candidate[0] if recorder.candidate else None
    return Outcome(
        failure, event["policy"] if event else None,
        signal_failure(first, route, 200) if first else None,
        first["policy"] if first else None,
    )


def _requests(
    app: Flask, route: Route, path: str, origin: str, method: str,
    headers: list[tuple[str, str | None]], credentials: bool, private_network: bool,
    lines: list[str], recorder: Recorder,
) -> tuple[Failure | None, dict[str, Any] | None]:
    """The first failure, and the enforced refusal signal behind it (if any)."""
    unsafe = sorted({name.lower() for name, value in headers if not safelisted_header(name, value)})
    client = app.test_client()
    if not needs_preflight(method, unsafe, private_network):
        lines.append(f"  preflight: not needed ({method} with safelisted headers)")
    else:
        asked = {"Origin": origin, "Access-Control-Request-Method": method}
        if unsafe:
            asked["Access-Control-Request-Headers"] = ",".join(unsafe)
        if private_network:
            asked["Access-Control-Request-Private-Network"] = "true"
        response = _send(client, path, "OPTIONS", asked)
        sent = ", ".join(f"{k}: {v}" for k, v in asked.items() if k != "Origin")
        lines.extend(_show_response(f"preflight: OPTIONS {path} ({sent})", response))
        event = recorder.last()
        failure: Failure | None
        if event is not None:
            failure = signal_failure(event, route, response.status_code)
        else:
            failure = preflight_failure(_answer(response), origin, method, unsafe,
                                        credentials, private_network)
        if failure is not None:
            lines.append(f"  request: {method} {path} not sent (the preflight failed)")
            return failure, event
    actual = {"Origin": origin}
    actual.update((n, v if v is not None else DEFAULT_VALUES.get(n.lower(), "x"))
                  for n, v in headers)
    response = _send(client, path, method, actual)
    lines.extend(_show_response(f"request: {method} {path}", response))
    event = recorder.last()
    if event is not None:
        return signal_failure(event, route, response.status_code), event
    if response.status_code == 405:  # the policy grants the method, the route does not serve it
        served = ", ".join(route.methods) or "unknown"
        return Failure("method", f"{method} is allowed by the policy but the route does not "
                       f"serve it (it serves {served}); add it to the route's methods"), None
    return cors_failure(_answer(response), origin, credentials), None
