"""Blinker signals sent when a CORS request is refused, or would be by a candidate policy.

All are sent with the Flask application as sender, so ``connect_via(app)`` hears one app.
At most one signal is sent per request, none for requests without ``Origin``, same-origin
requests or routes without a CORS policy. With no receiver connected nothing is built.
A receiver that raises is logged on the ``flask_cors_bp`` logger; the response goes out as
the policy decided.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: A CORS request (actual or preflight) whose origin the effective policy refuses.
#: Keyword payload: ``origin`` (the raw header value), ``reason="origin"``, ``endpoint``,
#: ``blueprint`` (innermost blueprint name or ``None``), ``policy`` (the effective
#: :class:`~flask_cors_bp.CorsPolicy`), ``preflight`` (bool).
origin_rejected = _signals.signal("cors-origin-rejected")

#: A preflight from an allowed origin asking for a method, a header or private-network access
#: the policy refuses. Keyword payload: ``origin``, ``reason`` (``"method"``, ``"headers"`` or
#: ``"private_network"``), ``method`` (requested), ``headers`` (requested names, a tuple),
#: ``endpoint``, ``blueprint``, ``policy``.
preflight_rejected = _signals.signal("cors-preflight-rejected")

#: A request (actual or preflight) the enforced policy grants but the endpoint's report-only
#: candidate (option ``report_only``) would refuse. Keyword payload: ``origin``, ``reason``
#: (``"origin"``, ``"method"``, ``"headers"`` or ``"private_network"``), ``endpoint``,
#: ``blueprint``, ``policy`` (the candidate :class:`~flask_cors_bp.CorsPolicy`), ``preflight``
#: (bool), and for preflights ``method`` and ``headers`` as for ``preflight_rejected``.
#: Never sent for a request the enforced policy refuses.
report_only_rejected = _signals.signal("cors-report-only-rejected")

__all__ = ["origin_rejected", "preflight_rejected", "report_only_rejected"]
