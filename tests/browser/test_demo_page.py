"""The two-origin demo (examples/demo.py) in a real browser: its page shows, for every call,
the outcome the policy was written to give."""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING, Any

from conftest import _serve

if TYPE_CHECKING:
    from conftest import Browser


class Late:
    """A WSGI app set after its server started (the page and the API each need the other's
    origin)."""

    app: Any = None

    def __call__(self, environ: Any, start_response: Any) -> Any:
        return self.app(environ, start_response)


def test_demo_page_shows_the_expected_outcome_of_every_call(
    browser: Browser, demo: ModuleType
) -> None:
    page_app, api_app = Late(), Late()
    page, api = _serve(page_app, "127.0.0.1"), _serve(api_app, "localhost")
    try:
        page_app.app = demo.create_page(api.origin)
        api_app.app = demo.create_api(page.origin)
        tab = browser.page.context.new_page()
        try:
            tab.goto(f"{page.origin}/")
            tab.wait_for_selector("#policies tr:nth-child(2)")  # the policies table loaded
            tab.click("#run-all")
            rows = [f"#{call['name']}" for call in demo.CALLS]
            tab.wait_for_function(
                "rows => rows.every(id => document.querySelector(id).dataset.outcome)", arg=rows)
            shown = {call["name"]: tab.get_attribute(f"#{call['name']}", "data-outcome")
                     for call in demo.CALLS}
            assert shown == {call["name"]: call["expect"] for call in demo.CALLS}
            assert {"allowed", "blocked"} <= set(shown.values())
            assert tab.locator("tr.bad").count() == 0  # no row says UNEXPECTED
        finally:
            tab.close()
    finally:
        page.stop()
        api.stop()
    statuses = [seen.status for seen in api.log.for_token("")]
    assert statuses and all(status is not None and status < 500 for status in statuses)
