"""How policies reach the registry as blueprints and routes are registered.

Only public Flask API: a blueprint with a policy records a deferred function
(``Blueprint.record``) that runs when it is registered; ``CorsBlueprint.register`` checks its
routes once they are all added; blueprints registered without either are located from the
URL map when a response needs them; and every endpoint is checked at the first request at
the latest (errors are logged and fail closed then: a request is never turned into a 500).
"""

from __future__ import annotations

import difflib
import inspect
import logging
import posixpath
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Callable
from weakref import ref

from flask import Flask

from .errors import CorsConfigError
from .options import config_options
from .registry import AUTO_OPTIONS_ATTR, BLUEPRINT_ATTR, ROUTE_ATTR, Registry, blueprint_chain

if TYPE_CHECKING:
    from flask.sansio.blueprints import Blueprint as AnyBlueprint
    from flask.sansio.blueprints import BlueprintSetupState
    from werkzeug.routing import Rule

log = logging.getLogger("flask_cors_bp")
_UNWRAP_LIMIT = 32  # functions looked at when searching a view's decorators


def marked(view: Any, attr: str) -> Any:
    """The value of ``attr`` on ``view`` or on a function it wraps (``None``: none has it).

    Decorators stacked above ``@cross_origin`` hide its marks unless they use
    ``functools.wraps``; the decorated function is still reachable through ``__wrapped__``,
    or through the wrapper's closure or a decorator object's attributes when it carries the
    wrapper's name, searched breadth first.
    """
    queue: list[Any] = [view]
    seen: set[int] = set()
    while queue and len(seen) < _UNWRAP_LIMIT:
        func = queue.pop(0)
        if id(func) in seen:
            continue
        seen.add(id(func))
        value = getattr(func, attr, None)
        if value is not None:
            return value
        wrapped = getattr(func, "__wrapped__", None)
        if wrapped is not None:
            queue.append(wrapped)
        if inspect.isfunction(func):
            contents = []
            for cell in func.__closure__ or ():
                try:
                    contents.append(cell.cell_contents)
                except ValueError:  # an empty cell
                    continue
        else:  # a decorator object or a bound method: what it holds
            contents = [getattr(func, "__func__", None), *getattr(func, "__dict__", {}).values()]
        # Only what carries the wrapper's name: a decorator that does not use
        # functools.wraps still names its wrapper after the view (Flask names endpoints so),
        # while another function a view refers to (a view it calls) has a name of its own.
        name = getattr(func, "__name__", None)
        queue.extend(c for c in contents
                     if callable(c) and not isinstance(c, type)
                     and getattr(c, "__name__", None) == name)
    return None


def blueprint_options(blueprint: Any) -> Mapping[str, Any] | None:
    """A blueprint's own CORS options in code (``None``: it has none)."""
    return getattr(blueprint, "__dict__", {}).get(BLUEPRINT_ATTR)


def set_blueprint_options(blueprint: AnyBlueprint, options: Mapping[str, Any],
                          on_register: Callable[[BlueprintSetupState], None]) -> None:
    """Record a blueprint's policy in code; ``on_register`` runs at each registration."""
    setattr(blueprint, BLUEPRINT_ATTR, {**(blueprint_options(blueprint) or {}), **options})
    # What ``Blueprint.record`` does, also for a blueprint already registered (where
    # ``record`` refuses): the next registration, say on another app, runs it.
    if on_register not in blueprint.deferred_functions:
        blueprint.deferred_functions.append(on_register)


