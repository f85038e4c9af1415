"""cross_origin: a route-level policy that merges over the blueprint and app levels."""

from __future__ import annotations

from functools import wraps
from typing import Any, Callable, TypeVar, cast
from weakref import WeakKeyDictionary

from flask import Flask, Response, make_response
from flask.typing import ResponseReturnValue

from .dispatch import SKIP, apply_to_response, current_app_object, current_request, judge, log
from .errors import CorsConfigError
from .extension import app_state
from .options import config_options, normalize
from .policy import CorsPolicy
from .protocol import not_cors, request_facts
from .registry import AUTO_OPTIONS_ATTR, ROUTE_ATTR

F = TypeVar("F", bound=Callable[..., ResponseReturnValue])


def cross_origin(**options: Any) -> Callable[[F], F]:
    """Give a view its own CORS options.

    With the extension (or a ``CorsBlueprint``) on the app, the options override the
    blueprint and app levels field by field. Alone, they merge over the library defaults and
    ``CORS_*`` config, as Flask-CORS's decorator does.
    """
    route = normalize(options, where="@cross_origin(...)")
    automatic = route.get("automatic_options", True)
    alone: WeakKeyDictionary[Flask, CorsPolicy | None] = WeakKeyDictionary()

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            app = current_app_object()
            req = current_request()
            state = app_state(app)
            if state is not None:  # the extension decides, after the app's hooks
                if state.route_options(req.endpoint or "") is None and _registered_as(
                        app, req.endpoint, view.__name__):
                    _hidden(req.endpoint, view.__name__)
                    req.environ[SKIP] = True  # fail closed: no CORS header at all
                if automatic and req.method == "OPTIONS":
                    return _options_response(app)
                return app.ensure_sync(view)(*args, **kwargs)  # type: ignore[no-any-return]
            if automatic and req.method == "OPTIONS":
                response = _options_response(app)
            else:
                response = make_response(app.ensure_sync(view)(*args, **kwargs))
            if app not in alone:  # the route meets the app's CORS_* config: once per app
                alone[app] = _alone_policy(app, route, view.__name__)
            policy = alone[app]
            if policy is None:
                return response
            environ = req.environ
            if environ.get("HTTP_ORIGIN") is None:
                apply_to_response(response, not_cors(policy))
            else:
                rule = req.url_rule
                apply_to_response(response, judge(app, request_facts(environ, req), policy,
                                                  req.endpoint, None,
                                                  rule.methods if rule else None))
            return response

        setattr(wrapped, ROUTE_ATTR, route)
        if automatic:  # on the wrapper only: the decorated function is left as it was
            wrapped.required_methods = {  # type: ignore[attr-defined]
                *getattr(view, "required_methods", ()), "OPTIONS"}
            wrapped.provide_automatic_options = False  # type: ignore[attr-defined]
            # the wrapper itself, so that a decorator above it can be told apart
            setattr(wrapped, AUTO_OPTIONS_ATTR, wrapped)
        return cast(F, wrapped)

    return decorator


def _options_response(app: Flask) -> Response:
    """Flask's own answer to ``OPTIONS``: an empty response naming the allowed methods."""
    response: Response = app.response_class()
    adapter = app.create_url_adapter(current_request())
    if adapter is not None:
        response.allow.update(adapter.allowed_methods())
    return response


_warned: set[tuple[str | None, str]] = set()


def _registered_as(app: Flask, endpoint: str | None, name: str) -> bool:
    """Whether the endpoint's view is this decorated view under other decorators (they keep
    its name), rather than another view that calls it."""
    registered = app.view_functions.get(endpoint or "")
    return getattr(registered, "__name__", None) == name


def _hidden(endpoint: str | None, view: str) -> None:
    """Log, once per view, a route policy the registry cannot see."""
    if (endpoint, view) in _warned:
        return
    _warned.add((endpoint, view))
    log.error(
        "CORS: the @cross_origin options of view %r (endpoint %r) are hidden by a decorator "
        "stacked above them that keeps no reference to the function it wraps; its responses "
        "carry no CORS grant. Fix: use functools.wraps in that decorator, or put "
        "@cross_origin above it.", view, endpoint)


def _alone_policy(app: Flask, route: dict[str, Any], view: str) -> CorsPolicy | None:
    """The policy of a decorated view on an app without the extension; ``None`` (logged,
    no CORS headers) when the view's options and the app's ``CORS_*`` config do not combine:
    that is only known at the first request, and a request is never turned into a 500."""
    try:
        config, _ = config_options(app.config)
        return CorsPolicy.from_layers([("config CORS_{OPTION}", config), ("route", route)])
    except CorsConfigError:
        log.exception("CORS policy of view %r cannot be resolved; no CORS grant is sent", view)
        return None
