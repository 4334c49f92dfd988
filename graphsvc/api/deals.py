"""``/v1/deals``: upsert, read, delete and list deals (rules: DealService)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from graphsvc.api.deps import Deals, ReadKey, WriteKey
from graphsvc.api.errors import error_responses
from graphsvc.api.params import DealId
from graphsvc.api.schemas import DealIn, DealOut, DealPage, render
from graphsvc.domain.models import DealStatus

router = APIRouter(prefix="/v1/deals", tags=["deals"],
                   responses=error_responses(401, 403, 404, 413, 422))


@router.put("/{deal_id}", response_model=DealOut, summary="Create or update a deal")
def put_deal(deal_id: DealId, body: DealIn, principal: WriteKey, deals: Deals) -> Response:
    deal = deals.upsert(workspace=principal.workspace, deal_id=deal_id, fields=body)
    return render(DealOut.of(deal))


@router.get("/{deal_id}", response_model=DealOut, summary="Read a deal")
def get_deal(deal_id: DealId, principal: ReadKey, deals: Deals) -> Response:
    return render(DealOut.of(deals.get(workspace=principal.workspace, deal_id=deal_id)))


@router.delete("/{deal_id}", status_code=204, response_class=Response, summary="Delete a deal")
def delete_deal(deal_id: DealId, principal: WriteKey, deals: Deals) -> Response:
    deals.delete(workspace=principal.workspace, deal_id=deal_id)
    return Response(status_code=204)


@router.get("", response_model=DealPage, summary="List deals, filtered, one page at a time")
def list_deals(
    principal: ReadKey,
    deals: Deals,
    owner: Annotated[str | None, Query(max_length=300, description="Owner e-mail")] = None,
    status: DealStatus | None = None,
    account_id: Annotated[str | None, Query(max_length=128)] = None,
    limit: Annotated[int | None, Query(ge=1, description="Page size (capped)")] = None,
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
) -> Response:
    page = deals.list(workspace=principal.workspace, owner=owner, status=status,
                      account_id=account_id, limit=limit, cursor=cursor)
    return render(DealPage(items=[DealOut.of(d) for d in page.items],
                           next_cursor=page.next_cursor))
