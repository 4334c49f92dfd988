"""Read-side model: a deal's committee as the store returns it.

A :class:`DealHistory` holds every fact of one deal recorded up to some instant
(membership facts, influence and reporting facts among the people who ever sat on
the committee, interactions). :meth:`DealHistory.snapshot` folds the facts into the
committee *as of* any earlier instant without another store read, which is what the
support history (many instants) needs. Instants here are epoch milliseconds (int),
as stored; plain dataclasses keep a 10,000-deal fleet scan cheap to build.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from graphsvc.domain.models import Deal, Role, Stance


@dataclass(frozen=True, slots=True)
class StakeholderInfo:
    id: str
    account_id: str
    name: str
    title: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class MembershipFact:
    """One recorded state of a membership, effective from ``at``; ``active`` False ends it.

    ``seq`` orders facts recorded for the same instant (later recording wins)."""

    stakeholder_id: str
    at: int
    seq: int
    active: bool
    role: Role | None = None
    stance: Stance = Stance.unknown
    ally: bool = False
    influence_rating: int | None = None
    self_weight: float | None = None


@dataclass(frozen=True, slots=True)
class LineFact:
    """One recorded state of an influence line (source sways target) or a reporting line
    (source reports to target), effective from ``at``; ``active`` False ends it."""

    source_id: str
    target_id: str
    at: int
    seq: int
    active: bool
    strength: float = 1.0


@dataclass(frozen=True, slots=True)
class InteractionRecord:
    id: str
    at: int
    channel: str
    stakeholder_ids: tuple[str, ...]
    team_member_emails: tuple[str, ...]
    summary: str | None = None
    next_step_at: int | None = None


@dataclass(frozen=True, slots=True)
class Member:
    """A committee member's attributes as of the snapshot's instant."""

    stakeholder: StakeholderInfo
    role: Role
    stance: Stance
    ally: bool
    influence_rating: int | None
    self_weight: float | None
    since: int  # start of the current, unbroken membership

    @property
    def id(self) -> str:
        return self.stakeholder.id


@dataclass(frozen=True, slots=True)
class Line:
    source_id: str
    target_id: str
    strength: float
    since: int


@dataclass(frozen=True, slots=True)
class DealSnapshot:
    workspace: str
    deal: Deal
    as_of: int
    members: tuple[Member, ...]
    influences: tuple[Line, ...]  # source sways target
    reporting: tuple[Line, ...]  # source reports to target (strength 1)
    interactions: tuple[InteractionRecord, ...]  # at <= as_of, oldest first

    def member(self, stakeholder_id: str) -> Member | None:
        for m in self.members:
            if m.id == stakeholder_id:
                return m
        return None


def _latest(facts: Iterable, as_of: int) -> dict:
    """Latest fact per key at or before ``as_of`` (facts need not be sorted)."""
    chosen: dict = {}
    for fact in facts:
        if fact.at > as_of:
            continue
        key = (
            fact.stakeholder_id
            if isinstance(fact, MembershipFact)
            else (
                fact.source_id,
                fact.target_id,
            )
        )
        held = chosen.get(key)
        if held is None or (fact.at, fact.seq) > (held.at, held.seq):
            chosen[key] = fact
    return chosen


@dataclass(frozen=True, slots=True)
class DealHistory:
    """All facts of one deal up to ``as_of`` (epoch ms)."""

    workspace: str
    deal: Deal
    as_of: int
    stakeholders: dict[str, StakeholderInfo]
    membership_facts: tuple[MembershipFact, ...]
    influence_facts: tuple[LineFact, ...]
    reporting_facts: tuple[LineFact, ...]
    interactions: tuple[InteractionRecord, ...] = field(default=())

    def first_fact_at(self) -> int | None:
        instants = [f.at for f in self.membership_facts]
        instants += [i.at for i in self.interactions]
        return min(instants) if instants else None

    def snapshot(self, as_of: int | None = None) -> DealSnapshot:
        """The committee as of ``as_of`` (default: the history's own instant)."""
        t = self.as_of if as_of is None else min(as_of, self.as_of)
        latest = _latest(self.membership_facts, t)
        members: list[Member] = []
        for sid, fact in latest.items():
            if not fact.active or fact.role is None or sid not in self.stakeholders:
                continue
            members.append(
                Member(
                    stakeholder=self.stakeholders[sid],
                    role=fact.role,
                    stance=fact.stance,
                    ally=fact.ally,
                    influence_rating=fact.influence_rating,
                    self_weight=fact.self_weight,
                    since=_membership_start(self.membership_facts, sid, t),
                )
            )
        members.sort(key=lambda m: m.id)
        ids = {m.id for m in members}
        return DealSnapshot(
            workspace=self.workspace,
            deal=self.deal,
            as_of=t,
            members=tuple(members),
            influences=_lines(self.influence_facts, t, ids),
            reporting=_lines(self.reporting_facts, t, ids),
            interactions=tuple(i for i in self.interactions if i.at <= t),
        )


def _membership_start(facts: tuple[MembershipFact, ...], sid: str, t: int) -> int:
    own = sorted(
        (f for f in facts if f.stakeholder_id == sid and f.at <= t), key=lambda f: (f.at, f.seq)
    )
    start = own[-1].at if own else t
    for f in reversed(own):
        if not f.active:
            break
        start = f.at
    return start


def _lines(facts: tuple[LineFact, ...], t: int, ids: set[str]) -> tuple[Line, ...]:
    latest = _latest(facts, t)
    lines = [
        Line(f.source_id, f.target_id, f.strength, f.at)
        for (src, dst), f in latest.items()
        if f.active and src in ids and dst in ids
    ]
    lines.sort(key=lambda line: (line.source_id, line.target_id))
    return tuple(lines)
