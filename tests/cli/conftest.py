"""Fixtures of the CLI tests."""

from __future__ import annotations

import pytest
from flask import Flask
from support import make_app


@pytest.fixture
def app() -> Flask:
    """An app with several levels: resources, blueprints (nested, plain) and routes."""
    return make_app()
