"""What a real browser does with flask_cors_bp's answers.

Every scenario fetches from a page at ``http://127.0.0.1:<port>`` (the allowed origin unless a
policy says otherwise) to an API at ``http://localhost:<port>``, then checks both what
JavaScript saw and which requests (preflight, actual, cookie) reached the server.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask, abort, jsonify, make_response, request
from flask.typing import ResponseReturnValue
from helpers import OTHER  # an origin that is not the page's

from flask_cors_bp import CORS, CorsBlueprint, cross_origin

if TYPE_CHECKING:
    from conftest import Browser, Outcome, Server

COOKIE = "sid"
DEFAULT_PREFLIGHT_CACHE_S = 5  # Chromium caches a preflight this long without Max-Age


def build_api(page: str) -> Flask:
    """App-level policy, a credentialed blueprint, a blueprint for another origin, overrides."""
    app = Flask("browser_api")  # debug and testing off: Flask turns exceptions into 500s
    CORS(
        app,
        origins=[page],
        methods=["GET", "HEAD", "POST", "PUT"],
        allow_headers=["Content-Type", "X-Allowed"],
        expose_headers=["X-Exposed"],
    )

    def tagged(body: str) -> ResponseReturnValue:
        response = make_response(body)
        response.headers["X-Exposed"] = "app-level"
        response.headers["X-Partner"] = "partner-level"
        response.headers["X-Hidden"] = "never-exposed"
        return response

    @app.route("/simple")
    def simple() -> ResponseReturnValue:
        return "simple"

    @app.route("/item", methods=["GET", "PUT", "DELETE"])
    def item() -> ResponseReturnValue:
        return f"{request.method} {request.get_data(as_text=True)}"

    @app.post("/json")
    def echo_json() -> ResponseReturnValue:
        return jsonify(received=request.get_json())

    @app.route("/headers")
    def headers() -> ResponseReturnValue:
        return tagged("app")

    @app.route("/missing")
    def missing() -> ResponseReturnValue:
        abort(404)

    @app.route("/boom")
    def boom() -> ResponseReturnValue:
        raise RuntimeError("boom")

    @app.route("/elsewhere", methods=["GET", "PUT"])
    @cross_origin(origins=[OTHER])
    def elsewhere() -> ResponseReturnValue:
        return "elsewhere"

    @app.route("/wildcard")
    @cross_origin(origins="*", send_wildcard=True)
    def wildcard() -> ResponseReturnValue:
        return "wildcard"

    @app.route("/cache/long", methods=["PUT"])
    @cross_origin(max_age=30)
    def cache_long() -> ResponseReturnValue:
        return "long"

    @app.route("/cache/zero", methods=["PUT"])
    @cross_origin(max_age=0)
    def cache_zero() -> ResponseReturnValue:
        return "zero"

    @app.route("/cache/default", methods=["PUT"])
    def cache_default() -> ResponseReturnValue:
        return "default"

    account = CorsBlueprint("account", __name__, url_prefix="/account", supports_credentials=True)

    @account.before_request
    def require_login() -> ResponseReturnValue | None:
        if request.endpoint != "account.login" and COOKIE not in request.cookies:
            return "login required", 401
        return None

    @account.route("/login")
    def login() -> ResponseReturnValue:
        response = make_response("logged in")
        response.set_cookie(COOKIE, "s3cret", samesite="None", secure=True)
        return response

    @account.route("/me", methods=["GET", "PUT"])
    def me() -> ResponseReturnValue:
        return jsonify(method=request.method, cookie=request.cookies.get(COOKIE))

    partners = CorsBlueprint(
        "partners", __name__, url_prefix="/partners", origins=[OTHER], expose_headers=["X-Partner"]
    )

    @partners.route("/data")
    def partner_data() -> ResponseReturnValue:
        return tagged("partner")

    @partners.route("/open")
    @cross_origin(origins=[page])
    def partner_open() -> ResponseReturnValue:
        return tagged("open")

    app.register_blueprint(account)
    app.register_blueprint(partners)
    return app


def build_blueprint_only(page: str) -> Flask:
    """A CorsBlueprint on an app that never calls CORS(app)."""
    app = Flask("browser_blueprint_only")
    api = CorsBlueprint(
        "solo",
        __name__,
        url_prefix="/solo",
        origins=[page],
        methods=["GET", "PUT"],
        allow_headers=["X-Allowed"],
    )

    @api.route("/item", methods=["GET", "PUT"])
    def item() -> ResponseReturnValue:
        return f"solo {request.method}"

    @app.route("/plain")
    def plain() -> ResponseReturnValue:
        return "no CORS here"

    app.register_blueprint(api)
    return app


@pytest.fixture(scope="module")
def api(serve: Callable[[Flask], Server], page_origin: str) -> Server:
    return serve(build_api(page_origin))


@pytest.fixture(scope="module")
def solo(serve: Callable[[Flask], Server], page_origin: str) -> Server:
    return serve(build_blueprint_only(page_origin))


@pytest.fixture(scope="module")
def logged_in(browser: Browser, api: Server) -> None:
    """The browser holds the API's ``SameSite=None; Secure`` session cookie."""
    outcome = browser.fetch(api, "/account/login", credentials="include")
    assert outcome.resolved and outcome.status == 200, str(outcome)


