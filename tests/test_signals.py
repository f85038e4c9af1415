"""The blinker signals sent when a CORS request is refused (docs/signals.rst)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from blinker import Signal
from flask import Blueprint, Flask
from helpers import SPA, get, grants, preflight, preflight_headers, recorded
from werkzeug.exceptions import InternalServerError

import flask_cors_bp
from flask_cors_bp import CORS, CorsBlueprint, CorsPolicy
from flask_cors_bp.signals import origin_rejected, preflight_rejected

EVIL = "https://evil.example.net"
ACAO = "Access-Control-Allow-Origin"
ACAPN = "Access-Control-Allow-Private-Network"


def make_app() -> tuple[Flask, CORS]:
    """App-wide policy, a CorsBlueprint with a nested plain blueprint, a plain blueprint."""
    app = Flask(__name__)
    app.testing = True
    cors = CORS(app, origins=[SPA], methods=["GET", "POST"], allow_headers=["Content-Type"])

    @app.route("/things", methods=["GET", "POST", "PUT"])
    def things() -> str:
        return "things"

    parent = CorsBlueprint("parent", __name__, url_prefix="/parent", origins=[SPA])
    child = Blueprint("child", __name__, url_prefix="/child")

    @parent.get("/top")
    def top() -> str:
        return "top"

    @child.get("/leaf")
    def leaf() -> str:
        return "leaf"

    parent.register_blueprint(child)
    app.register_blueprint(parent)
    return app, cors


@pytest.fixture
def app_cors() -> tuple[Flask, CORS]:
    return make_app()


@pytest.fixture
def app(app_cors: tuple[Flask, CORS]) -> Flask:
    return app_cors[0]


# -- exports ------------------------------------------------------------------------------


def test_signals_are_blinker_signals_exported_at_top_level() -> None:
    assert isinstance(origin_rejected, Signal)
    assert isinstance(preflight_rejected, Signal)
    assert flask_cors_bp.origin_rejected is origin_rejected
    assert flask_cors_bp.preflight_rejected is preflight_rejected


# -- origin_rejected ----------------------------------------------------------------------


def test_origin_rejected_on_actual_request_payload(app_cors: tuple[Flask, CORS]) -> None:
    app, cors = app_cors
    with recorded(app) as calls:
        response = get(app, "/things", EVIL)
    assert response.status_code == 200
    assert ACAO not in response.headers
    assert len(calls) == 1
    name, sender, payload = calls[0]
    assert name == "origin_rejected"
    assert sender is app
    assert set(payload) == {"origin", "reason", "endpoint", "blueprint", "policy", "preflight"}
    assert payload["origin"] == EVIL
    assert payload["reason"] == "origin"
    assert payload["endpoint"] == "things"
    assert payload["blueprint"] is None
    assert payload["preflight"] is False
    assert isinstance(payload["policy"], CorsPolicy)
    with app.app_context():
        assert payload["policy"] is cors.policy_for("things")


def test_origin_rejected_on_preflight_payload(app_cors: tuple[Flask, CORS]) -> None:
    app, cors = app_cors
    with recorded(app) as calls:
        response = preflight(app, "/things", EVIL, "POST")
    assert grants(response) == {}
    assert len(calls) == 1
    name, sender, payload = calls[0]
    assert name == "origin_rejected"
    assert sender is app
    assert payload["origin"] == EVIL
    assert payload["reason"] == "origin"
    assert payload["endpoint"] == "things"
    assert payload["blueprint"] is None
    assert payload["preflight"] is True
    with app.app_context():
        assert payload["policy"] is cors.policy_for("things")


def test_options_without_request_method_is_not_a_preflight(app: Flask) -> None:
    with recorded(app) as calls:
        app.test_client().options("/things", headers={"Origin": EVIL})
    assert [(name, payload["preflight"]) for name, _, payload in calls] == [
        ("origin_rejected", False)
    ]


def test_origin_is_the_raw_header_value(app: Flask) -> None:
    raw = "HTTPS://Evil.Example.NET:443"
    with recorded(app) as calls:
        get(app, "/things", raw)
    assert [payload["origin"] for _, _, payload in calls] == [raw]


@pytest.mark.parametrize("origin", ["null", "", "https://evil.example.net/path"])
def test_invalid_origins_are_rejected_with_their_raw_value(app: Flask, origin: str) -> None:
    with recorded(app) as calls:
        response = get(app, "/things", origin)
    assert ACAO not in response.headers
    assert [(name, payload["origin"]) for name, _, payload in calls] == [
        ("origin_rejected", origin)
    ]


def test_origin_rejected_is_sent_instead_of_preflight_rejected(app: Flask) -> None:
    """A refused origin asking for a refused method still gets exactly one signal."""
    with recorded(app) as calls:
        preflight(app, "/things", EVIL, "DELETE", "X-Nope")
    assert [(name, payload["reason"]) for name, _, payload in calls] == [
        ("origin_rejected", "origin")
    ]


# -- preflight_rejected -------------------------------------------------------------------


def test_preflight_rejected_for_method(app_cors: tuple[Flask, CORS]) -> None:
    app, cors = app_cors
    with recorded(app) as calls:
        response = preflight(app, "/things", SPA, "PUT")
    assert grants(response) == {}
    assert len(calls) == 1
    name, sender, payload = calls[0]
    assert name == "preflight_rejected"
    assert sender is app
    assert set(payload) == {
        "origin",
        "reason",
        "method",
        "headers",
        "endpoint",
        "blueprint",
        "policy",
    }
    assert payload["origin"] == SPA
    assert payload["reason"] == "method"
    assert payload["method"] == "PUT"
    assert payload["headers"] == ()
    assert payload["endpoint"] == "things"
    assert payload["blueprint"] is None
    with app.app_context():
        assert payload["policy"] is cors.policy_for("things")


def test_preflight_rejected_for_headers(app_cors: tuple[Flask, CORS]) -> None:
    app, cors = app_cors
    with recorded(app) as calls:
        response = preflight(app, "/things", SPA, "POST", "X-Custom, content-type")
    assert ACAO not in response.headers
    assert len(calls) == 1
    name, _, payload = calls[0]
    assert name == "preflight_rejected"
    assert payload["reason"] == "headers"
    assert payload["method"] == "POST"
    assert payload["headers"] == ("X-Custom", "content-type")
    assert isinstance(payload["headers"], tuple)
    assert payload["origin"] == SPA
    with app.app_context():
        assert payload["policy"] is cors.policy_for("things")


def test_allowed_headers_preflight_does_not_signal(app: Flask) -> None:
    with recorded(app) as calls:
        response = preflight(app, "/things", SPA, "POST", "content-type")
    assert response.headers[ACAO] == SPA
    assert calls == []


def test_private_network_refused_without_allow_private_network(app: Flask) -> None:
    with recorded(app) as calls:
        response = preflight(app, "/parent/top", SPA, "GET", private_network=True)
    assert grants(response) == {}
    assert len(calls) == 1
    name, _, payload = calls[0]
    assert name == "preflight_rejected"
    assert payload["reason"] == "private_network"
    assert payload["method"] == "GET"
    assert payload["headers"] == ()
    assert payload["endpoint"] == "parent.top"
    assert payload["blueprint"] == "parent"
    assert payload["policy"].allow_private_network is False


def test_private_network_granted_with_allow_private_network() -> None:
    app = Flask(__name__)
    CORS(app, origins=[SPA], allow_private_network=True)

    @app.get("/device")
    def device() -> str:
        return "device"

    with recorded(app) as calls:
        response = preflight(app, "/device", SPA, "GET", private_network=True)
    assert response.status_code < 300
    assert response.headers[ACAO] == SPA
    assert response.headers[ACAPN] == "true"
    assert calls == []


# -- exactly once, and only when refused --------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("GET", "/things", {"Origin": EVIL}),
        ("POST", "/things", {"Origin": EVIL}),
        ("OPTIONS", "/things", preflight_headers(EVIL, "GET")),
        ("OPTIONS", "/things", preflight_headers(SPA, "PUT")),
        ("OPTIONS", "/parent/child/leaf", preflight_headers(EVIL, "GET")),
        ("GET", "/parent/child/leaf", {"Origin": EVIL}),
        ("GET", "/parent/missing", {"Origin": EVIL}),
        ("OPTIONS", "/parent/missing", preflight_headers(EVIL, "GET")),
        ("GET", "/missing", {"Origin": EVIL}),
        ("OPTIONS", "/things", {"Origin": EVIL}),  # not a preflight: no request method
    ],
)
def test_exactly_one_signal_per_refused_request(
    app: Flask, method: str, path: str, headers: dict[str, str]
) -> None:
    with recorded(app) as calls:
        app.test_client().open(path, method=method, headers=headers)
    assert len(calls) == 1


def test_exactly_one_signal_when_the_view_fails(app: Flask) -> None:
    app.testing = False
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/fails")
    def fails() -> str:
        raise RuntimeError("view failed")

    with recorded(app) as calls:
        response = get(app, "/fails", EVIL)
    assert response.status_code == 500
    assert len(calls) == 1


def test_at_most_one_signal_when_a_later_hook_fails() -> None:
    """An after_request hook that fails after CORS ran must not cause a second signal."""
    app = Flask(__name__)
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.after_request  # registered first: runs after the CORS hook
    def fail_on_success(response: Any) -> Any:
        if response.status_code == 200:
            raise RuntimeError("hook failed")
        return response

    CORS(app, origins=[SPA])

    @app.get("/x")
    def x() -> str:
        return "x"

    with recorded(app) as calls:
        response = get(app, "/x", EVIL)
    assert response.status_code == 500
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("GET", "/things", {"Origin": SPA}),
        ("OPTIONS", "/things", preflight_headers(SPA, "POST")),
        ("GET", "/things", {}),
        ("OPTIONS", "/things", {}),
        ("GET", "/things", {"Origin": "http://localhost"}),
        ("POST", "/things", {"Origin": "http://localhost"}),
        ("OPTIONS", "/things", preflight_headers("http://localhost", "GET")),
        ("GET", "/parent/child/leaf", {"Origin": SPA}),
        ("GET", "/parent/missing", {}),
    ],
)
def test_no_signal(app: Flask, method: str, path: str, headers: dict[str, str]) -> None:
    with recorded(app) as calls:
        response = app.test_client().open(path, method=method, headers=headers)
    assert response.status_code < 500
    assert calls == []


def test_same_origin_follows_the_request_host(app: Flask) -> None:
    """``http://localhost`` is only same-origin for requests to ``localhost``."""
    with recorded(app) as calls:
        get(app, "/things", "http://localhost", base_url="http://api.example")
    assert [name for name, _, _ in calls] == ["origin_rejected"]


