"""``flask cors ...``: commands that explain and check the effective CORS policies.

- ``flask cors routes`` lists every URL rule with the policy that applies to it.
- ``flask cors check ORIGIN PATH`` sends a request (and its preflight) through the app's test
  client the way a browser would, and says whether the browser would let the page read the
  response. The request really runs the view.
- ``flask cors audit`` reviews every effective policy for risky settings and probes the
  configured origins with look-alike origins.

``routes`` and ``audit`` only read the policies. Output is plain text (colour only on a
terminal) or JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from contextlib import suppress
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import click
from flask import Flask
from flask.cli import AppGroup, ScriptInfo
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import RequestRedirect, Rule
from werkzeug.test import TestResponse

from .errors import CorsConfigError
from .extension import CORS
from .options import TOKEN
from .origins import ParsedOrigin, parse_origin
from .policy import CorsPolicy
from .signals import origin_rejected, preflight_rejected

cors_cli = AppGroup("cors", help="Explain and check the CORS policies of this app.")


# -- shared helpers -------------------------------------------------------------------------


def _load() -> tuple[Flask, CORS]:
    """The app the command runs for, and its CORS extension."""
    app: Flask = click.get_current_context().ensure_object(ScriptInfo).load_app()
    cors = app.extensions.get("cors")
    if not isinstance(cors, CORS):
        raise click.ClickException("CORS is not set up on this app (no CORS(app) or CorsBlueprint)")
    return app, cors


def _blueprint(endpoint: str) -> str | None:
    """The innermost blueprint of an endpoint (``api.v1.items`` -> ``api.v1``)."""
    return endpoint.rpartition(".")[0] or None


_VARIABLE = re.compile(r"<(?:([A-Za-z_]\w*)(?:\([^)]*\))?:)?[A-Za-z_]\w*>")
_SAMPLE_VALUES = {"int": "1", "float": "1.0", "uuid": "00000000-0000-0000-0000-000000000000"}


def _sample_path(rule: Rule) -> str:
    """A path the rule matches: its variables replaced by sample values.

    Only used to pick the app-level ``resources`` entry that applies to the rule.
    """
    return _VARIABLE.sub(lambda m: _SAMPLE_VALUES.get(m.group(1) or "", "x"), rule.rule)


def _regex(source: str) -> str:
    """A regex source as a raw string literal, as it would be written in Python."""
    return f"r'{source}'" if "'" not in source and not source.endswith("\\") else repr(source)


def _show_origin(entry: Any) -> str:
    """An ``origins`` entry as text: strings as given, regexes as their source."""
    if isinstance(entry, str):
        return entry
    if isinstance(entry, re.Pattern):
        return str(entry.pattern)
    name = getattr(entry, "__qualname__", None) or type(entry).__name__
    return f"<callable {name}>"


def _comes_from(policy: CorsPolicy, field: str) -> str:
    """``origins come from blueprint 'api'``: which level to change for a field."""
    source = policy.source(field)
    verb = "come" if field in ("origins", "methods", "allow_headers", "expose_headers") else "comes"
    if source == "default":
        return (f"{field} {verb} from the default: set it with @cross_origin, on the blueprint "
                "or in CORS(app)")
    return f"{field} {verb} from {source}"


def _policy(cors: CORS, app: Flask, endpoint: str, path: str | None) -> CorsPolicy | None:
    """``cors.policy_for`` that answers ``None`` for unknown or unresolvable endpoints."""
    try:
        return cors.policy_for(endpoint, path=path, app=app)
    except (KeyError, CorsConfigError):
        return None


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> Iterator[str]:
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        yield "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()


# -- flask cors routes ----------------------------------------------------------------------


def route_rows(app: Flask, cors: CORS) -> list[dict[str, Any]]:
    """One entry per URL rule: its policy summary (``cors`` False when it has none)."""
    rows: list[dict[str, Any]] = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        row: dict[str, Any] = {
            "rule": rule.rule, "endpoint": rule.endpoint, "blueprint": _blueprint(rule.endpoint),
            "subdomain": rule.subdomain or None, "host": rule.host or None,
            "cors": False, "origins": None, "methods": None, "credentials": None,
            "origins_source": None, "error": None,
        }
        try:
            policy = cors.policy_for(rule.endpoint, path=_sample_path(rule), app=app)
        except KeyError:
            row["error"] = "the rule has no view function"
        except CorsConfigError as exc:
            row["error"] = str(exc)
        else:
            if policy is not None:
                row.update(
                    cors=True,
                    origins=[_show_origin(o) for o in policy.origins],
                    # What a preflight can be granted for: the policy's methods the rule serves.
                    methods=[m for m in (sorted(rule.methods or ()) if policy.any_method
                                         else policy.methods) if m in (rule.methods or ())],
                    credentials=policy.supports_credentials,
                    origins_source=policy.source("origins"),
                )
        rows.append(row)
    return rows


def _rule_text(row: dict[str, Any]) -> str:
    """The rule as shown: ``host|/path`` under host matching, ``sub./path`` on a subdomain."""
    if row["host"]:
        return f"{row['host']}|{row['rule']}"
    return f"{row['subdomain']}.{row['rule']}" if row["subdomain"] else str(row["rule"])


@cors_cli.command("routes", with_appcontext=False)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of objects.")
def routes_command(as_json: bool) -> None:
    """List every URL rule with the CORS policy that applies to it.

    METHODS are the policy's methods that the rule serves. Rules without a policy
    show "no CORS". A rule on a subdomain shows as "sub./path".
    """
    app, cors = _load()
    rows = route_rows(app, cors)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    header = ("RULE", "ENDPOINT", "BLUEPRINT", "ORIGINS", "METHODS", "CREDENTIALS", "ORIGINS FROM")
    cells = []
    for row in rows:
        if row["error"]:
            cors_cells = ["error (see below)", "-", "-", "-"]
        elif not row["cors"]:
            cors_cells = ["no CORS", "-", "-", "-"]
        else:
            cors_cells = [
                ", ".join(row["origins"]) or "(none)", ", ".join(row["methods"]) or "(none)",
                "yes" if row["credentials"] else "no", row["origins_source"],
            ]
        cells.append([_rule_text(row), row["endpoint"], row["blueprint"] or "-", *cors_cells])
    for line in _table(header, cells):
        click.echo(line)
    for row in rows:
        if row["error"]:
            click.echo(f"{row['endpoint']}: {row['error']}", err=True)


# -- flask cors check -----------------------------------------------------------------------

SAFELISTED_METHODS = ("GET", "HEAD", "POST")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")
_UNSAFE_BYTES = re.compile(r'[\x00-\x08\x0a-\x1f"():<>?@\[\\\]{}\x7f]')
_LANGUAGE = re.compile(r"[0-9A-Za-z *,\-.;=]*")
_DEFAULT_VALUES = {
    "accept": "*/*", "accept-language": "en", "content-language": "en",
    "content-type": "application/json", "range": "bytes=0-",
}


def safelisted_header(name: str, value: str | None) -> bool:
    """Whether a request header is CORS-safelisted (Fetch), so needs no preflight.

    Without a value, Accept, Accept-Language and Content-Language count as safelisted;
    Content-Type and Range only with a value that qualifies (``text/plain``, ``bytes=0-``).
    """
    name = name.lower()
    if value is not None and len(value) > 128:
        return False
    if name == "accept":
        return value is None or not _UNSAFE_BYTES.search(value)
    if name in ("accept-language", "content-language"):
        return value is None or _LANGUAGE.fullmatch(value) is not None
    if name == "content-type":
        if value is None or _UNSAFE_BYTES.search(value):
            return False
        return value.split(";")[0].strip().lower() in _FORM_TYPES
    if name == "range":
        return value is not None and re.fullmatch(r"bytes=[0-9]+-[0-9]*", value) is not None
    return False


# Request headers a page cannot set (Fetch: forbidden request-header names).
FORBIDDEN_HEADERS = frozenset((
    "accept-charset", "accept-encoding", "access-control-request-headers",
    "access-control-request-method", "access-control-request-private-network", "connection",
    "content-length", "cookie", "cookie2", "date", "dnt", "expect", "host", "keep-alive",
    "origin", "referer", "set-cookie", "te", "trailer", "transfer-encoding", "upgrade", "via",
))


def _parse_header(text: str) -> tuple[str, str | None]:
    name, colon, value = text.partition(":")
    name = name.strip()
    if not TOKEN.fullmatch(name) or re.search(r"[\x00-\x08\x0a-\x1f\x7f]", value):
        raise click.BadParameter(f"{text!r} is not NAME or NAME: VALUE", param_hint="--header")
    low = name.lower()
    if low in FORBIDDEN_HEADERS or low.startswith(("proxy-", "sec-")):
        hint = " (use --credentials for cookies)" if low.startswith("cookie") else ""
        raise click.BadParameter(f"{name!r} is set by the browser, a page cannot send it{hint}",
                                 param_hint="--header")
    return name, value.strip() if colon else None


class Failure(NamedTuple):
    """Why a browser would refuse: what failed, the detail, and the policy field to change."""

    what: str
    detail: str
    field: str | None = None


class Route(NamedTuple):
    """Where a path leads: the endpoint (if any), the methods its rule serves, own origin."""

    endpoint: str | None
    methods: tuple[str, ...]
    own_origin: str
    note: str


def _match(app: Flask, path: str, method: str) -> tuple[str, Rule | None, Exception | None]:
    """Route ``path`` as the test client will (in a request context, for converters that
    read it): the request's own origin, the rule, and the routing error (an HTTP error, or
    what a converter raised).
    """
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


def _route(app: Flask, path: str, method: str) -> Route:
    """Match ``path`` like the test client will, without running the app."""
    own, rule, error = _match(app, path, method)
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
        return Route(None, (), own, f"no route matches {path} ({getattr(error, 'code', None)})")
    return Route(None, (), own, f"routing {path} raised {type(error).__name__}: {error}")


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


def _cors_failure(response: TestResponse, origin: str, credentials: bool) -> Failure | None:
    """The browser's CORS check on a response (Fetch), as a :class:`Failure`."""
    values = response.headers.getlist("Access-Control-Allow-Origin")
    if not values:
        return Failure("origin", "the response has no Access-Control-Allow-Origin", "origins")
    if len(values) > 1:
        return Failure("origin", "the response has several Access-Control-Allow-Origin headers")
    if values[0] == "*":
        if credentials:
            return Failure("credentials", "Access-Control-Allow-Origin is '*', which browsers "
                           "refuse for requests with credentials", "supports_credentials")
    elif values[0] != origin:
        return Failure("origin", f"Access-Control-Allow-Origin is {values[0]!r}, not the "
                       "request's origin", "origins")
    if credentials and response.headers.get("Access-Control-Allow-Credentials") != "true":
        return Failure("credentials", "the response has no Access-Control-Allow-Credentials: "
                       "true", "supports_credentials")
    return None


