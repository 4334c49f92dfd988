"""Every route documents exactly the error statuses it can answer.

What a route can answer is derived here from what it is made of (the key it needs, a
JSON body, conditional-write headers, ids in the path), independently of how the app
documents it, and each route's documented codes are compared with that. Then every
route is called over HTTP with a read key and with a write key and a body that is not
JSON, and each error answered must be among the documented ones."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from graphsvc.api.openapi import api_routes
from tests.api.conftest import Api

BODY_METHODS = {"POST", "PUT", "PATCH"}


def _calls(dependant: Any) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def _headers(dependant: Any) -> Iterator[str]:
    yield from (p.alias for p in dependant.header_params)
    for sub in dependant.dependencies:
        yield from _headers(sub)


def _documented(schema: dict[str, Any], path: str, method: str) -> set[int]:
    responses = schema["paths"][path][method.lower()]["responses"]
    return {int(code) for code in responses if code.isdigit() and int(code) >= 400}


def _operations(api: Api) -> Iterator[tuple[Any, str]]:
    for route in api_routes(api.app.routes):
        if route.include_in_schema and route.path_format.startswith("/v1/"):
            for method in sorted(route.methods):
                yield route, method


@pytest.fixture
def schema(api: Api) -> dict[str, Any]:
    return httpx.get(f"{api.url}/openapi.json", timeout=60).json()


def test_documented_codes_follow_from_each_route(api: Api, schema: dict[str, Any]) -> None:
    checked = 0
    for route, method in _operations(api):
        documented = _documented(schema, route.path_format, method)
        names = {getattr(call, "__name__", "") for call in _calls(route.dependant)}
        keys = {n for n in names if n.startswith("require_") and n.endswith("_key")}
        headers = set(_headers(route.dependant))
        body = method in BODY_METHODS and (
            bool(route.dependant.body_params) or "requestBody" in (route.openapi_extra or {})
        )
        where = (method, route.path_format, sorted(documented))
        # A key: 401 without a valid one, 429 when its bucket is empty, 503 with no
        # store; 403 only where a read key is not enough.
        assert ({401, 429, 503} <= documented) == bool(keys), where
        assert (403 in documented) == bool(keys - {"require_read_key"}), where
        # Conditional writes: 412, and 400 for an unreadable If-Match.
        assert (412 in documented) == ("If-Match" in headers), where
        # A body: 413 when too large, 415 where only JSON is accepted, 400 malformed.
        assert (413 in documented) == body, where
        assert (415 in documented) == (body and "require_json_body" in names), where
        assert (400 in documented) == (body or "If-Match" in headers or method == "POST"), where
        # 404 needs a record named somewhere: in the path (or in the body, declared).
        if not route.dependant.path_params:
            assert 404 not in documented or 404 in route.responses, where
        assert 409 not in documented or method == "POST" or 409 in route.responses, where
        checked += 1
    assert checked > 40


def test_every_error_answered_is_documented(
    api: Api, workspace: str, schema: dict[str, Any]
) -> None:
    """Each route with a read key, then with a write key and a text body: whatever
    error comes back is one the route documents."""
    answered: set[tuple[str, str, int]] = set()
    with (
        api.client(api.key(workspace, "read")) as reader,
        api.client(api.key(workspace, "write")) as writer,
    ):
        for route, method in _operations(api):
            path = route.path_format
            url = path.format(**{name: "x" for name in route.param_convertors})
            documented = _documented(schema, path, method)
            for client, body in ((reader, None), (writer, b"not json")):
                sent = body if method in BODY_METHODS else None
                r = client.request(
                    method, url, content=sent, headers={"content-type": "text/plain"}
                )
                if r.status_code >= 400:
                    assert r.status_code in documented, (method, path, r.status_code, r.text)
                    answered.add((method, path, r.status_code))
    # The sweep met the codes this test is about.
    assert {code for *_, code in answered} >= {403, 404, 415}