def test_no_signal_on_routes_without_a_policy() -> None:
    app = Flask(__name__)
    CORS(app, resources={r"/api/*": {"origins": [SPA]}})

    @app.get("/api/data")
    def data() -> str:
        return "data"

    @app.get("/other")
    def other() -> str:
        return "other"

    with recorded(app) as calls:
        response = get(app, "/other", EVIL)
        assert ACAO not in response.headers
        preflight(app, "/other", EVIL, "GET")
        get(app, "/nowhere", EVIL)
    assert calls == []

    with recorded(app) as calls:
        get(app, "/api/data", EVIL)
    assert [(name, payload["endpoint"]) for name, _, payload in calls] == [
        ("origin_rejected", "data")
    ]


# -- senders ------------------------------------------------------------------------------


def test_connect_via_hears_only_its_app() -> None:
    first, _ = make_app()
    second, _ = make_app()
    heard: list[Any] = []

    @origin_rejected.connect_via(first)
    def on_first(sender: Any, **payload: Any) -> None:
        heard.append((sender, payload["origin"]))

    try:
        get(second, "/things", EVIL)
        assert heard == []
        get(first, "/things", EVIL)
        assert heard == [(first, EVIL)]
    finally:
        origin_rejected.disconnect(on_first, first)


def test_connected_to_app_does_not_hear_other_apps() -> None:
    first, _ = make_app()
    second, _ = make_app()
    with recorded(first) as calls:
        preflight(second, "/things", SPA, "PUT")
        get(second, "/things", EVIL)
    assert calls == []


