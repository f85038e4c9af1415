"""``flask cors ...``: commands that explain and check the effective CORS policies."""

from __future__ import annotations

from flask.cli import AppGroup

cors_cli = AppGroup("cors", help="Explain and check the CORS policies of this app.")
