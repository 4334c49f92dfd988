"""``/v1/stakeholders``: upsert, read and delete people at the customer."""

from __future__ import annotations

from fastapi import APIRouter, Response

from graphsvc.api.deps import ReadKey, Store, WriteKey
from graphsvc.api.errors import error_responses
from graphsvc.api.params import AsOf, StakeholderId
from graphsvc.api.schemas import DealOut, DealPage, StakeholderIn, StakeholderOut, render
from graphsvc.domain.models import Stakeholder

router = APIRouter(prefix="/v1/stakeholders", tags=["stakeholders"],
                   responses=error_responses(401, 403, 404, 413, 422))


@router.put("/{stakeholder_id}", response_model=StakeholderOut,
            summary="Create or update a stakeholder")
def put_stakeholder(stakeholder_id: StakeholderId, body: StakeholderIn, principal: WriteKey,
                    store: Store) -> Response:
    stakeholder = Stakeholder(id=stakeholder_id, **body.model_dump())
    store.get_account(workspace=principal.workspace, account_id=stakeholder.account_id)
    store.upsert_stakeholders(workspace=principal.workspace, stakeholders=[stakeholder])
    return render(StakeholderOut.of(stakeholder))


@router.get("/{stakeholder_id}", response_model=StakeholderOut, summary="Read a stakeholder")
def get_stakeholder(stakeholder_id: StakeholderId, principal: ReadKey,
                    store: Store) -> Response:
    stakeholder = store.get_stakeholder(workspace=principal.workspace,
                                        stakeholder_id=stakeholder_id)
    return render(StakeholderOut.of(stakeholder))


@router.delete("/{stakeholder_id}", status_code=204, response_class=Response,
               summary="Delete a stakeholder")
def delete_stakeholder(stakeholder_id: StakeholderId, principal: WriteKey,
                       store: Store) -> Response:
    store.get_stakeholder(workspace=principal.workspace, stakeholder_id=stakeholder_id)
    store.delete_stakeholder(workspace=principal.workspace, stakeholder_id=stakeholder_id)
    return Response(status_code=204)


@router.get("/{stakeholder_id}/deals", response_model=DealPage,
            summary="The deals whose committee this stakeholder sits on")
def stakeholder_deals(stakeholder_id: StakeholderId, principal: ReadKey, store: Store,
                      as_of: AsOf = None) -> Response:
    store.get_stakeholder(workspace=principal.workspace, stakeholder_id=stakeholder_id)
    deals = store.list_stakeholder_deals(workspace=principal.workspace,
                                         stakeholder_id=stakeholder_id, as_of=as_of)
    return render(DealPage(items=[DealOut.of(d) for d in deals], next_cursor=None))
