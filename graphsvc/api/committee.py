"""``/v1/deals/{deal_id}/committee``: who sits on a deal's buying committee, and how.

Every change is recorded as a new fact effective ``at`` (default now); ending a
membership keeps its history.
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel

from graphsvc.api.deps import ReadKey, Store, WriteKey
from graphsvc.api.errors import error_responses
from graphsvc.api.params import AsOf, DealId, EndAt, StakeholderId
from graphsvc.api.schemas import EndedOut, MembershipIn, MembershipOut, render
from graphsvc.domain.models import Membership, MembershipEnd, Role, Stance, from_ms, utcnow
from graphsvc.errors import NotFound

router = APIRouter(prefix="/v1/deals/{deal_id}/committee", tags=["committee"],
                   responses=error_responses(401, 403, 404, 413, 422))


def _outcome(created: int, updated: int) -> str:
    return "created" if created else "updated" if updated else "unchanged"


class CommitteeMember(BaseModel):
    stakeholder_id: str
    name: str
    title: str | None = None
    role: Role
    stance: Stance
    ally: bool
    influence_rating: int | None = None
    self_weight: float | None = None
    since: str


class CommitteeOut(BaseModel):
    deal_id: str
    as_of: str
    items: list[CommitteeMember]


@router.get("", response_model=CommitteeOut, summary="The committee as of an instant")
def get_committee(deal_id: DealId, principal: ReadKey, store: Store,
                  as_of: AsOf = None) -> Response:
    snapshot = store.snapshot(workspace=principal.workspace, deal_id=deal_id, as_of=as_of)
    items = [
        CommitteeMember(
            stakeholder_id=m.id, name=m.stakeholder.name, title=m.stakeholder.title,
            role=m.role, stance=m.stance, ally=m.ally, influence_rating=m.influence_rating,
            self_weight=m.self_weight, since=from_ms(m.since).isoformat(),
        )
        for m in snapshot.members
    ]
    return render(CommitteeOut(deal_id=deal_id, as_of=from_ms(snapshot.as_of).isoformat(),
                               items=items))


@router.put("/{stakeholder_id}", response_model=MembershipOut,
            summary="Put a stakeholder on the committee, or change their part")
def put_member(deal_id: DealId, stakeholder_id: StakeholderId, body: MembershipIn,
               principal: WriteKey, store: Store) -> Response:
    store.get_deal(workspace=principal.workspace, deal_id=deal_id)
    store.get_stakeholder(workspace=principal.workspace, stakeholder_id=stakeholder_id)
    membership = Membership(deal_id=deal_id, stakeholder_id=stakeholder_id,
                            **{**body.model_dump(), "at": body.at or utcnow()})
    counts = store.record_memberships(workspace=principal.workspace, memberships=[membership])
    assert membership.at is not None
    return render(MembershipOut(
        deal_id=deal_id, stakeholder_id=stakeholder_id, role=membership.role,
        stance=membership.stance, ally=membership.ally,
        influence_rating=membership.influence_rating, self_weight=membership.self_weight,
        at=membership.at, outcome=_outcome(counts.created, counts.updated),
    ))


@router.delete("/{stakeholder_id}", response_model=EndedOut,
               summary="End a stakeholder's membership at `at` (default now)")
def end_member(deal_id: DealId, stakeholder_id: StakeholderId, principal: WriteKey,
               store: Store, at: EndAt = None) -> Response:
    store.get_deal(workspace=principal.workspace, deal_id=deal_id)
    store.get_stakeholder(workspace=principal.workspace, stakeholder_id=stakeholder_id)
    when = at or utcnow()
    ended = store.end_memberships(
        workspace=principal.workspace,
        ends=[MembershipEnd(deal_id=deal_id, stakeholder_id=stakeholder_id, at=when)],
    )
    if not ended:
        raise NotFound(f"{stakeholder_id!r} is not on the committee of deal {deal_id!r}")
    return render(EndedOut(ended=ended, at=when))
