"""Influence lines (who sways whom) and reporting lines between stakeholders.

Recording a line again changes its strength from ``at``; ending one keeps its history.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Response

from graphsvc.api.deps import Store, WriteKey
from graphsvc.api.errors import error_responses
from graphsvc.api.params import EndAt, StakeholderId
from graphsvc.api.schemas import (
    EndedOut,
    InfluenceIn,
    InfluenceOut,
    ReportingOut,
    ReportsToIn,
    render,
)
from graphsvc.domain.models import (
    Influence,
    InfluenceEnd,
    ReportingEnd,
    ReportingLine,
    utcnow,
)
from graphsvc.errors import NotFound
from graphsvc.store.repository import GraphStore

router = APIRouter(prefix="/v1/stakeholders/{stakeholder_id}", tags=["lines"],
                   responses=error_responses(401, 403, 404, 413, 422))


def _outcome(created: int, updated: int) -> str:
    return "created" if created else "updated" if updated else "unchanged"


def _both_exist(store: GraphStore, workspace: str, first: str, second: str) -> None:
    store.get_stakeholder(workspace=workspace, stakeholder_id=first)
    store.get_stakeholder(workspace=workspace, stakeholder_id=second)


@router.put("/influences/{target_id}", response_model=InfluenceOut,
            summary="Record that this stakeholder influences the target")
def put_influence(stakeholder_id: StakeholderId, target_id: StakeholderId, body: InfluenceIn,
                  principal: WriteKey, store: Store) -> Response:
    _both_exist(store, principal.workspace, stakeholder_id, target_id)
    line = Influence(source_id=stakeholder_id, target_id=target_id, strength=body.strength,
                     at=body.at or utcnow())
    counts = store.record_influences(workspace=principal.workspace, influences=[line])
    assert line.at is not None
    return render(InfluenceOut(source_id=stakeholder_id, target_id=target_id,
                               strength=line.strength, at=line.at,
                               outcome=_outcome(counts.created, counts.updated)))


@router.delete("/influences/{target_id}", response_model=EndedOut,
               summary="End an influence line at `at` (default now)")
def end_influence(stakeholder_id: StakeholderId, target_id: StakeholderId,
                  principal: WriteKey, store: Store, at: EndAt = None) -> Response:
    _both_exist(store, principal.workspace, stakeholder_id, target_id)
    when = at or utcnow()
    ended = store.end_influences(
        workspace=principal.workspace,
        ends=[InfluenceEnd(source_id=stakeholder_id, target_id=target_id, at=when)],
    )
    if not ended:
        raise NotFound(f"no active influence line from {stakeholder_id!r} to {target_id!r}")
    return render(EndedOut(ended=ended, at=when))


@router.put("/reports-to/{manager_id}", response_model=ReportingOut,
            summary="Record that this stakeholder reports to the manager")
def put_reports_to(stakeholder_id: StakeholderId, manager_id: StakeholderId,
                   principal: WriteKey, store: Store,
                   body: Annotated[ReportsToIn | None, Body()] = None) -> Response:
    _both_exist(store, principal.workspace, stakeholder_id, manager_id)
    line = ReportingLine(stakeholder_id=stakeholder_id, manager_id=manager_id,
                         at=(body.at if body else None) or utcnow())
    counts = store.record_reporting_lines(workspace=principal.workspace, lines=[line])
    assert line.at is not None
    return render(ReportingOut(stakeholder_id=stakeholder_id, manager_id=manager_id,
                               at=line.at, outcome=_outcome(counts.created, counts.updated)))


@router.delete("/reports-to/{manager_id}", response_model=EndedOut,
               summary="End a reporting line at `at` (default now)")
def end_reports_to(stakeholder_id: StakeholderId, manager_id: StakeholderId,
                   principal: WriteKey, store: Store, at: EndAt = None) -> Response:
    _both_exist(store, principal.workspace, stakeholder_id, manager_id)
    when = at or utcnow()
    ended = store.end_reporting_lines(
        workspace=principal.workspace,
        ends=[ReportingEnd(stakeholder_id=stakeholder_id, manager_id=manager_id, at=when)],
    )
    if not ended:
        raise NotFound(f"{stakeholder_id!r} does not report to {manager_id!r}")
    return render(EndedOut(ended=ended, at=when))
