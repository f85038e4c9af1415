"""The pure CORS decisions of ``flask_cors_bp.protocol``, table by table (no Flask app)."""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest

from flask_cors_bp.options import normalize
from flask_cors_bp.policy import CorsPolicy
from flask_cors_bp.protocol import (
    decide,
    is_preflight,
    merge_vary,
    not_cors,
    request_facts,
    requested_headers,
    same_origin,
)

SPA = "https://app.example.com"
EVIL = "https://evil.example.net"


class Target(NamedTuple):
    scheme: str = "https"
    host: str = "api.example.com"


class Unreadable:
    """A target whose host cannot be read (Werkzeug raises for an untrusted Host)."""

    scheme = "https"

    @property
    def host(self) -> str:
        raise RuntimeError("untrusted host")


def policy(**options: Any) -> CorsPolicy:
    return CorsPolicy.from_layers([("app", normalize(options, where="test"))])


def environ(method: str = "GET", **headers: str) -> dict[str, str]:
    out = {"REQUEST_METHOD": method}
    out.update({"HTTP_" + name.upper(): value for name, value in headers.items()})
    return out


def actual(p: CorsPolicy, origin: str | None, target: Any = None) -> Any:
    env = environ() if origin is None else environ(origin=origin)
    return decide(p, request_facts(env, target or Target()))


def ask(p: CorsPolicy, origin: str = SPA, method: str = "PUT", headers: str | None = None,
        private_network: bool = False, route_methods: Any = None) -> Any:
    env = environ("OPTIONS", origin=origin, access_control_request_method=method)
    if headers is not None:
        env["HTTP_ACCESS_CONTROL_REQUEST_HEADERS"] = headers
    if private_network:
        env["HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"] = "true"
    return decide(p, request_facts(env, Target()), route_methods)


def header(decision: Any, name: str) -> str | None:
    return dict(decision[0]).get(name)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (environ("OPTIONS", origin=SPA, access_control_request_method="PUT"), True),
        (environ("OPTIONS", origin=SPA), False),
        (environ("OPTIONS", access_control_request_method="PUT"), False),
        (environ("GET", origin=SPA, access_control_request_method="PUT"), False),
        (environ("options", origin=SPA, access_control_request_method="PUT"), False),
    ],
    ids=["preflight", "no-request-method", "no-origin", "not-options", "lower-case-method"],
)
def test_is_preflight(env: dict[str, str], expected: bool) -> None:
    assert is_preflight(env) is expected
    assert request_facts(env, Target()).preflight is expected


@pytest.mark.parametrize(
    ("options", "origin", "acao", "refused"),
    [
        ({"origins": [SPA]}, SPA, SPA, None),
        ({"origins": [SPA]}, "HTTPS://APP.EXAMPLE.COM", "HTTPS://APP.EXAMPLE.COM", None),
        ({"origins": [SPA]}, SPA + ":443", SPA + ":443", None),
        ({"origins": [SPA]}, EVIL, None, "origin"),
        ({"origins": [SPA]}, "null", None, "origin"),
        ({"origins": [SPA, "null"]}, "null", "null", None),
        ({"origins": "*"}, EVIL, EVIL, None),
        ({"origins": "*"}, "null", "null", None),
        ({"origins": "*"}, "www.example.com", "*", None),
        ({"origins": "*"}, "", "*", None),
        ({"origins": "*", "send_wildcard": True}, EVIL, "*", None),
        ({"origins": "https://*.example.com"}, SPA, SPA, None),
        ({"origins": "https://*.example.com"}, "https://example.com", None, "origin"),
        ({"origins": r"https://.*\.example\.com"}, SPA + ".evil.net", None, "origin"),
        ({"origins": [lambda o: o == EVIL]}, EVIL, EVIL, None),
        ({"origins": [SPA]}, "https://api.example.com", None, None),  # same origin
    ],
)
def test_actual_requests(options: dict[str, Any], origin: str, acao: str | None,
                         refused: str | None) -> None:
    decision = actual(policy(**options), origin)
    assert header(decision, "Access-Control-Allow-Origin") == acao
    assert decision[2] == refused
    assert decision[1] == ("Origin",)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, {"Access-Control-Allow-Origin": "*"}),
        ({"always_send": False}, {}),
        ({"origins": [SPA]}, {}),  # a configured origin's name is never the answer
        ({"send_wildcard": True}, {"Access-Control-Allow-Origin": "*"}),
        ({"expose_headers": ["X-Total"]},
         {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "X-Total"}),
    ],
)
def test_requests_without_origin(options: dict[str, Any], expected: dict[str, str]) -> None:
    p = policy(**options)
    assert dict(actual(p, None)[0]) == expected
    assert actual(p, None) == not_cors(p)


def test_credentials_and_expose_headers_on_a_granted_actual_request() -> None:
    decision = actual(policy(origins=[SPA], supports_credentials=True,
                             expose_headers=["X-A", "X-B"]), SPA)
    assert dict(decision[0]) == {
        "Access-Control-Allow-Origin": SPA, "Access-Control-Allow-Credentials": "true",
        "Access-Control-Expose-Headers": "X-A, X-B"}


