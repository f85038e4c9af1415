"""``flask cors check ORIGIN PATH``: play the browser against the app's test client."""

from __future__ import annotations

from urllib.parse import urlsplit

import click

from ..errors import CorsConfigError
from ..options import TOKEN
from ..origins import parse_origin
from ..policy import CorsPolicy
from .browser import Failure, browser_method, parse_header
from .common import Inspected, blueprint_of, comes_from, entry_label, load
from .exchange import Outcome, Route, exchange, route_of

ALLOWED, REJECTED, USAGE, NO_ROUTE = 0, 1, 2, 4  # 3: the app raised (exchange.APP_RAISED)


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
@click.option("--method", "-X", default="GET", show_default=True,
              help="The request method, as the page writes it: DELETE, GET, HEAD, OPTIONS, "
                   "POST and PUT are upper-cased (browsers do), others are sent as written.")
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
    When the route's policy has a report-only candidate, the next line gives its verdict
    ("report-only candidate: would allow", "... would reject: <reason>"); it never
    changes the exit status. PATH may be a full URL (http://api.example.com/items) to
    reach a subdomain or host.

    The request really runs the view, with this app's configuration: do not check unsafe
    methods against production data.

    Exit status (the enforced policy's verdict): 0 allowed, 1 rejected, 2 usage error,
    3 the app raised an exception, 4 no route serves PATH (nothing is sent).
    """
    if origin != "null" and parse_origin(origin) is None:
        raise click.BadParameter(
            f"{origin!r} is not an origin: write scheme://host[:port] (no path), or null",
            param_hint="ORIGIN",
        )
    bare_path = _bare_path(path)
    method = browser_method(method)
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
    outcome = exchange(app, route, path, origin, method, headers, credentials,
                       private_network, lines)
    failure, policy = outcome.failure, outcome.policy
    if failure is not None and broken is not None:
        failure = broken
    own = _policy(inspected, route.endpoint, bare_path) if route.endpoint is not None else None
    if failure is not None and policy is None:
        policy = own
    if failure is not None and failure.what == "origin" and policy is None:
        failure = _no_policy(inspected, route, bare_path) or failure
    if failure is None and route.endpoint is not None:
        granted = _granted_by(own, origin)
        lines[head:head] = [granted] if granted else []
    candidate = own.report_only if own is not None and broken is None else None
    _finish(failure, lines, policy, _candidate_verdict(outcome, candidate, credentials))


def _candidate_verdict(outcome: Outcome, candidate: CorsPolicy | None,
                       credentials: bool) -> str | None:
    """The report-only candidate's verdict (``None``: the endpoint has none), from the
    ``report_only_rejected`` signal heard while the requests ran.

    The library only consults a candidate for what the enforced policy grants, so a
    request already rejected is not judged. Credentials are the browser's check: no signal
    reports a candidate without ``supports_credentials``.
    """
    if candidate is None:
        return None
    label = "report-only candidate"
    if outcome.candidate is not None:
        return f"{label}: would reject: {_reason(outcome.candidate, outcome.candidate_policy)}"
    if outcome.failure is not None:
        return f"{label}: not judged (the request is already rejected by the enforced policy)"
    if credentials and not candidate.supports_credentials:
        failure = Failure("credentials", "the candidate would send no "
                          "Access-Control-Allow-Credentials: true", "supports_credentials")
        return f"{label}: would reject: {_reason(failure, candidate)}"
    return f"{label}: would allow"


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


def _reason(failure: Failure, policy: CorsPolicy | None) -> str:
    """``what: detail; <field> comes from <level>``."""
    reason = f"{failure.what}: {failure.detail}"
    if failure.field is not None and policy is not None:
        reason += f"; {comes_from(policy, failure.field)}"
    return reason


def _finish(failure: Failure | None, lines: list[str], policy: CorsPolicy | None,
            candidate: str | None = None) -> None:
    """Print the verdict, the candidate's (if any) and the lines; exit with the verdict."""
    if failure is None:
        click.echo(click.style("allowed", fg="green"))
    else:
        click.echo(click.style("rejected", fg="red") + f": {_reason(failure, policy)}")
    if candidate is not None:
        click.echo(candidate)
    for line in lines:
        click.echo(line)
    click.get_current_context().exit(ALLOWED if failure is None else REJECTED)
