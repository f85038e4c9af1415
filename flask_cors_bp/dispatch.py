"""The per-request path: find the policy, let :mod:`.protocol` decide, apply, signal.

Two public Flask extension points do the work, installed by :func:`install`:

- a ``before_request`` function at the front of the app's list answers preflights ahead of
  every other ``before_request`` hook (the app's and the blueprints'); when the app has no
  other hook nor a view that answers ``OPTIONS`` itself, it goes at the first request and
  Flask's own ``OPTIONS`` answer is decided like any response;
- a WSGI middleware around ``app.wsgi_app`` adds the CORS headers when the response starts:
  after every ``after_request`` hook and the session, on the final headers, while the
  request context is still active.

Per request the work is a cached policy lookup, the protocol decision and a few appends.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable
from functools import partial
from logging import DEBUG
from threading import Lock
from typing import TYPE_CHECKING, Any, Optional
from urllib.parse import unquote, urlsplit

from flask import Flask, Request, Response, current_app, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import RequestRedirect

from .policy import CorsPolicy
from .protocol import (
    Decision,
    RequestFacts,
    decide,
    merge_vary,
    not_cors,
    request_facts,
    requested_headers,
)
from .registry import AUTO_OPTIONS_ATTR, NO_RESOURCE
from .signals import origin_rejected, preflight_rejected, report_only_rejected

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from werkzeug.routing import MapAdapter, Rule

    from .registration import AppState

log = logging.getLogger("flask_cors_bp")

#: WSGI environ keys: per request state shared by the preflight hook and the middleware
DECIDED = "flask_cors_bp.decision"  # the request's decision, made once (hence one signal)
SKIP = "flask_cors_bp.skip"  # no CORS headers on this response (see CORS docs)

#: A WSGI response's header list.
Headers = list[tuple[str, str]]
#: Where a response without a matched rule belongs: (endpoint, blueprint, route methods).
Owner = tuple[Optional[str], Optional[str], Collection[str]]


#: The request and the app of the active context, as objects (the proxies' documented
#: ``_get_current_object``; one lookup each).
current_request: Callable[[], Request] = request._get_current_object  # type: ignore[attr-defined]
current_app_object: Callable[[], Flask] = current_app._get_current_object  # type: ignore[attr-defined]


class Dispatcher:
    """One application's preflight hook and CORS middleware."""

    def __init__(self, app: Flask, state: AppState) -> None:
        self.app = app
        self.state = state
        self.registry = state.registry
        self.hook: Any = None  # the preflight hook, as installed
        self.wsgi_app: WSGIApplication = app.wsgi_app  # the app as it was wrapped
        self.first_request = Lock()

    def policy(self, req: Request, endpoint: str | None, blueprint: str | None
               ) -> CorsPolicy | None:
        """The cached policy of an endpoint (or of a blueprint prefix, for no endpoint)."""
        registry = self.registry
        key = (endpoint, blueprint,
               registry.resource_index(req.path) if registry.resources else NO_RESOURCE)
        try:  # the cache hit without a call: this is on every request
            return registry.cache[key]
        except KeyError:
            return registry.lookup(key)

    # -- the preflight hook and the middleware --------------------------------------------

    def before_request(self) -> Response | None:
        """Answer a preflight before the app's own ``before_request`` hooks run."""
        if self.state.unswept:
            with self.first_request:  # concurrent first requests: one checks and decides
                if self.state.unswept:
                    self.state.sweep()
                    if self.drop_hook_if_unneeded():
                        return None  # from this request on, Flask answers preflights
        req = current_request()
        environ = req.environ
        rule = req.url_rule
        if environ["REQUEST_METHOD"] != "OPTIONS" or rule is None:
            return None  # a preflight to a path no rule serves is answered after the view
        facts = request_facts(environ, req)
        if not facts.preflight:
            return None
        rule, methods = self.preflight_rule(req, environ, rule)
        policy = self.policy(req, rule.endpoint, None)
        # automatic_options=False leaves the preflight to a view that handles OPTIONS itself
        # (Flask's own automatic OPTIONS answer does not count).
        if policy is None or (not policy.automatic_options
                              and self.state.view_answers_options(rule)):
            return None
        # The app's after_request hooks still run on this answer: the decision is applied
        # after them, so that what they add is merged (Vary) or overruled (grants).
        environ[DECIDED] = judge(self.app, facts, policy, rule.endpoint, None, methods)
        return self.app.response_class(status=200)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse
                 ) -> Iterable[bytes]:
        """The app as WSGI: CORS headers are added as the response starts."""
        def cors_start_response(status: str, headers: Headers, exc_info: Any = None) -> Any:
            return start_response(status, self.respond(environ, headers), exc_info)

        return self.wsgi_app(environ, cors_start_response)

    def respond(self, environ: WSGIEnvironment, headers: Headers) -> Headers:
        """The response headers with CORS headers for every response of an endpoint (or a
        blueprint prefix) with a policy. A request is decided once: a response that starts
        again (``start_response`` with ``exc_info``) gets the same decision, and no second
        signal."""
        if SKIP in environ:
            return headers
        decided = environ.get(DECIDED)
        if decided is not None:  # a preflight answered ahead of the hooks, or a restart
            return apply(headers, decided)
        # The request object made for this environ; when it was routed by this app's map it
        # is the one this app is answering, else the context says which request that is.
        req: Request = environ.get("werkzeug.request")  # type: ignore[assignment]
        rule = getattr(req, "url_rule", None)
        if rule is None or rule.map is not self.app.url_map:  # not plainly routed by this app
            try:  # the request this app is answering (the response starts in its context)
                if current_app_object() is not self.app:
                    return headers  # another app mounted inside this one answered it
                req = current_request()
            except RuntimeError:  # no context: an inner middleware answered on its own
                return headers
            rule = req.url_rule
        facts = request_facts(environ, req) if "HTTP_ORIGIN" in environ else None
        if rule is not None:
            methods: Collection[str] = rule.methods or ()
            if facts is not None and facts.preflight:  # Flask answered it: see before_request
                rule, methods = self.preflight_rule(req, environ, rule)
            endpoint: str | None = rule.endpoint
            blueprint = None
        else:
            endpoint, blueprint, methods = self.owner(req)
        policy = self.policy(req, endpoint, blueprint)
        if policy is None:
            return headers
        decided = environ[DECIDED] = (
            not_cors(policy) if facts is None
            else judge(self.app, facts, policy, endpoint, blueprint, methods))
        return apply(headers, decided)

    def preflight_rule(self, req: Request, environ: dict[str, Any], rule: Rule
                       ) -> tuple[Rule, Collection[str]]:
        """The rule a preflight is about, and its methods: the matched rule, or another
        rule of the same path that serves the requested method."""
        methods: Collection[str] = rule.methods or ()
        method = environ["HTTP_ACCESS_CONTROL_REQUEST_METHOD"]
        if method not in methods:
            other = self.match(req, method=method)
            if other is not None:
                return other, other.methods or ()
        return rule, methods

    def drop_hook_if_unneeded(self) -> bool:
        """At the first request, once the app is set up: without any other
        ``before_request`` hook, nor a view that answers ``OPTIONS`` itself, Flask's own
        answer to a preflight is as good as ours (its headers are decided as it starts);
        then the hook goes, and with it its cost on every request. Whether it went."""
        app, own = self.app, self.hook
        funcs = app.before_request_funcs
        if any(func is not own for hooks in funcs.values() for func in hooks):
            return False
        for rule in app.url_map.iter_rules():
            if "OPTIONS" in (rule.methods or ()) and not getattr(
                    rule, "provide_automatic_options", True):
                view = app.view_functions.get(rule.endpoint)
                if getattr(view, AUTO_OPTIONS_ATTR, None) is not view:
                    return False  # a view (or a decorator above @cross_origin) would see it
        funcs[None].remove(own)  # the only hook of the list Flask is running: it ends there
        return True

    # -- helpers -------------------------------------------------------------------------

    def adapter(self, req: Request) -> MapAdapter | None:
        """The app's URL adapter for a request; ``None`` when the request's host cannot be
        routed (an untrusted ``Host`` raises, as in Flask's own routing)."""
        try:
            return self.app.create_url_adapter(req)
        except HTTPException:
            return None

    def match(self, req: Request, method: str | None = None, path: str | None = None
              ) -> Rule | None:
        """The rule that serves ``path`` (default: the request's) with ``method``, if any."""
        adapter = self.adapter(req)
        if adapter is None:
            return None
        try:
            rule, _ = adapter.match(path, method, return_rule=True)
        except Exception:
            return None
        return rule

    def owner(self, req: Request) -> Owner:
        """Where a response without a matched rule belongs.

        A 405 or a redirect belongs to the rule that owns the path (routing knows it); only a
        404 that no rule matches is placed by the blueprint prefixes that enclose the path. A
        preflight here has no method to grant (route methods are empty).
        """
        error = req.routing_exception
        rule = None
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            rule = self.match(req, method=next(iter(error.valid_methods)))
        elif isinstance(error, RequestRedirect):  # the target's path, below the app's root
            path = unquote(urlsplit(error.new_url).path)
            root = req.script_root
            rule = self.match(req, method=req.method,
                              path=path[len(root):] if root and path.startswith(root) else path)
        if rule is not None:
            return rule.endpoint, None, ()
        self.state.locate_registered()
        subdomain = None
        # The subdomain Werkzeug routed with: only blueprints on subdomains, or a host
        # checked against SERVER_NAME, can make it other than the default.
        if self.registry.subdomains or self.app.config.get("SERVER_NAME"):
            subdomain = getattr(self.adapter(req), "subdomain", None)
        return None, self.registry.enclosing_blueprint(req.path, subdomain), ()


