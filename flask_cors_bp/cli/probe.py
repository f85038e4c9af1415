"""The audit's self-probe: look-alikes of every ``origins`` entry, tried on the real matcher.

For each exact origin, subdomain pattern and regex, the probe builds origins an attacker
could register or use (another domain after it, before it, a dot replaced, another
top-level domain, plain http, another port) and asks the policy's matcher which entry, if
any, accepts them. One that is accepted but meant by no entry is a finding.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from ..origins import ParsedOrigin, parse_origin
from ..policy import CorsPolicy
from .common import regex_text
from .sampler import regex_samples


class Target(NamedTuple):
    """What an ``origins`` entry is meant to allow: one host, or any subdomain of it."""

    scheme: str
    host: str
    port: str
    wild: bool
    entry: str  # the configured entry, for messages
    any_port: bool = False  # a regex that spells out a port part (``(:\d+)?``) means any port

    def base(self) -> str:
        """A host the entry allows."""
        return f"sub.{self.host}" if self.wild else self.host

    def covers(self, origin: ParsedOrigin) -> bool:
        """Whether the entry means to allow ``origin``."""
        if origin.scheme != self.scheme or (origin.port != self.port and not self.any_port):
            return False
        return origin.host.endswith("." + self.host) if self.wild else origin.host == self.host


class RegexEntry(NamedTuple):
    """A regex ``origins`` entry as configured, compiled, and the targets derived from it."""

    entry: Any
    regex: re.Pattern[str]
    targets: list[Target]


def origin(scheme: str, host: str, port: str) -> str:
    """``scheme://host[:port]``."""
    return f"{scheme}://{host}:{port}" if port else f"{scheme}://{host}"


def variants(target: Target) -> list[tuple[str, str, str]]:
    """Look-alike origins the entry must not allow: (kind, what makes it one, origin)."""
    scheme, host, port = target.scheme, target.host, target.port
    base = target.base()
    labels = host.split(".")
    # Another registrable domain ending like this one: evilexample.com for (*.)example.com,
    # also for app.example.com (evilapp.example.com would be example.com's own subdomain).
    tail = host if target.wild or len(labels) < 3 else ".".join(labels[-2:])
    out = [
        ("suffix", f"{base} followed by another domain", origin(scheme, base + ".evil.net", port)),
        ("prefix", f"another domain ending in {tail}", origin(scheme, "evil" + tail, port)),
    ]
    if len(labels) >= 2 and not host.replace(".", "").isdigit():
        other_tld = ".".join([*base.split(".")[:-1], "evil"])
        out.append(("tld", "another top-level domain", origin(scheme, other_tld, port)))
    if "." in base:
        out.append(("dot", "a dot replaced by a letter",
                    origin(scheme, base.replace(".", "x", 1), port)))
    if scheme == "https":
        out.append(("scheme", "plain http instead of https", origin("http", base, port)))
    if not target.any_port:
        other = "8444" if port == "8443" else "8443"
        out.append(("port", "another port", origin(scheme, base, other)))
    return out


#: Tried on every policy, whatever its entries: no entry may accept these.
UNRELATED = ("https://cors-audit.invalid", "http://cors-audit.invalid:8080")
_PORT_PART = re.compile(r":(?:\\d|\[0-9)")  # ``:\d`` or ``:[0-9`` in a regex source


def literal(source: str) -> str | None:
    r"""The origin a regex spells out literally (``^https://a\.b\.com$``), else ``None``."""
    text = re.sub(r"\\([.\-/:])", r"\1", source.removeprefix("^").removesuffix("$"))
    return None if re.search(r"[\\*+?()\[\]{}|^$]", text) else text


def targets(policy: CorsPolicy) -> tuple[list[Target], list[RegexEntry]]:
    """Targets of exact origins and subdomain patterns, and the regex entries with theirs."""
    matcher = policy.matcher
    out: list[Target] = []
    for key in sorted(matcher.exact):
        parsed = parse_origin(key)
        if parsed is not None:
            out.append(Target(parsed.scheme, parsed.host, parsed.port, False, repr(key)))
    for scheme, suffix, port in matcher.subdomains:
        out.append(Target(scheme, suffix[1:], port, True, repr(origin(scheme, "*" + suffix, port))))
    regexes: list[RegexEntry] = []
    for entry, regex in zip(matcher.regex_entries, matcher.regexes):
        found: list[Target] = []
        for sample in regex_samples(regex.pattern):
            parsed = parse_origin(sample)
            if parsed is None or not regex.fullmatch(sample):
                continue
            host, labels = parsed.host, parsed.host.split(".")
            rest = ".".join(labels[1:])
            wild = (len(labels) >= 3 and not host.replace(".", "").isdigit()
                    and any(regex.fullmatch(origin(parsed.scheme, label + rest, parsed.port))
                            for label in ("zqx.", "zq9.", "zq-x.")))
            found.append(Target(parsed.scheme, rest if wild else host, parsed.port, wild,
                                regex_text(regex.pattern),
                                _PORT_PART.search(regex.pattern) is not None))
        regexes.append(RegexEntry(entry, regex, found))
    return out, regexes


class Accepted(NamedTuple):
    """A probe origin that the policy accepts although no entry means it."""

    entry: Any  # the configured entry that accepted it
    kind: str  # "suffix", "prefix", "tld", "dot", "scheme", "port" or "unrelated"
    why: str
    origin: str
    probing: str | None  # the entry whose look-alike it is


def probe(policy: CorsPolicy, all_targets: list[Target]) -> list[Accepted]:
    """Look-alikes of every target, and unrelated origins, that the policy accepts although
    no entry means them: the first of each kind per accepting entry."""
    out: list[Accepted] = []
    seen: set[tuple[Any, str]] = set()
    probes: list[tuple[Target | None, str, str, str]] = [
        (t, *variant) for t in all_targets for variant in variants(t)]
    probes += [(None, "unrelated", "an unrelated origin", u) for u in UNRELATED]
    for target, kind, why, variant in probes:
        parsed = parse_origin(variant)
        culprit = policy.matcher.match(variant) if parsed is not None else None
        if culprit is None or any(t.covers(parsed) for t in all_targets if parsed):
            continue
        if (_key(culprit), kind) in seen:
            continue
        seen.add((_key(culprit), kind))
        out.append(Accepted(culprit, kind, why, variant,
                            target.entry if target is not None else None))
    return out


def _key(entry: Any) -> Any:
    """A hashable stand-in for an entry (callables may not be hashable)."""
    try:
        hash(entry)
    except TypeError:
        return id(entry)
    return entry


def probe_hint(culprit: Any, regex: RegexEntry | None) -> str:
    """How to fix the entry that accepted a look-alike (or an unrelated origin)."""
    if regex is None:
        return "make the callable compare whole origins (scheme, host and port)"
    wild = next((t for t in regex.targets if t.wild), None)
    if wild is not None:
        return f"write {origin(wild.scheme, '*.' + wild.host, wild.port)!r} instead of the regex"
    spelled = literal(regex.regex.pattern)
    if spelled is not None:
        return f"write {spelled!r} instead of the regex"
    if not regex.targets:
        return ("list the origins that need access (exact origins or subdomain patterns); "
                "write '*' if any origin is really meant, never with credentials")
    return ("tighten the regex so that it accepts only your own hosts: escape every dot (\\.) "
            "and spell out the scheme, the domain and the port")
