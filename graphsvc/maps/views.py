"""HTTP routes of the deal map (keyed map, signed-link creation, public signed map).

* ``GET /v1/deals/{deal_id}/map?as_of=`` - the map page, with a read key.
* ``POST /v1/deals/{deal_id}/map-links`` - a signed link to that map (write key: a link
  is a bearer credential for one deal's map, so minting one is a write).
* ``GET /maps/{token}?as_of=`` - the public page behind a signed link: no key, only the
  deal named in the token, 403 when the token is tampered with or expired.

Both pages are opened in a browser, so what goes wrong while building one (a bad
``as_of``, an instant before the deal's first fact, a deal that is gone) answers an
HTML error page with the status, never raw JSON: always on the public route, and on
the keyed route whenever the client asks for HTML (a browser's ``Accept``); API clients
get the JSON error body of every other route.

Every page answer carries the map's strict Content-Security-Policy (inline blocks by
hash only, no host allowed), ``X-Content-Type-Options: nosniff`` and
``Referrer-Policy: no-referrer`` (a signed URL must not leak through a Referer).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse

from graphsvc.api.deps import AppSettings, ReadKey, Store, WriteKey
from graphsvc.api.errors import error_responses
from graphsvc.api.params import DealId
from graphsvc.config import Settings
from graphsvc.errors import Forbidden, GraphsvcError, NotFound
from graphsvc.maps.links import create_map_link, verify_map_token
from graphsvc.maps.schemas import MapLinkIn, MapLinkOut
from graphsvc.maps.service import MapService, parse_as_of
from graphsvc.store.repository import GraphStore
from graphsvc.visual.render import security_headers

router = APIRouter(tags=["deal map"])

_AS_OF_DOC = (
    "Show the map as of this date (YYYY-MM-DD: the end of that day, UTC) or ISO-8601 "
    "instant; default now."
)
AsOfDate = Annotated[str | None, Query(description=_AS_OF_DOC, max_length=64)]

# Error pages of the public route: no script, no style, nothing to load.
_ERROR_PAGE_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"


def _html_errors(responses: dict[int | str, dict[str, Any]]) -> dict[int | str, dict[str, Any]]:
    """The JSON error entries, with the HTML error page as a second content type of the
    404 and 422 a page itself answers (request validation still answers JSON)."""
    for code in (404, 422):
        responses[code]["content"]["text/html"] = {}
    return responses


def get_map_service(store: Store, settings: AppSettings) -> MapService:
    return MapService(store=store, settings=settings)


Maps = Annotated[MapService, Depends(get_map_service)]


def _page(html: str, *, status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(html, status_code=status_code, headers=security_headers())


@router.get(
    "/v1/deals/{deal_id}/map",
    response_class=HTMLResponse,
    summary="The deal map: an interactive, self-contained HTML page of the buying committee",
    responses={**_html_errors(error_responses(401, 404, 422)), 200: {"content": {"text/html": {}}}},
)
def deal_map(
    deal_id: DealId, principal: ReadKey, maps: Maps, request: Request, as_of: AsOfDate = None
) -> HTMLResponse:
    try:
        page = maps.get(workspace=principal.workspace, deal_id=deal_id, as_of=parse_as_of(as_of))
    except GraphsvcError as exc:
        if "text/html" not in request.headers.get("accept", ""):
            raise  # an API client: the JSON error body
        return _error_page(exc.status_code, exc.message, hint=_HINTS.get(exc.status_code, ""))
    return _page(page.html)


@router.post(
    "/v1/deals/{deal_id}/map-links",
    response_model=MapLinkOut,
    status_code=201,
    summary="A signed link that opens this deal's map without a key, until it expires",
    responses=error_responses(401, 403, 404, 422),
)
def create_deal_map_link(
    deal_id: DealId,
    principal: WriteKey,
    store: Store,
    settings: AppSettings,
    body: MapLinkIn | None = None,
) -> MapLinkOut:
    store.get_deal(workspace=principal.workspace, deal_id=deal_id)  # 404 for an unknown deal
    url, expires_at = create_map_link(
        settings=settings,
        workspace=principal.workspace,
        deal_id=deal_id,
        ttl_days=body.ttl_days if body is not None else None,
    )
    return MapLinkOut(deal_id=deal_id, url=url, expires_at=expires_at)


_NEW_LINK = "Ask the deal owner for a new link."
_HINTS = {422: "Check the date in the address (YYYY-MM-DD), or leave it out for today's map."}


def _error_page(status_code: int, message: str, *, hint: str = _NEW_LINK) -> HTMLResponse:
    from html import escape

    advice = f"<p>{escape(hint)}</p>" if hint else ""
    html = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>Deal map unavailable</title></head><body><h1>Deal map unavailable</h1>"
        f"<p>{escape(message)}</p>{advice}</body></html>"
    )
    headers = security_headers()
    headers["Content-Security-Policy"] = _ERROR_PAGE_CSP
    return HTMLResponse(html, status_code=status_code, headers=headers)


def _public_map(
    token: str, as_of: str | None, *, settings: Settings, store: GraphStore
) -> HTMLResponse:
    try:
        grant = verify_map_token(settings=settings, token=token)
    except Forbidden as exc:
        return _error_page(403, exc.message)
    try:
        page = MapService(store=store, settings=settings).get(
            workspace=grant.workspace, deal_id=grant.deal_id, as_of=parse_as_of(as_of)
        )
    except NotFound:
        return _error_page(404, "This deal no longer exists.")
    except GraphsvcError as exc:  # a bad as_of, or one before the deal's first fact
        return _error_page(exc.status_code, exc.message, hint=_HINTS.get(exc.status_code, ""))
    return _page(page.html)


@router.get(
    "/maps/{token}",
    response_class=HTMLResponse,
    summary="The deal map behind a signed link (no API key; 403 when tampered or expired)",
    responses={
        200: {"content": {"text/html": {}}},
        403: {"description": "The link was tampered with or has expired"},
        404: {"description": "The deal no longer exists"},
        422: {"description": "A bad as_of, or one before the deal's first fact"},
    },
)
def public_deal_map(
    token: Annotated[str, Path(min_length=1, max_length=2048)],
    settings: AppSettings,
    store: Store,
    as_of: AsOfDate = None,
) -> HTMLResponse:
    return _public_map(token, as_of, settings=settings, store=store)
