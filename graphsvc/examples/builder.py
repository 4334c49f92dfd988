"""One way to write example data: record facts once, read them as a Bundle or a history.

Every example data set of the project (the seeded portfolio of :mod:`graphsvc.synth`,
the demo stories of :mod:`graphsvc.demo`, the known-answer committees of
the analysis docstrings and tests, the deal-map samples and the alert scenarios) is
written with :class:`ExampleBuilder`: accounts, deals, people, committee seats, lines
and contacts are recorded in order, and the same facts come out

* as a :class:`~graphsvc.domain.models.Bundle`, what an import writes to the store, and
* as the :class:`~graphsvc.domain.snapshot.DealHistory` (or the
  :class:`~graphsvc.domain.snapshot.DealSnapshot`) the store reads back for one deal,

so an analysis can be exercised with or without a store, on the same data.

:meth:`ExampleBuilder.deal` returns a :class:`DealBuilder`: the same builder with the
deal filled in, for the verbs that belong to one deal (``seat``, ``leaves``, ``met``).

Examples
--------
>>> from datetime import UTC, datetime, timedelta
>>> from graphsvc.domain.models import Role, Stance
>>> start = datetime(2026, 1, 1, tzinfo=UTC)
>>> book = ExampleBuilder(workspace="ws")
>>> deal = book.deal("d1", name="Fleet platform", owner_email="rep@example.com")
>>> deal.seat("cfo", Role.economic_decision_maker, at=start, rating=5, name="Cy Fo")
>>> deal.seat("champ", Role.champion, at=start, stance=Stance.champion, ally=True)
>>> book.influences("champ", "cfo", 0.8, at=start)
>>> deal.met("champ", at=start + timedelta(days=3), team=["rep@example.com"])
>>> len(book.bundle().memberships), len(book.bundle().interactions)
(2, 1)
>>> snapshot = book.snapshot("d1", as_of=start + timedelta(days=10))
>>> [m.id for m in snapshot.members], len(snapshot.influences)
(['cfo', 'champ'], 1)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypedDict, TypeVar, Unpack

from graphsvc.domain.models import (
    Account,
    Bundle,
    Channel,
    Deal,
    DealStatus,
    Influence,
    InfluenceEnd,
    Interaction,
    Membership,
    MembershipEnd,
    ReportingEnd,
    ReportingLine,
    Role,
    Stakeholder,
    Stance,
    TeamMember,
    Tier,
    to_ms,
)
from graphsvc.domain.snapshot import (
    DealHistory,
    DealSnapshot,
    InteractionRecord,
    LineFact,
    MembershipFact,
    StakeholderInfo,
)


@dataclass
class ExampleBuilder:
    """Records example facts in order; :meth:`bundle` and :meth:`history` read them back.

    ``account_id`` is used for deals and people recorded without one.
    """

    workspace: str = "default"
    account_id: str = "acc"
    accounts: list[Account] = field(default_factory=list)
    deals: list[Deal] = field(default_factory=list)
    stakeholders: dict[str, Stakeholder] = field(default_factory=dict)
    team_members: dict[str, TeamMember] = field(default_factory=dict)
    interactions: list[Interaction] = field(default_factory=list)
    # Facts in the order they were recorded, starts and ends together: a fact's position
    # among its kind is the ``seq`` that orders facts of one instant, as in the store.
    seat_facts: list[Membership | MembershipEnd] = field(default_factory=list)
    influence_facts: list[Influence | InfluenceEnd] = field(default_factory=list)
    reporting_facts: list[ReportingLine | ReportingEnd] = field(default_factory=list)

    # ------------------------------------------------------------------ recording

    def account(self, account_id: str, name: str, *, tier: Tier = Tier.standard) -> None:
        self.accounts.append(Account(id=account_id, name=name, tier=tier))

    def deal(
        self,
        deal_id: str,
        *,
        name: str | None = None,
        owner_email: str = "owner@example.com",
        account_id: str | None = None,
        amount: float | None = None,
        currency: str | None = None,
        stage: str | None = None,
        status: DealStatus = DealStatus.open,
        close_date: date | None = None,
    ) -> DealBuilder:
        """Record a deal and return the builder for its committee."""
        self.deals.append(
            Deal(
                id=deal_id,
                account_id=account_id or self.account_id,
                name=name or f"Deal {deal_id}",
                owner_email=owner_email,
                amount=amount,
                currency=currency,
                stage=stage,
                status=status,
                close_date=close_date,
            )
        )
        return DealBuilder(self, deal_id)

    def add_deal(self, deal: Deal) -> DealBuilder:
        """Record a ready-made :class:`Deal` and return the builder for its committee."""
        self.deals.append(deal)
        return DealBuilder(self, deal.id)

    def add_interaction(self, interaction: Interaction) -> None:
        """Record a ready-made :class:`Interaction` (what :meth:`met` writes)."""
        self.interactions.append(interaction)

    def person(
        self,
        stakeholder_id: str,
        name: str | None = None,
        *,
        title: str | None = None,
        email: str | None = None,
        account_id: str | None = None,
    ) -> None:
        """Record a stakeholder (``name`` defaults to ``"Person <id>"``); a person
        recorded twice keeps the first record."""
        if stakeholder_id not in self.stakeholders:
            self.stakeholders[stakeholder_id] = Stakeholder(
                id=stakeholder_id,
                account_id=account_id or self.account_id,
                name=name or f"Person {stakeholder_id}",
                title=title,
                email=email,
            )

    def team_member(self, email: str, name: str | None = None) -> None:
        """Record one of our team (kept once per address)."""
        self.team_members.setdefault(email, TeamMember(email=email, name=name))

    def influences(self, source_id: str, target_id: str, strength: float, *, at: datetime) -> None:
        """``source_id`` sways ``target_id`` from ``at``."""
        self.influence_facts.append(
            Influence(source_id=source_id, target_id=target_id, strength=strength, at=at)
        )

    def stops_influencing(self, source_id: str, target_id: str, *, at: datetime) -> None:
        self.influence_facts.append(InfluenceEnd(source_id=source_id, target_id=target_id, at=at))

    def reports_to(self, stakeholder_id: str, manager_id: str, *, at: datetime) -> None:
        """``stakeholder_id`` reports to ``manager_id`` from ``at``."""
        self.reporting_facts.append(
            ReportingLine(stakeholder_id=stakeholder_id, manager_id=manager_id, at=at)
        )

    def stops_reporting_to(self, stakeholder_id: str, manager_id: str, *, at: datetime) -> None:
        self.reporting_facts.append(
            ReportingEnd(stakeholder_id=stakeholder_id, manager_id=manager_id, at=at)
        )

    def seat(
        self,
        deal_id: str,
        stakeholder_id: str,
        role: Role,
        *,
        at: datetime,
        stance: Stance = Stance.unknown,
        ally: bool = False,
        rating: int | None = None,
        self_weight: float | None = None,
        name: str | None = None,
    ) -> None:
        """``stakeholder_id`` sits on ``deal_id``'s committee from ``at`` (a later seat
        of the same person records a change); records the person when new."""
        self.person(stakeholder_id, name)
        fact = Membership(
            deal_id=deal_id,
            stakeholder_id=stakeholder_id,
            role=role,
            stance=stance,
            ally=ally,
            influence_rating=rating,
            self_weight=self_weight,
            at=at,
        )
        self.seat_facts.append(fact)

    def leaves(self, deal_id: str, stakeholder_id: str, *, at: datetime) -> None:
        """``stakeholder_id`` leaves ``deal_id``'s committee at ``at``."""
        self.person(stakeholder_id)
        self.seat_facts.append(MembershipEnd(deal_id=deal_id, stakeholder_id=stakeholder_id, at=at))

    def met(
        self,
        deal_id: str,
        *stakeholder_ids: str,
        at: datetime,
        channel: Channel = Channel.meeting,
        team: Iterable[str] = (),
        summary: str | None = None,
        next_step_at: datetime | None = None,
        interaction_id: str | None = None,
    ) -> None:
        """Our ``team`` was in contact with ``stakeholder_ids`` on ``deal_id`` at ``at``."""
        self.interactions.append(
            Interaction(
                id=interaction_id or f"{deal_id}-i{len(self.interactions):04d}",
                deal_id=deal_id,
                at=at,
                channel=channel,
                stakeholder_ids=list(stakeholder_ids),
                team_member_emails=list(team),
                summary=summary,
                next_step_at=next_step_at,
            )
        )

    # ------------------------------------------------------------------ reading

    def bundle(self) -> Bundle:
        """Everything recorded, in recording order: what an import would write."""
        return Bundle(
            accounts=list(self.accounts),
            deals=list(self.deals),
            stakeholders=list(self.stakeholders.values()),
            team_members=list(self.team_members.values()),
            memberships=_only(self.seat_facts, Membership),
            membership_ends=_only(self.seat_facts, MembershipEnd),
            influences=_only(self.influence_facts, Influence),
            influence_ends=_only(self.influence_facts, InfluenceEnd),
            reporting_lines=_only(self.reporting_facts, ReportingLine),
            reporting_ends=_only(self.reporting_facts, ReportingEnd),
            interactions=list(self.interactions),
        )

    def history(self, deal_id: str, *, as_of: datetime | int) -> DealHistory:
        """One deal's facts up to ``as_of`` (a datetime or epoch ms), folded as the store
        reads them: the people who ever sat on its committee, the lines among them,
        its contacts. ``seq`` numbers each kind of fact in recording order."""
        t = as_of if isinstance(as_of, int) else to_ms(as_of)
        deal = next((d for d in self.deals if d.id == deal_id), None)
        if deal is None:
            raise KeyError(f"no deal {deal_id!r} was recorded")
        seated = {f.stakeholder_id for f in self.seat_facts if f.deal_id == deal_id}
        people = {sid: _info(s) for sid, s in self.stakeholders.items() if sid in seated}
        return DealHistory(
            workspace=self.workspace,
            deal=deal,
            as_of=t,
            stakeholders=people,
            membership_facts=tuple(
                fact
                for fact in (
                    _membership_fact(f, seq)
                    for seq, f in enumerate(self.seat_facts)
                    if f.deal_id == deal_id
                )
                if fact.at <= t
            ),
            influence_facts=_line_facts(
                [
                    (
                        f.source_id,
                        f.target_id,
                        f.at,
                        isinstance(f, Influence),
                        f.strength if isinstance(f, Influence) else 1.0,
                    )
                    for f in self.influence_facts
                ],
                people,
                t,
            ),
            reporting_facts=_line_facts(
                [
                    (f.stakeholder_id, f.manager_id, f.at, isinstance(f, ReportingLine), 1.0)
                    for f in self.reporting_facts
                ],
                people,
                t,
            ),
            interactions=tuple(
                _record(i) for i in self.interactions if i.deal_id == deal_id and to_ms(i.at) <= t
            ),
        )

    def snapshot(self, deal_id: str, *, as_of: datetime | int) -> DealSnapshot:
        """The deal's committee as of ``as_of``, as the store reads it."""
        return self.history(deal_id, as_of=as_of).snapshot()


