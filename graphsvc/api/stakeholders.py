"""``/v1/stakeholders``: upsert, read and delete people at the customer (rules:
StakeholderService)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from graphsvc.api.deps import ReadKey, Stakeholders, WriteKey
from graphsvc.api.errors import error_responses
from graphsvc.api.params import AsOf, StakeholderId
from graphsvc.api.schemas import DealOut, DealPage, StakeholderIn, StakeholderOut, render

router = APIRouter(prefix="/v1/stakeholders", tags=["stakeholders"],
                   responses=error_responses(401, 403, 404, 413, 422))


@router.put("/{stakeholder_id}", response_model=StakeholderOut,
            summary="Create or update a stakeholder")
def put_stakeholder(stakeholder_id: StakeholderId, body: StakeholderIn, principal: WriteKey,
                    stakeholders: Stakeholders) -> Response:
    stakeholder = stakeholders.upsert(workspace=principal.workspace,
                                      stakeholder_id=stakeholder_id, fields=body)
    return render(StakeholderOut.of(stakeholder))


@router.get("/{stakeholder_id}", response_model=StakeholderOut, summary="Read a stakeholder")
def get_stakeholder(stakeholder_id: StakeholderId, principal: ReadKey,
                    stakeholders: Stakeholders) -> Response:
    stakeholder = stakeholders.get(workspace=principal.workspace, stakeholder_id=stakeholder_id)
    return render(StakeholderOut.of(stakeholder))


@router.delete("/{stakeholder_id}", status_code=204, response_class=Response,
               summary="Delete a stakeholder")
def delete_stakeholder(stakeholder_id: StakeholderId, principal: WriteKey,
                       stakeholders: Stakeholders) -> Response:
    stakeholders.delete(workspace=principal.workspace, stakeholder_id=stakeholder_id)
    return Response(status_code=204)


@router.get("/{stakeholder_id}/deals", response_model=DealPage,
            summary="The deals whose committee this stakeholder sits on")
def stakeholder_deals(stakeholder_id: StakeholderId, principal: ReadKey,
                      stakeholders: Stakeholders, as_of: AsOf = None) -> Response:
    deals = stakeholders.deals(workspace=principal.workspace, stakeholder_id=stakeholder_id,
                               as_of=as_of)
    return render(DealPage(items=[DealOut.of(d) for d in deals], next_cursor=None))
