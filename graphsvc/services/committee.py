"""A deal's buying committee: who sits on it and how, as dated facts."""

from __future__ import annotations

from datetime import datetime

from graphsvc.domain.models import CommitteePart, Membership, MembershipEnd, utcnow
from graphsvc.domain.snapshot import DealSnapshot
from graphsvc.errors import NotFound
from graphsvc.services.facts import Ended, Recorded
from graphsvc.store.repository import GraphStore


class CommitteeService:
    def __init__(self, *, store: GraphStore) -> None:
        self.store = store

    def _seat_exists(self, workspace: str, deal_id: str, stakeholder_id: str) -> None:
        self.store.deals.get(workspace=workspace, deal_id=deal_id)
        self.store.stakeholders.get(workspace=workspace, stakeholder_id=stakeholder_id)

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
    ) -> Recorded:
        """Put the stakeholder on the committee with ``part`` from ``at`` (now), made by
        ``actor``; the deal and the stakeholder must exist (404)."""
        self._seat_exists(workspace, deal_id, stakeholder_id)
        when = at or utcnow()
        # part may be a subclass carrying more (the API body has ``at``): only its part.
        fields = part.model_dump(include=set(CommitteePart.model_fields))
        membership = Membership(deal_id=deal_id, stakeholder_id=stakeholder_id, at=when, **fields)
        counts = self.store.committee.record(
            workspace=workspace, memberships=[membership], by=actor
        )
        return Recorded(at=when, outcome=counts.outcome)

    def end(
        self,
        *,
        workspace: str,
        deal_id: str,
        stakeholder_id: str,
        actor: str,
        at: datetime | None = None,
    ) -> Ended:
        """End the membership at ``at`` (now); 404 when the deal or the stakeholder does
        not exist, or the stakeholder was not on it then."""
        self._seat_exists(workspace, deal_id, stakeholder_id)
        when = at or utcnow()
        ended = self.store.committee.end(
            workspace=workspace,
            ends=[MembershipEnd(deal_id=deal_id, stakeholder_id=stakeholder_id, at=when)],
            by=actor,
        )
        if not ended:
            raise NotFound(f"{stakeholder_id!r} is not on the committee of deal {deal_id!r}")
        return Ended(ended=ended, at=when)
