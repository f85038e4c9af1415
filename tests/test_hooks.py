"""Where the library sits in Flask's request handling, through public API only.

Preflights are answered ahead of every ``before_request`` hook when the app has any (or a
view that answers ``OPTIONS`` itself); CORS headers are added by a WSGI middleware as the
response starts, after every hook, on the final headers.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from flask import Blueprint, Flask, abort, request
from helpers import SPA, acao, cors_headers, get, ok, preflight
from werkzeug.middleware.proxy_fix import ProxyFix

from flask_cors_bp import CORS, CorsBlueprint, cross_origin


def app_with_route(**options: Any) -> Flask:
    app = Flask(__name__)
    CORS(app, origins=[SPA], **options)
    app.add_url_rule("/r", "r", ok, methods=["GET", "PUT"])
    return app


def test_without_other_hooks_flask_answers_preflights_and_they_get_cors_headers() -> None:
    app = app_with_route()
    for _ in range(2):  # the first request decides; the answers are the same before and after
        response = preflight(app, "/r")
        assert response.status_code == 200
        assert acao(response) == SPA
        assert "PUT" in response.headers["Access-Control-Allow-Methods"]
    assert app.before_request_funcs.get(None) == []  # nothing runs ahead of each request


def test_a_hook_added_after_cors_still_never_sees_a_preflight() -> None:
    app = app_with_route()
    seen: list[str] = []

    @app.before_request
    def auth() -> None:
        seen.append(request.method)
        abort(401)

    assert acao(preflight(app, "/r")) == SPA
    assert get(app, "/r").status_code == 401
    assert seen == ["GET"]


def test_a_blueprint_hook_keeps_preflights_answered_ahead_of_it() -> None:
    app = Flask(__name__)
    api = CorsBlueprint("api", __name__, url_prefix="/api", origins=[SPA])
    api.add_url_rule("/x", "x", ok, methods=["GET", "PUT"])

    @api.before_request
    def auth() -> None:
        abort(401)

    app.register_blueprint(api)
    response = preflight(app, "/api/x")
    assert (response.status_code, acao(response)) == (200, SPA)


def test_a_view_that_answers_options_itself_is_not_called_for_a_preflight() -> None:
    app = app_with_route()
    called: list[str] = []

    @app.route("/own", methods=["GET", "OPTIONS"])
    def own() -> str:
        called.append(request.method)
        return "own answer"

    response = preflight(app, "/own", method="GET")
    assert (response.status_code, response.get_data(as_text=True), acao(response)) == (
        200, "", SPA)
    assert called == []


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def inner(*args: Any, **kwargs: Any) -> Any:
        if "Authorization" not in request.headers:
            abort(401)
        return view(*args, **kwargs)
    return inner


def test_a_decorator_above_cross_origin_never_sees_a_preflight() -> None:
    app = Flask(__name__)
    CORS(app, origins=[SPA])

    @app.route("/admin", methods=["GET", "PUT"])
    @login_required
    @cross_origin(max_age=60)
    def admin() -> str:
        return "admin"

    response = preflight(app, "/admin")
    assert (response.status_code, acao(response)) == (200, SPA)
    assert response.headers["Access-Control-Max-Age"] == "60"
    assert get(app, "/admin").status_code == 401


def test_headers_are_added_after_every_after_request_hook() -> None:
    app = app_with_route()
    api = Blueprint("api", __name__)
    api.add_url_rule("/b", "b", ok)

    @api.after_request
    def blueprint_hook(response: Any) -> Any:
        response.headers["Access-Control-Allow-Origin"] = "https://set-by-a-hook.example"
        response.headers.add("Vary", "Cookie")
        return response

    @app.after_request
    def app_hook(response: Any) -> Any:
        response.headers.add("Vary", "Accept-Encoding")
        return response

    app.register_blueprint(api)
    response = get(app, "/b")
    assert acao(response) == SPA  # the policy decides, not a hook
    assert response.headers.getlist("Vary") == ["Cookie, Accept-Encoding, Origin"]
    refused = get(app, "/b", origin="https://evil.example.net")
    assert cors_headers(refused) == {}  # a refusal also drops a grant a hook set


def test_a_middleware_answering_on_its_own_gets_no_cors_headers() -> None:
    app = app_with_route()
    answered_by_flask = app.wsgi_app

    def static(environ: dict[str, Any], start_response: Any) -> Any:
        if environ["PATH_INFO"] == "/static-file":
            start_response("200 OK", CONSTANT_HEADERS)
            return [b"file"]
        return answered_by_flask(environ, start_response)

    CONSTANT_HEADERS = [("Content-Type", "text/plain")]
    app.wsgi_app = static  # type: ignore[method-assign]
    response = get(app, "/static-file")
    assert (response.status_code, cors_headers(response)) == (200, {})
    assert acao(get(app, "/r")) == SPA
    assert CONSTANT_HEADERS == [("Content-Type", "text/plain")]  # never changed in place


def test_proxy_fix_after_cors_is_seen_by_the_same_origin_check() -> None:
    app = app_with_route()
    app.wsgi_app = ProxyFix(app.wsgi_app, x_proto=1, x_host=1)  # type: ignore[method-assign]
    client = app.test_client()
    own = client.get("/r", headers={"Origin": "https://api.example.com",
                                    "X-Forwarded-Proto": "https",
                                    "X-Forwarded-Host": "api.example.com"})
    assert cors_headers(own) == {}  # same origin: not a CORS request, nothing refused
    assert acao(client.get("/r", headers={"Origin": SPA})) == SPA


def test_cross_origin_leaves_the_decorated_function_as_it_was() -> None:
    def view() -> str:
        return "v"

    wrapped = cross_origin(origins=[SPA])(view)
    assert not hasattr(view, "provide_automatic_options")
    assert not hasattr(view, "required_methods")
    assert wrapped.provide_automatic_options is False  # type: ignore[attr-defined]
    app = app_with_route()
    app.add_url_rule("/plain", "plain", view)  # the undecorated function stays plain
    assert app.before_request_funcs[None] != []
    get(app, "/plain")
    assert app.before_request_funcs[None] == []


def test_a_view_that_builds_its_own_request_object_keeps_its_cors_headers() -> None:
    from werkzeug.wrappers import Request as PlainRequest

    app = app_with_route()

    @app.get("/parse")
    def parse() -> str:
        return str(PlainRequest(request.environ).args)  # takes over environ["werkzeug.request"]

    assert acao(get(app, "/parse")) == SPA


def test_an_untrusted_host_is_flasks_400_not_a_crash() -> None:
    app = app_with_route()
    app.config.update(TRUSTED_HOSTS=["api.example.com"], SERVER_NAME="api.example.com")
    for origin, expected in ((SPA, SPA), (None, None), ("https://evil.example", None)):
        headers = {"Host": "evil.example", **({"Origin": origin} if origin else {})}
        response = app.test_client().get("/r", headers=headers)
        # Flask 3.1 refuses the host (400), older Flask routes it nowhere (404): an error
        # answer under the app-wide policy, never a crash
        assert response.status_code in (400, 404)
        assert acao(response) == expected


def test_an_app_mounted_inside_another_keeps_its_own_policy() -> None:
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    outer, inner, bare = Flask("outer"), Flask("inner"), Flask("bare")
    inner.add_url_rule("/data", "data", ok)
    bare.add_url_rule("/data", "data", ok)
    CORS(inner, origins=["https://inner.example"])
    outer.wsgi_app = DispatcherMiddleware(  # type: ignore[method-assign]
        outer.wsgi_app, {"/sub": inner, "/bare": bare})
    CORS(outer, origins=[SPA])
    assert acao(get(outer, "/sub/data", origin="https://inner.example")) == (
        "https://inner.example")
    assert cors_headers(get(outer, "/sub/data", origin=SPA)) == {}
    assert cors_headers(get(outer, "/bare/data", origin=SPA)) == {}  # no CORS of its own


def test_concurrent_first_requests_never_fail() -> None:
    import threading

    for _ in range(20):
        app = app_with_route()
        barrier = threading.Barrier(6)
        statuses: list[int] = []

        def first(app: Flask = app, barrier: threading.Barrier = barrier,
                  statuses: list[int] = statuses) -> None:
            barrier.wait()
            statuses.append(preflight(app, "/r").status_code)

        threads = [threading.Thread(target=first) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert statuses == [200] * 6


def test_a_redirect_under_a_script_root_is_judged_by_its_target_rule() -> None:
    app = Flask(__name__)
    CORS(app, origins=[SPA])

    @app.route("/api/public/")
    @cross_origin(origins="*")
    def public() -> str:
        return "public"

    other = "https://other.example"
    for root in ("", "/svc"):
        response = app.test_client().get("/api/public", headers={"Origin": other},
                                         base_url=f"http://localhost{root}")
        assert response.status_code == 308
        assert acao(response) == other, root


def test_intercept_exceptions_off_also_covers_a_preflight_answered_ahead() -> None:
    results = []
    for keep_hook in (False, True):
        app = app_with_route(intercept_exceptions=False)
        app.config["PROPAGATE_EXCEPTIONS"] = False

        @app.after_request
        def boom(response: Any) -> Any:
            raise RuntimeError("hook failed")

        if keep_hook:
            app.before_request(lambda: None)
        response = preflight(app, "/r")
        results.append((response.status_code, acao(response)))
    assert results == [(500, None), (500, None)]
