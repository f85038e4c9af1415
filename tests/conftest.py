"""Fixtures shared by the test modules (here and in ``browser/``).

Functions and constants the tests call directly (``get``, ``preflight``, ``acao``,
``cors_headers``, ``SPA``, ...) are in ``helpers.py``; apps a single module needs are built
in that module.
"""

from __future__ import annotations

from types import ModuleType

import pytest
from helpers import load_example


@pytest.fixture(scope="module")
def demo() -> ModuleType:
    """``examples/demo.py``: a page and an API on two origins, and the calls the page makes."""
    return load_example("demo")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last: their session-wide Chromium runs an event loop in the main thread,
    where async views (run through asgiref) cannot run after it has started."""
    items.sort(key=lambda item: "browser" in item.path.parts)