def put(**extra: Any) -> dict[str, Any]:
    return {"method": "PUT", "body": "payload", **extra}


def assert_read(outcome: Outcome, status: int = 200, body: str | None = None) -> None:
    """JavaScript got the response."""
    assert outcome.resolved, str(outcome)
    assert outcome.status == status, str(outcome)
    if body is not None:
        assert outcome.body == body, str(outcome)


def assert_blocked(outcome: Outcome) -> None:
    """fetch() rejected with a TypeError: the browser refused the CORS answer."""
    assert outcome.blocked, str(outcome)


# --- simple requests ---------------------------------------------------------------------


def test_simple_get_from_allowed_origin(browser: Browser, api: Server, page_origin: str) -> None:
    outcome = browser.fetch(api, "/simple")
    assert_read(outcome, body="simple")
    assert outcome.preflights == []
    assert [(s.method, s.origin) for s in outcome.actuals] == [("GET", page_origin)]


def test_simple_get_from_refused_origin_is_sent_but_unreadable(
    browser: Browser, api: Server
) -> None:
    outcome = browser.fetch(api, "/elsewhere")
    assert_blocked(outcome)
    assert outcome.preflights == []
    assert [s.method for s in outcome.actuals] == ["GET"]


# --- preflighted requests ----------------------------------------------------------------


def test_put_with_allowed_custom_header(browser: Browser, api: Server) -> None:
    outcome = browser.fetch(api, "/item", **put(headers={"X-Allowed": "1"}))
    assert_read(outcome, body="PUT payload")
    [preflight] = outcome.preflights
    assert preflight.request_method == "PUT"
    assert preflight.request_headers == "x-allowed"
    assert [s.method for s in outcome.actuals] == ["PUT"]


def test_put_with_refused_custom_header_is_never_sent(browser: Browser, api: Server) -> None:
    outcome = browser.fetch(api, "/item", **put(headers={"X-Allowed": "1", "X-Refused": "1"}))
    assert_blocked(outcome)
    [preflight] = outcome.preflights
    assert preflight.request_headers == "x-allowed,x-refused"
    assert outcome.actuals == []


def test_refused_method_is_never_sent(browser: Browser, api: Server) -> None:
    outcome = browser.fetch(api, "/item", method="DELETE")
    assert_blocked(outcome)
    [preflight] = outcome.preflights
    assert preflight.request_method == "DELETE"
    assert outcome.actuals == []


def test_refused_origin_on_preflight_is_never_sent(browser: Browser, api: Server) -> None:
    outcome = browser.fetch(api, "/elsewhere", **put())
    assert_blocked(outcome)
    assert len(outcome.preflights) == 1
    assert outcome.actuals == []


def test_json_post(browser: Browser, api: Server) -> None:
    outcome = browser.fetch(
        api,
        "/json",
        method="POST",
        headers={"Content-Type": "application/json"},
        body='{"answer": 42}',
    )
    assert_read(outcome)
    assert outcome.body is not None and '"answer":42' in outcome.body.replace(" ", "")
    assert outcome.headers.get("content-type") == "application/json"
    [preflight] = outcome.preflights
    assert preflight.request_headers == "content-type"
    assert [s.method for s in outcome.actuals] == ["POST"]


# --- credentials ---------------------------------------------------------------------------