class SeatDetails(TypedDict, total=False):
    """The optional parts of a seat, as :meth:`ExampleBuilder.seat` takes them."""

    stance: Stance
    ally: bool
    rating: int | None
    self_weight: float | None
    name: str | None


class ContactDetails(TypedDict, total=False):
    """The optional parts of a contact, as :meth:`ExampleBuilder.met` takes them."""

    channel: Channel
    team: Iterable[str]
    summary: str | None
    next_step_at: datetime | None
    interaction_id: str | None


@dataclass(frozen=True)
class DealBuilder:
    """The verbs of one deal's committee, on the :class:`ExampleBuilder` that holds it."""

    book: ExampleBuilder
    deal_id: str

    def seat(
        self, stakeholder_id: str, role: Role, *, at: datetime, **details: Unpack[SeatDetails]
    ) -> None:
        self.book.seat(self.deal_id, stakeholder_id, role, at=at, **details)

    def leaves(self, stakeholder_id: str, *, at: datetime) -> None:
        self.book.leaves(self.deal_id, stakeholder_id, at=at)

    def met(self, *stakeholder_ids: str, at: datetime, **details: Unpack[ContactDetails]) -> None:
        self.book.met(self.deal_id, *stakeholder_ids, at=at, **details)

    def history(self, *, as_of: datetime | int) -> DealHistory:
        return self.book.history(self.deal_id, as_of=as_of)

    def snapshot(self, *, as_of: datetime | int) -> DealSnapshot:
        return self.book.snapshot(self.deal_id, as_of=as_of)


