"""The audit's rules: the findings of one effective policy."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any, NamedTuple

from flask import Flask

from ..origins import is_public_suffix
from ..policy import CorsPolicy
from .common import comes_from, entry_label, show_origin
from .probe import RegexEntry, Target, origin, probe, probe_hint, targets

SEVERITIES = ("error", "warning", "info")
CHROMIUM_MAX_AGE = 7200
_LOOPBACK = ("localhost", "127.0.0.1", "[::1]")
#: Request header names an ``allow_headers`` regex is tried with: one that carries
#: credentials, and one that no pattern means.
_SENSITIVE_HEADER = "Authorization"
_UNRELATED_HEADER = "Cors-Audit-Probe"


class Finding(NamedTuple):
    """One finding: what is wrong, how to fix it, and what it is about.

    ``field`` is the option at fault and ``values`` the offending entries or values: with the
    endpoint, they key the finding in a baseline (messages and hints may change wording).
    """

    id: str
    severity: str
    message: str
    hint: str
    field: str
    values: tuple[str, ...]


def policy_findings(policy: CorsPolicy) -> list[Finding]:
    """The findings of one effective policy (without the endpoints)."""
    out: list[Finding] = []
    matcher = policy.matcher
    origins_from = comes_from(policy, "origins")
    creds = policy.supports_credentials
    if matcher.any_origin:
        out.append(Finding(
            "CORS001", "warning", f"any origin ('*') may read these responses; {origins_from}",
            "list the origins that need access, e.g. origins=['https://app.example.com']; "
            "keep '*' only for public data that needs no login", "origins", ("*",),
        ))
    if matcher.allow_null:
        out.append(Finding(
            "CORS004", "warning", f"the 'null' origin is allowed; {origins_from}",
            "remove 'null': sandboxed iframes, data: URLs and local files all send it, so any "
            "page can claim it", "origins", ("null",),
        ))
    exact, regexes = targets(policy)
    all_targets = exact + [t for r in regexes for t in r.targets]
    if creds:
        plain = sorted({t.entry for t in all_targets
                        if t.scheme == "http" and t.host not in _LOOPBACK
                        and not t.host.endswith(".localhost")})
        if plain:
            out.append(Finding(
                "CORS003", "warning",
                f"plain http origins with credentials: {', '.join(plain)}; {origins_from}, "
                f"{comes_from(policy, 'supports_credentials')}",
                "use the https:// origins: anyone on the network can read or change plain http "
                "pages, and with them the credentialed responses (http://localhost is fine)",
                "origins", tuple(plain),
            ))
    out.extend(_subdomain_findings(policy, regexes))
    accepted = [] if matcher.any_origin else probe(policy, all_targets)
    loose = {id(a.entry) for a in accepted}
    broad_regexes = {  # a regex is broad unless it spells out a few whole hosts
        id(r.entry) for r in regexes
        if id(r.entry) in loose or not r.targets or any(
            t.wild or t.any_port or r.regex.fullmatch(origin(t.scheme, "zq" + t.host, t.port))
            for t in r.targets)
    }
    broad = [*(["'*'"] if matcher.any_origin else []),
             *(["'null'"] if matcher.allow_null else []),
             *(repr(entry) for entry in matcher.subdomain_entries),
             *(entry_label(r.entry) for r in regexes if id(r.entry) in broad_regexes),
             *(entry_label(c) for c in matcher.callables)]
    if policy.allow_private_network and broad:
        out.append(Finding(
            "CORS005", "warning",
            f"private network access is allowed to broad origins: {', '.join(broad)}; "
            f"{comes_from(policy, 'allow_private_network')}",
            "allow private network access only under a policy that lists exact origins",
            "allow_private_network", tuple(broad),
        ))
    if policy.max_age is not None and policy.max_age > CHROMIUM_MAX_AGE:
        out.append(Finding(
            "CORS006", "info",
            f"max_age={policy.max_age} is above {CHROMIUM_MAX_AGE} seconds, the most Chromium "
            f"caches a preflight; {comes_from(policy, 'max_age')}",
            f"use max_age={CHROMIUM_MAX_AGE} or less: Chromium cuts longer values down",
            "max_age", (str(policy.max_age),),
        ))
    if creds and "*" in policy.expose_headers:
        out.append(Finding(
            "CORS007", "warning",
            f"expose_headers contains '*' with credentials: browsers then read it as a header "
            f"named '*' and expose nothing; {comes_from(policy, 'expose_headers')}",
            "list the response headers to expose by name", "expose_headers", ("*",),
        ))
    out.extend(_probe_findings(policy, accepted, regexes))
    out.extend(_header_findings(policy))
    return out


def _header_findings(policy: CorsPolicy) -> list[Finding]:
    """``allow_headers`` regexes that accept any name, or ``Authorization`` unnamed."""
    out: list[Finding] = []
    for pattern in policy.header_patterns:
        broad = pattern.fullmatch(_UNRELATED_HEADER) is not None
        sensitive = pattern.fullmatch(_SENSITIVE_HEADER) is not None
        if broad and sensitive:
            what = f"any request header, {_SENSITIVE_HEADER!r} included"
        elif broad:
            what = f"headers it does not name, such as {_UNRELATED_HEADER!r}"
        elif sensitive and _SENSITIVE_HEADER.lower() not in pattern.pattern.lower():
            what = f"{_SENSITIVE_HEADER!r}, which it does not name"
        else:
            continue
        label = entry_label(pattern)
        out.append(Finding(
            "CORS013", "warning",
            f"allow_headers {label} accepts {what}; {comes_from(policy, 'allow_headers')}",
            "list the header names the pages send, or tie the regex to your own prefix "
            "(r'X-MyApp-.*'); name 'Authorization' when pages send it, or write '*' when any "
            "header is meant", "allow_headers", (label,),
        ))
    return out


def blueprint_key_findings(app: Flask, enforced: bool) -> list[tuple[str, Finding]]:
    """``CORS_BLUEPRINTS`` keys that name no registered blueprint, each with its finding.

    The hint names the blueprint the key was likely meant for (among those without a key
    of their own), as the library does when it logs the key; ``enforced``: the app has the
    extension, which then gives that blueprint no CORS grant.
    """
    config = app.config.get("CORS_BLUEPRINTS")
    if not isinstance(config, Mapping):
        return []
    registered = list(app.blueprints)
    unnamed = [name for name in registered if name not in config]
    out: list[tuple[str, Finding]] = []
    for key in config:
        if key in app.blueprints:
            continue
        close = difflib.get_close_matches(str(key), unnamed, n=1)
        message = f"the key {key!r} names no registered blueprint: its options apply to no route"
        if close and enforced:
            message += (f", and the blueprint {close[0]!r} it was likely meant for gets no CORS "
                        "grant (the app logs the key when it starts serving)")
        nested = [name for name in registered if name.endswith(f".{key}")]
        if close:
            hint = f"did you mean {close[0]!r}? Rename the key to {close[0]!r}"
        elif nested:
            hint = (f"did you mean {' or '.join(map(repr, nested))}? A nested blueprint's key "
                    "is its dotted name")
        elif registered:
            hint = (f"use the name of a registered blueprint ({', '.join(map(repr, registered))}"
                    "; 'parent.child' for a nested one), or remove the key")
        else:
            hint = "no blueprint is registered: register it, or remove the key"
        out.append((str(key), Finding("CORS012", "error", message, hint, "CORS_BLUEPRINTS",
                                      (str(key),))))
    return out


def _subdomain_findings(policy: CorsPolicy, regexes: list[RegexEntry]) -> list[Finding]:
    """Subdomain patterns (and regexes that act as one) over a public suffix; patterns
    with credentials."""
    out: list[Finding] = []
    origins_from = comes_from(policy, "origins")
    public = list(policy.matcher.public_suffix_patterns())
    for entry in public:
        base = entry.partition("://*.")[2].rsplit(":", 1)[0]
        out.append(Finding(
            "CORS011", "error",
            f"the subdomain pattern {entry!r} is over the public suffix {base!r}: anyone can "
            f"register a site it matches; {origins_from}",
            f"list your own sites exactly, e.g. 'https://myapp.{base}', or use a pattern under "
            "a domain you own", "origins", (entry,),
        ))
    for r in regexes:
        wild = next((t for t in r.targets if t.wild and is_public_suffix(t.host)), None)
        if wild is not None:
            out.append(Finding(
                "CORS011", "error",
                f"{entry_label(r.entry)} accepts any subdomain of the public suffix "
                f"{wild.host!r}: anyone can register a site it matches; {origins_from}",
                f"list your own sites exactly, e.g. 'https://myapp.{wild.host}'",
                "origins", (entry_label(r.entry),),
            ))
    if policy.supports_credentials:
        for entry in policy.matcher.subdomain_entries:
            if entry in public:
                continue  # only without credentials: with them the policy cannot be built
            out.append(Finding(
                "CORS010", "warning",
                f"the subdomain pattern {entry!r} is allowed with credentials: any of those "
                f"sites (a forgotten one, one taken over) can act as the user; {origins_from}, "
                f"{comes_from(policy, 'supports_credentials')}",
                "list the sites that need credentialed access exactly, or drop credentials "
                "for the pattern", "origins", (entry,),
            ))
    return out


def _probe_findings(
    policy: CorsPolicy, accepted: list[Any], regexes: list[RegexEntry],
) -> list[Finding]:
    """The self-probe's findings: look-alikes accepted, and entries it could not sample."""
    out: list[Finding] = []
    origins_from = comes_from(policy, "origins")
    by_entry = {id(r.entry): r for r in regexes}
    for a in accepted:
        probing = f", probing {a.probing}" if a.probing is not None else ""
        label = entry_label(a.entry)
        out.append(Finding(
            "CORS008", "error",
            f"origins accept {a.origin!r} ({a.why}{probing}) through {label}; {origins_from}",
            probe_hint(a.entry, by_entry.get(id(a.entry))), "origins", (f"{label} ({a.kind})",),
        ))
    loose = {id(a.entry) for a in accepted}
    for r in regexes:
        label = entry_label(r.entry)
        if not r.targets:
            out.append(Finding(
                "CORS009", "info",
                f"{label} was only probed with unrelated origins: no sample origin could be "
                f"derived from it; {origins_from}",
                "prefer exact origins or a subdomain pattern; check the regex by hand",
                "origins", (label,),
            ))
            continue
        wild: Target | None = next((t for t in r.targets if t.wild), None)
        if wild is not None and id(r.entry) not in loose:
            pattern = origin(wild.scheme, "*." + wild.host, wild.port)
            apex = origin(wild.scheme, wild.host, wild.port)
            also = f" plus {apex!r}" if r.regex.fullmatch(apex) else ""
            out.append(Finding(
                "CORS002", "info",
                f"{label} does the work of the subdomain pattern {pattern!r}; {origins_from}",
                f"write {pattern!r}{also}: a subdomain pattern cannot be loosened by a missed "
                "escape and needs no regex per request", "origins", (label,),
            ))
    for check in policy.matcher.callables:
        out.append(Finding(
            "CORS009", "info",
            f"callable {show_origin(check)} was only probed with unrelated origins and "
            f"look-alikes of the other entries; {origins_from}",
            "make sure it compares whole origins (scheme, host and port), not substrings",
            "origins", (entry_label(check),),
        ))
    return out

