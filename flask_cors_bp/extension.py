"""The Flask glue: the ``CORS`` extension, its request hooks and blueprint registration.

Per request the work is: find the endpoint's cached policy, let :mod:`.protocol` decide, and
set the precomputed headers. Everything else happens when the app is configured.
"""

from __future__ import annotations

import logging
import posixpath
from collections.abc import Collection
from logging import DEBUG
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary, ref

from flask import (
    Flask,
    Request,
    Response,
    current_app,
    g,
    got_request_exception,
    has_app_context,
    request,
)
from flask.globals import request_ctx
from flask.typing import ResponseReturnValue

try:  # one ContextVar lookup instead of a LocalProxy per attribute: a hot path
    from flask.globals import _cv_request

    def current_request() -> Request:
        """The request being handled."""
        return _cv_request.get().request

except ImportError:  # pragma: no cover - a Flask without the context variable

    def current_request() -> Request:
        """The request being handled."""
        return request._get_current_object()  # type: ignore[attr-defined,no-any-return]

from .errors import CorsConfigError
from .options import ALL_OPTIONS, config_options, normalize
from .policy import CorsPolicy
from .protocol import Decision, decide_actual, decide_preflight, merge_vary
from .registry import (
    AUTO_OPTIONS_ATTR,
    BLUEPRINT_ATTR,
    NO_RESOURCE,
    ROUTE_ATTR,
    Registry,
    blueprint_chain,
)
from .signals import origin_rejected, preflight_rejected

if TYPE_CHECKING:
    from flask.blueprints import Blueprint
    from flask.sansio.blueprints import Blueprint as AnyBlueprint
    from flask.sansio.blueprints import BlueprintSetupState
    from werkzeug.routing import Rule

log = logging.getLogger("flask_cors_bp")
_DECIDED = "_cors_decision"  # on a preflight answered ahead of the hooks
_SIGNALLED = "flask_cors_bp.signalled"  # in the WSGI environ: at most one signal per request


class CORS:
    """The Flask extension: app-wide CORS defaults and the registry of every level.

    ``CORS(app, **options)`` or ``cors = CORS(**options)`` then ``cors.init_app(app)``.
    The options are the app-wide defaults; ``app.config["CORS_<OPTION>"]`` keys sit below
    them. One instance may serve several applications.
    """

    def __init__(self, app: Flask | None = None, **options: Any) -> None:
        self._options = normalize(options, where="CORS(...)", allowed=ALL_OPTIONS)
        self._apps: WeakKeyDictionary[Flask, _AppCors] = WeakKeyDictionary()
        self._implicit = False
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask, **options: Any) -> None:
        """Set up CORS on ``app``; ``options`` here override the constructor's."""
        given = normalize(options, where="init_app(...)", allowed=ALL_OPTIONS)
        options = {**self._options, **given}
        existing = app.extensions.get("cors")
        state: _AppCors | None = None
        if isinstance(existing, CORS) and existing is not self:
            if not existing._implicit:
                raise CorsConfigError(
                    "CORS", app.name, "is already set up on this application",
                    "call CORS(app) or init_app once; use CorsBlueprint or init_blueprint "
                    "for other policies",
                )
            state = existing._apps.pop(app, None)
        state = state or self._apps.get(app) or _AppCors(app)
        state.configure(options)
        self._apps[app] = state
        app.extensions["cors"] = self
        state.registry.check_app_level()
        state.check_rules()

    def init_blueprint(self, blueprint: Blueprint, **options: Any) -> None:
        """Give any blueprint (also one you do not own) a CORS policy.

        Works before or after the blueprint is registered; later calls add to earlier ones.
        """
        set_blueprint_options(blueprint, normalize(options, where=f"blueprint {blueprint.name!r}"))
        for app, state in list(self._apps.items()):
            for name, registered in list(app.blueprints.items()):
                if registered is blueprint:
                    state.locate_registered()
                    state.check_chain(name)
                    state.check_rules(name + ".")

    def policy_for(
        self, endpoint: str, path: str | None = None, app: Flask | None = None
    ) -> CorsPolicy | None:
        """The effective policy of ``endpoint`` (``None``: no CORS on it).

        ``path`` only matters when app-level ``resources`` are path-based; without it, an
        endpoint whose rules have no variables is placed by their path. ``app`` defaults
        to the current app, or the only app this instance serves. Raises ``KeyError`` for an
        unknown endpoint and :class:`CorsConfigError` for levels that do not combine.
        """
        state = self._state(app)
        if endpoint not in state.app.view_functions:
            raise KeyError(f"no endpoint {endpoint!r} on app {state.app.name!r}")
        registry = state.registry
        resource = NO_RESOURCE
        if registry.resources and path is not None:
            resource = registry.resource_index(path)
        elif registry.resources:  # rules without variables are placed by their own paths
            rules = list(state.app.url_map.iter_rules(endpoint))
            places = set() if any(rule.arguments for rule in rules) else {
                registry.resource_index(rule.rule) for rule in rules}
            if len(places) == 1:
                resource = places.pop()
        key = (endpoint, None, resource)
        if key in registry.failed:
            raise registry.failed[key]
        if key not in registry.cache:
            registry.cache[key] = registry.resolve(endpoint, None, resource)
        return registry.cache[key]

    def _state(self, app: Flask | None) -> _AppCors:
        if app is None and has_app_context():
            app = current_app._get_current_object()  # type: ignore[attr-defined]
        if app is None:
            if len(self._apps) != 1:
                raise RuntimeError("pass app=...: this CORS instance serves several apps or none")
            return next(iter(self._apps.values()))
        return self._apps[app]


