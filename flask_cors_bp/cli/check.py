"""``flask cors check ORIGIN PATH``: play the browser against the app's test client."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import click
from flask import Flask
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect, Rule
from werkzeug.test import TestResponse

from ..errors import CorsConfigError
from ..options import TOKEN
from ..origins import parse_origin
from ..policy import CorsPolicy
from ..signals import origin_rejected, preflight_rejected
from .browser import (
    DEFAULT_VALUES,
    Answer,
    Failure,
    cors_failure,
    needs_preflight,
    parse_header,
    preflight_failure,
    safelisted_header,
    status_failure,
)
from .common import Inspected, blueprint_of, comes_from, entry_label, load

ALLOWED, REJECTED, USAGE, APP_RAISED, NO_ROUTE = 0, 1, 2, 3, 4


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


class _Recorder:
    """Receives the rejection signals of one app while a request runs."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def __call__(self, sender: Flask, **extra: Any) -> None:
        self.events.append(extra)

    def last(self) -> dict[str, Any] | None:
        event = self.events[-1] if self.events else None
        self.events.clear()
        return event


def _signal_failure(event: dict[str, Any], route: Route, status: int) -> Failure:
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
                       f"{', '.join(policy.methods) or 'none'})", "methods")
    if reason == "headers":
        bad = [h for h in event["headers"] if not policy.allows_header(h)]
        shown = ", ".join(bad) or "the requested headers"
        allowed = ", ".join(getattr(h, "pattern", h) for h in policy.allow_headers)
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


def _exchange(
    app: Flask, route: Route, path: str, origin: str, method: str,
    headers: list[tuple[str, str | None]], credentials: bool, private_network: bool,
    lines: list[str],
) -> tuple[Failure | None, CorsPolicy | None]:
    """Send the preflight (if needed) and the request; the first failure and its policy."""
    unsafe = sorted({name.lower() for name, value in headers if not safelisted_header(name, value)})
    client = app.test_client()
    recorder = _Recorder()
    with origin_rejected.connected_to(recorder, sender=app), \
            preflight_rejected.connected_to(recorder, sender=app):
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
                failure = _signal_failure(event, route, response.status_code)
            else:
                failure = preflight_failure(_answer(response), origin, method, unsafe,
                                            credentials, private_network)
            if failure is not None:
                lines.append(f"  request: {method} {path} not sent (the preflight failed)")
                return failure, event["policy"] if event else None
        actual = {"Origin": origin}
        actual.update((n, v if v is not None else DEFAULT_VALUES.get(n.lower(), "x"))
                      for n, v in headers)
        response = _send(client, path, method, actual)
        lines.extend(_show_response(f"request: {method} {path}", response))
        event = recorder.last()
    if event is not None:
        return _signal_failure(event, route, response.status_code), event["policy"]
    if response.status_code == 405:  # the policy grants the method, the route does not serve it
        served = ", ".join(route.methods) or "unknown"
        return Failure("method", f"{method} is allowed by the policy but the route does not "
                       f"serve it (it serves {served}); add it to the route's methods"), None
    return cors_failure(_answer(response), origin, credentials), None


def _policy(inspected: Inspected, endpoint: str, path: str) -> CorsPolicy | None:
    """The endpoint's policy; ``None`` for unknown or unresolvable endpoints."""
    try:
        return inspected.policy(endpoint, path)
    except (KeyError, CorsConfigError):
        return None


def _resolution_error(inspected: Inspected, endpoint: str | None, path: str) -> Failure | None:
    """A policy that cannot be resolved, as a failure (asked before the app caches it)."""
    if endpoint is None:
        return None
    try:
        inspected.policy(endpoint, path)
    except CorsConfigError as exc:
        return Failure("policy error", f"the policy of {endpoint!r} cannot be resolved, so the "
                       f"app sends no CORS grant: {exc}")
    except KeyError:
        pass
    return None


def _bare_path(path: str) -> str:
    """The path part of PATH|URL, after checking it is one (a usage error if not)."""
    try:
        url = urlsplit(path)
        url.port  # noqa: B018 - raises for a port that is not a number in range
        if url.hostname:
            url.hostname.encode("idna")
    except (ValueError, UnicodeError) as exc:
        raise click.BadParameter(f"{path!r} is not a valid URL: {exc}", param_hint="PATH") from exc
    if url.scheme in ("http", "https") and url.netloc:
        return url.path or "/"
    if path.startswith("/"):
        return path.partition("?")[0]
    raise click.BadParameter(f"{path!r} is neither a path starting with '/' nor an http(s) URL",
                             param_hint="PATH")


def _headers(header_args: tuple[str, ...]) -> list[tuple[str, str | None]]:
    out = []
    for text in header_args:
        try:
            out.append(parse_header(text))
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--header") from None
    return out