@pytest.mark.parametrize(
    ("options", "asked", "refused", "expected"),
    [
        ({"origins": [SPA]}, {}, None, {"Access-Control-Allow-Methods":
                                        "GET, HEAD, POST, OPTIONS, PUT, PATCH, DELETE"}),
        ({"origins": [SPA]}, {"origin": EVIL}, "origin", {}),
        ({"origins": [SPA], "methods": ["GET"]}, {"method": "PUT"}, "method", {}),
        ({"origins": [SPA], "methods": ["GET"]}, {"method": "ET"}, "method", {}),
        ({"origins": [SPA], "methods": ["GET"]}, {"method": "get"}, "method", {}),
        ({"origins": [SPA], "methods": "*"}, {"method": "PATCH"}, None,
         {"Access-Control-Allow-Methods": "PATCH"}),
        ({"origins": [SPA], "methods": "*"}, {"method": "PATCH", "route_methods": {"GET"}},
         "method", {}),
        ({"origins": [SPA]}, {"method": "PATCH", "route_methods": {"GET"}}, None, {}),
        ({"origins": [SPA]}, {"route_methods": ()}, "method", {}),
        ({"origins": [SPA], "allow_headers": ["X-Token"]}, {"headers": "x-token"}, None,
         {"Access-Control-Allow-Headers": "x-token"}),
        ({"origins": [SPA], "allow_headers": ["X-Token"]}, {"headers": "X-Token, X-Other"},
         "headers", {}),
        ({"origins": [SPA], "allow_headers": ["X-Token"]}, {"headers": "X-Tok"}, "headers", {}),
        ({"origins": [SPA], "allow_headers": ["X-Co-.*"]}, {"headers": "x-co-id"}, None,
         {"Access-Control-Allow-Headers": "x-co-id"}),
        ({"origins": [SPA]}, {"headers": "a\u00a0b"}, "headers", {}),
        ({"origins": [SPA]}, {"headers": "x-a," * 2000}, "headers", {}),
        ({"origins": [SPA]}, {"headers": " x-a ,\tx-b "}, None,
         {"Access-Control-Allow-Headers": "x-a, x-b"}),
        ({"origins": [SPA]}, {"private_network": True}, "private_network", {}),
        ({"origins": [SPA], "allow_private_network": True}, {"private_network": True}, None,
         {"Access-Control-Allow-Private-Network": "true"}),
        ({"origins": [SPA], "max_age": 600}, {}, None, {"Access-Control-Max-Age": "600"}),
    ],
)
def test_preflights(options: dict[str, Any], asked: dict[str, Any], refused: str | None,
                    expected: dict[str, str]) -> None:
    decision = ask(policy(**options), **asked)
    assert decision[2] == refused
    got = dict(decision[0])
    if refused is not None:
        assert got == {}  # a refusal carries no Access-Control-Allow-* at all
    else:
        assert got["Access-Control-Allow-Origin"] == asked.get("origin", SPA)
        assert expected.items() <= got.items()
    assert decision[1] == ("Origin", "Access-Control-Request-Method",
                           "Access-Control-Request-Headers",
                           "Access-Control-Request-Private-Network")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ()),
        ("", ()),
        ("X-A", ("X-A",)),
        ("x-a, X-B,,", ("x-a", "X-B")),
        ("x-a;b", None),
        ("x-a\r\nb", None),
        ("x" * 5000, None),
    ],
)
def test_requested_headers(value: str | None, expected: tuple[str, ...] | None) -> None:
    assert requested_headers(value) == expected


@pytest.mark.parametrize(
    ("origin", "target", "expected"),
    [
        ("https://api.example.com", Target(), True),
        ("HTTPS://API.EXAMPLE.COM", Target(), True),
        ("http://api.example.com", Target(), False),
        ("https://api.example.com:8443", Target(), False),
        ("https://api.example.com:8443", Target(host="api.example.com:8443"), True),
        ("https://api.example.com", Unreadable(), False),
    ],
)
def test_same_origin(origin: str, target: Any, expected: bool) -> None:
    assert same_origin(origin, target) is expected


@pytest.mark.parametrize(
    ("values", "names", "expected"),
    [
        ([], ("Origin",), "Origin"),
        (["Accept-Encoding"], ("Origin",), "Accept-Encoding, Origin"),
        (["origin"], ("Origin",), None),  # already there: the header stays as it is
        (["*"], ("Origin",), None),
        (["Accept", "Cookie"], ("Origin",), "Accept, Cookie, Origin"),
        (["Accept", "Origin"], ("Origin",), "Accept, Origin"),  # several headers: one
        (["Accept"], ("Origin", "Access-Control-Request-Method"),
         "Accept, Origin, Access-Control-Request-Method"),
    ],
)
def test_merge_vary(values: list[str], names: tuple[str, ...], expected: str | None) -> None:
    assert merge_vary(values, names) == expected
