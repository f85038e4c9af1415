"""The libraries measured, and the labels of their columns.

flask_cors_bp is the importable package; ``--before REF`` adds the package as of an earlier
commit, exported with git and imported under another name. Without an importable
flask_cors_bp the other columns are still measured.
"""

from __future__ import annotations

import atexit
import importlib.metadata
import importlib.util
import io
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from flask import Blueprint, Flask

ROOT = Path(__file__).resolve().parent.parent

BP_ERROR: str | None = None
try:
    import flask_cors_bp
    import flask_cors_bp.signals  # the signal scenarios need it
except Exception as exc:  # any import failure: measure the other columns only
    BP_ERROR = f"{type(exc).__name__}: {exc}"

BARE, BARE2, FC, BP = "bare", "bare (copy)", "Flask-CORS", "flask_cors_bp"
BEFORE = "flask_cors_bp (before)"
BEFORE_MODULE = "flask_cors_bp_before"


class Unavailable(Exception):
    """A column or scenario that cannot be measured here; the message says why."""


@dataclass
class Lib:
    """A flask_cors_bp to measure: the importable package, or one exported from a commit."""

    label: str
    module: ModuleType
    commit: str = ""  # abbreviated commit it was exported from ("": the importable package)
    date: str = ""  # that commit's date

    def cors(self, app: Flask, **options: Any) -> Any:
        return self.module.CORS(app, **options)

    def blueprint(self, name: str, **options: Any) -> Blueprint:
        return self.module.CorsBlueprint(name, __name__, **options)  # type: ignore[no-any-return]


#: The flask_cors_bp columns, in table order: the importable package, then ``--before``.
LIBS: list[Lib] = [] if BP_ERROR is not None else [Lib(BP, flask_cors_bp)]


def current() -> Lib:
    """The importable flask_cors_bp, for the scenarios only it is measured in."""
    if BP_ERROR is not None:
        raise Unavailable(f"flask_cors_bp is not importable ({BP_ERROR})")
    return LIBS[0]


def before() -> Lib | None:
    """The ``--before`` column, if there is one."""
    return next((lib for lib in LIBS if lib.label == BEFORE), None)


def bp_labels() -> list[str]:
    """The flask_cors_bp columns' labels, in table order."""
    return [lib.label for lib in LIBS]


def cors_labels() -> list[str]:
    """Flask-CORS's label and the flask_cors_bp columns' labels, in table order."""
    return [FC, *bp_labels()]


def version(dist: str, module: Any = None) -> str:
    value = getattr(module, "__version__", None) if module is not None else None
    if isinstance(value, str):
        return value
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "unknown (not installed)"


def numeric_version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:2])


def git(*args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, check=True).stdout


def load_before(ref: str) -> Lib:
    """flask_cors_bp as of commit ``ref``, imported as ``flask_cors_bp_before``."""
    flask = version("flask")
    if numeric_version(flask) >= (3, 2):
        raise Unavailable(
            f"Flask {flask} is installed: flask_cors_bp before the move to Flask's public "
            "request hooks replaces app.process_response, which only works on Flask 3.1 and "
            "earlier"
        )
    try:
        commit = git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").decode().strip()
        date = git("show", "-s", "--format=%cs", commit).decode().strip()
        archive = git("archive", "--format=tar", commit, "flask_cors_bp")
    except FileNotFoundError as exc:
        raise Unavailable("git is not installed") from exc
    except subprocess.CalledProcessError as exc:
        why = exc.stderr.decode().strip() or "unknown revision"
        raise Unavailable(f"git cannot export flask_cors_bp at {ref!r}: {why}") from exc
    tmp = Path(tempfile.mkdtemp(prefix=f"{BEFORE_MODULE}-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)  # after the last request
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(tmp, filter="data")
        else:  # pragma: no cover - Pythons without extraction filters
            tar.extractall(tmp)
    package = tmp / "flask_cors_bp"
    spec = importlib.util.spec_from_file_location(
        BEFORE_MODULE, package / "__init__.py", submodule_search_locations=[str(package)]
    )
    if spec is None or spec.loader is None:
        raise Unavailable(f"no flask_cors_bp package at {ref!r}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[BEFORE_MODULE] = module  # its relative imports resolve under this name
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        for name in [n for n in sys.modules if n.split(".")[0] == BEFORE_MODULE]:
            del sys.modules[name]
        raise Unavailable(
            f"cannot import flask_cors_bp at {ref!r}: {type(exc).__name__}: {exc}"
        ) from exc
    return Lib(BEFORE, module, commit[:7], date)
