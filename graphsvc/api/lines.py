"""Influence lines (who sways whom) and reporting lines between stakeholders.

Recording a line again changes its strength from ``at``; ending one keeps its history.
A line's ``ETag`` is its version (it changes with every fact recorded about it);
``If-Match`` and ``If-None-Match: *`` make a write conditional on it. Rules (both ends
must exist, ending needs a line in effect): :class:`graphsvc.services.LineService`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Response

from graphsvc.api.conditional import JsonBodyOnly, WriteCondition, render_recorded
from graphsvc.api.deps import Lines, WriteKey
from graphsvc.api.params import EndAt, StakeholderId
from graphsvc.api.schemas import (
    EndedOut,
    InfluenceIn,
    InfluenceOut,
    ReportingOut,
    ReportsToIn,
    render,
)
from graphsvc.services.facts import Ended

router = APIRouter(
    prefix="/v1/stakeholders/{stakeholder_id}",
    tags=["lines"],
    dependencies=[JsonBodyOnly],
)


def _ended(result: Ended) -> Response:
    return render(EndedOut(ended=result.ended, at=result.at))


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
    recorded = lines.record_influence(
        workspace=principal.workspace,
        source_id=stakeholder_id,
        target_id=target_id,
        strength=body.strength,
        at=body.at,
        condition=condition,
    )
    line = InfluenceOut(
        source_id=stakeholder_id,
        target_id=target_id,
        strength=body.strength,
        at=recorded.at,
        outcome=recorded.outcome,
    )
    return render_recorded(line, recorded.tag)


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
    ws = principal.workspace
    return _ended(
        lines.end_influence(
            workspace=ws, source_id=stakeholder_id, target_id=target_id, at=at, condition=condition
        )
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
    recorded = lines.record_reporting(
        workspace=principal.workspace,
        stakeholder_id=stakeholder_id,
        manager_id=manager_id,
        at=body.at if body else None,
        condition=condition,
    )
    line = ReportingOut(
        stakeholder_id=stakeholder_id,
        manager_id=manager_id,
        at=recorded.at,
        outcome=recorded.outcome,
    )
    return render_recorded(line, recorded.tag)


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
    ws = principal.workspace
    return _ended(
        lines.end_reporting(
            workspace=ws,
            stakeholder_id=stakeholder_id,
            manager_id=manager_id,
            at=at,
            condition=condition,
        )
    )
