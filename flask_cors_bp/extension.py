"""``CORS``: the public Flask extension (``init_app``, ``init_blueprint``, ``policy_for``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from flask import Flask, got_request_exception, has_app_context

from .dispatch import SKIP, current_app_object, current_request, install
from .errors import CorsConfigError
from .options import ALL_OPTIONS, normalize
from .policy import CorsPolicy
from .registration import AppState, blueprint_options, set_blueprint_options
from .registry import NO_RESOURCE

if TYPE_CHECKING:
    from flask.blueprints import Blueprint
    from flask.sansio.blueprints import Blueprint as AnyBlueprint
    from flask.sansio.blueprints import BlueprintSetupState


class CORS:
    """The Flask extension: app-wide CORS defaults and the registry of every level.

    ``CORS(app, **options)`` or ``cors = CORS(**options)`` then ``cors.init_app(app)``.
    The options are the app-wide defaults; ``app.config["CORS_<OPTION>"]`` keys sit below
    them. One instance may serve several applications.
    """

    def __init__(self, app: Flask | None = None, **options: Any) -> None:
        self._options = normalize(options, where="CORS(...)", allowed=ALL_OPTIONS)
        self._apps: WeakKeyDictionary[Flask, AppState] = WeakKeyDictionary()
        self._implicit = False  # set up by a blueprint policy, not by CORS(app)
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask, **options: Any) -> None:
        """Set up CORS on ``app``; ``options`` here override the constructor's."""
        given = normalize(options, where="init_app(...)", allowed=ALL_OPTIONS)
        options = {**self._options, **given}
        existing = app.extensions.get("cors")
        state: AppState | None = None
        if isinstance(existing, CORS) and existing is not self:
            if not existing._implicit:
                raise CorsConfigError(
                    "CORS", app.name, "is already set up on this application",
                    "call CORS(app) or init_app once; use CorsBlueprint or init_blueprint "
                    "for other policies",
                )
            state = existing._apps.pop(app, None)
        state = state or self._apps.get(app) or _set_up(app)
        state.configure(options)
        if not state.registry.intercept_exceptions:
            # A module-level receiver for this app only: it keeps nothing alive.
            got_request_exception.connect(_skip_after_exception, app)
        self._apps[app] = state
        app.extensions["cors"] = self
        state.registry.check_app_level()
        state.check_rules()

    def init_blueprint(self, blueprint: Blueprint, **options: Any) -> None:
        """Give any blueprint (also one you do not own) a CORS policy.

        Works before or after the blueprint is registered; later calls add to earlier ones.
        """
        set_blueprint_policy(blueprint, normalize(options, where=f"blueprint {blueprint.name!r}"))
        for app, state in list(self._apps.items()):
            names = [name for name, registered in app.blueprints.items()
                     if registered is blueprint]
            if names:
                state.changed()
                state.locate_registered()
            for name in names:
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

    def _state(self, app: Flask | None) -> AppState:
        if app is None and has_app_context():
            app = current_app_object()
        if app is None:
            if len(self._apps) != 1:
                raise RuntimeError("pass app=...: this CORS instance serves several apps or none")
            return next(iter(self._apps.values()))
        return self._apps[app]


def _set_up(app: Flask) -> AppState:
    """A new app's state, with the request hooks and the ``flask cors`` commands installed."""
    state = AppState(app)
    install(app, state)
    from .cli import cors_cli  # the CLI needs the extension; imported when first needed

    if "cors" not in app.cli.commands:
        app.cli.add_command(cors_cli)
    return state


def _skip_after_exception(sender: Flask, **extra: Any) -> None:
    """``intercept_exceptions=False``: the 500 of an unhandled exception gets no CORS headers."""
    state = app_state(sender)
    if state is not None and not state.registry.intercept_exceptions:
        current_request().environ[SKIP] = True


def app_state(app: Flask, create: bool = False) -> AppState | None:
    """The CORS state of an app; with ``create``, set it up for blueprint-only use."""
    cors = app.extensions.get("cors")
    if isinstance(cors, CORS):
        return cors._apps.get(app)
    if not create:
        return None
    cors = CORS()
    cors._implicit = True
    state = cors._apps[app] = _set_up(app)
    state.configure(None)
    app.extensions["cors"] = cors
    return state


def _on_register(setup: BlueprintSetupState) -> None:
    """Deferred on every blueprint with a policy: runs at each of its registrations."""
    state = app_state(setup.app, create=True)  # type: ignore[arg-type]
    if state is not None:
        state.registered(setup)


def set_blueprint_policy(blueprint: AnyBlueprint, options: dict[str, Any]) -> None:
    """Give a blueprint CORS options in code (``CorsBlueprint``, ``init_blueprint``)."""
    set_blueprint_options(blueprint, options, _on_register)


__all__ = ["CORS", "app_state", "blueprint_options", "set_blueprint_policy"]
