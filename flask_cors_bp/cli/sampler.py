"""A tiny regex sampler: strings a regular expression accepts, built from its source text.

The audit probes a regex ``origins`` entry with look-alikes of the origins it is meant to
allow; this is where those origins come from. It understands the subset of the syntax
origin regexes use (literals, classes, groups, alternatives, quantifiers) and gives up
(an empty list) on the rest.
"""

from __future__ import annotations

import re

_CLASS_CHARS = ("a", "1", "-", ".")
_QUANTIFIER = re.compile(r"\*|\+|\?|\{(\d*)(?:(,)(\d*))?\}")


def regex_samples(pattern: str) -> list[str]:
    """Candidate strings for ``pattern``: optional parts dropped, then kept; per alternative."""
    out: list[str] = []
    for keep in (False, True):
        try:
            alternatives, end = _sample_alternatives(pattern, 0, keep, top=True)
        except (ValueError, IndexError, re.error):
            continue
        if end == len(pattern):
            out.extend(s for s in alternatives if s not in out)
    return out


def _sample_alternatives(
    src: str, i: int, keep: bool, top: bool = False
) -> tuple[list[str], int]:
    """Sample ``src[i:]`` up to an unmatched ``)``: every alternative at the top, else the first."""
    alternatives: list[str] = []
    current = ""
    while i < len(src) and src[i] != ")":
        if src[i] == "|":
            alternatives.append(current)
            current, i = "", i + 1
            continue
        atom, i = _sample_atom(src, i, keep)
        low, high = 1, 1
        match = _QUANTIFIER.match(src, i)
        if match is not None:
            text = match.group(0)
            if text in ("*", "?"):
                low, high = 0, 1
            elif text == "+":
                low, high = 1, 1
            else:
                low = int(match.group(1) or 0)
                high = low if not match.group(2) else max(low, 1)
            i = match.end()
            if i < len(src) and src[i] in "?+":  # lazy or possessive
                i += 1
        current += atom * (max(low, 1) if keep else low) if high else ""
    alternatives.append(current)
    return (alternatives if top else alternatives[:1]), i


def _sample_atom(src: str, i: int, keep: bool) -> tuple[str, int]:
    char = src[i]
    if char in "^$":
        return "", i + 1
    if char == ".":  # alone it is meant as a dot; repeated, as a wildcard
        return ("a" if src[i + 1:i + 2] in ("*", "+", "?", "{") else "."), i + 1
    if char == "\\":
        escaped = src[i + 1]
        if escaped in "AZbB":
            return "", i + 2
        sample = {"d": "1", "w": "a"}.get(escaped)
        if sample is not None:
            return sample, i + 2
        if escaped.isalnum():
            raise ValueError(f"unsupported escape \\{escaped}")
        return escaped, i + 2
    if char == "[":
        end = i + 1
        if end < len(src) and src[end] == "^":
            end += 1
        if end < len(src) and src[end] == "]":
            end += 1
        while src[end] != "]":
            end += 2 if src[end] == "\\" else 1
        klass = re.compile(src[i:end + 1])
        sample = next((c for c in _CLASS_CHARS if klass.fullmatch(c)), None)
        if sample is None:
            raise ValueError("no sample character for a class")
        return sample, end + 1
    if char == "(":
        i += 1
        if src.startswith("?", i):
            if src.startswith("?:", i):
                i += 2
            elif src.startswith("?P<", i):
                i = src.index(">", i) + 1
            elif src.startswith(("?=", "?!", "?<"), i):
                raise ValueError("lookarounds are not sampled")
            else:  # inline flags such as (?i)
                i = src.index(")", i) + 1
                return "", i
        alternatives, i = _sample_alternatives(src, i, keep)
        if src[i] != ")":
            raise ValueError("unbalanced group")
        return alternatives[0], i + 1
    if char in "*+?{|)":
        raise ValueError(f"unexpected {char!r}")
    return char, i + 1
