"""CorsBlueprint: a Flask blueprint that carries its own CORS policy."""

from __future__ import annotations

import difflib
import inspect
from typing import TYPE_CHECKING, Any

from flask import Blueprint

if TYPE_CHECKING:
    from flask.sansio.app import App

from .extension import app_state, blueprint_options, set_blueprint_policy
from .options import ALL_OPTIONS, normalize

_BLUEPRINT_PARAMS = frozenset(inspect.signature(Blueprint.__init__).parameters) - {"self"}


class CorsBlueprint(Blueprint):
    """A :class:`flask.Blueprint` whose CORS options form its policy.

    ``CorsBlueprint("api", __name__, url_prefix="/api", origins=[...], supports_credentials=True)``.
    Keyword arguments that are CORS options form the policy, the rest go to ``Blueprint``.
    Registering it sets CORS up on the app if ``CORS(app)`` was not called.
    """

    def __init__(self, name: str, import_name: str, **kwargs: Any) -> None:
        cors = {k: kwargs.pop(k) for k in list(kwargs) if k in ALL_OPTIONS}
        for key in kwargs:
            if key not in _BLUEPRINT_PARAMS:
                close = difflib.get_close_matches(key, [*ALL_OPTIONS, *_BLUEPRINT_PARAMS], n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise TypeError(f"CorsBlueprint() got an unexpected keyword argument {key!r}{hint}")
        super().__init__(name, import_name, **kwargs)
        set_blueprint_policy(self, normalize(cors, where=f"blueprint {name!r}"))

    @property
    def cors_options(self) -> dict[str, Any]:
        """The blueprint's own (normalised) CORS options."""
        return dict(blueprint_options(self) or {})

    def register(self, app: App, options: dict[str, Any]) -> None:
        """Register, then resolve the new endpoints so that bad combinations fail now."""
        super().register(app, options)
        state = app_state(app)  # type: ignore[arg-type]
        if state is not None:
            state.locate_registered()  # nested blueprints without a policy of their own
            name = f"{options.get('name_prefix', '')}.{options.get('name', self.name)}".lstrip(".")
            state.check_rules(name + ".")
