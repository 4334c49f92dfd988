"""Influence lines (who sways whom) and reporting lines between stakeholders.

Recording a line again changes its strength from ``at``; ending one keeps its history.
A line's ``ETag`` is its version (it changes with every fact recorded about it);
``If-Match`` and ``If-None-Match: *`` make a write conditional on it. Rules (both ends
must exist, ending needs a line in effect): :class:`graphsvc.services.LineService`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Response

from graphsvc.api.conditional import JsonBodyOnly, WriteCondition
from graphsvc.api.deps import Lines, WriteKey
from graphsvc.api.facts import end_fact, put_fact
from graphsvc.api.params import EndAt, StakeholderId
from graphsvc.api.schemas import (
    EndedOut,
    InfluenceIn,
    InfluenceOut,
    ReportingOut,
    ReportsToIn,
)

router = APIRouter(
    prefix="/v1/stakeholders/{stakeholder_id}",
    tags=["lines"],
    dependencies=[JsonBodyOnly],
)


@router.put(
    "/influences/{target_id}",
    response_model=InfluenceOut,
    summary="Record that this stakeholder influences the target",
)
def put_influence(
    stakeholder_id: StakeholderId,
    target_id: StakeholderId,
    body: InfluenceIn,
    principal: WriteKey,
    lines: Lines,
    condition: WriteCondition,
) -> Response:
    return put_fact(
        lines.record_influence,
        InfluenceOut,
        workspace=principal.workspace,
        actor=principal.actor,
        condition=condition,
        at=body.at,
        ends={"source_id": stakeholder_id, "target_id": target_id},
        arguments={"strength": body.strength},
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
    condition: WriteCondition,
    at: EndAt = None,
) -> Response:
    ends = {"source_id": stakeholder_id, "target_id": target_id}
    ws = principal.workspace
    return end_fact(
        lines.end_influence,
        workspace=ws,
        actor=principal.actor,
        condition=condition,
        at=at,
        ends=ends,
    )


@router.put(
    "/reports-to/{manager_id}",
    response_model=ReportingOut,
    summary="Record that this stakeholder reports to the manager",
)
def put_reports_to(
    stakeholder_id: StakeholderId,
    manager_id: StakeholderId,
    principal: WriteKey,
    lines: Lines,
    condition: WriteCondition,
    body: Annotated[ReportsToIn | None, Body()] = None,
) -> Response:
    ends = {"stakeholder_id": stakeholder_id, "manager_id": manager_id}
    at, ws = (body.at if body else None), principal.workspace
    return put_fact(
        lines.record_reporting,
        ReportingOut,
        workspace=ws,
        actor=principal.actor,
        condition=condition,
        at=at,
        ends=ends,
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
    condition: WriteCondition,
    at: EndAt = None,
) -> Response:
    ends = {"stakeholder_id": stakeholder_id, "manager_id": manager_id}
    ws = principal.workspace
    return end_fact(
        lines.end_reporting,
        workspace=ws,
        actor=principal.actor,
        condition=condition,
        at=at,
        ends=ends,
    )
