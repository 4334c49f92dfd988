"""The deal room: the web app where account teams sign in, see their portfolio and map
their deals (server-rendered pages, vendored assets, strict page security).

:func:`mount_web` adds it to the API application (``graphsvc/app.py``).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from graphsvc.visual.render import vis_network_js_path
from graphsvc.web import docs, views
from graphsvc.web.pages import STATIC_DIR
from graphsvc.web.security import security_headers


class _SecuredStatic(StaticFiles):
    """Static assets with the page security headers, cached for an hour (vendored files
    carry their version in their path)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [
            (k.lower().encode("latin-1"), v.encode("latin-1"))
            for k, v in security_headers(cache="public, max-age=3600").items()
        ]

        async def send_secured(message: Any) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *headers]}
            await send(message)

        await super().__call__(scope, receive, send_secured)


def mount_web(app: FastAPI) -> None:
    """Mount the web app's pages, its JSON endpoints, /docs, /redoc and /static."""
    app.include_router(views.router)
    app.include_router(docs.router)
    # vis-network as pyvis ships it (the same file the deal-map page inlines).
    vis_folder = vis_network_js_path().parent
    app.mount(
        f"/static/{vis_folder.name}",
        _SecuredStatic(directory=str(vis_folder)),
        name="web-vis-network",
    )
    app.mount("/static", _SecuredStatic(directory=str(STATIC_DIR)), name="web-static")
