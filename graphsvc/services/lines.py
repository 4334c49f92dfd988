"""Influence lines (who sways whom) and reporting lines between stakeholders."""

from __future__ import annotations

from datetime import datetime

from graphsvc.domain.models import (
    Influence,
    InfluenceEnd,
    ReportingEnd,
    ReportingLine,
    utcnow,
)
from graphsvc.errors import NotFound
from graphsvc.services.facts import Ended, Recorded
from graphsvc.store.repository import GraphStore


class LineService:
    """Both ends of every line must exist (404 naming the missing one); ending a line
    that is not in effect is a 404 too."""

    def __init__(self, *, store: GraphStore) -> None:
        self.store = store

    def _both_exist(self, workspace: str, first: str, second: str) -> None:
        for stakeholder_id in (first, second):
            self.store.stakeholders.get(workspace=workspace, stakeholder_id=stakeholder_id)

    def record_influence(
        self,
        *,
        workspace: str,
        source_id: str,
        target_id: str,
        strength: float,
        actor: str,
        at: datetime | None = None,
    ) -> Recorded:
        """Record that ``source_id`` sways ``target_id`` with ``strength`` from ``at``."""
        self._both_exist(workspace, source_id, target_id)
        line = Influence(
            source_id=source_id, target_id=target_id, strength=strength, at=at or utcnow()
        )
        counts = self.store.lines.record_influences(
            workspace=workspace, influences=[line], by=actor
        )
        assert line.at is not None
        return Recorded(at=line.at, outcome=counts.outcome)

    def end_influence(
        self,
        *,
        workspace: str,
        source_id: str,
        target_id: str,
        actor: str,
        at: datetime | None = None,
    ) -> Ended:
        """End the influence line at ``at`` (now)."""
        self._both_exist(workspace, source_id, target_id)
        when = at or utcnow()
        ended = self.store.lines.end_influences(
            workspace=workspace,
            ends=[InfluenceEnd(source_id=source_id, target_id=target_id, at=when)],
            by=actor,
        )
        if not ended:
            raise NotFound(f"no active influence line from {source_id!r} to {target_id!r}")
        return Ended(ended=ended, at=when)

    def record_reporting(
        self,
        *,
        workspace: str,
        stakeholder_id: str,
        manager_id: str,
        actor: str,
        at: datetime | None = None,
    ) -> Recorded:
        """Record that ``stakeholder_id`` reports to ``manager_id`` from ``at`` (now)."""
        self._both_exist(workspace, stakeholder_id, manager_id)
        line = ReportingLine(
            stakeholder_id=stakeholder_id, manager_id=manager_id, at=at or utcnow()
        )
        counts = self.store.lines.record_reporting(workspace=workspace, lines=[line], by=actor)
        assert line.at is not None
        return Recorded(at=line.at, outcome=counts.outcome)

    def end_reporting(
        self,
        *,
        workspace: str,
        stakeholder_id: str,
        manager_id: str,
        actor: str,
        at: datetime | None = None,
    ) -> Ended:
        """End the reporting line at ``at`` (now)."""
        self._both_exist(workspace, stakeholder_id, manager_id)
        when = at or utcnow()
        ended = self.store.lines.end_reporting(
            workspace=workspace,
            ends=[ReportingEnd(stakeholder_id=stakeholder_id, manager_id=manager_id, at=when)],
            by=actor,
        )
        if not ended:
            raise NotFound(f"{stakeholder_id!r} does not report to {manager_id!r}")
        return Ended(ended=ended, at=when)