# -- endpoint and blueprint names ---------------------------------------------------------


def test_nested_blueprint_names(app_cors: tuple[Flask, CORS]) -> None:
    app, cors = app_cors
    with recorded(app) as calls:
        get(app, "/parent/child/leaf", EVIL)
        preflight(app, "/parent/child/leaf", EVIL, "GET")
        preflight(app, "/parent/child/leaf", SPA, "DELETE")
    assert [(name, p["endpoint"], p["blueprint"]) for name, _, p in calls] == [
        ("origin_rejected", "parent.child.leaf", "parent.child"),
        ("origin_rejected", "parent.child.leaf", "parent.child"),
        ("preflight_rejected", "parent.child.leaf", "parent.child"),
    ]
    with app.app_context():
        policy = cors.policy_for("parent.child.leaf")
    assert all(p["policy"] is policy for _, _, p in calls)
    assert calls[2][2]["reason"] == "method"


def test_blueprint_endpoint_names(app: Flask) -> None:
    with recorded(app) as calls:
        get(app, "/parent/top", EVIL)
    assert [(p["endpoint"], p["blueprint"]) for _, _, p in calls] == [("parent.top", "parent")]


def test_init_blueprint_on_plain_blueprint_names() -> None:
    app = Flask(__name__)
    cors = CORS(app, resources={r"/api/*": {"origins": [SPA]}})
    legacy = Blueprint("legacy", __name__, url_prefix="/legacy")

    @legacy.get("/old")
    def old() -> str:
        return "old"

    cors.init_blueprint(legacy, origins=["https://old.example.com"])
    app.register_blueprint(legacy)
    with recorded(app) as calls:
        get(app, "/legacy/old", SPA)
    assert [(p["endpoint"], p["blueprint"]) for _, _, p in calls] == [("legacy.old", "legacy")]
    with app.app_context():
        assert calls[0][2]["policy"] is cors.policy_for("legacy.old")


