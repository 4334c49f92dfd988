"""Rendering of the web app's pages (Jinja2, autoescaped) and its error answers.

:class:`WebRoute` gives every web route the page security headers and turns a
:class:`~graphsvc.errors.GraphsvcError` into an HTML error page (or, for the JSON
endpoints the page's script calls, the API's error shape); a page that needs a
signed-in user redirects to the sign-in form instead of answering 401.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from fastapi import Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.routing import APIRoute

from graphsvc.domain.models import from_ms
from graphsvc.errors import GraphsvcError
from graphsvc.web.flag_help import flag_help
from graphsvc.web.security import security_headers

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"


def _relative_time(ms: int) -> str:
    seconds = max(0, (datetime.now(UTC) - from_ms(ms)).total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = int(seconds // size)
            return f"{n} {unit}{'' if n == 1 else 's'} ago"
    return "just now"


def _money(amount: float | None, currency: str | None) -> str:
    if amount is None:
        return "—"
    return f"{amount:,.0f} {currency or ''}".strip()


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _points(delta: float) -> str:
    p = round(delta * 100, 1)
    return ("+" if p > 0 else "−" if p < 0 else "±") + f"{abs(p):g} pts"


def _date_of(ms: int | None) -> str:
    return "" if ms is None else from_ms(ms).strftime("%Y-%m-%d")


def json_for_script(value: Any) -> str:
    """JSON that cannot end the ``<script type="application/json">`` block it sits in."""
    text = json.dumps(
        value, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=str
    )
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        relative_time=_relative_time,
        money=_money,
        pct=_pct,
        points=_points,
        date_of=_date_of,
        json_for_script=json_for_script,
        urlpart=lambda v: quote(str(v), safe=""),
    )
    env.globals["flag_help"] = flag_help
    return env


def render(
    template: str,
    *,
    status_code: int = 200,
    style_nonce: str | None = None,
    style_hashes: tuple[str, ...] = (),
    **context: Any,
) -> HTMLResponse:
    html = environment().get_template(template).render(**context)
    headers = security_headers(style_nonce=style_nonce, style_hashes=style_hashes)
    return HTMLResponse(html, status_code=status_code, headers=headers)


def render_fragment(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def json_answer(body: Any, *, status_code: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status_code, headers=security_headers())


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "") or request.headers.get(
        "content-type", ""
    ).startswith("application/json")


class WebRoute(APIRoute):
    """A web route: security headers on every answer, HTML error pages."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                response = await handler(request)
            except GraphsvcError as exc:
                return error_answer(request, exc)
            for name, value in security_headers().items():
                response.headers.setdefault(name, value)
            return response

        return route


def error_answer(request: Request, exc: GraphsvcError) -> Response:
    if _wants_json(request):
        return json_answer({"error": exc.kind, "detail": exc.detail}, status_code=exc.status_code)
    if exc.status_code == 401 and request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(
            "/signin?next=" + quote(target, safe=""), status_code=303, headers=security_headers()
        )
    user = getattr(request.state, "web_user", None)
    return render(
        "error.html.j2",
        status_code=exc.status_code,
        status=exc.status_code,
        message=exc.message,
        user=user,
        workspace=None,
        role=None,
        csrf_token=user.csrf_token if user is not None else None,
    )