class AppState:
    """One application's levels and registration bookkeeping (the app is held weakly)."""

    def __init__(self, app: Flask) -> None:
        self._app = ref(app)  # the extension must not keep factory-made apps alive
        self.registry = Registry()
        self.registry.blueprint_options = self._blueprint_options
        self.registry.route_options = self.route_options
        self.checked: set[str] = set()  # endpoints resolved without error since levels changed
        self.unswept = True  # every endpoint is checked once, at the latest at the first request
        self._routes: dict[str, Any] = {}
        self._blueprint_count = 0  # app.blueprints seen by locate_registered
        self.locate_registered()

    @property
    def app(self) -> Flask:
        app = self._app()
        if app is None:  # pragma: no cover - only reachable through a stale reference
            raise RuntimeError("the application was garbage-collected")
        return app

    def configure(self, app_options: dict[str, Any] | None) -> None:
        """Read the app's ``CORS_*`` config; ``app_options`` are ``CORS(app, ...)``'s."""
        config, blueprints = config_options(self.app.config)
        self.registry.configure(config, blueprints, app_options)
        self.registry.intercept_exceptions = (app_options or {}).get(
            "intercept_exceptions", config.get("intercept_exceptions", True))
        self.changed()

    def changed(self) -> None:
        """Levels changed: forget resolutions and checks."""
        self.registry.clear()
        self.checked.clear()
        self._routes.clear()

    def _blueprint_options(self, name: str) -> Mapping[str, Any] | None:
        return blueprint_options(self.app.blueprints.get(name))

    def route_options(self, endpoint: str) -> Mapping[str, Any] | None:
        """The ``@cross_origin`` options of an endpoint's view, wherever they are stacked."""
        try:
            return self._routes[endpoint]  # type: ignore[no-any-return]
        except KeyError:
            pass
        view = self.app.view_functions.get(endpoint)
        options = self._routes[endpoint] = marked(view, ROUTE_ATTR) if view else None
        return options

    def view_answers_options(self, rule: Rule) -> bool:
        """Whether the view of ``rule`` handles ``OPTIONS`` itself (not Flask, not us)."""
        if getattr(rule, "provide_automatic_options", True):
            return False
        view = self.app.view_functions.get(rule.endpoint)
        return not marked(view, AUTO_OPTIONS_ATTR)

    # -- registration --------------------------------------------------------------------

    def registered(self, setup: BlueprintSetupState) -> None:
        """A watched blueprint was registered: note its prefix, check its levels combine."""
        name = f"{setup.name_prefix}.{setup.name}".lstrip(".")
        subdomain = setup.subdomain  # None: the map's default subdomain, as for its rules
        if subdomain is None:
            subdomain = setup.app.url_map.default_subdomain or None
        self.registry.add_prefix(name, setup.url_prefix, subdomain)
        self.check_chain(name)
        self.check_rules(name + ".")  # the routes added so far (CorsBlueprint checks the rest)

    def locate_registered(self) -> None:
        """Find where blueprints registered without a watched registration live, from rules.

        Watched registrations are exact; for others the prefix is the blueprint's own
        ``url_prefix`` (joined with its parents') when all its rules lie under it, else the
        deepest directory its rules share.
        """
        blueprints = self.app.blueprints
        if len(blueprints) == self._blueprint_count:
            return
        self._blueprint_count = len(blueprints)
        registry = self.registry
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
            paths = [r.rule for r in own]
            if not expected or not all(p.rstrip("/") == expected or p.startswith(expected + "/")
                                       for p in paths):
                dirs = [(p.rstrip("/") if p.endswith("/") else p.rsplit("/", 1)[0]) or "/"
                        for p in paths]
                expected = posixpath.commonpath(dirs).rstrip("/")
            subdomains = {r.subdomain or "" for r in own}
            subdomain = subdomains.pop() if len(subdomains) == 1 else None
            registry.add_prefix(name, expected, subdomain or None)

    # -- checks --------------------------------------------------------------------------

    def check_chain(self, blueprint: str) -> None:
        """Raise when a blueprint's levels and the app's combine under no placement."""
        self.registry.clear()
        self.registry.check_somewhere(None, blueprint)

    def check_rules(self, prefix: str = "", endpoint: str | None = None) -> None:
        """Resolve the endpoints under ``prefix`` (or one ``endpoint``) not checked yet:
        errors fail start-up. A rule without variables is placed by its path."""
        rules = (self.app.url_map.iter_rules(endpoint) if endpoint is not None
                 else (r for r in self.app.url_map.iter_rules() if r.endpoint.startswith(prefix)))
        todo = [rule for rule in rules if rule.endpoint not in self.checked]
        self.registry.check((rule.endpoint, None if rule.arguments else rule.rule)
                            for rule in todo)
        self.checked.update(rule.endpoint for rule in todo)

    def check_config_names(self) -> None:
        """Log ``CORS_BLUEPRINTS`` keys that name no registered blueprint; the blueprint a key
        was likely meant for gets no CORS grant (its policy is not what the config meant)."""
        registry, blueprints = self.registry, list(self.app.blueprints)
        for key in registry.config_blueprints:
            if key in blueprints:
                continue
            unnamed = [name for name in blueprints if name not in registry.config_blueprints]
            close = difflib.get_close_matches(key, unnamed, n=1)
            if close:
                registry.misnamed[close[0]] = key
                registry.clear()
            log.error("CORS_BLUEPRINTS[%r] names no registered blueprint; %s", key,
                      f"did you mean {close[0]!r}? It gets no CORS grant until the key is fixed"
                      if close else "registered blueprints: " + ", ".join(blueprints))

    def sweep(self) -> None:
        """Check every endpoint once the app serves (no route can be added after that).

        What fails here was given where no earlier check could see it (an app route added
        after ``CORS(app)``, a plain blueprint named only in ``CORS_BLUEPRINTS``): it is
        logged with the fix, and its responses carry no CORS grant.
        """
        self.unswept = False
        app = self.app
        self.check_config_names()
        for rule in app.url_map.iter_rules():
            if rule.endpoint in self.checked:
                continue
            try:
                self.check_rules(endpoint=rule.endpoint)
            except CorsConfigError as exc:
                log.error("CORS policy of %r cannot be resolved; its responses carry no CORS "
                          "grant: %s", rule.endpoint, exc)
