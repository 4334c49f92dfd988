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
from graphsvc.services.facts import Ended, Recorded, write_fact
from graphsvc.services.versioned import NO_CONDITION, Condition
from graphsvc.store.pair_facts import PairKind, PairVersion, PairWrite
from graphsvc.store.repository import GraphStore


class LineService:
    """Both ends of every line must exist (404 naming the missing one); ending a line
    that is not in effect is a 404 too."""

    def __init__(self, *, store: GraphStore) -> None:
        self.store = store

    def _both_exist(self, workspace: str, first: str, second: str) -> None:
        for stakeholder_id in (first, second):
            self.store.stakeholders.get(workspace=workspace, stakeholder_id=stakeholder_id)

    def version(
        self, *, workspace: str, kind: PairKind, source_id: str, target_id: str
    ) -> PairVersion:
        """The line from ``source_id`` to ``target_id`` (an influence, or a reporting line
        to the manager) as last recorded, with its version tag; 404 when not in effect."""
        self._both_exist(workspace, source_id, target_id)
        return self.store.pairs.in_effect(
            workspace=workspace,
            kind=kind,
            source_id=source_id,
            target_id=target_id,
            what=f"{kind.value} line from {source_id!r} to {target_id!r}",
        )

    def _write(
        self,
        workspace: str,
        kind: PairKind,
        fact: Influence | InfluenceEnd | ReportingLine | ReportingEnd,
        condition: Condition,
        actor: str,
    ) -> PairWrite:
        ends = (
            (fact.source_id, fact.target_id)
            if isinstance(fact, Influence | InfluenceEnd)
            else (fact.stakeholder_id, fact.manager_id)
        )
        return write_fact(
            condition=condition,
            current=lambda: self.store.pairs.in_effect(
                workspace=workspace,
                kind=kind,
                source_id=ends[0],
                target_id=ends[1],
                what=f"{kind.value} line from {ends[0]!r} to {ends[1]!r}",
            ),
            write=lambda expect: self.store.lines.write_one(
                workspace=workspace, fact=fact, expect=expect, by=actor
            ),
            what=f"{kind.value} line",
        )

    def record_influence(
        self,
        *,
        workspace: str,
        source_id: str,
        target_id: str,
        strength: float,
        actor: str,
        at: datetime | None = None,
        condition: Condition = NO_CONDITION,
    ) -> Recorded:
        """Record that ``source_id`` sways ``target_id`` with ``strength`` from ``at``."""
        self._both_exist(workspace, source_id, target_id)
        line = Influence(
            source_id=source_id, target_id=target_id, strength=strength, at=at or utcnow()
        )
        written = self._write(workspace, PairKind.influence, line, condition, actor)
        assert line.at is not None
        return Recorded(at=line.at, outcome=written.counts.outcome, tag=written.tag)

    def end_influence(
        self,
        *,
        workspace: str,
        source_id: str,
        target_id: str,
        actor: str,
        at: datetime | None = None,
        condition: Condition = NO_CONDITION,
    ) -> Ended:
        """End the influence line at ``at`` (now)."""
        self._both_exist(workspace, source_id, target_id)
        when = at or utcnow()
        end = InfluenceEnd(source_id=source_id, target_id=target_id, at=when)
        ended = self._write(workspace, PairKind.influence, end, condition, actor).counts.updated
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
        condition: Condition = NO_CONDITION,
    ) -> Recorded:
        """Record that ``stakeholder_id`` reports to ``manager_id`` from ``at`` (now)."""
        self._both_exist(workspace, stakeholder_id, manager_id)
        line = ReportingLine(
            stakeholder_id=stakeholder_id, manager_id=manager_id, at=at or utcnow()
        )
        written = self._write(workspace, PairKind.reporting, line, condition, actor)
        assert line.at is not None
        return Recorded(at=line.at, outcome=written.counts.outcome, tag=written.tag)

    def end_reporting(
        self,
        *,
        workspace: str,
        stakeholder_id: str,
        manager_id: str,
        actor: str,
        at: datetime | None = None,
        condition: Condition = NO_CONDITION,
    ) -> Ended:
        """End the reporting line at ``at`` (now)."""
        self._both_exist(workspace, stakeholder_id, manager_id)
        when = at or utcnow()
        end = ReportingEnd(stakeholder_id=stakeholder_id, manager_id=manager_id, at=when)
        ended = self._write(workspace, PairKind.reporting, end, condition, actor).counts.updated
        if not ended:
            raise NotFound(f"{stakeholder_id!r} does not report to {manager_id!r}")
        return Ended(ended=ended, at=when)
