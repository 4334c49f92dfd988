"""Influence lines (who sways whom) and reporting lines between stakeholders.

Recording a line again changes its strength from ``at``; ending one keeps its history.
Rules (both ends must exist, ending needs a line in effect):
:class:`graphsvc.services.LineService`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Response

from graphsvc.api.conditional import JsonBodyOnly
from graphsvc.api.deps import Lines, WriteKey
from graphsvc.api.errors import BODY_ERRORS, error_responses
from graphsvc.api.params import EndAt, StakeholderId
from graphsvc.api.schemas import (
    EndedOut,
    InfluenceIn,
    InfluenceOut,
    ReportingOut,
    ReportsToIn,
    render,
)

router = APIRouter(
    prefix="/v1/stakeholders/{stakeholder_id}",
    tags=["lines"],
    dependencies=[JsonBodyOnly],
    responses=error_responses(401, 403, 404, 413, 422),
)


@router.put(
    "/influences/{target_id}",
    response_model=InfluenceOut,
    summary="Record that this stakeholder influences the target",
    responses=BODY_ERRORS,
)
def put_influence(
    stakeholder_id: StakeholderId,
    target_id: StakeholderId,
    body: InfluenceIn,
    principal: WriteKey,
    lines: Lines,
) -> Response:
    recorded = lines.record_influence(
        workspace=principal.workspace,
        source_id=stakeholder_id,
        target_id=target_id,
        strength=body.strength,
        actor=principal.actor,
        at=body.at,
    )
    return render(
        InfluenceOut(
            source_id=stakeholder_id,
            target_id=target_id,
            strength=body.strength,
            at=recorded.at,
            outcome=recorded.outcome,
        )
    )


@router.delete(
    "/influences/{target_id}",
    response_model=EndedOut,
    summary="End an influence line at `at` (default now)",
)
def end_influence(
    stakeholder_id: StakeholderId,
    target_id: StakeholderId,
    principal: WriteKey,
    lines: Lines,
    at: EndAt = None,
) -> Response:
    result = lines.end_influence(
        workspace=principal.workspace,
        source_id=stakeholder_id,
        target_id=target_id,
        actor=principal.actor,
        at=at,
    )
    return render(EndedOut(ended=result.ended, at=result.at))


@router.put(
    "/reports-to/{manager_id}",
    response_model=ReportingOut,
    summary="Record that this stakeholder reports to the manager",
    responses=BODY_ERRORS,
)
def put_reports_to(
    stakeholder_id: StakeholderId,
    manager_id: StakeholderId,
    principal: WriteKey,
    lines: Lines,
    body: Annotated[ReportsToIn | None, Body()] = None,
) -> Response:
    recorded = lines.record_reporting(
        workspace=principal.workspace,
        stakeholder_id=stakeholder_id,
        manager_id=manager_id,
        actor=principal.actor,
        at=body.at if body else None,
    )
    return render(
        ReportingOut(
            stakeholder_id=stakeholder_id,
            manager_id=manager_id,
            at=recorded.at,
            outcome=recorded.outcome,
        )
    )


@router.delete(
    "/reports-to/{manager_id}",
    response_model=EndedOut,
    summary="End a reporting line at `at` (default now)",
)
def end_reports_to(
    stakeholder_id: StakeholderId,
    manager_id: StakeholderId,
    principal: WriteKey,
    lines: Lines,
    at: EndAt = None,
) -> Response:
    result = lines.end_reporting(
        workspace=principal.workspace,
        stakeholder_id=stakeholder_id,
        manager_id=manager_id,
        actor=principal.actor,
        at=at,
    )
    return render(EndedOut(ended=result.ended, at=result.at))
