"""CORS for Flask, per Blueprint: a drop-in for Flask-CORS with blueprint-level policies."""

from __future__ import annotations

from .blueprint import CorsBlueprint
from .decorator import cross_origin
from .errors import CorsConfigError
from .extension import CORS
from .policy import CorsPolicy
from .signals import origin_rejected, preflight_rejected, report_only_rejected

__version__ = "0.1.0"

__all__ = [
    "CORS",
    "CorsBlueprint",
    "CorsConfigError",
    "CorsPolicy",
    "__version__",
    "cross_origin",
    "origin_rejected",
    "preflight_rejected",
    "report_only_rejected",
]
