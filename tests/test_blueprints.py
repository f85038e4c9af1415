"""Blueprint policies and the one registry: precedence, nesting, registration, introspection."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Blueprint, Flask, abort, request
from helpers import OTHER, SPA, acao, cors_headers, get, load_example, ok, preflight

from flask_cors_bp import CORS, CorsBlueprint, CorsConfigError, CorsPolicy, cross_origin

# -- CorsBlueprint ------------------------------------------------------------------------


def test_cors_blueprint_is_a_blueprint_and_splits_kwargs() -> None:
    bp = CorsBlueprint("api", __name__, url_prefix="/api", origins=[SPA], max_age=5)
    assert isinstance(bp, Blueprint)
    assert bp.url_prefix == "/api"
    assert set(bp.cors_options) == {"origins", "max_age"}


def test_cors_blueprint_unknown_keyword_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="'origns'.*did you mean 'origins'"):
        CorsBlueprint("api", __name__, origns=[SPA])


def test_cors_blueprint_bad_value_is_a_config_error_naming_the_blueprint() -> None:
    with pytest.raises(CorsConfigError, match="blueprint 'api'.*localhost:3000"):
        CorsBlueprint("api", __name__, origins=["localhost:3000"])


def test_cors_blueprint_rejects_app_only_options() -> None:
    with pytest.raises(CorsConfigError, match="resources"):
        CorsBlueprint("api", __name__, resources={"/x": {}})


def test_cors_blueprint_without_cors_app() -> None:
    app = Flask(__name__)
    api = CorsBlueprint("api", __name__, url_prefix="/api", origins=[SPA])
    api.add_url_rule("/x", "x", ok)
    app.register_blueprint(api)
    app.add_url_rule("/plain", "plain", ok)
    assert acao(get(app, "/api/x")) == SPA
    assert acao(get(app, "/api/x", origin=OTHER)) is None
    plain = get(app, "/plain")
    assert cors_headers(plain) == {} and "Vary" not in plain.headers
    assert preflight(app, "/api/x", method="GET").headers["Access-Control-Allow-Origin"] == SPA
    assert "cors" in app.extensions


def test_cors_app_after_blueprint_only_setup_takes_over() -> None:
    app = Flask(__name__)
    api = CorsBlueprint("api", __name__, url_prefix="/api", origins=[SPA])
    api.add_url_rule("/x", "x", ok)
    app.register_blueprint(api)
    cors = CORS(app, origins=[OTHER], max_age=9)
    app.add_url_rule("/plain", "plain", ok)
    assert app.extensions["cors"] is cors
    assert acao(get(app, "/plain", origin=OTHER)) == OTHER
    assert acao(get(app, "/api/x")) == SPA
    assert preflight(app, "/api/x", method="GET").headers["Access-Control-Max-Age"] == "9"


# -- precedence: replace vs inherit per field ---------------------------------------------


def layered_app() -> tuple[Flask, CORS]:
    app = Flask(__name__)
    app.config["CORS_EXPOSE_HEADERS"] = ["X-Config"]
    cors = CORS(app, origins=[OTHER], max_age=100)
    api = CorsBlueprint("api", __name__, url_prefix="/api", origins=[SPA],
                        supports_credentials=True, methods=["GET", "PUT", "DELETE"])

    @api.route("/items", methods=["GET", "PUT", "DELETE"])
    def items() -> str:
        return "items"

    @api.route("/readonly", methods=["GET", "PUT"])
    @cross_origin(methods=["GET"])
    def readonly() -> str:
        return "ro"

    @api.get("/public")
    @cross_origin(origins="*", supports_credentials=False)
    def public() -> str:
        return "pub"

    app.register_blueprint(api)
    app.add_url_rule("/top", "top", ok)
    return app, cors


def test_blueprint_replaces_origins_and_inherits_max_age_and_config() -> None:
    app, _ = layered_app()
    r = get(app, "/api/items")
    assert acao(r) == SPA
    assert r.headers["Access-Control-Allow-Credentials"] == "true"
    assert r.headers["Access-Control-Expose-Headers"] == "X-Config"
    assert acao(get(app, "/api/items", origin=OTHER)) is None
    p = preflight(app, "/api/items")
    assert p.headers["Access-Control-Allow-Methods"] == "GET, PUT, DELETE"
    assert p.headers["Access-Control-Max-Age"] == "100"


def test_route_override_of_methods_keeps_blueprint_origins_and_app_max_age() -> None:
    app, _ = layered_app()
    p = preflight(app, "/api/readonly", method="GET")
    assert p.headers["Access-Control-Allow-Origin"] == SPA
    assert p.headers["Access-Control-Allow-Credentials"] == "true"
    assert p.headers["Access-Control-Allow-Methods"] == "GET"
    assert p.headers["Access-Control-Max-Age"] == "100"
    assert cors_headers(preflight(app, "/api/readonly", method="PUT")) == {}


def test_route_override_to_public() -> None:
    app, _ = layered_app()
    r = get(app, "/api/public", origin="https://anyone.example")
    assert acao(r) == "https://anyone.example"
    assert "Access-Control-Allow-Credentials" not in r.headers


def test_app_level_outside_blueprints() -> None:
    app, _ = layered_app()
    assert acao(get(app, "/top", origin=OTHER)) == OTHER
    assert acao(get(app, "/top")) is None


def test_policy_for_and_provenance() -> None:
    _, cors = layered_app()
    policy = cors.policy_for("api.readonly")
    assert isinstance(policy, CorsPolicy)
    assert policy.origins == (SPA,)
    assert policy.methods == ("GET",)
    assert policy.max_age == 100
    assert policy.source("origins") == "blueprint 'api'"
    assert policy.source("methods") == "route"
    assert policy.source("max_age") == "app"
    assert policy.source("expose_headers") == "config CORS_EXPOSE_HEADERS"
    assert policy.source("vary_header") == "default"
    assert "blueprint 'api'" in repr(policy) and "route" in repr(policy)
    with pytest.raises(AttributeError):
        policy.origins = ("x",)  # type: ignore[misc]
    with pytest.raises(KeyError):
        cors.policy_for("nope")


def test_policy_for_resources_provenance() -> None:
    app = Flask(__name__)
    cors = CORS(app, resources={r"/api/.*": {"origins": [SPA]}})
    app.add_url_rule("/api/x", "x", ok)
    app.add_url_rule("/other", "other", ok)
    policy = cors.policy_for("x", path="/api/x")
    assert policy is not None and policy.source("origins") == "resources r'/api/.*'"
    assert cors.policy_for("other", path="/other") is None
    # Without a path, rules without variables are placed by their own path.
    placed = cors.policy_for("x")
    assert placed is not None and placed.source("origins") == "resources r'/api/.*'"
    assert cors.policy_for("other") is None
    app.add_url_rule("/api/items/<int:n>", "item", ok)
    assert cors.policy_for("item") is None  # a rule with variables needs the path
    assert cors.policy_for("item", path="/api/items/7") is not None


# -- nesting ------------------------------------------------------------------------------


def nested_app() -> Flask:
    app = Flask(__name__)
    CORS(app, max_age=1)
    outer = CorsBlueprint("outer", __name__, url_prefix="/outer", origins=[SPA],
                          supports_credentials=True)
    middle = Blueprint("middle", __name__, url_prefix="/middle")  # no policy of its own
    inner = CorsBlueprint("inner", __name__, url_prefix="/inner", methods=["GET"])
    inner.add_url_rule("/x", "x", ok)
    middle.add_url_rule("/y", "y", ok)
    middle.register_blueprint(inner)
    outer.register_blueprint(middle)
    app.register_blueprint(outer)
    return app


def test_nested_three_deep_inherits_from_parents() -> None:
    app = nested_app()
    p = preflight(app, "/outer/middle/inner/x", method="GET")
    assert p.headers["Access-Control-Allow-Origin"] == SPA
    assert p.headers["Access-Control-Allow-Credentials"] == "true"
    assert p.headers["Access-Control-Allow-Methods"] == "GET"
    assert p.headers["Access-Control-Max-Age"] == "1"
    assert acao(get(app, "/outer/middle/y")) == SPA
    policy = app.extensions["cors"].policy_for("outer.middle.inner.x")
    assert policy.source("methods") == "blueprint 'outer.middle.inner'"
    assert policy.source("origins") == "blueprint 'outer'"


def test_404_uses_innermost_enclosing_blueprint() -> None:
    app = Flask(__name__)
    CORS(app, origins=[OTHER])
    outer = CorsBlueprint("outer", __name__, url_prefix="/outer", origins=[SPA])
    inner = CorsBlueprint("inner", __name__, url_prefix="/inner",
                          origins=["https://inner.example"])
    inner.add_url_rule("/x", "x", ok)
    outer.add_url_rule("/x", "x", ok)
    outer.register_blueprint(inner)
    app.register_blueprint(outer)
    assert acao(get(app, "/outer/inner/missing", origin="https://inner.example")) == \
        "https://inner.example"
    assert acao(get(app, "/outer/missing")) == SPA
    assert acao(get(app, "/outer-not/missing")) is None
    assert acao(get(app, "/elsewhere", origin=OTHER)) == OTHER
    r = get(app, "/outer/missing", origin=OTHER)
    assert r.status_code == 404 and cors_headers(r) == {}


@pytest.mark.parametrize("how", ["CorsBlueprint", "config", "init_blueprint"])
def test_404_under_a_blueprint_registered_before_cors(how: str) -> None:
    app = Flask(__name__)
    if how == "config":
        app.config["CORS_BLUEPRINTS"] = {name: {"origins": [SPA]} for name in ("admin", "old_admin")}
    admin: Blueprint = (CorsBlueprint("admin", __name__, url_prefix="/admin", origins=[SPA])
                        if how == "CorsBlueprint" else Blueprint("admin", __name__,
                                                                 url_prefix="/admin"))
    admin.add_url_rule("/users", "users", ok)
    admin.add_url_rule("/users/<int:uid>", "user", ok)
    app.register_blueprint(admin)
    app.register_blueprint(admin, name="old_admin", url_prefix="/v1/admin")  # prefix override
    cors = CORS(app)  # any origin at the app level
    if how == "init_blueprint":
        cors.init_blueprint(admin, origins=[SPA])
    for path in ("/admin/missing", "/admin/users/x/y", "/v1/admin/missing"):
        assert acao(get(app, path)) == SPA, path
        r = get(app, path, origin=OTHER)
        assert r.status_code == 404 and cors_headers(r) == {}, path
    r = app.test_client().delete("/admin/users", headers={"Origin": OTHER})
    assert r.status_code == 405 and cors_headers(r) == {}
    assert acao(get(app, "/elsewhere", origin=OTHER)) == OTHER


def test_404_under_a_prefix_with_a_variable() -> None:
    app = Flask(__name__)
    CORS(app, origins=[OTHER])
    api = CorsBlueprint("api", __name__, url_prefix="/<lang>/api", origins=[SPA])
    api.add_url_rule("/x", "x", lambda lang: "x")
    app.register_blueprint(api)
    assert acao(get(app, "/en/api/missing")) == SPA
    assert cors_headers(get(app, "/en/api/missing", origin=OTHER)) == {}
    assert acao(get(app, "/en/apis/missing", origin=OTHER)) == OTHER


def test_404_under_a_plain_child_added_after_construction() -> None:
    app = Flask(__name__)  # no CORS(app): the CorsBlueprint sets it up
    app.config["CORS_BLUEPRINTS"] = {"parent.child": {"origins": ["https://child.example"]}}
    parent = CorsBlueprint("parent", __name__, url_prefix="/p", origins=[SPA])
    child = Blueprint("child", __name__, url_prefix="/c")
    child.add_url_rule("/x", "x", ok)
    parent.register_blueprint(child)
    app.register_blueprint(parent)
    assert acao(get(app, "/p/c/missing", origin="https://child.example")) == \
        "https://child.example"
    assert cors_headers(get(app, "/p/c/missing")) == {}
    assert acao(get(app, "/p/missing")) == SPA


def test_405_under_prefix_uses_blueprint_policy() -> None:
    app = Flask(__name__)
    CORS(app, origins=[OTHER])
    api = CorsBlueprint("api", __name__, url_prefix="/api", origins=[SPA])
    api.add_url_rule("/x", "x", ok)
    app.register_blueprint(api)
    r = app.test_client().delete("/api/x", headers={"Origin": SPA})
    assert r.status_code == 405
    assert acao(r) == SPA


def test_404_under_subdomain_blueprint() -> None:
    app = Flask(__name__, subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.test"
    CORS(app, origins=[OTHER])
    api = CorsBlueprint("api", __name__, subdomain="api", origins=[SPA])
    api.add_url_rule("/x", "x", ok)
    app.register_blueprint(api)
    app.add_url_rule("/x", "x", ok)
    assert acao(get(app, "/missing", base_url="http://api.example.test")) == SPA
    assert acao(get(app, "/missing", origin=OTHER, base_url="http://example.test")) == OTHER
    assert acao(get(app, "/x", base_url="http://api.example.test")) == SPA


# -- registration forms -------------------------------------------------------------------


def test_blueprint_registered_twice_has_its_policy_under_both_names() -> None:
    app = Flask(__name__)
    CORS(app, origins=[OTHER])
    api = CorsBlueprint("api", __name__, origins=[SPA])
    api.add_url_rule("/x", "x", ok)
    app.register_blueprint(api, url_prefix="/v1")
    app.register_blueprint(api, url_prefix="/v2", name="api_v2")
    assert acao(get(app, "/v1/x")) == SPA
    assert acao(get(app, "/v2/x")) == SPA
    assert acao(get(app, "/v2/missing")) == SPA
    assert app.extensions["cors"].policy_for("api_v2.x").source("origins") == "blueprint 'api_v2'"


def test_config_only_policy_for_plain_blueprint() -> None:
    app = Flask(__name__)
    app.config["CORS_BLUEPRINTS"] = {
        "legacy": {"origins": ["https://old.example.com"]},
        "legacy.v1": {"max_age": 7},
    }
    legacy = Blueprint("legacy", __name__, url_prefix="/legacy")
    v1 = Blueprint("v1", __name__, url_prefix="/v1")
    v1.add_url_rule("/x", "x", ok)
    legacy.add_url_rule("/y", "y", ok)
    legacy.register_blueprint(v1)
    CORS(app, origins=[OTHER], resources={r"/nothing/.*": {}})
    app.register_blueprint(legacy)
    app.add_url_rule("/top", "top", ok)
    assert acao(get(app, "/legacy/y", origin="https://old.example.com")) == "https://old.example.com"
    p = preflight(app, "/legacy/v1/x", origin="https://old.example.com", method="GET")
    assert p.headers["Access-Control-Max-Age"] == "7"
    assert acao(get(app, "/legacy/missing", origin="https://old.example.com")) == \
        "https://old.example.com"
    assert cors_headers(get(app, "/top", origin=OTHER)) == {}  # outside resources: no CORS
    policy = app.extensions["cors"].policy_for("legacy.v1.x")
    assert policy.source("origins") == "config CORS_BLUEPRINTS['legacy']"
    assert policy.source("max_age") == "config CORS_BLUEPRINTS['legacy.v1']"


def test_code_options_override_config_for_the_same_blueprint() -> None:
    app = Flask(__name__)
    app.config["CORS_BLUEPRINTS"] = {"api": {"origins": [OTHER], "max_age": 3}}
    api = CorsBlueprint("api", __name__, url_prefix="/api", origins=[SPA])
    api.add_url_rule("/x", "x", ok)
    app.register_blueprint(api)
    p = preflight(app, "/api/x", method="GET")
    assert p.headers["Access-Control-Allow-Origin"] == SPA
    assert p.headers["Access-Control-Max-Age"] == "3"


@pytest.mark.parametrize("when", ["before", "after"])
def test_init_blueprint_before_and_after_registration(when: str) -> None:
    app = Flask(__name__)
    cors = CORS(app, origins=[OTHER])
    legacy = Blueprint("legacy", __name__, url_prefix="/legacy")
    legacy.add_url_rule("/x", "x", ok)
    if when == "before":
        cors.init_blueprint(legacy, origins=["https://old.example.com"])
    app.register_blueprint(legacy)
    if when == "after":
        cors.init_blueprint(legacy, origins=["https://old.example.com"])
    assert acao(get(app, "/legacy/x", origin="https://old.example.com")) == \
        "https://old.example.com"
    assert acao(get(app, "/legacy/x", origin=OTHER)) is None
    assert acao(get(app, "/legacy/missing", origin="https://old.example.com")) == \
        "https://old.example.com"


def test_init_blueprint_without_cors_app_sets_up_on_registration() -> None:
    cors = CORS()
    legacy = Blueprint("legacy", __name__, url_prefix="/legacy")
    legacy.add_url_rule("/x", "x", ok)
    cors.init_blueprint(legacy, origins=[SPA])
    app = Flask(__name__)
    app.register_blueprint(legacy)
    assert acao(get(app, "/legacy/x")) == SPA


def test_two_apps_share_a_blueprint_with_different_app_defaults() -> None:
    api = CorsBlueprint("api", __name__, url_prefix="/api", methods=["GET"])
    api.add_url_rule("/x", "x", ok)
    apps = []
    for origin, max_age in ((SPA, 10), (OTHER, 20)):
        app = Flask(__name__)
        CORS(app, origins=[origin], max_age=max_age)
        app.register_blueprint(api)
        apps.append(app)
    a, b = apps
    assert acao(get(a, "/api/x", origin=SPA)) == SPA
    assert acao(get(a, "/api/x", origin=OTHER)) is None
    assert acao(get(b, "/api/x", origin=OTHER)) == OTHER
    assert preflight(b, "/api/x", origin=OTHER, method="GET").headers[
        "Access-Control-Max-Age"] == "20"


def test_one_cors_instance_serves_two_apps() -> None:
    cors = CORS(origins=[SPA])
    apps = []
    for _ in range(2):
        app = Flask(__name__)
        cors.init_app(app)
        app.add_url_rule("/x", "x", ok)
        apps.append(app)
    for app in apps:
        assert acao(get(app, "/x")) == SPA
    with pytest.raises(RuntimeError):
        cors.policy_for("x")
    assert cors.policy_for("x", app=apps[1]) is not None


# -- cross-level checks at registration ---------------------------------------------------


def test_credentials_on_blueprint_under_any_origin_fails_at_register() -> None:
    app = Flask(__name__)
    CORS(app)  # any origin
    api = CorsBlueprint("api", __name__, url_prefix="/api", supports_credentials=True)
    api.add_url_rule("/x", "x", ok)
    with pytest.raises(CorsConfigError, match="supports_credentials.*blueprint 'api'"):
        app.register_blueprint(api)


def test_credentials_route_under_any_origin_blueprint_fails_at_register() -> None:
    app = Flask(__name__)
    CORS(app, origins=[SPA])
    api = CorsBlueprint("api", __name__, url_prefix="/api", origins="*")

    @api.get("/x")
    @cross_origin(supports_credentials=True)
    def x() -> str:
        return "x"

    with pytest.raises(CorsConfigError, match="route"):
        app.register_blueprint(api)


def test_bad_combination_at_init_app_time() -> None:
    app = Flask(__name__)

    @app.get("/x")
    @cross_origin(supports_credentials=True)
    def x() -> str:
        return "x"

    with pytest.raises(CorsConfigError, match="supports_credentials"):
        CORS(app)


def test_app_route_added_after_cors_is_checked_at_the_first_request(caplog: Any) -> None:
    app = Flask(__name__)
    cors = CORS(app)

    def x() -> str:
        return "x"

    app.add_url_rule("/x", "x", cross_origin(supports_credentials=True)(x))
    app.route("/y", endpoint="y")(cross_origin(supports_credentials=True)(x))
    app.add_url_rule("/z", "z", cross_origin(origins=[SPA], supports_credentials=True)(x))
    # Flask has no public hook for a route being added: the first request checks them all,
    # logs what cannot stand with the fix, and those routes carry no CORS grant.
    assert get(app, "/z", origin=SPA).headers["Access-Control-Allow-Credentials"] == "true"
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert sum("'x'" in e and "supports_credentials" in e for e in errors) == 1
    assert sum("'y'" in e and "supports_credentials" in e for e in errors) == 1
    for path in ("/x", "/y"):
        r = get(app, path, origin=SPA)
        assert (r.status_code, cors_headers(r)) == (200, {})
    with pytest.raises(CorsConfigError, match="supports_credentials"):
        cors.policy_for("x")


def test_app_level_that_cannot_stand_fails_without_routes() -> None:
    with pytest.raises(CorsConfigError, match="supports_credentials"):
        CORS(Flask(__name__, static_folder=None), supports_credentials=True)
    app = Flask(__name__, static_folder=None)
    app.config["CORS_SUPPORTS_CREDENTIALS"] = True
    with pytest.raises(CorsConfigError, match="supports_credentials"):
        CORS().init_app(app)


def test_combination_known_only_at_request_time_fails_closed(caplog: Any) -> None:
    app = Flask(__name__)
    CORS(app)
    plain = Blueprint("plain", __name__)  # no policy of its own: a later init_blueprint may add one

    @plain.route("/x")
    @cross_origin(supports_credentials=True)
    def x() -> str:
        return "x"

    app.register_blueprint(plain)
    r = get(app, "/x")
    assert r.status_code == 200
    assert cors_headers(r) == {}
    assert "cannot be resolved" in caplog.text


# -- preflights before before_request hooks -----------------------------------------------


def auth_app(register_hooks_first: bool) -> Flask:
    app = Flask(__name__)
    api = CorsBlueprint("api", __name__, url_prefix="/api", origins=[SPA],
                        supports_credentials=True)

    @api.route("/secret", methods=["GET", "PUT"])
    def secret() -> str:
        return "secret"

    def deny() -> None:
        if request.headers.get("Authorization") != "Bearer ok":
            abort(401)

    if register_hooks_first:
        app.before_request(deny)
        api.before_request(deny)
        CORS(app, origins=[SPA])
    else:
        CORS(app, origins=[SPA])
        app.before_request(deny)
        api.before_request(deny)
    app.register_blueprint(api)
    return app


@pytest.mark.parametrize("hooks_first", [True, False])
def test_preflight_answered_before_auth_hooks(hooks_first: bool) -> None:
    app = auth_app(hooks_first)
    p = preflight(app, "/api/secret", headers="Authorization")
    assert p.status_code == 200
    assert p.headers["Access-Control-Allow-Origin"] == SPA
    assert p.headers["Access-Control-Allow-Headers"] == "Authorization"
    actual = app.test_client().put("/api/secret", headers={"Origin": SPA})
    assert actual.status_code == 401
    assert acao(actual) == SPA  # the browser can read the 401


def test_plain_options_request_still_runs_hooks() -> None:
    app = auth_app(False)
    r = app.test_client().options("/api/secret", headers={"Origin": SPA})  # not a preflight
    assert r.status_code == 401


def test_view_that_handles_options_itself_with_automatic_options_off() -> None:
    app = Flask(__name__)
    CORS(app, origins=[SPA])

    @app.route("/own", methods=["GET", "OPTIONS"])
    @cross_origin(automatic_options=False)
    def own() -> str:
        return "handled by view" if request.method == "OPTIONS" else "get"

    p = preflight(app, "/own", method="GET")
    assert p.get_data(as_text=True) == "handled by view"
    assert p.headers["Access-Control-Allow-Origin"] == SPA


@pytest.mark.parametrize("level", ["app", "route"])
def test_automatic_options_off_without_an_options_view_still_skips_auth_hooks(level: str) -> None:
    app = Flask(__name__)
    CORS(app, origins=[SPA], **({"automatic_options": False} if level == "app" else {}))

    @app.before_request
    def deny() -> None:
        abort(401)

    @app.route("/thing", methods=["GET", "PUT"])
    @cross_origin(**({"automatic_options": False} if level == "route" else {}))
    def thing() -> str:
        return "thing"

    p = preflight(app, "/thing")  # Flask's own OPTIONS answer would come after the hook
    assert p.status_code == 200
    assert acao(p) == SPA


def test_preflight_uses_the_rule_that_serves_the_requested_method() -> None:
    app = Flask(__name__)
    CORS(app, origins=[OTHER])

    @app.get("/thing")
    def read() -> str:
        return "read"

    @app.put("/thing")
    @cross_origin(origins=[SPA])
    def write() -> str:
        return "write"

    assert preflight(app, "/thing", method="PUT").headers["Access-Control-Allow-Origin"] == SPA
    assert cors_headers(preflight(app, "/thing", method="PUT", origin=OTHER)) == {}
    assert cors_headers(preflight(app, "/thing", method="DELETE")) == {}


# -- examples -----------------------------------------------------------------------------


@pytest.fixture()
def example_app() -> Flask:
    app: Flask = load_example("blueprints").create_app()
    return app


def test_example_blueprints_app(example_app: Flask) -> None:
    app = example_app
    anyone = "https://anyone.example"
    r = get(app, "/public/stats", origin=anyone)
    assert acao(r) == anyone and "Access-Control-Allow-Credentials" not in r.headers
    r = get(app, "/private/profile")
    assert acao(r) == SPA
    assert r.headers["Access-Control-Allow-Credentials"] == "true"
    assert r.headers["Access-Control-Expose-Headers"] == "X-Request-Id"
    assert acao(get(app, "/private/profile", origin=anyone)) is None
    p = preflight(app, "/admin/users", method="POST", headers="Content-Type")
    assert cors_headers(p) == {}
    assert acao(get(app, "/partner/catalog", origin="https://shop.partner.example")) == \
        "https://shop.partner.example"
    assert cors_headers(preflight(app, "/partner/catalog", origin="https://shop.partner.example",
                                  method="PUT")) == {}
    assert preflight(app, "/private/profile", headers="X-CSRF-Token").headers[
        "Access-Control-Max-Age"] == "600"


def test_policy_for_raises_after_a_request_failed_closed() -> None:
    app = Flask(__name__)
    cors = CORS(app)
    late = Blueprint("late", __name__)

    @late.route("/late")
    @cross_origin(supports_credentials=True)
    def view() -> str:
        return "late"

    app.register_blueprint(late)
    assert cors_headers(get(app, "/late")) == {}
    with pytest.raises(CorsConfigError, match="supports_credentials"):
        cors.policy_for("late.view")


# -- endpoint-less responses: more registrations --------------------------------------------


def test_view_attached_after_the_rule_keeps_its_route_policy() -> None:
    app = Flask(__name__)
    CORS(app)  # any origin at the app level
    app.add_url_rule("/account", "account", methods=["GET", "POST"])

    @app.endpoint("account")
    @cross_origin(origins=[SPA], supports_credentials=True)
    def account() -> str:
        return "account"

    assert cors_headers(get(app, "/account", origin=OTHER)) == {}
    assert get(app, "/account").headers["Access-Control-Allow-Credentials"] == "true"


def test_prefixes_of_blueprints_registered_before_cors() -> None:
    app = Flask(__name__)
    app.config["CORS_BLUEPRINTS"] = {"api": {"origins": [SPA]}, "partner": {"origins": "*"},
                                     "root": {"origins": [OTHER]}}
    api = Blueprint("api", __name__, url_prefix="/api")  # all its rules one level deeper
    api.add_url_rule("/items/<int:i>", "item", ok)
    app.register_blueprint(api)
    partner = Blueprint("partner", __name__, url_prefix="/api")
    partner.add_url_rule("/x", "x", ok)
    app.register_blueprint(partner, url_prefix="/partner")  # moved at registration
    root = Blueprint("root", __name__)
    root.add_url_rule("/", "index", ok)
    app.register_blueprint(root, url_prefix="/v2")

    @app.route("/me")
    def me() -> str:
        return "me"

    CORS(app, origins=["https://app-level.example"])
    assert acao(get(app, "/api/nope")) == SPA  # the blueprint's own prefix, not /api/items
    assert cors_headers(get(app, "/api/nope", origin=OTHER)) == {}
    assert acao(get(app, "/partner/missing", origin=OTHER)) == OTHER
    assert acao(get(app, "/v2/missing", origin=OTHER)) == OTHER  # a root rule, moved
    assert cors_headers(get(app, "/v3/missing", origin=OTHER)) == {}
    r = app.test_client().post("/me", headers={"Origin": OTHER})
    assert r.status_code == 405 and cors_headers(r) == {}


def test_404_on_a_variable_subdomain() -> None:
    app = Flask(__name__, subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.com"
    CORS(app, origins=[SPA])
    tenant = CorsBlueprint("tenant", __name__, subdomain="<tenant>", url_prefix="/t",
                           origins=["https://t.example"])
    tenant.add_url_rule("/x", "x", lambda tenant: "x")
    app.register_blueprint(tenant)
    base = "http://acme.example.com"
    assert acao(get(app, "/t/x", "https://t.example", base_url=base)) == \
        "https://t.example"
    r = get(app, "/t/nope", "https://t.example", base_url=base)
    assert r.status_code == 404 and acao(r) == "https://t.example"
    r = get(app, "/t/nope", SPA, base_url=base)
    assert r.status_code == 404 and cors_headers(r) == {}


def test_404_when_the_app_does_not_match_subdomains() -> None:
    app = Flask(__name__)  # subdomain_matching off: the Host's subdomain does not route
    app.config["SERVER_NAME"] = "example.com"
    CORS(app, origins=[OTHER])
    p = CorsBlueprint("p", __name__, url_prefix="/p", origins=[SPA])
    p.add_url_rule("/x", "x", ok)
    app.register_blueprint(p)
    client, www = app.test_client(), "http://www.example.com"
    # Flask 3.1 routes www.example.com/p/x to the blueprint; Flask 2.3 does not: the 404
    # follows whatever the routing did.
    routed = client.get("/p/x", base_url=www).status_code == 200
    r = get(app, "/p/nope", SPA, base_url=www)
    assert r.status_code == 404 and acao(r) == (SPA if routed else None)
    r = get(app, "/p/nope", SPA, base_url="http://example.com")
    assert acao(r) == SPA


def test_policy_given_before_registration_is_checked_at_registration() -> None:
    app = Flask(__name__)
    cors = CORS(app, origins=[SPA])
    bp = Blueprint("bp", __name__, url_prefix="/bp")

    @bp.route("/x")
    @cross_origin(supports_credentials=True)
    def x() -> str:
        return "x"

    cors.init_blueprint(bp, origins="*")
    with pytest.raises(CorsConfigError, match="supports_credentials"):
        app.register_blueprint(bp)


def test_one_instance_does_not_keep_factory_apps_alive() -> None:
    import gc

    cors = CORS(origins=[SPA])
    for _ in range(3):
        app = Flask(__name__)
        cors.init_app(app)
        app.add_url_rule("/x", "x", ok)
        assert acao(get(app, "/x")) == SPA
    del app
    gc.collect()
    assert len(cors._apps) == 0


def test_blueprint_level_sits_above_the_resources_entry() -> None:
    app = Flask(__name__)
    cors = CORS(app, max_age=10,
                resources={r"/api/.*": {"origins": [OTHER], "max_age": 60, "methods": ["GET"]}})
    api = CorsBlueprint("api", __name__, url_prefix="/api", origins=[SPA])
    api.add_url_rule("/x", "x", ok, methods=["GET", "PUT"])
    app.register_blueprint(api)
    assert acao(get(app, "/api/x")) == SPA
    assert cors_headers(get(app, "/api/x", origin=OTHER)) == {}
    p = preflight(app, "/api/x", method="GET")
    assert p.headers["Access-Control-Max-Age"] == "60"  # inherited from the resources entry
    assert cors_headers(preflight(app, "/api/x", method="PUT")) == {}  # its methods too
    policy = cors.policy_for("api.x", path="/api/x")
    assert policy is not None
    assert (policy.source("origins"), policy.source("max_age")) == (
        "blueprint 'api'", "resources r'/api/.*'")


def test_levels_that_combine_under_a_resources_entry_are_not_refused() -> None:
    app = Flask(__name__)
    cors = CORS(app, resources={r"/api/*": {"origins": [SPA]}})

    @app.route("/api/items/<int:n>")  # a variable: only the request's path places it
    @cross_origin(supports_credentials=True)
    def item(n: int) -> str:
        return str(n)

    bp = Blueprint("bp", __name__, url_prefix="/api/bp")

    @bp.route("/<int:n>")
    @cross_origin(supports_credentials=True)
    def bp_item(n: int) -> str:
        return str(n)

    cors.init_blueprint(bp, max_age=600)
    app.register_blueprint(bp)
    creds = CorsBlueprint("creds", __name__, url_prefix="/api/creds", supports_credentials=True)
    creds.add_url_rule("/x", "x", ok)
    app.register_blueprint(creds)
    for path in ("/api/items/1", "/api/bp/1", "/api/creds/x"):
        r = get(app, path)
        assert (acao(r), r.headers.get("Access-Control-Allow-Credentials")) == (SPA, "true"), path
    # A combination that fails under every placement is refused where it can be seen.
    other = Flask(__name__)
    other.add_url_rule("/api/<int:n>", "bad", cross_origin(supports_credentials=True)(ok))
    with pytest.raises(CorsConfigError, match="supports_credentials"):
        CORS(other, resources={r"/api/*": {"origins": "*"}})


def test_intercept_exceptions_off_does_not_keep_apps_alive() -> None:
    import gc
    import weakref

    cors = CORS(origins=[SPA], intercept_exceptions=False)
    states = []
    for _ in range(3):
        app = Flask(__name__)
        cors.init_app(app)
        states.append(weakref.ref(cors._apps[app]))  # its registry and cached policies
    del app
    gc.collect()  # the apps; their states then leave the instance's weak mapping
    gc.collect()  # the states
    assert len(cors._apps) == 0
    assert [state() for state in states] == [None, None, None]


def test_404_under_a_prefix_on_the_default_subdomain() -> None:
    app = Flask(__name__)
    app.config["SERVER_NAME"] = "example.com"
    app.url_map.default_subdomain = "www"
    CORS(app, origins=[OTHER])
    api = CorsBlueprint("api", __name__, url_prefix="/api", origins=[SPA])
    api.add_url_rule("/x", "x", ok)
    app.register_blueprint(api)
    www = "http://www.example.com"
    assert acao(get(app, "/api/x", SPA, base_url=www)) == SPA
    r = get(app, "/api/missing", SPA, base_url=www)
    assert r.status_code == 404 and acao(r) == SPA


def test_a_foreign_host_is_no_tenant_subdomain() -> None:
    app = Flask(__name__, subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.com"
    CORS(app, origins=[SPA])
    tenant = CorsBlueprint("tenant", __name__, subdomain="<tenant>", url_prefix="/t",
                           origins=["https://t.example"], supports_credentials=True)
    tenant.add_url_rule("/x", "x", lambda tenant: "x")
    app.register_blueprint(tenant)
    with pytest.warns(UserWarning, match="server name"):
        r = app.test_client().get("/t/nope", base_url="http://attacker.net",
                                  headers={"Origin": "https://t.example"})
    assert r.status_code == 404 and cors_headers(r) == {}


def test_a_refusal_removes_grants_the_app_set_itself() -> None:
    app = Flask(__name__)
    CORS(app, origins=[SPA])

    @app.route("/own")
    def own() -> Any:
        return "x", 200, {"access-control-allow-origin": "*",
                          "Access-Control-Allow-Credentials": "true"}

    r = get(app, "/own", origin=OTHER)
    assert cors_headers(r) == {}
    assert acao(get(app, "/own")) == SPA


def test_init_blueprint_again_merges_later_values_winning() -> None:
    app = Flask(__name__)
    cors = CORS(app)
    bp = Blueprint("bp", __name__, url_prefix="/bp")
    bp.add_url_rule("/x", "x", ok)
    cors.init_blueprint(bp, origins=[SPA], max_age=60)
    app.register_blueprint(bp)
    cors.init_blueprint(bp, max_age=120)
    policy = cors.policy_for("bp.x")
    assert policy is not None
    assert (policy.origins, policy.max_age) == ((SPA,), 120)
    assert preflight(app, "/bp/x", method="GET").headers["Access-Control-Max-Age"] == "120"


def test_registering_a_cors_blueprint_resolves_each_endpoint_once(monkeypatch: Any) -> None:
    from flask_cors_bp.registry import Registry

    resolved: list[str | None] = []
    real = Registry.resolve

    def counting(self: Registry, endpoint: str | None, *args: Any) -> Any:
        resolved.append(endpoint)
        return real(self, endpoint, *args)

    monkeypatch.setattr(Registry, "resolve", counting)
    app = Flask(__name__, static_folder=None)
    CORS(app, origins=[SPA])
    api = CorsBlueprint("api", __name__, url_prefix="/api", origins=[OTHER])
    inner = CorsBlueprint("inner", __name__, url_prefix="/inner", max_age=5)
    for name in ("a", "b"):
        api.add_url_rule(f"/{name}", name, ok)
        inner.add_url_rule(f"/{name}", name, ok)
    api.register_blueprint(inner)
    resolved.clear()
    app.register_blueprint(api)
    endpoints = [e for e in resolved if e is not None]
    assert sorted(endpoints) == ["api.a", "api.b", "api.inner.a", "api.inner.b"]
