"""Two-origin demo: a page on one origin calls an API on another origin.

Run it from a clone of the repository::

    python examples/demo.py

and open the printed URL. The page (``http://127.0.0.1:8000``) has one button per call to
the API (``http://localhost:8001``); each shows what the API's CORS policy is meant to do
and what the browser actually let the page see. The API prints every refusal it signals.

Ports: ``DEMO_PAGE_PORT`` (default 8000) and ``DEMO_API_PORT`` (default 8001).

``create_api()`` and ``create_page()`` build the two Flask apps without serving them.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any

from flask import Flask, request
from werkzeug.serving import BaseWSGIServer, make_server

from flask_cors_bp import CORS, CorsBlueprint, cross_origin
from flask_cors_bp.signals import origin_rejected, preflight_rejected

PAGE_HOST = "127.0.0.1"
API_HOST = "localhost"  # another host name, so the page and the API are different origins


def page_origin(port: int = 8000) -> str:
    return f"http://{PAGE_HOST}:{port}"


def api_origin(port: int = 8001) -> str:
    return f"http://{API_HOST}:{port}"


#: The page's buttons: what each call sends, and whether the API's policy lets it through.
CALLS: list[dict[str, Any]] = [
    {
        "name": "public-time",
        "method": "GET",
        "path": "/public/time",
        "expect": "allowed",
        "why": "blueprint 'public' allows any origin",
    },
    {
        "name": "public-echo-custom-header",
        "method": "POST",
        "path": "/public/echo",
        "headers": {"Content-Type": "application/json", "X-Demo-Token": "secret"},
        "body": {"hello": "world"},
        "expect": "blocked",
        "why": "blueprint 'public' allows only the Content-Type header: the preflight is refused",
    },
    {
        "name": "private-profile",
        "method": "GET",
        "path": "/private/profile",
        "credentials": True,
        "expect": "allowed",
        "why": "blueprint 'private' allows the page's origin (from the app) with credentials",
    },
    {
        "name": "private-create-note",
        "method": "POST",
        "path": "/private/notes",
        "headers": {"Content-Type": "application/json"},
        "body": {"text": "hello"},
        "credentials": True,
        "expect": "allowed",
        "why": "JSON POST: the preflight asks for POST and Content-Type, both allowed",
    },
    {
        "name": "private-delete-note",
        "method": "DELETE",
        "path": "/private/notes/1",
        "credentials": True,
        "expect": "blocked",
        "why": "blueprint 'private' allows only GET and POST: the preflight is refused",
    },
    {
        "name": "admin-stats",
        "method": "GET",
        "path": "/admin/stats",
        "expect": "blocked",
        "why": "blueprint 'admin' allows no other origin (origins=[])",
    },
    {
        "name": "admin-health",
        "method": "GET",
        "path": "/admin/health",
        "expect": "allowed",
        "why": "a route override (@cross_origin(origins='*')) inside blueprint 'admin'",
    },
]


def create_api(page: str | None = None) -> Flask:
    """The API app: app-wide defaults plus three blueprints with their own policies."""
    page = page or page_origin()
    app = Flask(__name__)
    cors = CORS(app, origins=[page], max_age=600)  # app-wide default: only the page

    public = CorsBlueprint(
        "public", __name__, url_prefix="/public", origins="*", allow_headers=["Content-Type"]
    )
    private = CorsBlueprint(  # origins come from the app level: the page only
        "private", __name__, url_prefix="/private",
        supports_credentials=True, methods=["GET", "POST"], expose_headers=["X-Request-Id"],
    )
    admin = CorsBlueprint("admin", __name__, url_prefix="/admin", origins=[])

    @public.get("/time")
    def time() -> dict[str, Any]:
        from datetime import datetime, timezone

        return {"utc": datetime.now(timezone.utc).isoformat(timespec="seconds")}

    @public.post("/echo")
    def echo() -> dict[str, Any]:
        return {"echo": request.get_json(silent=True)}

    @private.get("/profile")
    def profile() -> tuple[dict[str, Any], int, dict[str, str]]:
        seen = request.cookies.get("demo_session") is not None
        response = {"user": "demo", "cookie_sent": seen}
        return response, 200, {
            "X-Request-Id": "req-1",
            "Set-Cookie": "demo_session=1; Path=/; HttpOnly; Secure; SameSite=None",
        }

    @private.post("/notes")
    def create_note() -> tuple[dict[str, Any], int, dict[str, str]]:
        note = request.get_json(silent=True) or {}
        return {"created": note}, 201, {"X-Request-Id": "req-2"}

    @private.delete("/notes/<int:note_id>")
    def delete_note(note_id: int) -> dict[str, Any]:
        return {"deleted": note_id}

    @admin.get("/stats")
    def stats() -> dict[str, Any]:
        return {"users": 1, "notes": 0}

    @admin.get("/health")
    @cross_origin(origins="*")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/")
    def policies() -> dict[str, Any]:
        """Each endpoint's effective policy and where its origins came from."""
        out: dict[str, Any] = {}
        for rule in app.url_map.iter_rules():
            policy = cors.policy_for(rule.endpoint)
            if rule.endpoint == "static" or policy is None:
                continue
            out[rule.rule] = {
                "origins": [str(o) for o in policy.origins],
                "origins_from": policy.source("origins"),
                "methods": list(policy.methods),
                "credentials": policy.supports_credentials,
            }
        return out

    app.register_blueprint(public)
    app.register_blueprint(private)
    app.register_blueprint(admin)

    @origin_rejected.connect_via(app)
    def on_origin_rejected(sender: Flask, origin: str, endpoint: str | None, **extra: Any) -> None:
        print(f"[api] CORS refused origin {origin!r} on {endpoint}")

    @preflight_rejected.connect_via(app)
    def on_preflight_rejected(
        sender: Flask, origin: str, reason: str, endpoint: str | None, **extra: Any
    ) -> None:
        print(f"[api] CORS refused a preflight from {origin!r} on {endpoint}: {reason}")

    # Keep the receivers alive as long as the app (blinker holds them weakly).
    app.extensions["demo_receivers"] = (on_origin_rejected, on_preflight_rejected)
    return app


