"""The examples pass their own audit (intended findings are in a baseline next to them),
and the committed snapshot of the blueprints example is what the app has."""

from __future__ import annotations

import pytest
from support import EXAMPLES, example_app, invoke


@pytest.mark.parametrize(("name", "factory", "baseline"), [
    ("blueprints", "app", "blueprints.audit-baseline.json"),
    ("quickstart", "app", "quickstart.audit-baseline.json"),
    ("demo", "create_api", "demo.audit-baseline.json"),
    ("observability", "create_app", None),
])
def test_examples_pass_their_audit(name: str, factory: str, baseline: str | None) -> None:
    app = example_app(name, factory)
    args = ["--baseline", str(EXAMPLES / baseline)] if baseline else []
    result = invoke(app, "audit", *args)
    assert result.exit_code == 0, result.output
    assert "no finding any more" not in result.stderr  # the baseline holds nothing stale
    if baseline:  # and it is needed: without it, the audit fails
        assert invoke(app, "audit").exit_code == 1


def test_blueprints_snapshot_is_current() -> None:
    app = example_app("blueprints")
    result = invoke(app, "diff", str(EXAMPLES / "blueprints.cors-snapshot.json"))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("not widened: 0 rules changed")