def set_blueprint_options(blueprint: AnyBlueprint, options: dict[str, Any]) -> None:
    """Record a blueprint's policy in code and watch its registrations."""
    current = blueprint.__dict__.get(BLUEPRINT_ATTR) or {}
    setattr(blueprint, BLUEPRINT_ATTR, {**current, **options})
    watch_registrations(blueprint)


def _has_policy(blueprint: AnyBlueprint) -> bool:
    """Whether a blueprint or one nested in it has CORS options in code."""
    return blueprint.__dict__.get(BLUEPRINT_ATTR) is not None or any(
        _has_policy(child) for child, _ in blueprint._blueprints
    )


def app_cors(app: Flask, create: bool = False) -> _AppCors | None:
    """The CORS state of an app; with ``create``, set it up for blueprint-only use."""
    cors = app.extensions.get("cors")
    if isinstance(cors, CORS):
        return cors._apps.get(app)
    if not create:
        return None
    cors = CORS()
    cors._implicit = True
    state = cors._apps[app] = _AppCors(app)
    state.configure(None)
    app.extensions["cors"] = cors
    return state


def _on_register(setup: BlueprintSetupState) -> None:
    """Deferred on every watched blueprint: note its prefix, check its levels combine."""
    has_policy = setup.blueprint.__dict__.get(BLUEPRINT_ATTR) is not None
    state = app_cors(setup.app, create=has_policy)  # type: ignore[arg-type]
    if state is None:
        return
    name = f"{setup.name_prefix}.{setup.name}".lstrip(".")
    subdomain = setup.subdomain  # None: the map's default subdomain, as for its rules
    if subdomain is None:
        subdomain = setup.app.url_map.default_subdomain or None
    state.registry.add_prefix(name, setup.url_prefix, subdomain)
    state.check_chain(name)


def watch_registrations(blueprint: AnyBlueprint) -> None:
    """Run :func:`_on_register` whenever ``blueprint`` or a nested one is registered."""
    if _on_register not in blueprint.deferred_functions:
        blueprint.deferred_functions.append(_on_register)
    for child, _ in blueprint._blueprints:
        watch_registrations(child)


