"""Committee facts: who sits on a deal's buying committee, and how, over time."""

from __future__ import annotations

from collections.abc import Sequence

from graphsvc.domain.models import Membership, MembershipEnd, to_ms
from graphsvc.store.codecs import membership_row
from graphsvc.store.core import (
    Pending,
    Reference,
    RepositoryBase,
    UpsertCounts,
    check_workspace,
    now_ms,
    validate_batch,
)
from graphsvc.store.pair_facts import PairWrite, write_pair_fact


class CommitteeRepository(RepositoryBase):
    """Membership facts ``(:Stakeholder)-[:MEMBER_FACT]->(:Deal)``."""

    def record(
        self, *, workspace: str, memberships: Sequence[Membership], by: str | None = None
    ) -> UpsertCounts:
        """Record membership states from their ``at`` (now when omitted), made by ``by``:
        ``created`` counts joins and re-joins, ``updated`` changes of a membership in
        effect, ``unchanged`` states already in effect at that instant."""
        ws = check_workspace(workspace)
        models = validate_batch(Membership, memberships)
        self.check_references(ws, models, "membership batch")
        return self.write(ws, models, by=by)

    def end(self, *, workspace: str, ends: Sequence[MembershipEnd], by: str | None = None) -> int:
        """End memberships at ``at`` (now); returns how many were in effect then."""
        ws = check_workspace(workspace)
        models = validate_batch(MembershipEnd, ends)
        self.check_references(ws, models, "membership end batch")
        return self.write(ws, models, by=by).updated

    def write_one(
        self,
        *,
        workspace: str,
        fact: Membership | MembershipEnd,
        expect: str | None,
        by: str | None = None,
    ) -> PairWrite:
        """Record one membership fact made by ``by`` under ``expect`` (see
        :mod:`graphsvc.store.pair_facts`); the deal and the stakeholder are known to exist."""
        ws = check_workspace(workspace)
        row = membership_row(ws, fact, to_ms(fact.at) if fact.at else now_ms(), by)
        return write_pair_fact(self.core, "membership_record", ws, row, expect)

    def check_references(
        self,
        ws: str,
        models: Sequence[Membership | MembershipEnd],
        what: str,
        pending: Pending | None = None,
    ) -> None:
        """The deal and the stakeholder of every fact exist (or are ``pending``)."""
        refs: list[Reference] = []
        for i, m in enumerate(models):
            refs.append((i, ("deal_id",), "deal", m.deal_id))
            refs.append((i, ("stakeholder_id",), "stakeholder", m.stakeholder_id))
        self.core.check_refs(ws, refs, what, pending)

    def write(
        self, ws: str, models: Sequence[Membership | MembershipEnd], *, by: str | None = None
    ) -> UpsertCounts:
        """Write validated facts whose references were checked; ``by`` (who made them:
        a user, an API key's name, an import) is kept on each fact."""
        now = now_ms()
        rows = [membership_row(ws, m, to_ms(m.at) if m.at else now, by) for m in models]
        return self.core.record_facts(
            "membership_record", ws, rows, ("deal_key", "stakeholder_key")
        )
