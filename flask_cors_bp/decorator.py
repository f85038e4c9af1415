"""cross_origin: a route-level policy that merges over the blueprint and app levels."""

from __future__ import annotations

from functools import wraps
from typing import Any, Callable, TypeVar, cast
from weakref import WeakKeyDictionary

from flask import Flask, current_app, make_response, request
from flask.typing import ResponseReturnValue

from .errors import CorsConfigError
from .extension import CORS, answer, current_request, log
from .options import config_options, normalize
from .policy import CorsPolicy
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
        if automatic:
            view.required_methods = {*getattr(view, "required_methods", ()), "OPTIONS"}  # type: ignore[attr-defined]
            view.provide_automatic_options = False  # type: ignore[attr-defined]

        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            app = current_app._get_current_object()  # type: ignore[attr-defined]
            extension = isinstance(app.extensions.get("cors"), CORS)
            if automatic and request.method == "OPTIONS":
                response = app.make_default_options_response()
            elif extension:
                result: ResponseReturnValue = view(*args, **kwargs)
                return result
            else:
                response = make_response(view(*args, **kwargs))
            if extension:
                return response  # type: ignore[no-any-return]
            if app not in alone:  # the route meets the app's CORS_* config: once per app
                alone[app] = _alone_policy(app, route, view.__name__)
            policy = alone[app]
            if policy is None:
                return response  # type: ignore[no-any-return]
            req = current_request()
            rule = req.url_rule
            answer(app, req, response, policy, req.endpoint, None, rule.methods if rule else None)
            return response  # type: ignore[no-any-return]

        setattr(wrapped, ROUTE_ATTR, route)
        if automatic:
            setattr(wrapped, AUTO_OPTIONS_ATTR, True)
        return cast(F, wrapped)

    return decorator


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
