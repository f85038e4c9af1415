"""Where a rule sits under the app-level ``resources``: sample paths, and their policies.

Path-based ``resources`` place a request by its path, so a rule with variables may fall
under one entry for some values and under another (or none) for others. The commands
place a rule with sample paths: its variables filled with a value each converter accepts
(the first item of ``any(...)``), then with the other items of ``any(...)`` and with words
taken from the ``resources`` patterns. When these paths get different policies, the
commands say so rather than show the policy of one of them as the rule's.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from werkzeug.routing import Rule, parse_converter_args

from ..errors import CorsConfigError
from ..extension import app_state
from ..policy import CorsPolicy
from ..registry import NO_RESOURCE
from .common import Inspected
from .sampler import regex_samples

_VARIABLE = re.compile(r"<(?:([A-Za-z_]\w*)(?:\(([^)]*)\))?:)?[A-Za-z_]\w*>")
_SAMPLE_VALUES = {"int": "1", "float": "1.0", "uuid": "00000000-0000-0000-0000-000000000000"}
#: Converters that accept any word: tried with the words of the ``resources`` patterns.
_WORDS = ("", "default", "string", "path")
_WORD = re.compile(r"[\w.~-]+")
_MAX_PATHS = 64


def _values(converter: str, args: str | None, words: list[str]) -> list[str]:
    """Sample values of one variable, the first one the rule's usual sample."""
    if converter == "any" and args:
        try:
            items = [str(item) for item in parse_converter_args(args)[0]]
        except (ValueError, SyntaxError):
            items = []
        if items:
            return items
    if converter in _SAMPLE_VALUES:
        return [_SAMPLE_VALUES[converter]]
    return ["x", *words] if converter in _WORDS else ["x"]


def sample_paths(rule: Rule, words: list[str] | None = None) -> list[str]:
    """Paths the rule matches: its usual sample first (every variable at its first value),
    then one variable at a time at its other values (``words`` for free-form ones)."""
    found = list(_VARIABLE.finditer(rule.rule))
    choices = [_values(m.group(1) or "", m.group(2), words or []) for m in found]

    def fill(picks: list[str]) -> str:
        values = iter(picks)
        return _VARIABLE.sub(lambda m: next(values), rule.rule)

    first = [values[0] for values in choices]
    paths = [fill(first)]
    for index, values in enumerate(choices):
        for value in values[1:]:
            path = fill([*first[:index], value, *first[index + 1:]])
            if path not in paths and len(paths) < _MAX_PATHS:
                paths.append(path)
    return paths


def sample_path(rule: Rule) -> str:
    """The rule's usual sample path."""
    return sample_paths(rule)[0]


def resources_of(inspected: Inspected) -> tuple[Any, ...]:
    """The app-level ``resources`` entries (none: the app level covers every path)."""
    state = app_state(inspected.app) if inspected.extension is not None else None
    return tuple(state.registry.resources or ()) if state is not None else ()


def _words(resources: tuple[Any, ...]) -> list[str]:
    """Path segments that the ``resources`` patterns accept, as sample values."""
    out: list[str] = []
    for resource in resources:
        texts = [resource.pattern] if resource.regex is None else regex_samples(
            resource.regex.pattern)
        for text in texts:
            out.extend(w for w in text.split("/") if _WORD.fullmatch(w) and w not in out)
    return out


class Placed(NamedTuple):
    """A sample path of a rule, the ``resources`` entry it falls under and its policy."""

    path: str
    resource: str | None  #: the entry's label (``None``: outside the resources)
    policy: CorsPolicy | None
    error: CorsConfigError | None


def placements(inspected: Inspected, rule: Rule) -> list[Placed]:
    """The rule's sample path and, under path-based ``resources``, one more per other
    entry that its paths can fall under; those with a policy first.

    Raises ``KeyError`` for a rule without a view function.
    """
    resources = resources_of(inspected)
    if not resources:
        paths, place = [sample_path(rule)], None
    else:  # the registry places a path, as it does for a request
        paths, place = sample_paths(rule, _words(resources)), app_state(inspected.app)
    seen: dict[int, str] = {}
    for path in paths:
        seen.setdefault(place.registry.resource_index(path) if place else NO_RESOURCE, path)
    out: list[Placed] = []
    for index, path in seen.items():
        label = resources[index].label if index != NO_RESOURCE else None
        try:
            out.append(Placed(path, label, inspected.policy(rule.endpoint, path), None))
        except CorsConfigError as exc:
            out.append(Placed(path, label, None, exc))
    if len({(repr(p.policy), repr(p.policy and p.policy.report_only), str(p.error))
            for p in out}) == 1:
        return out[:1]  # the path does not matter: one placement says it all
    return sorted(out, key=lambda p: p.policy is None)


def as_json(placed: list[Placed]) -> list[dict[str, Any]]:
    """Placements as snapshot entries: ``path``, ``resource`` (its label) and ``cors``."""
    return [{"path": p.path, "resource": p.resource, "cors": p.policy is not None}
            for p in placed]


def describe(placed: list[dict[str, Any]], shown: bool = False) -> str:
    """``the policy depends on the path (app resources): /a/1 is under ...``."""
    parts = []
    for index, place in enumerate(placed):
        where = (f"is under {place['resource']}" if place["resource"]
                 else "is outside the resources")
        what = " (no CORS)" if not place["cors"] else " (shown)" if shown and not index else ""
        parts.append(f"{place['path']} {where}{what}")
    return f"the policy depends on the path (app resources): {', '.join(parts)}"