def _status_failure(code: int) -> Failure:
    """A preflight answered with a status browsers do not accept (not 2xx)."""
    if 300 <= code < 400:
        why = "browsers do not follow redirects on a preflight: call the URL it redirects to"
    elif code == 404:
        why = "no route answers this path"
    else:
        why = ("the view or a before_request hook answered the OPTIONS request itself (let "
               "the library answer it: automatic_options=True, the default)")
    return Failure("preflight", f"the preflight was answered with status {code}; browsers "
                   f"need a 2xx status: {why}")


def _header_list(response: TestResponse, name: str) -> list[str]:
    return [v.strip() for v in response.headers.get(name, "").split(",") if v.strip()]


def _preflight_failure(
    response: TestResponse, origin: str, method: str, names: Sequence[str],
    credentials: bool, private_network: bool,
) -> Failure | None:
    """The browser's checks on a preflight response, after the CORS check."""
    failure = _cors_failure(response, origin, credentials)
    if failure is not None:
        return failure
    if not 200 <= response.status_code < 300:
        return _status_failure(response.status_code)
    methods = _header_list(response, "Access-Control-Allow-Methods")
    wildcard = "*" in methods and not credentials
    if method not in SAFELISTED_METHODS and method not in methods and not wildcard:
        return Failure("method", f"{method} is not in Access-Control-Allow-Methods", "methods")
    allowed = {h.lower() for h in _header_list(response, "Access-Control-Allow-Headers")}
    missing = [n for n in names if n.lower() not in allowed and (
        credentials or "*" not in allowed or n.lower() == "authorization")]
    if missing:
        return Failure("headers", f"{', '.join(missing)} not in Access-Control-Allow-Headers",
                       "allow_headers")
    if private_network and response.headers.get("Access-Control-Allow-Private-Network") != "true":
        return Failure("private network", "the response has no "
                       "Access-Control-Allow-Private-Network: true", "allow_private_network")
    return None


