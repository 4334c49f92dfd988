"""``/v1/deals/{deal_id}/committee``: who sits on a deal's buying committee, and how.

Every change is recorded as a new fact effective ``at`` (default now); ending a
membership keeps its history. A seat's ``ETag`` is its version (it changes with every
fact recorded about it); ``If-Match`` and ``If-None-Match: *`` make a write
conditional on it. Rules (the deal and the stakeholder must exist, ending needs a
membership in effect): :class:`graphsvc.services.CommitteeService`.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from graphsvc.api.conditional import JsonBodyOnly, WriteCondition
from graphsvc.api.deps import Committee, ReadKey, WriteKey
from graphsvc.api.facts import end_fact, put_fact
from graphsvc.api.params import AsOf, DealId, EndAt, StakeholderId
from graphsvc.api.schemas import (
    CommitteeMember,
    CommitteeOut,
    EndedOut,
    MembershipIn,
    MembershipOut,
    render,
)
from graphsvc.domain.models import from_ms

router = APIRouter(
    prefix="/v1/deals/{deal_id}/committee",
    tags=["committee"],
    dependencies=[JsonBodyOnly],
)


@router.get("", response_model=CommitteeOut, summary="The committee as of an instant")
def get_committee(
    deal_id: DealId, principal: ReadKey, committee: Committee, as_of: AsOf = None
) -> Response:
    snapshot = committee.get(workspace=principal.workspace, deal_id=deal_id, as_of=as_of)
    items = [
        CommitteeMember(
            stakeholder_id=m.id,
            name=m.stakeholder.name,
            title=m.stakeholder.title,
            role=m.role,
            stance=m.stance,
            ally=m.ally,
            influence_rating=m.influence_rating,
            self_weight=m.self_weight,
            since=from_ms(m.since),
        )
        for m in snapshot.members
    ]
    return render(CommitteeOut(deal_id=deal_id, as_of=from_ms(snapshot.as_of), items=items))


@router.put(
    "/{stakeholder_id}",
    response_model=MembershipOut,
    summary="Put a stakeholder on the committee, or change their part",
)
def put_member(
    deal_id: DealId,
    stakeholder_id: StakeholderId,
    body: MembershipIn,
    principal: WriteKey,
    committee: Committee,
    condition: WriteCondition,
) -> Response:
    return put_fact(
        committee.record,
        MembershipOut,
        workspace=principal.workspace,
        actor=principal.actor,
        condition=condition,
        at=body.at,
        ends={"deal_id": deal_id, "stakeholder_id": stakeholder_id},
        arguments={"part": body},
        shown=body.model_dump(exclude={"at"}),
    )


@router.delete(
    "/{stakeholder_id}",
    response_model=EndedOut,
    summary="End a stakeholder's membership at `at` (default now)",
)
def end_member(
    deal_id: DealId,
    stakeholder_id: StakeholderId,
    principal: WriteKey,
    committee: Committee,
    condition: WriteCondition,
    at: EndAt = None,
) -> Response:
    ends = {"deal_id": deal_id, "stakeholder_id": stakeholder_id}
    ws = principal.workspace
    return end_fact(
        committee.end,
        workspace=ws,
        actor=principal.actor,
        condition=condition,
        at=at,
        ends=ends,
    )