def judge(app: Flask, facts: RequestFacts, policy: CorsPolicy, endpoint: str | None,
          blueprint: str | None, route_methods: Collection[str] | None) -> Decision:
    """Decide for a request with ``Origin`` under a policy, and report a refusal: the
    policy's own, or else its report-only candidate's."""
    decision = decide(policy, facts, route_methods)
    refused = decision[2]
    if refused is not None:
        if origin_rejected.receivers or preflight_rejected.receivers or log.isEnabledFor(DEBUG):
            report(app, facts, refused, policy, endpoint, blueprint)
    elif policy.report_only is not None and (
        report_only_rejected.receivers or log.isEnabledFor(DEBUG)
    ):  # one more decision, only for endpoints with a candidate and someone to tell
        would = decide(policy.report_only, facts, route_methods)[2]
        if would is not None:
            report(app, facts, would, policy.report_only, endpoint, blueprint, candidate=True)
    return decision


def install(app: Flask, state: AppState) -> Dispatcher:
    """Put the dispatcher on ``app``: first in line for preflights, last for headers."""
    dispatcher = Dispatcher(app, state)
    # A partial of a plain function, not a bound method: Flask checks every hook for a
    # coroutine on every request, and this is the cheapest kind to check and to call.
    hook = partial(Dispatcher.before_request, dispatcher)
    app.before_request_funcs.setdefault(None, []).insert(0, hook)
    dispatcher.hook = hook
    app.wsgi_app = dispatcher  # type: ignore[method-assign]
    return dispatcher


