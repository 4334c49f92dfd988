"""A deal's buying committee: who sits on it and how, as dated facts."""

from __future__ import annotations

from datetime import datetime

from graphsvc.domain.models import CommitteePart, Membership, MembershipEnd, utcnow
from graphsvc.domain.snapshot import DealSnapshot
from graphsvc.errors import NotFound
from graphsvc.services.facts import Ended, Recorded, write_fact
from graphsvc.services.versioned import NO_CONDITION, Condition
from graphsvc.store.pair_facts import PairKind, PairVersion, PairWrite
from graphsvc.store.repository import GraphStore


class CommitteeService:
    def __init__(self, *, store: GraphStore) -> None:
        self.store = store

    def _seat_exists(self, workspace: str, deal_id: str, stakeholder_id: str) -> None:
        self.store.deals.get(workspace=workspace, deal_id=deal_id)
        self.store.stakeholders.get(workspace=workspace, stakeholder_id=stakeholder_id)

    def version(self, *, workspace: str, deal_id: str, stakeholder_id: str) -> PairVersion:
        """The seat as last recorded, with its version tag; 404 when not in effect."""
        self._seat_exists(workspace, deal_id, stakeholder_id)
        return self.store.pairs.in_effect(
            workspace=workspace,
            kind=PairKind.member,
            source_id=stakeholder_id,
            target_id=deal_id,
            what=f"seat of {stakeholder_id!r} on deal {deal_id!r}",
        )

    def _write(
        self,
        workspace: str,
        fact: Membership | MembershipEnd,
        condition: Condition,
        actor: str,
    ) -> PairWrite:
        return write_fact(
            condition=condition,
            current=lambda: self.version(
                workspace=workspace, deal_id=fact.deal_id, stakeholder_id=fact.stakeholder_id
            ),
            write=lambda expect: self.store.committee.write_one(
                workspace=workspace, fact=fact, expect=expect, by=actor
            ),
            what="committee seat",
        )

    def get(self, *, workspace: str, deal_id: str, as_of: datetime | None = None) -> DealSnapshot:
        """The committee as of ``as_of`` (now); 404 when there is no such deal."""
        return self.store.histories.snapshot(workspace=workspace, deal_id=deal_id, as_of=as_of)

    def record(
        self,
        *,
        workspace: str,
        deal_id: str,
        stakeholder_id: str,
        part: CommitteePart,
        actor: str,
        at: datetime | None = None,
        condition: Condition = NO_CONDITION,
    ) -> Recorded:
        """Put the stakeholder on the committee with ``part`` from ``at`` (now), made
        by ``actor``; the deal and the stakeholder must exist (404); ``condition`` is on
        the seat's version."""
        self._seat_exists(workspace, deal_id, stakeholder_id)
        when = at or utcnow()
        # part may be a subclass carrying more (the API body has ``at``): only its part.
        fields = part.model_dump(include=set(CommitteePart.model_fields))
        membership = Membership(deal_id=deal_id, stakeholder_id=stakeholder_id, at=when, **fields)
        written = self._write(workspace, membership, condition, actor)
        return Recorded(at=when, outcome=written.counts.outcome, tag=written.tag)

    def end(
        self,
        *,
        workspace: str,
        deal_id: str,
        stakeholder_id: str,
        actor: str,
        at: datetime | None = None,
        condition: Condition = NO_CONDITION,
    ) -> Ended:
        """End the membership at ``at`` (now); 404 when the deal or the stakeholder does
        not exist, or the stakeholder was not on it then; ``condition`` as for record."""
        self._seat_exists(workspace, deal_id, stakeholder_id)
        when = at or utcnow()
        end = MembershipEnd(deal_id=deal_id, stakeholder_id=stakeholder_id, at=when)
        ended = self._write(workspace, end, condition, actor).counts.updated
        if not ended:
            raise NotFound(f"{stakeholder_id!r} is not on the committee of deal {deal_id!r}")
        return Ended(ended=ended, at=when)