class _AppCors:
    """One application's registry and request hooks."""

    def __init__(self, app: Flask) -> None:
        self._app = ref(app)  # the instance must not keep factory-made apps alive
        self.registry = Registry()
        self.registry.blueprint_options = self._blueprint_options
        self.registry.route_options = self._route_options
        self.intercept_exceptions = True
        # Preflights are answered ahead of every before_request hook (and url value
        # preprocessor); CORS headers are added after every after_request hook, so that
        # they see the final response. Wrapping the two steps also spares Flask's
        # per-hook dispatch on every request.
        preprocess, process = app.preprocess_request, app.process_response

        def preprocess_request() -> ResponseReturnValue | None:
            answered = self.answer_preflight(app)
            return answered if answered is not None else preprocess()

        def process_response(response: Response) -> Response:
            return self.after_request(process(response), app)

        app.preprocess_request = preprocess_request  # type: ignore[method-assign]
        app.process_response = process_response  # type: ignore[method-assign]
        register = app.register_blueprint

        def register_blueprint(blueprint: Blueprint, **options: Any) -> None:
            watch_registrations(blueprint)
            register(blueprint, **options)
            name = options.get("name", blueprint.name)
            if _has_policy(blueprint) or any(
                n == name or n.startswith(name + ".") for n in self.registry.config_blueprints
            ):  # a policy given before registration: its routes are checked now
                self.check_rules(name + ".")

        app.register_blueprint = register_blueprint  # type: ignore[method-assign,assignment]
        add_url_rule = app.add_url_rule

        def add_url_rule_checked(rule: str, endpoint: str | None = None, *args: Any,
                                 **kwargs: Any) -> None:
            add_url_rule(rule, endpoint, *args, **kwargs)
            # An app route added after CORS(app) is resolved now, so that levels that do not
            # combine fail here; blueprint routes are checked when their blueprint is.
            view = args[0] if args else kwargs.get("view_func")
            name = endpoint or getattr(view, "__name__", None)
            if view is not None and name is not None and (
                name.rpartition(".")[0] not in app.blueprints
            ):
                self.check_rules(endpoint=name)

        app.add_url_rule = add_url_rule_checked  # type: ignore[method-assign]
        self.locate_registered()
        from .cli import cors_cli

        if "cors" not in app.cli.commands:
            app.cli.add_command(cors_cli)

    @property
    def app(self) -> Flask:
        app = self._app()
        if app is None:  # pragma: no cover - only reachable through a stale reference
            raise RuntimeError("the application was garbage-collected")
        return app

    def configure(self, app_options: dict[str, Any] | None) -> None:
        config, blueprints = config_options(self.app.config)
        self.registry.configure(config, blueprints, app_options)
        self.intercept_exceptions = (app_options or {}).get(
            "intercept_exceptions", config.get("intercept_exceptions", True)
        )
        if not self.intercept_exceptions:
            # Weakly: the receiver lives as long as this state, which lives with the app.
            got_request_exception.connect(self._on_exception, self.app)

    def _blueprint_options(self, name: str) -> Any:
        return getattr(self.app.blueprints.get(name), BLUEPRINT_ATTR, None)

    def _route_options(self, endpoint: str) -> Any:
        return getattr(self.app.view_functions.get(endpoint), ROUTE_ATTR, None)

    def locate_registered(self) -> None:
        """Find where blueprints registered before CORS was set up live, from their rules.

        Registrations seen by the extension are exact; for earlier ones the prefix is the
        blueprint's own ``url_prefix`` (joined with its parents') when all its rules lie
        under it, else the deepest directory its rules share.
        """
        registry, blueprints = self.registry, self.app.blueprints
        missing = [name for name in blueprints if name not in registry.located]
        if not missing:
            return
        rules = list(self.app.url_map.iter_rules())
        for name in missing:
            own = [r for r in rules if r.endpoint.startswith(name + ".")]
            if not own:
                continue
            own_prefixes = ((getattr(blueprints.get(outer), "url_prefix", None) or "").strip("/")
                            for outer in blueprint_chain(name + ".view"))
            expected = "".join("/" + prefix for prefix in own_prefixes if prefix)
            # The blueprint's own prefix when all its rules lie under it; else (registered
            # under another url_prefix) the deepest directory all its rules share.
            paths = [r.rule for r in own]
            if not expected or not all(p.rstrip("/") == expected or p.startswith(expected + "/")
                                       for p in paths):
                dirs = [(p.rstrip("/") if p.endswith("/") else p.rsplit("/", 1)[0]) or "/"
                        for p in paths]
                expected = posixpath.commonpath(dirs).rstrip("/")
            subdomains = {r.subdomain or "" for r in own}
            subdomain = subdomains.pop() if len(subdomains) == 1 else None
            registry.add_prefix(name, expected, subdomain or None)

    def check_chain(self, blueprint: str) -> None:
        self.registry.clear()
        self.registry.check_somewhere(None, blueprint)

    def check_rules(self, prefix: str = "", endpoint: str | None = None) -> None:
        """Resolve the app's endpoints (those under ``prefix``, or one ``endpoint``) now:
        errors fail start-up. A rule without variables is placed by its path."""
        rules = (self.app.url_map.iter_rules(endpoint) if endpoint is not None
                 else (r for r in self.app.url_map.iter_rules() if r.endpoint.startswith(prefix)))
        self.registry.check((rule.endpoint, None if rule.arguments else rule.rule)
                            for rule in rules)

    def _on_exception(self, sender: Flask, **extra: Any) -> None:
        if not self.intercept_exceptions:
            g._cors_skip = True

    # -- per request ---------------------------------------------------------------------

    def _policy(
        self, req: Request, endpoint: str | None, blueprint: str | None
    ) -> CorsPolicy | None:
        registry = self.registry
        resource = registry.resource_index(req.path) if registry.resources else NO_RESOURCE
        key = (endpoint, blueprint, resource)
        try:
            return registry.cache[key]
        except KeyError:
            return registry.lookup(key)

    def answer_preflight(self, app: Flask) -> Response | None:
        """Answer a preflight before the app's own ``before_request`` hooks run."""
        req = current_request()
        environ = req.environ
        if environ["REQUEST_METHOD"] != "OPTIONS":
            return None
        method = environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")
        rule = req.url_rule
        if method is None or rule is None or "HTTP_ORIGIN" not in environ:
            return None
        methods: Collection[str] = rule.methods or ()
        if method not in methods:  # another rule may serve this path with that method
            try:
                rule, _ = request_ctx.url_adapter.match(method=method, return_rule=True)  # type: ignore[union-attr]
                methods = rule.methods or ()
            except Exception:
                methods = ()
        policy = self._policy(req, rule.endpoint, None)
        # automatic_options=False leaves the preflight to a view that handles OPTIONS itself
        # (Flask's own automatic OPTIONS answer does not count).
        if policy is None or (not policy.automatic_options and self._view_answers_options(rule)):
            return None
        response = app.response_class(status=200)
        # The app's after_request hooks still run on this answer: the decision is applied
        # after them, so that what they add is merged (Vary) or overruled (grants).
        setattr(response, _DECIDED, decide(app, req, policy, rule.endpoint, None, methods))
        return response

    def _view_answers_options(self, rule: Rule) -> bool:
        """Whether the view of ``rule`` handles ``OPTIONS`` itself (not Flask, not us)."""
        if getattr(rule, "provide_automatic_options", True):
            return False
        view = self.app.view_functions.get(rule.endpoint)
        return not getattr(view, AUTO_OPTIONS_ATTR, False)

    def after_request(self, response: Response, app: Flask) -> Response:
        """Add CORS headers to every response of an endpoint (or prefix) with a policy."""
        decided = getattr(response, _DECIDED, None)
        if decided is not None:  # a preflight answered ahead of the hooks
            apply(response, decided)
            return response
        req = current_request()
        rule = req.url_rule
        if rule is not None:
            endpoint: str | None = rule.endpoint
            blueprint = None
        else:
            endpoint = None
            blueprint = self._enclosing_blueprint(req)
        registry = self.registry
        key = (endpoint, blueprint,
               registry.resource_index(req.path) if registry.resources else NO_RESOURCE)
        try:
            policy = registry.cache[key]
        except KeyError:
            policy = registry.lookup(key)
        if policy is None or (not self.intercept_exceptions and g.get("_cors_skip")):
            return response
        # A preflight to a path no route serves (404, 405, a redirect) has no method to grant.
        answer(app, req, response, policy, endpoint, blueprint,
               rule.methods if rule is not None else ())
        return response

    def _enclosing_blueprint(self, req: Request) -> str | None:
        # The subdomain Werkzeug routed with (empty when the app does not match subdomains).
        subdomain = getattr(request_ctx.url_adapter, "subdomain", None)
        return self.registry.enclosing_blueprint(req.path, subdomain)


