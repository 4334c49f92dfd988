"""``/v1/deals``: upsert, read, delete and list deals."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from graphsvc.api.deps import AppSettings, ReadKey, Store, WriteKey
from graphsvc.api.errors import error_responses
from graphsvc.api.params import DealId
from graphsvc.api.schemas import DealIn, DealOut, DealPage, render
from graphsvc.domain.models import Deal, DealStatus

router = APIRouter(prefix="/v1/deals", tags=["deals"],
                   responses=error_responses(401, 403, 404, 413, 422))


@router.put("/{deal_id}", response_model=DealOut, summary="Create or update a deal")
def put_deal(deal_id: DealId, body: DealIn, principal: WriteKey, store: Store) -> Response:
    deal = Deal(id=deal_id, **body.model_dump())
    # The account must exist in the caller's workspace: 404 otherwise.
    store.get_account(workspace=principal.workspace, account_id=deal.account_id)
    store.upsert_deals(workspace=principal.workspace, deals=[deal])
    return render(DealOut.of(deal))


@router.get("/{deal_id}", response_model=DealOut, summary="Read a deal")
def get_deal(deal_id: DealId, principal: ReadKey, store: Store) -> Response:
    return render(DealOut.of(store.get_deal(workspace=principal.workspace, deal_id=deal_id)))


@router.delete("/{deal_id}", status_code=204, response_class=Response, summary="Delete a deal")
def delete_deal(deal_id: DealId, principal: WriteKey, store: Store) -> Response:
    store.get_deal(workspace=principal.workspace, deal_id=deal_id)
    store.delete_deal(workspace=principal.workspace, deal_id=deal_id)
    return Response(status_code=204)


@router.get("", response_model=DealPage, summary="List deals, filtered, one page at a time")
def list_deals(
    principal: ReadKey,
    store: Store,
    settings: AppSettings,
    owner: Annotated[str | None, Query(max_length=300, description="Owner e-mail")] = None,
    status: DealStatus | None = None,
    account_id: Annotated[str | None, Query(max_length=128)] = None,
    limit: Annotated[int | None, Query(ge=1, description="Page size (capped)")] = None,
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
) -> Response:
    size = min(limit or settings.page_limit_default, settings.page_limit_max)
    page = store.list_deals(
        workspace=principal.workspace,
        owner=owner.strip().lower() if owner else None,
        status=status,
        account_id=account_id,
        limit=size,
        cursor=cursor,
    )
    return render(DealPage(items=[DealOut.of(d) for d in page.items],
                           next_cursor=page.next_cursor))