@pytest.mark.usefixtures("logged_in")
def test_credentialed_get_sends_cookie(browser: Browser, api: Server) -> None:
    outcome = browser.fetch(api, "/account/me", credentials="include")
    assert_read(outcome, body='{"cookie":"s3cret","method":"GET"}\n')
    assert outcome.preflights == []
    assert [s.cookie for s in outcome.actuals] == [f"{COOKIE}=s3cret"]


@pytest.mark.usefixtures("logged_in")
def test_credentialed_put_preflight_skips_auth_hook(browser: Browser, api: Server) -> None:
    # The blueprint's before_request answers 401 without the cookie; a preflight never has one.
    outcome = browser.fetch(api, "/account/me", credentials="include", **put())
    assert_read(outcome, body='{"cookie":"s3cret","method":"PUT"}\n')
    [preflight] = outcome.preflights
    assert preflight.cookie is None
    assert [s.cookie for s in outcome.actuals] == [f"{COOKIE}=s3cret"]


@pytest.mark.usefixtures("logged_in")
def test_wildcard_answer_blocks_credentialed_fetch(browser: Browser, api: Server) -> None:
    assert_read(browser.fetch(api, "/wildcard"), body="wildcard")
    outcome = browser.fetch(api, "/wildcard", credentials="include")
    assert_blocked(outcome)
    assert [s.cookie for s in outcome.actuals] == [f"{COOKIE}=s3cret"]


@pytest.mark.usefixtures("logged_in")
def test_policy_without_credentials_blocks_credentialed_fetch(
    browser: Browser, api: Server
) -> None:
    assert_read(browser.fetch(api, "/simple"), body="simple")
    outcome = browser.fetch(api, "/simple", credentials="include")
    assert_blocked(outcome)
    assert [s.cookie for s in outcome.actuals] == [f"{COOKIE}=s3cret"]


# --- response headers and statuses -------------------------------------------------------


def test_only_exposed_headers_are_readable(browser: Browser, api: Server) -> None:
    outcome = browser.fetch(api, "/headers")
    assert_read(outcome, body="app")
    assert outcome.headers.get("x-exposed") == "app-level"
    assert "x-hidden" not in outcome.headers
    assert "x-partner" not in outcome.headers
    assert outcome.headers.get("content-type", "").startswith("text/html")


@pytest.mark.parametrize(
    "path", ["/missing", "/no-such-route", "/account/no-such-route"], ids=["abort", "app", "bp"]
)
def test_404_is_readable(browser: Browser, api: Server, path: str) -> None:
    assert_read(browser.fetch(api, path), status=404)


def test_404_under_blueprint_prefix_uses_blueprint_policy(browser: Browser, api: Server) -> None:
    # /partners/... only allows OTHER, even for paths that match no route.
    assert_blocked(browser.fetch(api, "/partners/no-such-route"))


def test_500_is_readable(browser: Browser, api: Server) -> None:
    outcome = browser.fetch(api, "/boom", server_error=True)
    assert_read(outcome, status=500)
    assert outcome.body is not None and "Internal Server Error" in outcome.body


# --- preflight cache (Access-Control-Max-Age) --------------------------------------------


def test_max_age_zero_preflights_every_time(browser: Browser, api: Server) -> None:
    token = uuid.uuid4().hex
    first = browser.fetch(api, "/cache/zero", token=token, **put())
    second = browser.fetch(api, "/cache/zero", token=token, **put())
    assert_read(first, body="zero")
    assert_read(second, body="zero")
    # Without an Access-Control-Max-Age: 0 header Chromium would reuse the first preflight.
    assert [s.method for s in second.seen] == ["OPTIONS", "PUT", "OPTIONS", "PUT"]


def test_max_age_keeps_preflight_beyond_browser_default(browser: Browser, api: Server) -> None:
    long, default = uuid.uuid4().hex, uuid.uuid4().hex
    assert_read(browser.fetch(api, "/cache/long", token=long, **put()), body="long")
    assert_read(browser.fetch(api, "/cache/default", token=default, **put()), body="default")
    time.sleep(DEFAULT_PREFLIGHT_CACHE_S + 0.5)
    again_long = browser.fetch(api, "/cache/long", token=long, **put())
    again_default = browser.fetch(api, "/cache/default", token=default, **put())
    assert_read(again_long, body="long")
    assert_read(again_default, body="default")
    assert [s.method for s in again_long.seen] == ["OPTIONS", "PUT", "PUT"]
    assert [s.method for s in again_default.seen] == ["OPTIONS", "PUT", "OPTIONS", "PUT"]


