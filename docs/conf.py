"""Sphinx configuration for the flask_cors_bp documentation."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import flask_cors_bp

project = "flask_cors_bp"
author = "flask_cors_bp developers"
copyright = "flask_cors_bp developers"
release = flask_cors_bp.__version__
version = ".".join(release.split(".")[:2])

extensions = ["sphinx.ext.autodoc"]
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_preserve_defaults = True

exclude_patterns = ["_build", "examples"]
templates_path: list[str] = []

html_title = f"flask_cors_bp {release}"
html_theme = "furo" if importlib.util.find_spec("furo") else "alabaster"
