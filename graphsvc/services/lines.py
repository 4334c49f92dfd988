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

    def _in_effect(
        self, workspace: str, kind: PairKind, source_id: str, target_id: str
    ) -> PairVersion:
        return self.store.pairs.in_effect(
            workspace=workspace,
            kind=kind,
            source_id=source_id,
            target_id=target_id,
            what=f"{kind.value} line from {source_id!r} to {target_id!r}",
        )

    def version(
        self, *, workspace: str, kind: PairKind, source_id: str, target_id: str
    ) -> PairVersion:
        """The line from ``source_id`` to ``target_id`` (an influence, or a reporting line
        to the manager) as last recorded, with its version tag; 404 when not in effect."""
        self._both_exist(workspace, source_id, target_id)
        return self._in_effect(workspace, kind, source_id, target_id)

    def _write(
        self,
        workspace: str,
        kind: PairKind,
        ends: tuple[str, str],
        fact: Influence | InfluenceEnd | ReportingLine | ReportingEnd,
        condition: Condition,
        actor: str,
    ) -> PairWrite:
        """Write one fact of the line ``ends`` (source, target) once both exist."""
        self._both_exist(workspace, *ends)
        return write_fact(
            condition=condition,
            current=lambda: self._in_effect(workspace, kind, *ends),
            write=lambda expect: self.store.lines.write_one(
                workspace=workspace, fact=fact, expect=expect, by=actor
            ),
            what=f"{kind.value} line",
        )

    def _record(
        self,
        workspace: str,
        kind: PairKind,
        ends: tuple[str, str],
        line: Influence | ReportingLine,
        condition: Condition,
        actor: str,
    ) -> Recorded:
        written = self._write(workspace, kind, ends, line, condition, actor)
        assert line.at is not None
        return Recorded(at=line.at, outcome=written.counts.outcome, tag=written.tag)

    def _end(
        self,
        workspace: str,
        kind: PairKind,
        ends: tuple[str, str],
        end: InfluenceEnd | ReportingEnd,
        condition: Condition,
        actor: str,
        when: datetime,
        missing: str,
    ) -> Ended:
        ended = self._write(workspace, kind, ends, end, condition, actor).counts.updated
        if not ended:
            raise NotFound(missing)
        return Ended(ended=ended, at=when)

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
        line = Influence(
            source_id=source_id, target_id=target_id, strength=strength, at=at or utcnow()
        )
        ends = (source_id, target_id)
        return self._record(workspace, PairKind.influence, ends, line, condition, actor)

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
        when = at or utcnow()
        end = InfluenceEnd(source_id=source_id, target_id=target_id, at=when)
        missing = f"no active influence line from {source_id!r} to {target_id!r}"
        ends = (source_id, target_id)
        kind = PairKind.influence
        return self._end(workspace, kind, ends, end, condition, actor, when, missing)

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
        line = ReportingLine(
            stakeholder_id=stakeholder_id, manager_id=manager_id, at=at or utcnow()
        )
        ends = (stakeholder_id, manager_id)
        return self._record(workspace, PairKind.reporting, ends, line, condition, actor)

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
        when = at or utcnow()
        end = ReportingEnd(stakeholder_id=stakeholder_id, manager_id=manager_id, at=when)
        missing = f"{stakeholder_id!r} does not report to {manager_id!r}"
        ends = (stakeholder_id, manager_id)
        kind = PairKind.reporting
        return self._end(workspace, kind, ends, end, condition, actor, when, missing)
