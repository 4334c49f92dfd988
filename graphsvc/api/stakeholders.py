"""``/v1/stakeholders``: upsert, read and delete people at the customer (rules:
StakeholderService)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from graphsvc.api.conditional import (
    IfNoneMatchRead,
    JsonBodyOnly,
    MergePatch,
    WriteCondition,
    location,
    render_authored,
    render_read,
)
from graphsvc.api.deps import ReadKey, Stakeholders, WriteKey
from graphsvc.api.errors import error_responses
from graphsvc.api.params import AsOf, StakeholderId
from graphsvc.api.schemas import (
    DealOut,
    DealPage,
    StakeholderExport,
    StakeholderIn,
    StakeholderOut,
    render,
)
from graphsvc.services import StakeholderService
from graphsvc.services.versioned import Written

router = APIRouter(
    prefix="/v1/stakeholders",
    tags=["stakeholders"],
    dependencies=[JsonBodyOnly],
)


def _answer(
    written: Written[Any], stakeholders: StakeholderService, workspace: str, stakeholder_id: str
) -> Response:
    """A written stakeholder with who created and last changed it."""
    return render_authored(
        StakeholderOut,
        written,
        lambda: stakeholders.get_authored(workspace=workspace, stakeholder_id=stakeholder_id),
        at=location("v1", "stakeholders", stakeholder_id),
    )


@router.put(
    "/{stakeholder_id}",
    response_model=StakeholderOut,
    summary="Create or update a stakeholder",
    responses={201: {"model": StakeholderOut, "description": "Created"}},
)
def put_stakeholder(
    stakeholder_id: StakeholderId,
    body: StakeholderIn,
    principal: WriteKey,
    stakeholders: Stakeholders,
    condition: WriteCondition,
) -> Response:
    written = stakeholders.put(
        workspace=principal.workspace,
        stakeholder_id=stakeholder_id,
        fields=body,
        condition=condition,
        actor=principal.actor,
    )
    return _answer(written, stakeholders, principal.workspace, stakeholder_id)


@router.patch(
    "/{stakeholder_id}",
    response_model=StakeholderOut,
    summary="Change some fields of a stakeholder (JSON merge patch)",
)
def patch_stakeholder(
    stakeholder_id: StakeholderId,
    patch: MergePatch,
    principal: WriteKey,
    stakeholders: Stakeholders,
    condition: WriteCondition,
) -> Response:
    written = stakeholders.patch(
        workspace=principal.workspace,
        stakeholder_id=stakeholder_id,
        patch=patch,
        condition=condition,
        actor=principal.actor,
    )
    return _answer(written, stakeholders, principal.workspace, stakeholder_id)


@router.get(
    "/{stakeholder_id}",
    response_model=StakeholderOut,
    summary="Read a stakeholder",
    responses={304: {"description": "Not modified (If-None-Match)"}},
)
def get_stakeholder(
    stakeholder_id: StakeholderId,
    principal: ReadKey,
    stakeholders: Stakeholders,
    if_none_match: IfNoneMatchRead = None,
) -> Response:
    stakeholder, tag, authors = stakeholders.get_authored(
        workspace=principal.workspace, stakeholder_id=stakeholder_id
    )
    return render_read(StakeholderOut.authored(stakeholder, authors), tag, if_none_match)


@router.delete(
    "/{stakeholder_id}",
    status_code=204,
    response_class=Response,
    summary="Delete a stakeholder, or erase their personal data",
    description="Someone who ever sat on a committee is not deleted (409): their "
    "history would change. `erase=true` is the data-protection "
    "erasure instead: name, title and e-mail are replaced by a "
    "tombstone everywhere, the past included, while the anonymous "
    "facts (roles, stances, lines) stay, so past support shares do "
    "not change.",
    responses=error_responses(409),
)
def delete_stakeholder(
    stakeholder_id: StakeholderId,
    principal: WriteKey,
    stakeholders: Stakeholders,
    condition: WriteCondition,
    erase: Annotated[
        bool,
        Query(description="Erase the personal data (keep the anonymous facts) instead of deleting"),
    ] = False,
) -> Response:
    stakeholders.delete(
        workspace=principal.workspace,
        stakeholder_id=stakeholder_id,
        condition=condition,
        erase=erase,
        actor=principal.actor,
    )
    return Response(status_code=204)


@router.get(
    "/{stakeholder_id}/export",
    response_model=StakeholderExport,
    summary="Everything held about a person (subject-access export)",
)
def export_stakeholder(
    stakeholder_id: StakeholderId, principal: ReadKey, stakeholders: Stakeholders
) -> Response:
    data = stakeholders.export(workspace=principal.workspace, stakeholder_id=stakeholder_id)
    return render(StakeholderExport.of_data(data))


@router.get(
    "/{stakeholder_id}/deals",
    response_model=DealPage,
    summary="The deals whose committee this stakeholder sits on",
)
def stakeholder_deals(
    stakeholder_id: StakeholderId,
    principal: ReadKey,
    stakeholders: Stakeholders,
    as_of: AsOf = None,
) -> Response:
    deals = stakeholders.deals(
        workspace=principal.workspace, stakeholder_id=stakeholder_id, as_of=as_of
    )
    return render(DealPage(items=[DealOut.of(d) for d in deals], next_cursor=None))
