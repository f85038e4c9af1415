"""The per-request path: find the policy, let :mod:`.protocol` decide, apply, signal.

Two public Flask hooks do the work, installed by :func:`install`:

- a ``before_request`` function at the front of the app's list answers preflights ahead of
  every other ``before_request`` hook (the app's and the blueprints');
- an ``after_request`` function at the front of the app's list runs last (Flask runs that
  list in reverse), so the CORS headers are decided on the final response.

Per request the work is a cached policy lookup, the protocol decision and a few appends.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from logging import DEBUG
from typing import TYPE_CHECKING, Any, Optional, cast
from urllib.parse import urlsplit

from flask import Flask, Request, Response, request
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.routing import RequestRedirect

from .policy import CorsPolicy
from .protocol import (
    Decision,
    RequestFacts,
    decide,
    is_preflight,
    merge_vary,
    not_cors,
    request_facts,
    requested_headers,
)
from .registry import NO_RESOURCE
from .signals import origin_rejected, preflight_rejected, report_only_rejected

if TYPE_CHECKING:
    from werkzeug.routing import Rule

    from .registration import AppState

log = logging.getLogger("flask_cors_bp")

#: WSGI environ keys (per request state that must survive Flask's error path)
DECIDED = "flask_cors_bp.decision"  # a preflight answered ahead of the hooks
SIGNALLED = "flask_cors_bp.signalled"  # at most one signal per request
SKIP = "flask_cors_bp.skip"  # no CORS headers on this response (see CORS docs)

#: Where a response without a matched rule belongs: (endpoint, blueprint, route methods).
Owner = tuple[Optional[str], Optional[str], Collection[str]]


def current_request() -> Request:
    """The request being handled, as the object itself (one proxy lookup; the proxy's
    documented ``_get_current_object``)."""
    return request._get_current_object()  # type: ignore[attr-defined,no-any-return]


class Dispatcher:
    """One application's request hooks."""

    def __init__(self, app: Flask, state: AppState) -> None:
        self.app = app
        self.state = state
        self.registry = state.registry

    def policy(self, req: Request, endpoint: str | None, blueprint: str | None
               ) -> CorsPolicy | None:
        """The cached policy of an endpoint (or of a blueprint prefix, for no endpoint)."""
        registry = self.registry
        key = (endpoint, blueprint,
               registry.resource_index(req.path) if registry.resources else NO_RESOURCE)
        try:
            return registry.cache[key]
        except KeyError:
            return registry.lookup(key)

    # -- the two hooks -------------------------------------------------------------------

    def before_request(self) -> Response | None:
        """Answer a preflight before the app's own ``before_request`` hooks run."""
        if self.state.unswept:
            self.state.sweep()
        req = current_request()
        environ = req.environ
        rule = req.url_rule
        if rule is None or not is_preflight(environ):
            return None  # a preflight to a path no rule serves is answered after the view
        method = environ["HTTP_ACCESS_CONTROL_REQUEST_METHOD"]
        methods: Collection[str] = rule.methods or ()
        if method not in methods:  # another rule may serve this path with that method
            other = self.match(req, method=method)
            if other is not None:
                rule, methods = other, other.methods or ()
        policy = self.policy(req, rule.endpoint, None)
        # automatic_options=False leaves the preflight to a view that handles OPTIONS itself
        # (Flask's own automatic OPTIONS answer does not count).
        if policy is None or (not policy.automatic_options
                              and self.state.view_answers_options(rule)):
            return None
        # The app's after_request hooks still run on this answer: the decision is applied
        # after them, so that what they add is merged (Vary) or overruled (grants).
        environ[DECIDED] = judge(self.app, request_facts(environ, req), policy, rule.endpoint,
                                       None, methods)
        return self.app.response_class(status=200)

    def after_request(self, response: Response) -> Response:
        """Add CORS headers to every response of an endpoint (or prefix) with a policy."""
        req = current_request()
        environ = req.environ
        decided = environ.get(DECIDED)
        if decided is not None:  # a preflight answered ahead of the hooks
            apply(response, decided)
            return response
        rule = req.url_rule
        if rule is not None:
            endpoint: str | None = rule.endpoint
            blueprint = None
            methods: Collection[str] = rule.methods or ()
        else:
            endpoint, blueprint, methods = self.owner(req)
        policy = self.policy(req, endpoint, blueprint)
        if policy is None or SKIP in environ:
            return response
        origin = environ.get("HTTP_ORIGIN")
        if origin is None:
            apply(response, not_cors(policy))
        else:
            apply(response, judge(self.app, request_facts(environ, req), policy, endpoint,
                                        blueprint, methods))
        return response

    # -- helpers -------------------------------------------------------------------------

    def match(self, req: Request, method: str | None = None, path: str | None = None
              ) -> Rule | None:
        """The rule that serves ``path`` (default: the request's) with ``method``, if any."""
        adapter = self.app.create_url_adapter(req)
        if adapter is None:  # pragma: no cover - only without a request
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
        elif isinstance(error, RequestRedirect):
            rule = self.match(req, method=req.method, path=urlsplit(error.new_url).path)
        if rule is not None:
            return rule.endpoint, None, ()
        self.state.locate_registered()
        subdomain = None
        # The subdomain Werkzeug routed with: only blueprints on subdomains, or a host
        # checked against SERVER_NAME, can make it other than the default.
        if self.registry.subdomains or self.app.config.get("SERVER_NAME"):
            subdomain = getattr(self.app.create_url_adapter(req), "subdomain", None)
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
    """Put the dispatcher's hooks on ``app``: first in line for preflights, last for headers."""
    dispatcher = Dispatcher(app, state)
    app.before_request_funcs.setdefault(None, []).insert(0, dispatcher.before_request)
    app.after_request_funcs.setdefault(None, []).insert(0, dispatcher.after_request)
    return dispatcher


def apply(response: Response, decision: Decision) -> None:
    """Set a decision's headers on a response, merging ``Vary`` into one header.

    Values are either computed at start-up or validated request values (no CR/LF). A refusal
    also removes ``Access-Control-Allow-*`` headers the app set itself.
    """
    headers = response.headers
    add, vary_names, refused = decision
    for name, _ in headers:
        if name[:1] in "AaVv":  # may be one of ours: the general case below
            break
    else:  # the common case: nothing to merge or replace
        headers.extend(add)
        if vary_names:
            headers.add("Vary", ", ".join(vary_names))
        return
    if refused is not None:  # a refusal carries no grant, not even one the app set itself
        for name in {name for name, _ in headers
                     if name.lower().startswith("access-control-allow-")}:
            del headers[name]
    for name, value in add:
        headers.set(name, value)
    vary = merge_vary(headers.getlist("Vary"), vary_names) if vary_names else None
    if vary is not None:
        headers["Vary"] = vary


def report(app: Flask, facts: RequestFacts, reason: str, policy: CorsPolicy,
           endpoint: str | None, blueprint: str | None, candidate: bool = False) -> None:
    """Log a refusal at debug level and send its signal (once per request).

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
    environ = cast(Request, facts.target).environ
    if not signal.receivers or environ.get(SIGNALLED):  # nobody listens / already sent
        return
    environ[SIGNALLED] = True  # Flask's error path runs the response hooks again
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
    signal.send(app, **payload)
