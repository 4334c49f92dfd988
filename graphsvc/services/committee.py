"""A deal's buying committee: who sits on it and how, as dated facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from graphsvc.domain.models import CommitteePart, Membership, MembershipEnd, utcnow
from graphsvc.domain.snapshot import DealSnapshot
from graphsvc.errors import NotFound
from graphsvc.store.repository import GraphStore


@dataclass(frozen=True)
class Recorded:
    """A fact as recorded: the instant it takes effect and whether it changed anything
    (``created``, ``updated`` or ``unchanged``)."""

    at: datetime
    outcome: str


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
        at: datetime | None = None,
    ) -> Recorded:
        """Put the stakeholder on the committee with ``part`` from ``at`` (now); the deal
        and the stakeholder must exist (404)."""
        self._seat_exists(workspace, deal_id, stakeholder_id)
        when = at or utcnow()
        membership = Membership(
            deal_id=deal_id, stakeholder_id=stakeholder_id, at=when, **part.model_dump()
        )
        counts = self.store.committee.record(workspace=workspace, memberships=[membership])
        return Recorded(at=when, outcome=counts.outcome)

    def end(
        self, *, workspace: str, deal_id: str, stakeholder_id: str, at: datetime | None = None
    ) -> tuple[int, datetime]:
        """End the membership at ``at`` (now): ``(memberships ended, at)``; 404 when the
        deal or the stakeholder does not exist, or the stakeholder was not on it then."""
        self._seat_exists(workspace, deal_id, stakeholder_id)
        when = at or utcnow()
        ended = self.store.committee.end(
            workspace=workspace,
            ends=[MembershipEnd(deal_id=deal_id, stakeholder_id=stakeholder_id, at=when)],
        )
        if not ended:
            raise NotFound(f"{stakeholder_id!r} is not on the committee of deal {deal_id!r}")
        return ended, when