def answer(
    app: Flask,
    req: Request,
    response: Response,
    policy: CorsPolicy,
    endpoint: str | None,
    blueprint: str | None,
    route_methods: Collection[str] | None,
) -> None:
    """Decide for a request under a policy, signal a refusal and set the headers."""
    apply(response, decide(app, req, policy, endpoint, blueprint, route_methods))


def decide(
    app: Flask,
    req: Request,
    policy: CorsPolicy,
    endpoint: str | None,
    blueprint: str | None,
    route_methods: Collection[str] | None,
) -> Decision:
    """Decide for a request under a policy and signal a refusal."""
    environ = req.environ
    origin = environ.get("HTTP_ORIGIN")
    method = environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")
    preflight = False
    if origin is not None and method is not None and environ["REQUEST_METHOD"] == "OPTIONS":
        preflight = True
        decision = decide_preflight(
            policy, origin, method, environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS"),
            environ.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK", "").lower() == "true",
            req, route_methods,
        )
    else:
        decision = decide_actual(policy, origin, req)
    refused = decision[2]
    if refused is not None and (
        origin_rejected.receivers or preflight_rejected.receivers or log.isEnabledFor(DEBUG)
    ):  # with no receiver and no debug log, a refusal costs these three checks
        _refused(app, req, refused, policy, endpoint, blueprint, origin or "", preflight)
    return decision


