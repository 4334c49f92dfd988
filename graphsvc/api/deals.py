"""``/v1/deals``: upsert, patch, read, delete and list deals (rules: DealService)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from graphsvc.api.conditional import (
    IfNoneMatchRead,
    JsonBodyOnly,
    MergePatch,
    WriteCondition,
    location,
    render_authored,
    render_read,
)
from graphsvc.api.deps import Deals, ReadKey, WriteKey
from graphsvc.api.links import add_next_link
from graphsvc.api.params import DealId, UpdatedSince
from graphsvc.api.schemas import DealIn, DealOut, DealPage, render
from graphsvc.domain.models import DealStatus
from graphsvc.services import DealService
from graphsvc.services.versioned import Written
from graphsvc.store.core import Authors
from graphsvc.store.deals import DealFilter

router = APIRouter(
    prefix="/v1/deals",
    tags=["deals"],
    dependencies=[JsonBodyOnly],
)


def _answer(written: Written[Any], deals: DealService, workspace: str, deal_id: str) -> Response:
    """A written deal with who created and last changed it."""
    return render_authored(
        DealOut,
        written,
        lambda: deals.get_authored(workspace=workspace, deal_id=deal_id),
        at=location("v1", "deals", deal_id),
    )


@router.put(
    "/{deal_id}",
    response_model=DealOut,
    summary="Create or update a deal",
    responses={201: {"model": DealOut, "description": "Created"}},
)
def put_deal(
    deal_id: DealId, body: DealIn, principal: WriteKey, deals: Deals, condition: WriteCondition
) -> Response:
    written = deals.put(
        workspace=principal.workspace,
        deal_id=deal_id,
        fields=body,
        condition=condition,
        actor=principal.actor,
    )
    return _answer(written, deals, principal.workspace, deal_id)


@router.patch(
    "/{deal_id}",
    response_model=DealOut,
    summary="Change some fields of a deal (JSON merge patch)",
)
def patch_deal(
    deal_id: DealId, patch: MergePatch, principal: WriteKey, deals: Deals, condition: WriteCondition
) -> Response:
    written = deals.patch(
        workspace=principal.workspace,
        deal_id=deal_id,
        patch=patch,
        condition=condition,
        actor=principal.actor,
    )
    return _answer(written, deals, principal.workspace, deal_id)


@router.get(
    "/{deal_id}",
    response_model=DealOut,
    summary="Read a deal",
    responses={304: {"description": "Not modified (If-None-Match)"}},
)
def get_deal(
    deal_id: DealId, principal: ReadKey, deals: Deals, if_none_match: IfNoneMatchRead = None
) -> Response:
    deal, tag, authors = deals.get_authored(workspace=principal.workspace, deal_id=deal_id)
    return render_read(DealOut.authored(deal, authors), tag, if_none_match)


@router.delete(
    "/{deal_id}",
    status_code=204,
    response_class=Response,
    summary="Delete a deal",
)
def delete_deal(
    deal_id: DealId, principal: WriteKey, deals: Deals, condition: WriteCondition
) -> Response:
    deals.delete(workspace=principal.workspace, deal_id=deal_id, condition=condition)
    return Response(status_code=204)


@router.get("", response_model=DealPage, summary="List deals, filtered, one page at a time")
def list_deals(
    request: Request,
    principal: ReadKey,
    deals: Deals,
    owner: Annotated[str | None, Query(max_length=300, description="Owner e-mail")] = None,
    status: DealStatus | None = None,
    account_id: Annotated[str | None, Query(max_length=128)] = None,
    limit: Annotated[int | None, Query(ge=1, description="Page size (capped)")] = None,
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
    updated_since: UpdatedSince = None,
) -> Response:
    page = deals.list(
        workspace=principal.workspace,
        matching=DealFilter(
            owner=owner, status=status, account_id=account_id, updated_since=updated_since
        ),
        limit=limit,
        cursor=cursor,
    )
    response = render(
        DealPage(
            items=[DealOut.authored(d, page.authors.get(d.id, Authors())) for d in page.items],
            next_cursor=page.next_cursor,
        )
    )
    return add_next_link(response, request, page.next_cursor)