# --- levels: app, blueprint, route --------------------------------------------------------


def test_app_blueprint_and_route_policies_on_one_app(browser: Browser, api: Server) -> None:
    app_level = browser.fetch(api, "/headers")
    blueprint = browser.fetch(api, "/partners/data")
    route = browser.fetch(api, "/partners/open")

    assert_read(app_level, body="app")
    assert_blocked(blueprint)  # the blueprint's origins replace the app's
    assert_read(route, body="open")  # the route's origins replace the blueprint's ...
    # ... and the blueprint's expose_headers still apply under the route override.
    assert route.headers.get("x-partner") == "partner-level"
    assert "x-exposed" not in route.headers
    assert app_level.headers.get("x-exposed") == "app-level"
    assert "x-partner" not in app_level.headers


def test_cors_blueprint_without_extension(browser: Browser, solo: Server) -> None:
    assert_read(browser.fetch(solo, "/solo/item"), body="solo GET")

    preflighted = browser.fetch(solo, "/solo/item", **put(headers={"X-Allowed": "1"}))
    assert_read(preflighted, body="solo PUT")
    assert [s.method for s in preflighted.seen] == ["OPTIONS", "PUT"]

    refused_header = browser.fetch(solo, "/solo/item", **put(headers={"X-Refused": "1"}))
    assert_blocked(refused_header)
    assert refused_header.actuals == []

    assert_blocked(browser.fetch(solo, "/plain"))  # app routes have no policy


SANDBOXED_FETCH_JS = """
([url, timeoutMs]) => new Promise((resolve) => {
  const id = Math.random().toString(36).slice(2);
  const frame = document.createElement("iframe");
  frame.sandbox = "allow-scripts";  // an opaque origin: its requests say Origin: null
  const done = (result) => { window.removeEventListener("message", listen); frame.remove();
                              resolve(result); };
  const listen = (event) => { if (event.data && event.data.id === id) done(event.data); };
  window.addEventListener("message", listen);
  setTimeout(() => done({id, resolved: false, error: "timeout"}), timeoutMs);
  const report = (data) => `parent.postMessage(Object.assign({id: ${JSON.stringify(id)}}, ${data}), "*")`;
  frame.srcdoc = `<script>fetch(${JSON.stringify(url)}).then(
    (r) => r.text().then((body) => ${report("{resolved: true, status: r.status, body}")}),
    (e) => ${report("{resolved: false, error: String(e)}")});<\\/script>`;
  document.body.appendChild(frame);
})
"""


def build_sandbox_api() -> Flask:
    app = Flask("sandbox_api")
    public = CorsBlueprint("public", __name__, url_prefix="/public", origins="*")
    listed = CorsBlueprint("listed", __name__, url_prefix="/listed", origins=[OTHER])

    @public.get("/data")
    def public_data() -> ResponseReturnValue:
        return "public"

    @listed.get("/data")
    def listed_data() -> ResponseReturnValue:
        return "listed"

    app.register_blueprint(public)
    app.register_blueprint(listed)
    return app


@pytest.fixture(scope="module")
def sandbox_api(serve: Callable[[Flask], Server]) -> Server:
    return serve(build_sandbox_api())


def test_sandboxed_iframe_reads_an_any_origin_blueprint_but_not_a_list(
    browser: Browser, sandbox_api: Server
) -> None:
    def sandboxed(path: str) -> tuple[dict[str, Any], list[Any]]:
        token = uuid.uuid4().hex
        url = f"{sandbox_api.origin}{path}?t={token}"
        result = browser.page.evaluate(SANDBOXED_FETCH_JS, [url, 5000])
        seen = sandbox_api.log.for_token(token)
        assert all(s.status is not None and s.status < 500 for s in seen), seen
        return result, seen

    public, seen = sandboxed("/public/data")
    assert [s.origin for s in seen] == ["null"]
    assert (public["resolved"], public.get("body")) == (True, "public"), public
    listed, seen = sandboxed("/listed/data")
    assert [s.origin for s in seen] == ["null"]
    assert not listed["resolved"] and listed["error"].startswith("TypeError"), listed
