"""Ids with ``/`` in a URL path: ``/v1/accounts/emea%2Facme`` names the account
``emea/acme``.

Starlette routes on the decoded path, where an encoded ``/`` (``%2F``) is a path
separator like any other, so such an id could never be addressed. For ``/v1/`` paths
holding ``%2F`` this middleware decodes the raw path one segment at a time and puts
:data:`SLASH` where a segment held a ``/``; the path parameter types of
:mod:`graphsvc.api.params` turn it back. :data:`SLASH` is not printable, so it is never
part of an id (ids are printable; see :mod:`graphsvc.domain.models`).
"""

from __future__ import annotations

from urllib.parse import unquote

from starlette.types import ASGIApp, Receive, Scope, Send

SLASH = "\x1e"


def restore_slashes(value: str) -> str:
    return value.replace(SLASH, "/") if isinstance(value, str) else value


class PathIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw = scope.get("raw_path") or b""
            if b"%2f" in raw.lower() and scope["path"].startswith("/v1/"):
                text = raw.decode("latin-1")
                scope = {
                    **scope,
                    "path": "/".join(
                        unquote(segment).replace("/", SLASH) for segment in text.split("/")
                    ),
                }
        await self.app(scope, receive, send)
