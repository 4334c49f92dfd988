"""Seeded synthetic portfolios: realistic buying committees for tests, demos and benchmarks.

A portfolio is a set of accounts, each with one to three deals. Every account has a
pool of people with a reporting tree (one head, managers, their reports) and informal
influence lines on top of the formal ones; each deal's committee (about
``stakeholders_per_deal`` people) is drawn from its account's pool, so the same person
often sits on several deals with a different role. Over ``months`` months each
committee forms, its members' stances drift, a few members leave, and the account team
records about ``interactions_per_deal`` contacts.

Built-in patterns the analysis should find (see :attr:`PortfolioGenerator.traits`):

* a decision-maker role (Decision Maker or Economic Decision Maker) on most deals,
  given to someone at the top of the account's reporting tree;
* ``uncontacted_dm_share`` of the deals whose top decision-maker never appears in an
  interaction;
* ``shrinking_share`` of the deals whose support falls over the last six weeks;
  ``growing_share`` whose support rises.

Everything is derived from ``seed`` (each account from its own sub-seed, so the
chunk size does not change the data) and from ``now``; with the same arguments the
output is identical. ``now`` defaults to today's midnight UTC.

Example
-------
>>> from graphsvc.synth import generate_portfolio
>>> bundles = list(generate_portfolio(4, seed=1, chunk_deals=2))
>>> sum(len(b.deals) for b in bundles)
4
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial

from graphsvc.domain.models import Bundle, Channel, DealStatus, Role, Stance, Tier
from graphsvc.examples import ExampleBuilder

_STANCE_ORDER = [Stance.blocker, Stance.skeptic, Stance.neutral, Stance.supporter, Stance.champion]
_FIRST = [
    "Ana",
    "Ben",
    "Chen",
    "Dana",
    "Eli",
    "Fatima",
    "Goran",
    "Hana",
    "Ivan",
    "Jia",
    "Kofi",
    "Lena",
    "Mateo",
    "Nadia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tomoko",
    "Uma",
    "Viktor",
    "Wei",
    "Xavier",
    "Yara",
    "Zoe",
]
_LAST = [
    "Almeida",
    "Bauer",
    "Chen",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Hoffmann",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Li",
    "Müller",
    "Nakamura",
    "Okafor",
    "Patel",
    "Quist",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Urban",
    "Virtanen",
    "Wang",
    "Yilmaz",
    "Zhang",
]
_COMPANY_A = [
    "Northwind",
    "Contoso",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Vandelay",
    "Stark",
    "Wayne",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Acme",
    "Gringotts",
]
_COMPANY_B = [
    "Logistics",
    "Health",
    "Bank",
    "Energy",
    "Retail",
    "Foods",
    "Telecom",
    "Insurance",
    "Motors",
    "Pharma",
    "Airlines",
    "Steel",
]
_PRODUCTS = [
    "Platform",
    "Analytics",
    "Data Center",
    "CRM Rollout",
    "Security Suite",
    "Cloud Migration",
    "Field Service",
    "Payments",
    "Supply Chain",
]
_STAGES = ["Qualification", "Needs Analysis", "Proposal", "Negotiation", "Closing"]
_HEAD_TITLES = ["CEO", "CFO", "COO", "CIO", "Managing Director"]
_MANAGER_TITLES = [
    "VP Operations",
    "Head of IT",
    "Procurement Director",
    "VP Finance",
    "Head of Security",
    "Director of Engineering",
    "Head of Sales Ops",
]
_STAFF_TITLES = [
    "IT Manager",
    "Buyer",
    "Solution Architect",
    "Analyst",
    "Team Lead",
    "Executive Assistant",
    "Project Manager",
    "Controller",
    "Engineer",
]
_SUMMARIES = [
    "Discovery call on current pains",
    "Demo for the evaluation team",
    "Pricing discussion",
    "Security review follow-up",
    "Reference call set up",
    "Executive briefing",
    "Workshop on requirements",
    "Contract redlines",
    "Check-in on timeline",
    "Technical deep dive",
]
_WORKING_ROLES = [
    Role.evaluator,
    Role.technical_buyer,
    Role.business_user,
    Role.influencer,
    Role.gatekeeper,
    Role.other,
    Role.evaluator,
    Role.business_user,
    Role.influencer,
]


@dataclass(frozen=True)
class DealTraits:
    """What the generator built into one deal (the answers analysis tests look for)."""

    deal_id: str
    top_dm_id: str | None
    dm_contacted: bool
    trend: str  # "shrinking", "growing" or "steady"
    status: DealStatus


@dataclass
class _Person:
    id: str
    depth: int
    manager: str | None


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
        self._now: datetime = self.now
        self._start = self._now - timedelta(days=30 * self.months)
        self._owner_emails = [f"owner{i:03d}@vendor.example" for i in range(max(1, self.owners))]

    # ------------------------------------------------------------------ public

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

    # ------------------------------------------------------------------ helpers

    def _id(self, kind: str, *parts: int) -> str:
        return f"{self.id_prefix}{kind}-" + "-".join(
            f"{p:06d}" if i == 0 else f"{p:03d}" for i, p in enumerate(parts)
        )

    def _instant(self, rng: random.Random, lo: datetime, hi: datetime) -> datetime:
        span = max(1, int((hi - lo).total_seconds()))
        # whole minutes: clean figures, and still distinct enough for ordering
        return (lo + timedelta(seconds=rng.randrange(span))).replace(second=0, microsecond=0)

    def _account(
        self,
        rng: random.Random,
        account_no: int,
        first_deal: int,
        n_deals: int,
        chunk: ExampleBuilder,
    ) -> None:
        account_id = self._id("acc", account_no)
        company = f"{rng.choice(_COMPANY_A)} {rng.choice(_COMPANY_B)}"
        chunk.account(
            account_id,
            f"{company} #{account_no}",
            tier=rng.choices([Tier.standard, Tier.partner, Tier.strategic], [5, 3, 2])[0],
        )
        pool_size = max(
            self.stakeholders_per_deal + 2,
            int(self.stakeholders_per_deal * (1 + 0.3 * (n_deals - 1))),
        )
        people = self._org_chart(rng, account_no, pool_size)
        for person in people:
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            title = (
                rng.choice(_HEAD_TITLES)
                if person.depth == 0
                else rng.choice(_MANAGER_TITLES)
                if person.depth == 1
                else rng.choice(_STAFF_TITLES)
            )
            chunk.person(
                person.id,
                f"{first} {last}",
                title=title,
                account_id=account_id,
                email=f"{first}.{last}.{person.id}@{company.split()[0].lower()}.example".lower(),
            )
        self._org_lines(rng, people, chunk)
        for k in range(n_deals):
            self._deal(rng, account_id, company, first_deal + k, people, chunk)

    def _org_chart(self, rng: random.Random, account_no: int, size: int) -> list[_Person]:
        """A reporting tree: one head, a layer of managers, everybody else below them."""
        people = [_Person(self._id("sh", account_no, 0), 0, None)]
        managers = max(2, size // 6)
        for i in range(1, size):
            if i <= managers:
                boss = people[0]
            else:
                boss = rng.choice(
                    people[1 : managers + 1]
                    if rng.random() < 0.8
                    else people[managers + 1 : i] or people[1 : managers + 1]
                )
            people.append(_Person(self._id("sh", account_no, i), boss.depth + 1, boss.id))
        return people

    def _org_lines(self, rng: random.Random, people: list[_Person], chunk: ExampleBuilder) -> None:
        start = self._start
        ids = [p.id for p in people]
        for person in people:
            if person.manager is not None:
                chunk.reports_to(
                    person.id,
                    person.manager,
                    at=self._instant(rng, start - timedelta(days=400), start),
                )
        seen: set[tuple[str, str]] = set()
        for person in people:
            # formal: the manager sways the report; informal: peers and former colleagues
            targets: list[str] = []
            if person.manager is not None:
                targets.append(person.manager)
            while len(targets) < self.influences_per_stakeholder:
                other = rng.choice(ids)
                if other != person.id and other not in targets:
                    targets.append(other)
            for target in targets:
                source, dest = (
                    (target, person.id) if target == person.manager else (person.id, target)
                )
                if (source, dest) in seen:
                    continue
                seen.add((source, dest))
                at = self._instant(rng, start - timedelta(days=200), start + timedelta(days=60))
                chunk.influences(
                    source,
                    dest,
                    round(
                        rng.uniform(0.5, 1.0)
                        if source == person.manager
                        else rng.uniform(0.1, 0.9),
                        2,
                    ),
                    at=at,
                )
                if rng.random() < 0.04:  # a relationship that cooled off
                    chunk.stops_influencing(
                        source, dest, at=self._instant(rng, at + timedelta(days=1), self._now)
                    )

    def _deal(
        self,
        rng: random.Random,
        account_id: str,
        company: str,
        deal_no: int,
        people: list[_Person],
        chunk: ExampleBuilder,
    ) -> None:
        deal_id = self._id("deal", deal_no)
        owner = self._owner_emails[rng.randrange(len(self._owner_emails))]
        status = (
            rng.choice([DealStatus.won, DealStatus.lost])
            if rng.random() < self.closed_share
            else DealStatus.open
        )
        close = (
            self._now + timedelta(days=rng.randint(14, 180))
            if status is DealStatus.open
            else self._now - timedelta(days=rng.randint(1, 20))
        )
        chunk.deal(
            deal_id,
            account_id=account_id,
            name=f"{company} {rng.choice(_PRODUCTS)}",
            owner_email=owner,
            amount=float(rng.randrange(50, 5000) * 1000),
            currency=rng.choice(["EUR", "USD", "USD", "GBP"]),
            stage=rng.choice(_STAGES),
            status=status,
            close_date=date(close.year, close.month, close.day),
        )
        colleague = self._owner_emails[rng.randrange(len(self._owner_emails))]
        for email in (owner, colleague):  # same name every time: re-imports change nothing
            chunk.team_member(email, email.split("@")[0].title())

        # The committee: the top of the tree is over-represented, as in real deals.
        size = min(self.stakeholders_per_deal, len(people))
        top = [p for p in people if p.depth <= 1]
        rest = [p for p in people if p.depth > 1]
        n_top = min(len(top), max(2, size // 4))
        committee = rng.sample(top, n_top) + rng.sample(rest, min(len(rest), size - n_top))
        if people[0] not in committee and rng.random() < 0.7:
            committee[-1] = people[0]
        committee.sort(key=lambda p: (p.depth, p.id))

        has_dm = rng.random() < self.decision_maker_share
        roles: dict[str, Role] = {}
        top_dm = committee[0] if has_dm else None
        if top_dm is not None:
            roles[top_dm.id] = rng.choice([Role.decision_maker, Role.economic_decision_maker])
        for person in committee[1:]:
            if len(roles) < 3 and person.depth <= 1:
                roles[person.id] = rng.choice(
                    [Role.economic_buyer, Role.executive_sponsor, Role.influencer]
                )
            else:
                roles[person.id] = rng.choice(_WORKING_ROLES)
        if top_dm is None:
            roles[committee[0].id] = Role.executive_sponsor
        for champ in rng.sample(committee[1:], min(2, len(committee) - 1)):
            roles[champ.id] = Role.champion

        roll = rng.random()
        trend = (
            "shrinking"
            if roll < self.shrinking_share
            else "growing"
            if roll < self.shrinking_share + self.growing_share
            else "steady"
        )
        self._committee_history(rng, deal_id, committee, roles, trend, chunk)
        dm_contacted = top_dm is not None and rng.random() >= self.uncontacted_dm_share
        self._interactions(rng, deal_id, committee, top_dm, dm_contacted, owner, colleague, chunk)
        self.traits[deal_id] = DealTraits(
            deal_id=deal_id,
            top_dm_id=top_dm.id if top_dm else None,
            dm_contacted=dm_contacted,
            trend=trend,
            status=status,
        )

    def _committee_history(
        self,
        rng: random.Random,
        deal_id: str,
        committee: list[_Person],
        roles: dict[str, Role],
        trend: str,
        chunk: ExampleBuilder,
    ) -> None:
        start, now = self._start, self._now
        quarter = (now - start) / 4
        late = now - min(timedelta(days=42), quarter)
        for person in committee:
            role = roles[person.id]
            level = 2 + (1 if role is Role.champion else 0) + rng.choice([-1, 0, 0, 0, 1])
            level = min(4, max(0, level))
            stance = Stance.unknown if rng.random() < 0.15 else _STANCE_ORDER[level]
            rating = min(5, max(1, 5 - person.depth + rng.choice([-1, 0, 0, 1])))
            self_weight = round(rng.uniform(0.3, 0.9), 2)
            joined = self._instant(rng, start, start + min(timedelta(days=45), quarter))

            fact = partial(_seat, chunk, deal_id, person.id, role, rating, self_weight)
            fact(joined, stance)
            changes = sorted(
                self._instant(rng, joined + timedelta(days=1), late)
                for _ in range(_poisson(rng, self.stance_changes_per_member))
            )
            for at in changes:
                level = min(4, max(0, level + rng.choice([-1, 1])))
                fact(at, _STANCE_ORDER[level])
            # the last six weeks carry the deal's trend
            if trend == "shrinking" and level >= 2 and rng.random() < 0.6:
                level = max(0, level - rng.choice([1, 2]))
                fact(self._instant(rng, late, now), _STANCE_ORDER[level])
            elif trend == "growing" and level <= 3 and rng.random() < 0.5:
                level += 1
                fact(self._instant(rng, late, now), _STANCE_ORDER[level])
            if role is not Role.champion and person.depth > 1 and rng.random() < 0.03:
                chunk.leaves(deal_id, person.id, at=self._instant(rng, late, now))

    def _interactions(
        self,
        rng: random.Random,
        deal_id: str,
        committee: list[_Person],
        top_dm: _Person | None,
        dm_contacted: bool,
        owner: str,
        colleague: str,
        chunk: ExampleBuilder,
    ) -> None:
        reachable = [p.id for p in committee if top_dm is None or p.id != top_dm.id]
        n = max(0, self.interactions_per_deal + rng.randint(-3, 3))
        instants = sorted(self._instant(rng, self._start, self._now) for _ in range(n))
        dm_slot = rng.randrange(n) if (dm_contacted and n) else -1
        for k, at in enumerate(instants):
            present = rng.sample(reachable, min(len(reachable), rng.choice([1, 1, 2, 3])))
            if k == dm_slot and top_dm is not None:
                present.append(top_dm.id)
            team = [owner] if rng.random() < 0.7 else [owner, colleague]
            next_step = at + timedelta(days=rng.randint(2, 21)) if rng.random() < 0.5 else None
            chunk.met(
                deal_id,
                *present,
                at=at,
                channel=rng.choices(list(Channel), [4, 3, 5, 1])[0],
                team=team,
                summary=rng.choice(_SUMMARIES),
                next_step_at=next_step,
                interaction_id=f"{deal_id}-ix-{k:03d}",
            )


def _seat(
    chunk: ExampleBuilder,
    deal_id: str,
    stakeholder_id: str,
    role: Role,
    rating: int,
    self_weight: float,
    at: datetime,
    stance: Stance,
) -> None:
    ally = stance is Stance.champion or (role is Role.champion and stance is Stance.supporter)
    chunk.seat(
        deal_id,
        stakeholder_id,
        role,
        at=at,
        stance=stance,
        ally=ally,
        rating=rating,
        self_weight=self_weight,
    )


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method; means here are small
    limit, k, p = pow(2.718281828459045, -mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


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
