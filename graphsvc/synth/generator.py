"""The generator itself: accounts and their deals, chunk by chunk, from one seed."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from graphsvc.domain.models import Bundle, DealStatus, Tier
from graphsvc.examples import ExampleBuilder
from graphsvc.synth import vocabulary as words
from graphsvc.synth.activities import interactions
from graphsvc.synth.committees import (
    assign_roles,
    committee_history,
    pick_committee,
    pick_trend,
)
from graphsvc.synth.frame import Frame
from graphsvc.synth.organisation import Person, org_chart, org_lines


@dataclass(frozen=True)
class DealTraits:
    """What the generator built into one deal (the answers analysis tests look for)."""

    deal_id: str
    top_dm_id: str | None
    dm_contacted: bool
    trend: str  # "shrinking", "growing" or "steady"
    status: DealStatus


@dataclass
class PortfolioGenerator:
    """Generates a portfolio chunk by chunk; :attr:`traits` fills in as it goes."""

    n_deals: int
    seed: int = 0
    now: datetime | None = None
    stakeholders_per_deal: int = 30
    owners: int = 50
    months: int = 6
    influences_per_stakeholder: int = 3
    interactions_per_deal: int = 20
    stance_changes_per_member: float = 1.5
    uncontacted_dm_share: float = 0.12
    shrinking_share: float = 0.15
    growing_share: float = 0.25
    decision_maker_share: float = 0.92
    closed_share: float = 0.15
    chunk_deals: int = 100
    id_prefix: str = ""
    traits: dict[str, DealTraits] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.n_deals < 0 or self.stakeholders_per_deal < 2 or self.months < 1:
            raise ValueError("need n_deals >= 0, stakeholders_per_deal >= 2, months >= 1")
        if self.now is None:
            today = datetime.now(UTC).date()
            self.now = datetime(today.year, today.month, today.day, tzinfo=UTC)
        elif self.now.tzinfo is None:
            self.now = self.now.replace(tzinfo=UTC)
        self._frame = Frame(
            self.id_prefix, start=self.now - timedelta(days=30 * self.months), now=self.now
        )
        self._owner_emails = [f"owner{i:03d}@vendor.example" for i in range(max(1, self.owners))]

    def bundles(self) -> Iterator[Bundle]:
        """One Bundle per chunk of about ``chunk_deals`` deals (whole accounts only)."""
        chunk = ExampleBuilder()
        account_no = 0
        deals_made = 0
        while deals_made < self.n_deals:
            rng = random.Random(f"{self.seed}:account:{account_no}")
            n = min(rng.choice([1, 1, 2, 2, 2, 3]), self.n_deals - deals_made)
            self._account(rng, account_no, deals_made, n, chunk)
            deals_made += n
            account_no += 1
            if len(chunk.deals) >= self.chunk_deals:
                yield chunk.bundle()
                chunk = ExampleBuilder()
        if chunk.deals:
            yield chunk.bundle()

    def _account(
        self,
        rng: random.Random,
        account_no: int,
        first_deal: int,
        n_deals: int,
        chunk: ExampleBuilder,
    ) -> None:
        account_id = self._frame.id("acc", account_no)
        company = f"{rng.choice(words.COMPANY_NAMES)} {rng.choice(words.COMPANY_SECTORS)}"
        chunk.account(
            account_id,
            f"{company} #{account_no}",
            tier=rng.choices([Tier.standard, Tier.partner, Tier.strategic], [5, 3, 2])[0],
        )
        pool_size = max(
            self.stakeholders_per_deal + 2,
            int(self.stakeholders_per_deal * (1 + 0.3 * (n_deals - 1))),
        )
        people = org_chart(self._frame, rng, account_no, pool_size)
        for person in people:
            first, last = rng.choice(words.FIRST_NAMES), rng.choice(words.LAST_NAMES)
            title = (
                rng.choice(words.HEAD_TITLES)
                if person.depth == 0
                else rng.choice(words.MANAGER_TITLES)
                if person.depth == 1
                else rng.choice(words.STAFF_TITLES)
            )
            chunk.person(
                person.id,
                f"{first} {last}",
                title=title,
                account_id=account_id,
                email=f"{first}.{last}.{person.id}@{company.split()[0].lower()}.example".lower(),
            )
        org_lines(
            self._frame,
            rng,
            people,
            chunk,
            influences_per_person=self.influences_per_stakeholder,
        )
        for k in range(n_deals):
            self._deal(rng, account_id, company, first_deal + k, people, chunk)

    def _deal(
        self,
        rng: random.Random,
        account_id: str,
        company: str,
        deal_no: int,
        people: list[Person],
        chunk: ExampleBuilder,
    ) -> None:
        now = self._frame.now
        deal_id = self._frame.id("deal", deal_no)
        owner = self._owner_emails[rng.randrange(len(self._owner_emails))]
        status = (
            rng.choice([DealStatus.won, DealStatus.lost])
            if rng.random() < self.closed_share
            else DealStatus.open
        )
        close = (
            now + timedelta(days=rng.randint(14, 180))
            if status is DealStatus.open
            else now - timedelta(days=rng.randint(1, 20))
        )
        chunk.deal(
            deal_id,
            account_id=account_id,
            name=f"{company} {rng.choice(words.PRODUCTS)}",
            owner_email=owner,
            amount=float(rng.randrange(50, 5000) * 1000),
            currency=rng.choice(["EUR", "USD", "USD", "GBP"]),
            stage=rng.choice(words.STAGES),
            status=status,
            close_date=date(close.year, close.month, close.day),
        )
        colleague = self._owner_emails[rng.randrange(len(self._owner_emails))]
        for email in (owner, colleague):  # same name every time: re-imports change nothing
            chunk.team_member(email, email.split("@")[0].title())

        committee = pick_committee(rng, people, self.stakeholders_per_deal)
        roles, top_dm = assign_roles(rng, committee, decision_maker_share=self.decision_maker_share)
        trend = pick_trend(
            rng, shrinking_share=self.shrinking_share, growing_share=self.growing_share
        )
        committee_history(
            self._frame,
            rng,
            deal_id,
            committee,
            roles,
            trend,
            chunk,
            stance_changes_per_member=self.stance_changes_per_member,
        )
        dm_contacted = top_dm is not None and rng.random() >= self.uncontacted_dm_share
        interactions(
            self._frame,
            rng,
            deal_id,
            committee,
            chunk,
            per_deal=self.interactions_per_deal,
            top_dm=top_dm,
            dm_contacted=dm_contacted,
            owner=owner,
            colleague=colleague,
        )
        self.traits[deal_id] = DealTraits(
            deal_id=deal_id,
            top_dm_id=top_dm.id if top_dm else None,
            dm_contacted=dm_contacted,
            trend=trend,
            status=status,
        )


def generate_portfolio(
    n_deals: int,
    *,
    seed: int = 0,
    now: datetime | None = None,
    stakeholders_per_deal: int = 30,
    owners: int = 50,
    months: int = 6,
    chunk_deals: int = 100,
    **options: float | int | str,
) -> Iterator[Bundle]:
    """Yield a seeded synthetic portfolio of ``n_deals`` deals, one Bundle per chunk of
    about ``chunk_deals`` deals; see :class:`PortfolioGenerator` for ``options``
    (``interactions_per_deal``, ``uncontacted_dm_share``, ``shrinking_share``, ...).

    Example
    -------
    >>> from datetime import datetime, UTC
    >>> [b] = generate_portfolio(1, seed=7, now=datetime(2026, 1, 1, tzinfo=UTC))
    >>> len(b.deals), len(b.memberships) >= 30
    (1, True)
    """
    generator = PortfolioGenerator(
        n_deals=n_deals,
        seed=seed,
        now=now,
        stakeholders_per_deal=stakeholders_per_deal,
        owners=owners,
        months=months,
        chunk_deals=chunk_deals,
        **options,  # type: ignore[arg-type]
    )
    yield from generator.bundles()
