"""The worked example of the "Blueprints and routes" page: four levels, one endpoint each."""

from __future__ import annotations

from flask import Flask

from flask_cors_bp import CORS, CorsBlueprint, cross_origin

app = Flask(__name__)
app.config["CORS_EXPOSE_HEADERS"] = ["X-Request-Id"]  # level 2: app config

cors = CORS(app, origins=["https://app.example.com"], max_age=600)  # level 3: app

api = CorsBlueprint(  # level 5: blueprint
    "api", __name__, url_prefix="/api",
    origins=["https://app.example.com", "https://*.partner.example"],
    methods=["GET", "POST"], supports_credentials=True,
)


@api.get("/items")
def items() -> dict[str, list[str]]:
    return {"items": []}


@api.post("/upload")
@cross_origin(methods=["POST"], max_age=60)  # level 6: route
def upload() -> dict[str, bool]:
    return {"stored": True}


@api.get("/status")
@cross_origin(origins="*", supports_credentials=False)  # level 6: a public route
def status() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/health")
def health() -> str:
    return "ok"


app.register_blueprint(api)