def _signal_failure(event: dict[str, Any], route: Route, status: int) -> Failure:
    """What a rejection signal says, in the words of a :class:`Failure`."""
    reason, policy = event["reason"], event["policy"]
    if reason == "origin":
        return Failure("origin", f"{event['origin']!r} is not allowed", "origins")
    if reason == "method" and route.endpoint is None:
        return _status_failure(status)  # no route serves the path: no method to grant
    if reason == "method":
        method = event["method"]
        if method in policy.methods or policy.any_method:
            served = ", ".join(route.methods) or "unknown"
            return Failure("method", f"{method} is allowed by the policy but the route does not "
                           f"serve it (it serves {served}); add it to the route's methods")
        return Failure("method", f"{method} is not allowed (allowed: "
                       f"{', '.join(policy.methods) or 'none'})", "methods")
    if reason == "headers":
        allowed = policy.allowed_headers
        bad = [h for h in event["headers"] if not policy.any_header and h.lower() not in allowed]
        shown = ", ".join(bad) or "the requested headers"
        return Failure("headers", f"{shown} not allowed (allowed: "
                       f"{', '.join(policy.allow_headers) or 'none'})", "allow_headers")
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


@cors_cli.command("check", with_appcontext=False)
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

    Exit status: 0 allowed, 1 rejected, 2 usage error, 3 the app raised an exception.
    """
    if origin != "null" and parse_origin(origin) is None:
        raise click.BadParameter(
            f"{origin!r} is not an origin: write scheme://host[:port] (no path), or null",
            param_hint="ORIGIN",
        )
    try:
        url = urlsplit(path)
        url.port  # noqa: B018 - raises for a port that is not a number in range
        if url.hostname:
            url.hostname.encode("idna")
    except (ValueError, UnicodeError) as exc:
        raise click.BadParameter(f"{path!r} is not a valid URL: {exc}", param_hint="PATH") from exc
    if url.scheme in ("http", "https") and url.netloc:
        bare_path = url.path or "/"
    elif path.startswith("/"):
        bare_path = path.partition("?")[0]
    else:
        raise click.BadParameter(f"{path!r} is neither a path starting with '/' nor an http(s) "
                                 "URL", param_hint="PATH")
    method = method.upper()
    if not TOKEN.fullmatch(method):
        raise click.BadParameter(f"{method!r} is not a method name", param_hint="--method")
    headers = [_parse_header(text) for text in header_args]
    app, cors = _load()
    route = _route(app, path, method)
    lines: list[str] = []
    if route.endpoint is not None:
        where = _blueprint(route.endpoint)
        lines.append(f"  route: {path} -> {route.endpoint}"
                     + (f" (blueprint {where!r})" if where else ""))
    if route.note:
        lines.append(f"  note: {route.note}")
    if origin.lower() == route.own_origin.lower():
        lines.append(f"  same origin as the app ({route.own_origin}): not a CORS request")
        _finish(None, lines, None)
    broken = _resolution_error(cors, app, route.endpoint, bare_path)  # before any request
    failure, policy = _exchange(app, route, path, origin, method, headers, credentials,
                                private_network, lines)
    if failure is not None and broken is not None:
        failure = broken
    if failure is not None and policy is None and route.endpoint is not None:
        policy = _policy(cors, app, route.endpoint, bare_path)
    if failure is not None and failure.what == "origin" and policy is None:
        failure = _no_policy(cors, app, route, bare_path) or failure
    _finish(failure, lines, policy)


def _resolution_error(cors: CORS, app: Flask, endpoint: str | None, path: str) -> Failure | None:
    """A policy that cannot be resolved, as a failure (asked before the app caches it)."""
    if endpoint is None:
        return None
    try:
        cors.policy_for(endpoint, path=path, app=app)
    except CorsConfigError as exc:
        return Failure("policy error", f"the policy of {endpoint!r} cannot be resolved, so the "
                       f"app sends no CORS grant: {exc}")
    except KeyError:
        pass
    return None


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
        if method in SAFELISTED_METHODS and not unsafe and not private_network:
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
                failure = _preflight_failure(response, origin, method, unsafe, credentials,
                                             private_network)
            if failure is not None:
                lines.append(f"  request: {method} {path} not sent (the preflight failed)")
                return failure, event["policy"] if event else None
        actual = {"Origin": origin}
        actual.update((n, v if v is not None else _DEFAULT_VALUES.get(n.lower(), "x"))
                      for n, v in headers)
        response = _send(client, path, method, actual)
        lines.extend(_show_response(f"request: {method} {path}", response))
        event = recorder.last()
    if event is not None:
        return _signal_failure(event, route, response.status_code), event["policy"]
    return _cors_failure(response, origin, credentials), None


class AppRaised(click.ClickException):
    """The app raised instead of answering: no CORS verdict (exit status 3)."""

    exit_code = 3


def _send(client: Any, path: str, method: str, headers: dict[str, str]) -> TestResponse:
    try:
        response: TestResponse = client.open(path, method=method, headers=headers)
    except Exception as exc:  # the app raised and propagates exceptions (TESTING)
        raise AppRaised(f"{method} {path} raised {type(exc).__name__}: {exc} (the app propagates "
                        "exceptions, e.g. TESTING is on: no CORS verdict)") from exc
    return response


def _no_policy(cors: CORS, app: Flask, route: Route, path: str) -> Failure | None:
    """The failure to report when nothing granted the origin and no policy explains it."""
    if route.endpoint is None:
        return Failure("no CORS policy on this route", route.note)
    if _policy(cors, app, route.endpoint, path) is None:
        return Failure("no CORS policy on this route",
                       f"endpoint {route.endpoint!r}: give it one with @cross_origin, its "
                       "blueprint (CorsBlueprint, init_blueprint) or CORS(app)")
    return None


def _finish(failure: Failure | None, lines: list[str], policy: CorsPolicy | None) -> None:
    ctx = click.get_current_context()
    if failure is None:
        click.echo(click.style("allowed", fg="green"))
    else:
        reason = f"{failure.what}: {failure.detail}"
        if failure.field is not None and policy is not None:
            reason += f"; {_comes_from(policy, failure.field)}"
        click.echo(click.style("rejected", fg="red") + f": {reason}")
    for line in lines:
        click.echo(line)
    ctx.exit(0 if failure is None else 1)


# -- flask cors audit -----------------------------------------------------------------------

SEVERITIES = ("error", "warning", "info")
CHROMIUM_MAX_AGE = 7200
_LOOPBACK = ("localhost", "127.0.0.1", "[::1]")


class Finding(NamedTuple):
    id: str
    severity: str
    message: str
    hint: str


class Target(NamedTuple):
    """What an ``origins`` entry is meant to allow: one host, or any subdomain of it."""

    scheme: str
    host: str
    port: str
    wild: bool
    entry: str  # the configured entry, for messages
    any_port: bool = False  # a regex that spells out a port part (``(:\d+)?``) means any port

    def base(self) -> str:
        """A host the entry allows."""
        return f"sub.{self.host}" if self.wild else self.host

    def covers(self, origin: ParsedOrigin) -> bool:
        if origin.scheme != self.scheme or (origin.port != self.port and not self.any_port):
            return False
        return origin.host.endswith("." + self.host) if self.wild else origin.host == self.host


def _origin(scheme: str, host: str, port: str) -> str:
    return f"{scheme}://{host}:{port}" if port else f"{scheme}://{host}"


def _variants(target: Target) -> list[tuple[str, str, str]]:
    """Look-alike origins the entry must not allow: (kind, what makes it one, origin)."""
    scheme, host, port = target.scheme, target.host, target.port
    base = target.base()
    labels = host.split(".")
    # Another registrable domain ending like this one: evilexample.com for (*.)example.com,
    # also for app.example.com (evilapp.example.com would be example.com's own subdomain).
    tail = host if target.wild or len(labels) < 3 else ".".join(labels[-2:])
    out = [
        ("suffix", f"{base} followed by another domain", _origin(scheme, base + ".evil.net", port)),
        ("prefix", f"another domain ending in {tail}", _origin(scheme, "evil" + tail, port)),
    ]
    if len(labels) >= 2 and not host.replace(".", "").isdigit():
        other_tld = ".".join([*base.split(".")[:-1], "evil"])
        out.append(("tld", "another top-level domain", _origin(scheme, other_tld, port)))
    if "." in base:
        out.append(("dot", "a dot replaced by a letter",
                    _origin(scheme, base.replace(".", "x", 1), port)))
    if scheme == "https":
        out.append(("scheme", "plain http instead of https", _origin("http", base, port)))
    if not target.any_port:
        other = "8444" if port == "8443" else "8443"
        out.append(("port", "another port", _origin(scheme, base, other)))
    return out


# Tried on every policy, whatever its entries: no rule may accept these.
UNRELATED = ("https://cors-audit.invalid", "http://cors-audit.invalid:8080")
_PORT_PART = re.compile(r":(?:\\d|\[0-9)")  # ``:\d`` or ``:[0-9`` in a regex source


def _literal(source: str) -> str | None:
    r"""The origin a regex spells out literally (``^https://a\.b\.com$``), else ``None``."""
    text = re.sub(r"\\([.\-/:])", r"\1", source.removeprefix("^").removesuffix("$"))
    return None if re.search(r"[\\*+?()\[\]{}|^$]", text) else text


# A tiny sampler: one string a regular expression accepts, built from its source text.
_CLASS_CHARS = ("a", "1", "-", ".")
_QUANTIFIER = re.compile(r"\*|\+|\?|\{(\d*)(?:(,)(\d*))?\}")


def regex_samples(pattern: str) -> list[str]:
    """Candidate strings for ``pattern``: optional parts dropped, then kept; per alternative."""
    out: list[str] = []
    for keep in (False, True):
        try:
            alternatives, end = _sample_alternatives(pattern, 0, keep, top=True)
        except (ValueError, IndexError, re.error):
            continue
        if end == len(pattern):
            out.extend(s for s in alternatives if s not in out)
    return out


def _sample_alternatives(
    src: str, i: int, keep: bool, top: bool = False
) -> tuple[list[str], int]:
    """Sample ``src[i:]`` up to an unmatched ``)``: every alternative at the top, else the first."""
    alternatives: list[str] = []
    current = ""
    while i < len(src) and src[i] != ")":
        if src[i] == "|":
            alternatives.append(current)
            current, i = "", i + 1
            continue
        atom, i = _sample_atom(src, i, keep)
        low, high = 1, 1
        match = _QUANTIFIER.match(src, i)
        if match is not None:
            text = match.group(0)
            if text in ("*", "?"):
                low, high = 0, 1
            elif text == "+":
                low, high = 1, 1
            else:
                low = int(match.group(1) or 0)
                high = low if not match.group(2) else max(low, 1)
            i = match.end()
            if i < len(src) and src[i] in "?+":  # lazy or possessive
                i += 1
        current += atom * (max(low, 1) if keep else low) if high else ""
    alternatives.append(current)
    return (alternatives if top else alternatives[:1]), i


def _sample_atom(src: str, i: int, keep: bool) -> tuple[str, int]:
    char = src[i]
    if char in "^$":
        return "", i + 1
    if char == ".":  # alone it is meant as a dot; repeated, as a wildcard
        return ("a" if src[i + 1:i + 2] in ("*", "+", "?", "{") else "."), i + 1
    if char == "\\":
        escaped = src[i + 1]
        if escaped in "AZbB":
            return "", i + 2
        sample = {"d": "1", "w": "a"}.get(escaped)
        if sample is not None:
            return sample, i + 2
        if escaped.isalnum():
            raise ValueError(f"unsupported escape \\{escaped}")
        return escaped, i + 2
    if char == "[":
        end = i + 1
        if end < len(src) and src[end] == "^":
            end += 1
        if end < len(src) and src[end] == "]":
            end += 1
        while src[end] != "]":
            end += 2 if src[end] == "\\" else 1
        klass = re.compile(src[i:end + 1])
        sample = next((c for c in _CLASS_CHARS if klass.fullmatch(c)), None)
        if sample is None:
            raise ValueError("no sample character for a class")
        return sample, end + 1
    if char == "(":
        i += 1
        if src.startswith("?", i):
            if src.startswith("?:", i):
                i += 2
            elif src.startswith("?P<", i):
                i = src.index(">", i) + 1
            elif src.startswith(("?=", "?!", "?<"), i):
                raise ValueError("lookarounds are not sampled")
            else:  # inline flags such as (?i)
                i = src.index(")", i) + 1
                return "", i
        alternatives, i = _sample_alternatives(src, i, keep)
        if src[i] != ")":
            raise ValueError("unbalanced group")
        return alternatives[0], i + 1
    if char in "*+?{|)":
        raise ValueError(f"unexpected {char!r}")
    return char, i + 1


#: The targets derived from each regex ``origins`` entry.
RegexTargets = dict[re.Pattern[str], list[Target]]


def _targets(policy: CorsPolicy) -> tuple[list[Target], RegexTargets]:
    """Targets of exact origins and subdomain patterns, and of each regex entry."""
    matcher = policy.matcher
    targets: list[Target] = []
    for key in sorted(matcher.exact):
        parsed = parse_origin(key)
        if parsed is not None:
            targets.append(Target(parsed.scheme, parsed.host, parsed.port, False, repr(key)))
    for scheme, suffix, port in matcher.subdomains:
        entry = _origin(scheme, "*" + suffix, port)
        targets.append(Target(scheme, suffix[1:], port, True, repr(entry)))
    regexes: RegexTargets = {}
    for regex in matcher.regexes:
        found: list[Target] = []
        for sample in regex_samples(regex.pattern):
            parsed = parse_origin(sample)
            if parsed is None or not regex.fullmatch(sample):
                continue
            host, labels = parsed.host, parsed.host.split(".")
            rest = ".".join(labels[1:])
            wild = (len(labels) >= 3 and not host.replace(".", "").isdigit()
                    and any(regex.fullmatch(_origin(parsed.scheme, label + rest, parsed.port))
                            for label in ("zqx.", "zq9.", "zq-x.")))
            found.append(Target(parsed.scheme, rest if wild else host, parsed.port, wild,
                                _regex(regex.pattern),
                                _PORT_PART.search(regex.pattern) is not None))
        regexes[regex] = found
    return targets, regexes


def _accepted_by(policy: CorsPolicy, origin: str) -> Any:
    """Which regex or callable entry lets ``origin`` in (``None``: the matcher itself)."""
    for regex in policy.matcher.regexes:
        if regex.fullmatch(origin):
            return regex
    for check in policy.matcher.callables:
        try:
            if check(origin) is True:
                return check
        except Exception:  # the matcher refuses on errors too
            continue
    return None


def _entry_label(entry: Any) -> str:
    """``regex r'...'``, ``callable <callable name>``: an entry as findings name it."""
    if isinstance(entry, re.Pattern):
        return f"regex {_regex(entry.pattern)}"
    if entry is None:
        return "the origin matcher itself (please report this as a bug)"
    return f"callable {_show_origin(entry)}"


def policy_findings(policy: CorsPolicy) -> list[Finding]:
    """The findings of one effective policy (without the endpoints)."""
    out: list[Finding] = []
    matcher = policy.matcher
    origins_from = _comes_from(policy, "origins")
    creds = policy.supports_credentials
    if matcher.any_origin:
        out.append(Finding(
            "CORS001", "warning", f"any origin ('*') may read these responses; {origins_from}",
            "list the origins that need access, e.g. origins=['https://app.example.com']; "
            "keep '*' only for public data that needs no login",
        ))
    if matcher.allow_null:
        out.append(Finding(
            "CORS004", "warning", f"the 'null' origin is allowed; {origins_from}",
            "remove 'null': sandboxed iframes, data: URLs and local files all send it, so any "
            "page can claim it",
        ))
    targets, regexes = _targets(policy)
    all_targets = targets + [t for found in regexes.values() for t in found]
    if creds:
        plain = sorted({t.entry for t in all_targets
                        if t.scheme == "http" and t.host not in _LOOPBACK
                        and not t.host.endswith(".localhost")})
        if plain:
            out.append(Finding(
                "CORS003", "warning",
                f"plain http origins with credentials: {', '.join(plain)}; {origins_from}, "
                f"{_comes_from(policy, 'supports_credentials')}",
                "use the https:// origins: anyone on the network can read or change plain http "
                "pages, and with them the credentialed responses (http://localhost is fine)",
            ))
    probed, loose = ([], set()) if matcher.any_origin else _probe(policy, targets, regexes,
                                                                  all_targets)
    broad_regexes = {  # a regex is broad unless it spells out a few whole hosts
        regex for regex, found in regexes.items()
        if regex in loose or not found or any(
            t.wild or t.any_port or regex.fullmatch(_origin(t.scheme, "zq" + t.host, t.port))
            for t in found)
    }
    broad = [*(["'*'"] if matcher.any_origin else []),
             *(["'null'"] if matcher.allow_null else []),
             *(_origin(s, "*" + suffix, p) for s, suffix, p in matcher.subdomains),
             *(_entry_label(r) for r in matcher.regexes if r in broad_regexes),
             *(_show_origin(c) for c in matcher.callables)]
    if policy.allow_private_network and broad:
        out.append(Finding(
            "CORS005", "warning",
            f"private network access is allowed to broad origins: {', '.join(broad)}; "
            f"{_comes_from(policy, 'allow_private_network')}",
            "allow private network access only under a policy that lists exact origins",
        ))
    if policy.max_age is not None and policy.max_age > CHROMIUM_MAX_AGE:
        out.append(Finding(
            "CORS006", "info",
            f"max_age={policy.max_age} is above {CHROMIUM_MAX_AGE} seconds, the most Chromium "
            f"caches a preflight; {_comes_from(policy, 'max_age')}",
            f"use max_age={CHROMIUM_MAX_AGE} or less: Chromium cuts longer values down",
        ))
    if creds and "*" in policy.expose_headers:
        out.append(Finding(
            "CORS007", "warning",
            f"expose_headers contains '*' with credentials: browsers then read it as a header "
            f"named '*' and expose nothing; {_comes_from(policy, 'expose_headers')}",
            "list the response headers to expose by name",
        ))
    out.extend(probed)
    return out


def _probe(
    policy: CorsPolicy, targets: list[Target], regexes: RegexTargets,
    all_targets: list[Target],
) -> tuple[list[Finding], set[Any]]:
    """Try look-alikes of every entry, and unrelated origins: any that is accepted but meant
    by no entry is an error. Also returns the entries that accepted one."""
    out: list[Finding] = []
    origins_from = _comes_from(policy, "origins")
    seen: set[tuple[Any, str]] = set()  # (culprit, kind): one example of each is enough
    loose: set[Any] = set()  # entries that accepted a look-alike
    probes: list[tuple[Target | None, str, str, str]] = [
        (t, *variant) for t in all_targets for variant in _variants(t)]
    probes += [(None, "unrelated", "an unrelated origin", u) for u in UNRELATED]
    for target, kind, why, variant in probes:
        parsed = parse_origin(variant)
        if parsed is None or not policy.allows_origin(variant):
            continue
        if any(t.covers(parsed) for t in all_targets):
            continue
        culprit = _accepted_by(policy, variant)
        loose.add(culprit)
        if (culprit, kind) in seen:
            continue
        seen.add((culprit, kind))
        probing = f", probing {target.entry}" if target is not None else ""
        out.append(Finding(
            "CORS008", "error",
            f"origins accept {variant!r} ({why}{probing}) through {_entry_label(culprit)}; "
            f"{origins_from}", _probe_hint(culprit, regexes),
        ))
    for regex, found in regexes.items():
        if not found:
            out.append(Finding(
                "CORS009", "info",
                f"{_entry_label(regex)} was only probed with unrelated origins: no sample "
                f"origin could be derived from it; {origins_from}",
                "prefer exact origins or a subdomain pattern; check the regex by hand",
            ))
            continue
        wild = next((t for t in found if t.wild), None)
        if wild is not None and regex not in loose:
            pattern = _origin(wild.scheme, "*." + wild.host, wild.port)
            apex = _origin(wild.scheme, wild.host, wild.port)
            also = f" plus {apex!r}" if regex.fullmatch(apex) else ""
            out.append(Finding(
                "CORS002", "info",
                f"{_entry_label(regex)} does the work of the subdomain pattern {pattern!r}; "
                f"{origins_from}",
                f"write {pattern!r}{also}: a subdomain pattern cannot be loosened by a missed "
                "escape and needs no regex per request",
            ))
    for check in policy.matcher.callables:
        out.append(Finding(
            "CORS009", "info",
            f"callable {_show_origin(check)} was only probed with unrelated origins and "
            f"look-alikes of the other entries; {origins_from}",
            "make sure it compares whole origins (scheme, host and port), not substrings",
        ))
    return out, loose


def _probe_hint(culprit: Any, regexes: RegexTargets) -> str:
    """How to fix the entry that accepted a look-alike (or an unrelated origin)."""
    if culprit is None:
        return "this is a bug in flask_cors_bp: please report it"
    if culprit not in regexes:
        return "make the callable compare whole origins (scheme, host and port)"
    wild = next((t for t in regexes[culprit] if t.wild), None)
    if wild is not None:
        return f"write {_origin(wild.scheme, '*.' + wild.host, wild.port)!r} instead of the regex"
    literal = _literal(culprit.pattern)
    if literal is not None:
        return f"write {literal!r} instead of the regex"
    if not regexes[culprit]:
        return ("list the origins that need access (exact origins or subdomain patterns); "
                "write '*' if any origin is really meant, never with credentials")
    return ("tighten the regex so that it accepts only your own hosts: escape every dot (\\.) "
            "and spell out the scheme, the domain and the port")


def audit_findings(app: Flask, cors: CORS) -> tuple[list[dict[str, Any]], int]:
    """Findings of every effective policy, grouped by finding; and how many endpoints have one."""
    grouped: dict[Finding, list[str]] = {}
    per_blueprint: dict[str | None, set[str]] = {}
    audited: set[str] = set()
    seen: set[tuple[str, str]] = set()
    for rule in app.url_map.iter_rules():
        path = _sample_path(rule)
        if (rule.endpoint, path) in seen:
            continue
        seen.add((rule.endpoint, path))
        per_blueprint.setdefault(_blueprint(rule.endpoint), set()).add(rule.endpoint)
        try:
            policy = cors.policy_for(rule.endpoint, path=path, app=app)
        except KeyError:
            continue
        except CorsConfigError as exc:
            where = f" ({exc.where})" if exc.where else ""
            findings = [Finding(
                "CORS000", "error",
                f"the policy cannot be resolved: {exc.option}{where} {exc.problem}, so requests "
                "get no CORS grant", exc.hint,
            )]
        else:
            if policy is None:
                continue
            with app.test_request_context(path):  # origin callables may read the request
                findings = policy_findings(policy)
        audited.add(rule.endpoint)
        for finding in findings:
            endpoints = grouped.setdefault(finding, [])
            if rule.endpoint not in endpoints:
                endpoints.append(rule.endpoint)
    out = []
    for finding, endpoints in grouped.items():
        endpoints.sort()
        out.append({
            **finding._asdict(),
            "where": _where(endpoints, per_blueprint),
            "endpoints": endpoints,
            "blueprints": sorted({b for b in map(_blueprint, endpoints) if b is not None}),
        })
    out.sort(key=lambda f: (SEVERITIES.index(f["severity"]), f["id"], f["where"]))
    return out, len(audited)


def _where(endpoints: list[str], per_blueprint: dict[str | None, set[str]]) -> str:
    """``api.*, index``: a blueprint whose endpoints are all affected is named once."""
    parts: list[str] = []
    done: set[str | None] = set()
    for endpoint in endpoints:
        blueprint = _blueprint(endpoint)
        if blueprint in done:
            continue
        members = per_blueprint.get(blueprint, set())
        if blueprint is not None and len(members) > 1 and members <= set(endpoints):
            parts.append(f"{blueprint}.*")
            done.add(blueprint)
        else:
            parts.append(endpoint)
    return ", ".join(parts)


_COLOURS = {"error": "red", "warning": "yellow", "info": "cyan"}


@cors_cli.command("audit", with_appcontext=False)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of findings.")
def audit_command(as_json: bool) -> None:
    """Review every effective policy for risky settings.

    One finding per line: id, severity, where (endpoints; "api.*" means every endpoint of
    blueprint api), the message and a hint. Exit status 1 when any finding is a warning
    or an error, else 0.
    """
    app, cors = _load()
    findings, audited = audit_findings(app, cors)
    if as_json:
        click.echo(json.dumps(findings, indent=2))
    else:
        for f in findings:
            severity = click.style(f"{f['severity']:<7}", fg=_COLOURS[f["severity"]])
            click.echo(f"{f['id']} {severity} [{f['where']}] {f['message']}. Hint: {f['hint']}")
        counts = [f"{sum(f['severity'] == s for f in findings)} {s}" for s in SEVERITIES]
        total = f"{len(findings)} finding{'s' if len(findings) != 1 else ''}"
        click.echo(f"{total} ({', '.join(counts)}) in {audited} endpoints with a CORS policy")
    serious = any(f["severity"] != "info" for f in findings)
    click.get_current_context().exit(1 if serious else 0)