@click.command("check")
@click.argument("origin")
@click.argument("path", metavar="PATH|URL")
@click.option("--method", "-X", default="GET", show_default=True, help="The request method.")
@click.option("--header", "-H", "header_args", multiple=True, metavar="NAME[:VALUE]",
              help="A request header the page sets (repeatable).")
@click.option("--credentials", is_flag=True,
              help="The page sends credentials (fetch credentials: 'include').")
@click.option("--private-network", is_flag=True,
              help="The page asks for private network access (a preflight with "
                   "Access-Control-Request-Private-Network).")
def check_command(
    origin: str, path: str, method: str, header_args: tuple[str, ...], credentials: bool,
    private_network: bool,
) -> None:
    """Would a browser on ORIGIN be allowed to read PATH?

    Sends the preflight (when the method or a header needs one) and then the request
    through the app's test client, and checks the responses the way a browser does.
    Prints "allowed" or "rejected: <reason>" and the CORS headers of each response.
    PATH may be a full URL (http://api.example.com/items) to reach a subdomain or host.

    The request really runs the view, with this app's configuration: do not check unsafe
    methods against production data.

    Exit status: 0 allowed, 1 rejected, 2 usage error, 3 the app raised an exception,
    4 no route serves PATH (nothing is sent).
    """
    if origin != "null" and parse_origin(origin) is None:
        raise click.BadParameter(
            f"{origin!r} is not an origin: write scheme://host[:port] (no path), or null",
            param_hint="ORIGIN",
        )
    bare_path = _bare_path(path)
    method = method.upper()
    if not TOKEN.fullmatch(method):
        raise click.BadParameter(f"{method!r} is not a method name", param_hint="--method")
    headers = _headers(header_args)
    inspected = load()
    inspected.note()
    app = inspected.app
    route = route_of(app, path, method)
    if not route.found:
        click.echo(f"no route: {route.note}; nothing was sent")
        click.get_current_context().exit(NO_ROUTE)
    lines: list[str] = []
    if route.endpoint is not None:
        where = blueprint_of(route.endpoint)
        lines.append(f"  route: {path} -> {route.endpoint}"
                     + (f" (blueprint {where!r})" if where else ""))
    if route.note:
        lines.append(f"  note: {route.note}")
    if origin.lower() == route.own_origin.lower():
        lines.append(f"  same origin as the app ({route.own_origin}): not a CORS request")
        _finish(None, lines, None)
    broken = _resolution_error(inspected, route.endpoint, bare_path)  # before any request
    head = len(lines)
    failure, policy = _exchange(app, route, path, origin, method, headers, credentials,
                                private_network, lines)
    if failure is not None and broken is not None:
        failure = broken
    if failure is not None and policy is None and route.endpoint is not None:
        policy = _policy(inspected, route.endpoint, bare_path)
    if failure is not None and failure.what == "origin" and policy is None:
        failure = _no_policy(inspected, route, bare_path) or failure
    if failure is None and route.endpoint is not None:
        granted = _granted_by(_policy(inspected, route.endpoint, bare_path), origin)
        lines[head:head] = [granted] if granted else []
    _finish(failure, lines, policy)


def _granted_by(policy: CorsPolicy | None, origin: str) -> str | None:
    """Which ``origins`` entry let ``origin`` in, as the matcher tells it."""
    if policy is None:
        return None
    entry = policy.matcher.match(origin)
    if entry is None and policy.any_origin:  # any origin also grants null and odd values
        entry = "*"
    if entry is None:
        return None
    return f"  granted by: {entry_label(entry)} in origins; {comes_from(policy, 'origins')}"


def _no_policy(inspected: Inspected, route: Route, path: str) -> Failure | None:
    """The failure to report when nothing granted the origin and no policy explains it."""
    if route.endpoint is None:
        return Failure("no CORS policy on this route", route.note)
    if _policy(inspected, route.endpoint, path) is None:
        return Failure("no CORS policy on this route",
                       f"endpoint {route.endpoint!r}: give it one with @cross_origin, its "
                       "blueprint (CorsBlueprint, init_blueprint) or CORS(app)")
    return None


def _finish(failure: Failure | None, lines: list[str], policy: CorsPolicy | None) -> None:
    if failure is None:
        click.echo(click.style("allowed", fg="green"))
    else:
        reason = f"{failure.what}: {failure.detail}"
        if failure.field is not None and policy is not None:
            reason += f"; {comes_from(policy, failure.field)}"
        click.echo(click.style("rejected", fg="red") + f": {reason}")
    for line in lines:
        click.echo(line)
    click.get_current_context().exit(ALLOWED if failure is None else REJECTED)