PAGE_HTML = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>flask_cors_bp two-origin demo</title>
<link rel="icon" href="data:,">
<style>
  body { font-family: system-ui, sans-serif; margin: 2rem; max-width: 70rem; }
  table { border-collapse: collapse; width: 100%; }
  th, td { border: 1px solid #ccc; padding: .4rem; text-align: left; vertical-align: top; }
  td.result { font-family: monospace; white-space: pre-wrap; }
  .ok { background: #e7f7e7; } .bad { background: #fbe4e4; }
</style>
</head>
<body>
<h1>Two origins</h1>
<p>This page is <code id="page-origin"></code>. It calls the API on
<code id="api-origin"></code>, a different origin, with <code>fetch()</code>.
"Allowed" means the page could read the response; "blocked" means the browser
refused to hand it to the page (the console says why). A blocked call without a
preflight still reaches the API (see its log): CORS decides what the page may read, not
what the browser may send.</p>
<p><button id="run-all">Run all</button></p>
<table>
<thead><tr><th>Call</th><th>Policy says</th><th>Browser result</th><th></th></tr></thead>
<tbody id="calls"></tbody>
</table>
<h2>The API's effective policies</h2>
<p>From <code>cors.policy_for(endpoint)</code>, fetched from the API (its app-wide default
allows this page).</p>
<table>
<thead><tr><th>Rule</th><th>Origins</th><th>Origins set by</th><th>Methods</th>
<th>Credentials</th></tr></thead>
<tbody id="policies"></tbody>
</table>
<script>
const API = __API_ORIGIN__;
const CALLS = __CALLS__;
document.getElementById("page-origin").textContent = location.origin;
document.getElementById("api-origin").textContent = API;

async function run(call, row) {
  const init = {method: call.method, headers: call.headers || {}};
  if (call.body !== undefined) init.body = JSON.stringify(call.body);
  if (call.credentials) init.credentials = "include";
  let outcome, text;
  try {
    const response = await fetch(API + call.path, init);
    const visible = [];
    response.headers.forEach((value, name) => visible.push(name + ": " + value));
    outcome = "allowed";
    text = "HTTP " + response.status + " " + (await response.text()) +
           "\\nheaders the page can read: " + visible.join("; ");
  } catch (error) {
    outcome = "blocked";
    text = "blocked by the browser (" + error.name + ": " + error.message + ")";
  }
  row.querySelector(".result").textContent = text;
  const match = outcome === call.expect;
  row.className = match ? "ok" : "bad";
  row.querySelector(".match").textContent = match ? "as expected" : "UNEXPECTED";
  row.dataset.outcome = outcome;
}

const body = document.getElementById("calls");
for (const call of CALLS) {
  const row = document.createElement("tr");
  row.id = call.name;
  const extra = Object.keys(call.headers || {}).filter((name) => name !== "Content-Type");
  const label = call.method + " " + call.path +
                (extra.length ? " + header " + extra.join(", ") : "") +
                (call.credentials ? " (with credentials)" : "");
  row.innerHTML = "<td><button></button></td><td></td><td class='result'></td>" +
                  "<td class='match'></td>";
  row.querySelector("button").textContent = label;
  row.children[1].textContent = call.expect + ": " + call.why;
  row.querySelector("button").addEventListener("click", () => run(call, row));
  body.appendChild(row);
}
fetch(API + "/").then((response) => response.json()).then((policies) => {
  const table = document.getElementById("policies");
  for (const [rule, p] of Object.entries(policies)) {
    const row = table.insertRow();
    for (const value of [rule, p.origins.join(" ") || "(none)", p.origins_from,
                         p.methods.join(", "), String(p.credentials)]) {
      row.insertCell().textContent = value;
    }
  }
}).catch((error) => {
  document.getElementById("policies").insertRow().insertCell().textContent =
    "could not load: " + error;
});
document.getElementById("run-all").addEventListener("click", async () => {
  for (const call of CALLS) await run(call, document.getElementById(call.name));
});
</script>
</body>
</html>
"""


def _js(value: Any) -> str:
    """JSON that is safe inside a <script> element."""
    return json.dumps(value).replace("<", "\\u003c")


def create_page(api: str | None = None) -> Flask:
    """The page app: one HTML page whose buttons call the API on ``api``."""
    api = api or api_origin()
    app = Flask(__name__)
    html = PAGE_HTML.replace("__API_ORIGIN__", _js(api)).replace("__CALLS__", _js(CALLS))

    @app.get("/")
    def index() -> str:
        return html

    return app


def _serve(app: Flask, port: int, name: str) -> BaseWSGIServer:
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, name=name, daemon=True).start()
    return server


def main() -> None:
    page_port = int(os.environ.get("DEMO_PAGE_PORT", "8000"))
    api_port = int(os.environ.get("DEMO_API_PORT", "8001"))
    page, api = page_origin(page_port), api_origin(api_port)
    servers = [
        _serve(create_api(page), api_port, "demo-api"),
        _serve(create_page(api), page_port, "demo-page"),
    ]
    print(f"API:  {api}/ (lists each endpoint's effective CORS policy)")
    print(f"Page: {page}/")
    print(f"Open {page}/ in a browser and press the buttons. Ctrl+C to stop.")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        for server in servers:
            server.shutdown()


if __name__ == "__main__":
    main()
