"""Levels, precedence and per-endpoint resolution of policies.

No request handling here: the registry answers "what is the policy of this endpoint (under
this resource / this blueprint prefix)?" once per key and caches the answer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any, Callable, Optional

from .errors import CorsConfigError
from .options import Resource
from .policy import CorsPolicy, Layer

log = logging.getLogger("flask_cors_bp")

ROUTE_ATTR = "_cors_route_options"
BLUEPRINT_ATTR = "_cors_blueprint_options"
AUTO_OPTIONS_ATTR = "_cors_answers_options"  # @cross_origin answers OPTIONS, not the view
NO_RESOURCE = -1
ANY_SUBDOMAIN = "<any>"  # the key of blueprints registered on a variable subdomain

#: (endpoint or None, innermost blueprint for endpoint-less responses, resource index)
Key = tuple[Optional[str], Optional[str], int]


def blueprint_chain(endpoint: str) -> tuple[str, ...]:
    """Dotted blueprint names enclosing an endpoint, outermost first: a.b.view -> (a, a.b)."""
    parts = endpoint.split(".")[:-1]
    return tuple(".".join(parts[: i + 1]) for i in range(len(parts)))


class Registry:
    """All levels of one application and the cache of resolved policies."""

    def __init__(self) -> None:
        self.config_layer: Mapping[str, Any] = {}
        self.app_layer: Mapping[str, Any] = {}
        self.app_wide = False  # CORS(app) was called: the app level applies on its own
        self.resources: tuple[Resource, ...] | None = None  # None: the app level covers every path
        self.config_blueprints: Mapping[str, Mapping[str, Any]] = {}
        # Where registered blueprints live, for responses without an endpoint:
        # (subdomain or "", literal url_prefix) -> name, and prefixes with variables.
        self.prefixes: dict[tuple[str, str], str] = {}
        self.variable_prefixes: list[tuple[re.Pattern[str], str, int, str]] = []
        self.any_subdomain = False  # a blueprint on subdomain="<tenant>" was registered
        self.subdomains = False  # a blueprint on any subdomain was registered
        self.intercept_exceptions = True
        # Blueprints a misspelt CORS_BLUEPRINTS key was likely meant for: name -> key.
        self.misnamed: dict[str, str] = {}
        self.deepest = 0  # segments of the longest literal prefix: no lookup goes deeper
        self.located: set[str] = set()  # blueprint names whose registration was seen
        self.cache: dict[Key, CorsPolicy | None] = {}
        self.failed: dict[Key, CorsConfigError] = {}  # keys cached as None because of an error
        self._paths: dict[str, int] = {}
        # Set by the Flask glue: name -> blueprint options in code, endpoint -> route options.
        self.blueprint_options: Callable[[str], Mapping[str, Any] | None] = lambda name: None
        self.route_options: Callable[[str], Mapping[str, Any] | None] = lambda endpoint: None

    def configure(
        self,
        config: Mapping[str, Any],
        blueprints: Mapping[str, Mapping[str, Any]],
        app_options: Mapping[str, Any] | None,
    ) -> None:
        """Set the application levels; ``app_options`` is None when only blueprints use CORS."""
        self.config_layer = {k: v for k, v in config.items() if k != "resources"}
        self.config_blueprints = blueprints
        resources = config.get("resources")
        if app_options is not None:
            self.app_wide = True
            self.app_layer = {k: v for k, v in app_options.items() if k != "resources"}
            resources = app_options.get("resources", resources)
        self.resources = resources
        self.clear()

    def clear(self) -> None:
        self.cache.clear()
        self.failed.clear()
        self._paths.clear()

    def add_prefix(self, name: str, url_prefix: str | None, subdomain: str | None) -> None:
        """Remember where a registered blueprint lives, for responses that have no endpoint."""
        self.located.add(name)
        prefix = (url_prefix or "").rstrip("/")
        self.deepest = max(self.deepest, prefix.count("/"))
        if not prefix and not subdomain:
            return
        if subdomain:
            self.subdomains = True
        if subdomain and "<" in subdomain:  # a variable subdomain: any one subdomain
            subdomain = ANY_SUBDOMAIN
            self.any_subdomain = True
        if "<" in prefix:  # a converter: /<lang>/api
            parts = re.split(r"(<[^>]*>)", prefix)
            pattern = "".join(
                (".+" if part.startswith("<path:") else "[^/]+") if part.startswith("<")
                else re.escape(part) for part in parts
            )
            entry = (re.compile(pattern + "(?=/|$)"), subdomain or "", prefix.count("/"), name)
            if entry not in self.variable_prefixes:
                self.variable_prefixes.append(entry)
        else:
            self.prefixes.setdefault((subdomain or "", prefix), name)
        self.clear()

    # -- per request: lookups only -------------------------------------------------------

    def resource_index(self, path: str) -> int:
        """Index of the first ``resources`` entry matching ``path`` (cached per path)."""
        try:
            return self._paths[path]
        except KeyError:
            pass
        entries = enumerate(self.resources or ())
        index = next((i for i, r in entries if r.matches(path)), NO_RESOURCE)
        if len(path) <= 512:  # requests choose their paths: cache only what a route can be
            if len(self._paths) > 4096:
                self._paths.clear()
            self._paths[path] = index
        return index

    def enclosing_blueprint(self, path: str, subdomain: str | None) -> str | None:
        """The innermost blueprint whose registered url_prefix (and subdomain) holds ``path``.

        Two dictionary lookups per segment of ``path`` (up to the deepest literal prefix),
        then a scan of the prefixes with variables: the number of plain prefixes does not count.
        """
        if not self.prefixes and not self.variable_prefixes:
            return None
        sub = subdomain or ""
        # "<invalid>": Werkzeug's name for a host outside SERVER_NAME, no subdomain of ours
        any_sub = ANY_SUBDOMAIN if sub and self.any_subdomain and sub != "<invalid>" else sub
        get = self.prefixes.get
        found, depth = None, -1
        # "/a/b/c" -> ["", "a", "b"] when no prefix is deeper than two segments
        parts = path.rstrip("/").split("/", self.deepest + 1)[: self.deepest + 1]
        for segments in range(len(parts), 0, -1):  # the deepest candidate first
            candidate = "/".join(parts[:segments])
            found = get((sub, candidate)) or get((any_sub, candidate))
            if found is not None:
                depth = segments - 1
                break
        subs = (sub, any_sub)
        for pattern, psub, pdepth, pname in self.variable_prefixes:
            if psub in subs and pdepth > depth and pattern.match(path):
                found, depth = pname, pdepth
        return found

    def lookup(self, key: Key) -> CorsPolicy | None:
        """The cached policy for a key; resolving it the first time. Fails closed."""
        try:
            return self.cache[key]
        except KeyError:
            pass
        try:
            policy = self.resolve(*key)
        except CorsConfigError as exc:
            log.exception("CORS policy of %r cannot be resolved; no CORS grant is sent", key[0])
            self.failed[key] = exc
            policy = None
        self.cache[key] = policy
        return policy

    # -- resolution ----------------------------------------------------------------------

    def layers(
        self, endpoint: str | None, blueprint: str | None, resource: int
    ) -> tuple[list[Layer], bool]:
        """The levels that apply, lowest first, and whether any of them is a CORS policy."""
        layers: list[Layer] = [("config CORS_{OPTION}", self.config_layer), ("app", self.app_layer)]
        applies = self.app_wide and (self.resources is None or resource != NO_RESOURCE)
        if resource != NO_RESOURCE and self.resources:
            res = self.resources[resource]
            layers.append((res.label, res.options))
        if endpoint is not None:
            chain = blueprint_chain(endpoint)
        elif blueprint is not None:
            chain = (*blueprint_chain(blueprint + ".x"), blueprint)
        else:
            chain = ()
        for name in chain:
            if name in self.misnamed:
                key = self.misnamed[name]
                raise CorsConfigError(
                    "CORS_BLUEPRINTS", key, "names no registered blueprint",
                    f"rename the key to {name!r}", "app config")
            config = self.config_blueprints.get(name)
            if config is not None:
                layers.append((f"config CORS_BLUEPRINTS[{name!r}]", config))
                applies = True
            code = self.blueprint_options(name)
            if code is not None:
                layers.append((f"blueprint {name!r}", code))
                applies = True
        if endpoint is not None:
            route = self.route_options(endpoint)
            if route is not None:
                layers.append(("route", route))
                applies = True
        return layers, applies

    def resolve(
        self, endpoint: str | None, blueprint: str | None, resource: int
    ) -> CorsPolicy | None:
        """The effective policy (uncached); ``None`` when no level gives one."""
        layers, applies = self.layers(endpoint, blueprint, resource)
        return CorsPolicy.from_layers(layers) if applies else None

    def check(self, endpoints: Iterable[tuple[str, str | None]]) -> None:
        """Resolve endpoints now so that a bad combination of levels fails at start-up.

        Each item is (endpoint, literal path or None); a literal path picks its resource.
        Nothing is cached: a view attached later (``@app.endpoint``) is still seen.
        """
        for endpoint, path in endpoints:
            if not self.resources:
                self.resolve(endpoint, None, NO_RESOURCE)
            elif path is not None:
                self.resolve(endpoint, None, self.resource_index(path))
            else:  # a rule with variables: only the request's path picks its resource
                self.check_somewhere(endpoint, None)

    def placements(self) -> tuple[int, ...]:
        """Where a response can be placed: outside ``resources``, or under one entry."""
        return (NO_RESOURCE, *range(len(self.resources or ())))

    def check_app_level(self) -> None:
        """Resolve the app level on its own under every placement: fail at start-up."""
        for resource in self.placements():
            self.resolve(None, None, resource)

    def check_somewhere(self, endpoint: str | None, blueprint: str | None) -> None:
        """Raise only when the levels combine under no ``resources`` entry (nor outside them).

        A placement that fails while another works is only known per request: it fails
        closed then.
        """
        errors: list[CorsConfigError] = []
        for resource in self.placements():
            try:
                self.resolve(endpoint, blueprint, resource)
                return
            except CorsConfigError as exc:
                errors.append(exc)
        raise errors[0]