def apply(headers: Headers, decision: Decision) -> Headers:
    """A WSGI header list with a decision's headers set, ``Vary`` merged into one header.

    Values are either computed at start-up or validated request values (no CR/LF). A refusal
    also removes ``Access-Control-Allow-*`` headers the app set itself. The list given is
    not changed: a new one is returned.
    """
    add, vary_names, refused = decision
    for name, _ in headers:
        if name[:1] in "AaVv" and (  # one of ours, or Vary: the general case below
                name[:15].lower() == "access-control-" or name.lower() == "vary"):
            break
    else:  # the common case: nothing to merge or replace
        if vary_names:
            return [*headers, *add, ("Vary", ", ".join(vary_names))]
        return [*headers, *add]
    ours = {name.lower() for name, _ in add}
    vary = merge_vary([v for n, v in headers if n.lower() == "vary"], vary_names
                      ) if vary_names else None
    kept = [(name, value) for name, value in headers
            if name.lower() not in ours
            and not (refused is not None and name.lower().startswith("access-control-allow-"))
            and not (vary is not None and name.lower() == "vary")]
    return [*kept, *add, *([("Vary", vary)] if vary is not None else [])]


def apply_to_response(response: Response, decision: Decision) -> None:
    """:func:`apply` on a response object's headers (``@cross_origin`` used alone)."""
    items = apply(list(response.headers.items()), decision)
    response.headers.clear()
    response.headers.extend(items)


def report(app: Flask, facts: RequestFacts, reason: str, policy: CorsPolicy,
           endpoint: str | None, blueprint: str | None, candidate: bool = False) -> None:
    """Log a refusal at debug level and send its signal. A receiver
    that raises is logged, and the response goes out as decided.

    With ``candidate``, the refusal is the report-only candidate's (``policy``), sent as
    ``report_only_rejected``.
    """
    origin = facts.origin or ""
    if log.isEnabledFor(DEBUG):
        log.debug("CORS %s %s (%s) on %s", "report-only candidate refuses" if candidate
                  else "refused", ascii(origin), reason, endpoint)
    if candidate:
        signal = report_only_rejected
    else:
        signal = origin_rejected if reason == "origin" else preflight_rejected
    if not signal.receivers:
        return
    if blueprint is None and endpoint is not None:
        blueprint = endpoint.rpartition(".")[0] or None
    payload: dict[str, Any] = {"origin": origin, "reason": reason, "endpoint": endpoint,
                               "blueprint": blueprint, "policy": policy}
    if candidate or reason == "origin":
        payload["preflight"] = facts.preflight
    if facts.preflight and (candidate or reason != "origin"):
        # the requested names as the decision parsed them (empty when malformed)
        payload["method"] = facts.method
        payload["headers"] = requested_headers(facts.headers) or ()
    try:
        signal.send(app, **payload)
    except Exception:  # a logging or metrics bug never changes the response
        log.exception("CORS: a receiver of %s raised; the response is unchanged", signal.name)
