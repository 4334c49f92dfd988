"""``Link: <...>; rel="next"`` for paginated lists (RFC 8288), besides ``next_cursor``."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request, Response


def next_link(request: Request, cursor: str, *, param: str = "cursor") -> str:
    """The request's own path (as sent, so percent-encoded ids stay encoded) and query
    with ``param`` set to ``cursor``."""
    raw_path = request.scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path else request.url.path
    query = [(k, v) for k, v in request.query_params.multi_items() if k != param]
    query.append((param, cursor))
    return f'<{path}?{urlencode(query)}>; rel="next"'


def add_next_link(
    response: Response, request: Request, cursor: str | None, *, param: str = "cursor"
) -> Response:
    if cursor is not None:
        response.headers["Link"] = next_link(request, cursor, param=param)
    return response