@pytest.mark.parametrize(
    ("path", "blueprint"),
    [
        ("/parent/missing", "parent"),
        ("/parent/child/missing", "parent.child"),
        ("/missing", None),
    ],
)
def test_not_found_names(app: Flask, path: str, blueprint: str | None) -> None:
    with recorded(app) as calls:
        response = get(app, path, EVIL)
        assert response.status_code == 404
        response = preflight(app, path, EVIL, "GET")
        assert response.status_code == 404
    assert [(p["endpoint"], p["blueprint"], p["preflight"]) for _, _, p in calls] == [
        (None, blueprint, False),
        (None, blueprint, True),
    ]
    assert all(isinstance(p["policy"], CorsPolicy) for _, _, p in calls)


def test_method_not_allowed_names(app: Flask) -> None:
    with recorded(app) as calls:
        response = app.test_client().post("/parent/child/leaf", headers={"Origin": EVIL})
    assert response.status_code == 405
    # a 405 belongs to the rule that owns the path
    assert [(p["endpoint"], p["blueprint"]) for _, _, p in calls] == [
        ("parent.child.leaf", "parent.child")]


# -- receivers that raise -----------------------------------------------------------------


class ReceiverError(Exception):
    pass


@contextmanager
def raising_receiver(app: Flask, signal: Signal) -> Iterator[list[dict[str, Any]]]:
    calls: list[dict[str, Any]] = []

    def receiver(sender: Any, **payload: Any) -> None:
        calls.append(payload)
        raise ReceiverError("receiver failed")

    with signal.connected_to(receiver, app):
        yield calls


def production(app: Flask) -> list[BaseException]:
    """Turn off exception propagation; return what the 500 handler saw."""
    app.testing = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.logger.disabled = True
    seen: list[BaseException] = []

    @app.errorhandler(500)
    def on_500(error: InternalServerError) -> tuple[str, int]:
        seen.append(error.original_exception or error)
        return "handled by the app", 500

    return seen


