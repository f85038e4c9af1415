"""Real-browser harness: headless Chromium (driven by Playwright) fetching from a page on one
origin to Flask apps served on another origin and site.

The page is served from ``http://127.0.0.1:<port>`` and every API app from
``http://localhost:<port>``, so each fetch is a cross-site CORS request. Each fetch gets its
own ``t=<token>`` query parameter, which keeps browser preflight-cache entries apart and lets
the harness pick out exactly which requests of that fetch reached the server.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import parse_qs

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FETCH_TIMEOUT_MS = 10_000
HERE = Path(__file__).parent.resolve()

# Runs fetch() in the page; reports what JavaScript can see of the outcome.
FETCH_JS = """
async ([url, init, timeoutMs]) => {
  try {
    const response = await fetch(url, {...init, signal: AbortSignal.timeout(timeoutMs)});
    const headers = {};
    response.headers.forEach((value, name) => { headers[name] = value; });
    const body = await response.text();
    return {resolved: true, status: response.status, headers, body, error: null};
  } catch (error) {
    return {resolved: false, status: null, headers: {}, body: null,
            error: `${error.name}: ${error.message}`};
  }
}
"""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


# --- what reached the server -------------------------------------------------------------


@dataclass
class Seen:
    """One request as the server received it, and the status it answered with."""

    method: str
    path: str
    token: str
    origin: str | None
    cookie: str | None
    request_method: str | None  # Access-Control-Request-Method
    request_headers: str | None  # Access-Control-Request-Headers
    status: int | None = None  # set when the app starts its response

    @property
    def is_preflight(self) -> bool:
        return self.method == "OPTIONS" and self.request_method is not None


class RequestLog:
    """WSGI middleware recording every request before the app sees it."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app
        self._seen: list[Seen] = []
        self._lock = threading.Lock()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Any:
        query = parse_qs(environ.get("QUERY_STRING", ""))
        seen = Seen(
            method=environ["REQUEST_METHOD"],
            path=environ.get("PATH_INFO", ""),
            token=query.get("t", [""])[0],
            origin=environ.get("HTTP_ORIGIN"),
            cookie=environ.get("HTTP_COOKIE"),
            request_method=environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD"),
            request_headers=environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS"),
        )
        with self._lock:
            self._seen.append(seen)

        def recording_start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
            seen.status = int(status.split(" ", 1)[0])
            return start_response(status, headers, exc_info)

        return self.app(environ, recording_start_response)

    def for_token(self, token: str) -> list[Seen]:
        with self._lock:
            return [seen for seen in self._seen if seen.token == token]


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@dataclass
class Server:
    """A WSGI app served on loopback from a background thread."""

    origin: str
    log: RequestLog
    httpd: BaseWSGIServer
    thread: threading.Thread

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def _serve(app: WSGIApplication, host_name: str) -> Server:
    log = RequestLog(app)
    httpd = make_server("127.0.0.1", 0, log, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=httpd.serve_forever, name=f"serve-{host_name}", daemon=True)
    thread.start()
    return Server(f"http://{host_name}:{httpd.server_port}", log, httpd, thread)


@pytest.fixture(scope="session")
def serve() -> Iterator[Callable[[Flask], Server]]:
    """Serve an API app at ``http://localhost:<free port>``; stopped at the end of the session."""
    servers: list[Server] = []

    def start(app: Flask) -> Server:
        server = _serve(app, "localhost")
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def page_server() -> Iterator[Server]:
    page = Flask("browser_page")

    @page.get("/")
    def index() -> str:
        return "<!doctype html><meta charset=utf-8><title>CORS test page</title>"

    server = _serve(page, "127.0.0.1")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def page_origin(page_server: Server) -> str:
    """The origin every fetch in this suite comes from."""
    return page_server.origin


# --- what JavaScript saw ------------------------------------------------------------------


@dataclass
class Outcome:
    """A fetch() as JavaScript saw it, and the requests of that fetch that reached the server."""

    resolved: bool
    status: int | None
    headers: dict[str, str]
    body: str | None
    error: str | None
    seen: list[Seen] = field(default_factory=list)

    @property
    def preflights(self) -> list[Seen]:
        return [seen for seen in self.seen if seen.is_preflight]

    @property
    def actuals(self) -> list[Seen]:
        return [seen for seen in self.seen if not seen.is_preflight]

    @property
    def blocked(self) -> bool:
        """fetch() rejected with the TypeError browsers use for CORS failures."""
        return not self.resolved and (self.error or "").startswith("TypeError")

    def __str__(self) -> str:
        if self.resolved:
            js = f"resolved {self.status} headers={self.headers} body={self.body!r}"
        else:
            js = f"rejected {self.error}"
        wire = ", ".join(
            f"{s.method} {s.path} -> {s.status}" + (f" [cookie {s.cookie}]" if s.cookie else "")
            for s in self.seen
        )
        return f"JS: {js}; server saw: [{wire}]"


class Browser:
    """A page open at the test page's origin, able to fetch() from it."""

    def __init__(self, page: Any) -> None:
        self.page = page

    def fetch(self, server: Server, path: str, token: str | None = None,
              server_error: bool = False, **init: Any) -> Outcome:
        """``fetch(server.origin + path, init)`` from the page; ``init`` is the RequestInit.

        Every request that reached the server must have been answered below 500 (a refusal
        is not a crash), unless ``server_error`` says the test expects one.
        """
        token = token or uuid.uuid4().hex
        url = f"{server.origin}{path}{'&' if '?' in path else '?'}t={token}"
        result = self.page.evaluate(FETCH_JS, [url, init, FETCH_TIMEOUT_MS])
        outcome = Outcome(**result, seen=server.log.for_token(token))
        answered = [seen.status for seen in outcome.seen]
        assert None not in answered, f"a request was never answered: {outcome}"
        if not server_error:
            assert all(status < 500 for status in answered if status), f"server error: {outcome}"
        return outcome


def _unavailable(reason: str) -> NoReturn:
    """Skip locally; in CI (CI=true) a missing browser is a failure, never a silent skip."""
    if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser(page_origin: str) -> Iterator[Browser]:
    """One headless Chromium for the whole session, with a fresh profile."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install playwright)")
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")

    profile = Path(tempfile.mkdtemp(prefix="cors-browser-"))
    try:
        (profile / "Default").mkdir()
        # Allow third-party cookies: the API is cross-site from the page.
        preferences = {"profile": {"cookie_controls_mode": 0}}
        (profile / "Default" / "Preferences").write_text(json.dumps(preferences))
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            try:
                context.set_default_timeout(FETCH_TIMEOUT_MS * 2)
                page = context.new_page()
                page.goto(f"{page_origin}/")
                yield Browser(page)
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
