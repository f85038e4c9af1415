"""``flask cors ...``: commands that explain, check and gate the effective CORS policies.

- ``flask cors routes`` lists every URL rule with its policy; ``--json`` is a snapshot.
- ``flask cors check ORIGIN PATH`` plays the browser against the app's test client.
- ``flask cors audit`` reviews every policy for risky settings and probes its origins.
- ``flask cors diff BEFORE.json [AFTER.json]`` says what widened between two snapshots.

The group reaches an app in two ways: ``init_app`` (and registering a ``CorsBlueprint``)
adds it to ``app.cli``, and the ``flask.commands`` entry point offers it to every app
that the ``flask`` command loads, also apps that only use ``@cross_origin``.
"""

from __future__ import annotations

from flask.cli import AppGroup

from .audit import audit_command
from .browser import safelisted_header
from .check import check_command
from .diff import diff_command
from .routes import routes_command
from .sampler import regex_samples

cors_cli = AppGroup("cors", help="Explain, check and gate the CORS policies of this app.")
for _command in (routes_command, check_command, audit_command, diff_command):
    cors_cli.add_command(_command)

__all__ = ["cors_cli", "regex_samples", "safelisted_header"]