@pytest.mark.parametrize("testing", [True, False], ids=["testing", "production"])
@pytest.mark.parametrize(
    ("signal", "method", "headers"),
    [
        (origin_rejected, "GET", {"Origin": EVIL}),
        (origin_rejected, "OPTIONS", preflight_headers(EVIL, "GET")),
        (preflight_rejected, "OPTIONS", preflight_headers(SPA, "PUT")),
    ],
)
def test_a_raising_receiver_is_logged_and_the_response_is_unchanged(
    app: Flask, signal: Signal, method: str, headers: dict[str, str], testing: bool,
    caplog: Any,
) -> None:
    seen = [] if testing else production(app)
    expected = app.test_client().open("/things", method=method, headers=headers)
    with raising_receiver(app, signal) as calls:
        response = app.test_client().open("/things", method=method, headers=headers)
    assert calls
    assert response.status_code == expected.status_code < 500
    assert dict(response.headers) == dict(expected.headers)
    assert grants(response) == {}
    assert seen == []  # the app's error handling never saw it
    logged = [r for r in caplog.records if r.name == "flask_cors_bp" and r.exc_info]
    assert len(logged) == 1 and "receiver" in logged[0].getMessage()
    assert isinstance(logged[0].exc_info[1], ReceiverError)  # type: ignore[index]


@pytest.mark.parametrize(
    ("signal", "method", "headers"),
    [
        (origin_rejected, "GET", {"Origin": EVIL}),
        (origin_rejected, "OPTIONS", preflight_headers(EVIL, "GET")),
        (preflight_rejected, "OPTIONS", preflight_headers(SPA, "PUT")),
    ],
)
def test_raising_receiver_is_called_once_per_request(
    app: Flask, signal: Signal, method: str, headers: dict[str, str]
) -> None:
    production(app)
    with raising_receiver(app, signal) as calls:
        app.test_client().open("/things", method=method, headers=headers)
    assert len(calls) == 1


# -- cost when nobody listens ----------------------------------------------------------------


def test_nothing_is_built_when_nobody_listens(app: Flask, monkeypatch: Any,
                                              caplog: Any) -> None:
    import flask_cors_bp.dispatch as glue

    built: list[str] = []

    def refused(*args: Any, **kwargs: Any) -> None:
        built.append(args[2])

    monkeypatch.setattr(glue, "report", refused)
    for signal in (origin_rejected, preflight_rejected):  # receivers other tests left behind
        monkeypatch.setattr(signal, "receivers", {})
    caplog.set_level("INFO", logger="flask_cors_bp")
    get(app, "/things", EVIL)
    preflight(app, "/things", SPA, "DELETE")
    assert built == []  # no receiver, no debug log: the refusal stops at the guard
    with recorded(app):
        get(app, "/things", EVIL)
    assert built == ["origin"]
    caplog.set_level("DEBUG", logger="flask_cors_bp")
    get(app, "/things", EVIL)
    assert built == ["origin", "origin"]


def test_debug_log_line_only_when_debug_is_on(app: Flask, caplog: Any) -> None:
    caplog.set_level("INFO", logger="flask_cors_bp")
    get(app, "/things", EVIL)
    assert "CORS refused" not in caplog.text
    caplog.set_level("DEBUG", logger="flask_cors_bp")
    get(app, "/things", "https://evil.example.net\x1b[2K")
    assert "CORS refused 'https://evil.example.net\\x1b[2K' (origin) on things" in caplog.text


def test_the_policy_is_resolved_once_per_endpoint(app_cors: tuple[Flask, CORS]) -> None:
    app, cors = app_cors
    with recorded(app) as calls:
        for _ in range(3):
            get(app, "/things", EVIL)
            get(app, "/parent/top", EVIL)
    policies = [payload["policy"] for _, _, payload in calls]
    assert policies[0] is policies[2] is policies[4] is cors.policy_for("things")
    assert policies[1] is policies[3] is policies[5] is cors.policy_for("parent.top")
    assert policies[0] is not policies[1]


def test_preflight_to_a_path_no_route_serves_is_refused(app: Flask) -> None:
    with recorded(app) as calls:
        r = preflight(app, "/parent/missing", SPA, "GET")
        slashed = preflight(app, "/parent/top/", SPA, "GET")
    assert r.status_code == 404 and grants(r) == {}
    assert slashed.status_code == 404 and grants(slashed) == {}
    assert [(name, payload["reason"], payload["endpoint"], payload["blueprint"])
            for name, _, payload in calls] == [
        ("preflight_rejected", "method", None, "parent"),
        ("preflight_rejected", "method", None, "parent"),
    ]
    assert "Vary" in r.headers