def apply(response: Response, decision: Decision) -> None:
    """Set a decision's headers on a response, merging ``Vary`` into one header.

    Values are either computed at start-up or validated request values (no CR/LF), so the
    common case appends to Werkzeug's header list; a header already there is replaced.
    """
    headers = response.headers
    items: list[tuple[str, str]] = headers._list
    add, vary_names, refused = decision
    for name, _ in items:
        if name[:1] in "AaVv":  # may be one of ours: the general case below
            break
    else:  # the common case: nothing to merge or replace
        items.extend(add)
        if vary_names:
            items.append(("Vary", ", ".join(vary_names)))
        return
    if refused is not None:  # a refusal carries no grant, not even one the app set itself
        items[:] = [item for item in items
                    if not item[0].lower().startswith("access-control-allow-")]
    present = {name.lower() for name, _ in items}
    for name, value in add:
        if name.lower() in present:
            headers[name] = value
        else:
            items.append((name, value))
    vary = merge_vary(headers.getlist("Vary"), vary_names) if vary_names else None
    if vary is not None:
        headers["Vary"] = vary


def _refused(
    app: Flask, req: Request, reason: str, policy: CorsPolicy, endpoint: str | None,
    blueprint: str | None, origin: str, preflight: bool,
) -> None:
    if log.isEnabledFor(DEBUG):
        log.debug("CORS refused %s (%s) on %s", ascii(origin), reason, endpoint)
    signal = origin_rejected if reason == "origin" else preflight_rejected
    environ = req.environ
    if not signal.receivers or environ.get(_SIGNALLED):  # nobody listens / already sent
        return
    environ[_SIGNALLED] = True  # Flask's error path runs the response hooks again
    if blueprint is None and endpoint is not None:
        blueprint = endpoint.rpartition(".")[0] or None
    if reason == "origin":
        origin_rejected.send(app, origin=origin, reason="origin", endpoint=endpoint,
                             blueprint=blueprint, policy=policy, preflight=preflight)
    else:
        names = tuple(
            name.strip()
            for name in environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "").split(",")
            if name.strip()
        )
        preflight_rejected.send(
            app, origin=origin, reason=reason,
            method=environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD"), headers=names,
            endpoint=endpoint, blueprint=blueprint, policy=policy,
        )