_Fact = TypeVar("_Fact")


def _only(facts: Iterable[object], kind: type[_Fact]) -> list[_Fact]:
    return [f for f in facts if isinstance(f, kind)]


def _info(s: Stakeholder) -> StakeholderInfo:
    return StakeholderInfo(
        id=s.id, account_id=s.account_id, name=s.name, title=s.title, email=s.email
    )


def _membership_fact(fact: Membership | MembershipEnd, seq: int) -> MembershipFact:
    assert fact.at is not None
    if isinstance(fact, MembershipEnd):
        return MembershipFact(
            stakeholder_id=fact.stakeholder_id, at=to_ms(fact.at), seq=seq, active=False
        )
    return MembershipFact(
        stakeholder_id=fact.stakeholder_id,
        at=to_ms(fact.at),
        seq=seq,
        active=True,
        role=fact.role,
        stance=fact.stance,
        ally=fact.ally,
        influence_rating=fact.influence_rating,
        self_weight=fact.self_weight,
    )


def _line_facts(
    lines: list[tuple[str, str, datetime | None, bool, float]],
    people: dict[str, StakeholderInfo],
    t: int,
) -> tuple[LineFact, ...]:
    facts = []
    for seq, (source, target, at, active, strength) in enumerate(lines):
        assert at is not None
        if source in people and target in people and to_ms(at) <= t:
            facts.append(LineFact(source, target, to_ms(at), seq, active, strength))
    return tuple(facts)


def _record(i: Interaction) -> InteractionRecord:
    return InteractionRecord(
        id=i.id,
        at=to_ms(i.at),
        channel=i.channel.value,
        stakeholder_ids=tuple(i.stakeholder_ids),
        team_member_emails=tuple(i.team_member_emails),
        summary=i.summary,
        next_step_at=to_ms(i.next_step_at) if i.next_step_at else None,
    )
