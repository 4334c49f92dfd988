"""Lines between stakeholders: influence (who sways whom) and reporting (who reports to
whom), each a history of facts."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

from graphsvc.domain.models import (
    Influence,
    InfluenceEnd,
    ReportingEnd,
    ReportingLine,
    to_ms,
)
from graphsvc.store.codecs import line_row
from graphsvc.store.core import (
    Pending,
    RepositoryBase,
    UpsertCounts,
    check_workspace,
    now_ms,
    validate_batch,
)
from graphsvc.store.pair_facts import PairWrite, write_pair_fact

INFLUENCE_ENDS = ("source_id", "target_id")
REPORTING_ENDS = ("stakeholder_id", "manager_id")


class LineRepository(RepositoryBase):
    """``INFLUENCE_FACT`` and ``REPORTS_FACT`` relationships between stakeholders."""

    def record_influences(
        self, *, workspace: str, influences: Sequence[Influence], by: str | None = None
    ) -> UpsertCounts:
        """Record influence lines (source sways target) with their strength from ``at``."""
        ws = check_workspace(workspace)
        models = validate_batch(Influence, influences)
        self.check_references(ws, models, INFLUENCE_ENDS, "influence batch")
        return self.write_influences(ws, models, by=by)

    def end_influences(
        self, *, workspace: str, ends: Sequence[InfluenceEnd], by: str | None = None
    ) -> int:
        """End influence lines at ``at`` (now); returns how many were in effect then."""
        ws = check_workspace(workspace)
        models = validate_batch(InfluenceEnd, ends)
        self.check_references(ws, models, INFLUENCE_ENDS, "influence end batch")
        return self.write_influences(ws, models, by=by).updated

    def record_reporting(
        self, *, workspace: str, lines: Sequence[ReportingLine], by: str | None = None
    ) -> UpsertCounts:
        """Record that ``stakeholder_id`` reports to ``manager_id`` from ``at``."""
        ws = check_workspace(workspace)
        models = validate_batch(ReportingLine, lines)
        self.check_references(ws, models, REPORTING_ENDS, "reporting line batch")
        return self.write_reporting(ws, models, by=by)

    def end_reporting(
        self, *, workspace: str, ends: Sequence[ReportingEnd], by: str | None = None
    ) -> int:
        """End reporting lines at ``at`` (now); returns how many were in effect then."""
        ws = check_workspace(workspace)
        models = validate_batch(ReportingEnd, ends)
        self.check_references(ws, models, REPORTING_ENDS, "reporting end batch")
        return self.write_reporting(ws, models, by=by).updated

    def write_one(
        self,
        *,
        workspace: str,
        fact: Influence | InfluenceEnd | ReportingLine | ReportingEnd,
        expect: str | None,
        by: str | None = None,
    ) -> PairWrite:
        """Record one line fact made by ``by`` under ``expect`` (see
        :mod:`graphsvc.store.pair_facts`); both ends are known to exist."""
        ws = check_workspace(workspace)
        at = to_ms(fact.at) if fact.at else now_ms()
        if isinstance(fact, Influence | InfluenceEnd):
            strength = fact.strength if isinstance(fact, Influence) else None
            row = line_row(ws, fact.source_id, fact.target_id, at, strength, by)
            return write_pair_fact(self.core, "influence_record", ws, row, expect)
        strength = 1.0 if isinstance(fact, ReportingLine) else None
        row = line_row(ws, fact.stakeholder_id, fact.manager_id, at, strength, by)
        return write_pair_fact(self.core, "reporting_record", ws, row, expect)

    def check_references(
        self,
        ws: str,
        models: Sequence[BaseModel],
        fields: tuple[str, str],
        what: str,
        pending: Pending | None = None,
    ) -> None:
        """Both ends (the stakeholders named by ``fields``) exist or are ``pending``."""
        refs = [
            (i, (name,), "stakeholder", getattr(m, name))
            for i, m in enumerate(models)
            for name in fields
        ]
        self.core.check_refs(ws, refs, what, pending)

    def write_influences(
        self, ws: str, models: Sequence[Influence | InfluenceEnd], *, by: str | None = None
    ) -> UpsertCounts:
        now = now_ms()
        rows = [
            line_row(
                ws,
                m.source_id,
                m.target_id,
                to_ms(m.at) if m.at else now,
                m.strength if isinstance(m, Influence) else None,
                by,
            )
            for m in models
        ]
        return self.core.record_facts("influence_record", ws, rows, ("source_key", "target_key"))

    def write_reporting(
        self, ws: str, models: Sequence[ReportingLine | ReportingEnd], *, by: str | None = None
    ) -> UpsertCounts:
        now = now_ms()
        rows = [
            line_row(
                ws,
                m.stakeholder_id,
                m.manager_id,
                to_ms(m.at) if m.at else now,
                1.0 if isinstance(m, ReportingLine) else None,
                by,
            )
            for m in models
        ]
        return self.core.record_facts("reporting_record", ws, rows, ("source_key", "target_key"))
