"""Synthetic, seeded buying committees for the deal map's tests, benchmark and screenshot.

:func:`sample_deal` records its facts with :class:`graphsvc.examples.ExampleBuilder` and
returns them two ways: as a :class:`Bundle` (what a CRM would import through the API or
CLI) and as the :class:`DealHistory` the store would return for it, so the renderer can
be exercised with or without a store.
The committee grows over twelve weeks (later joiners, stance changes, a departure),
so an earlier as-of date shows a smaller, different committee.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from graphsvc.domain.models import (
    Bundle,
    Channel,
    Interaction,
    Role,
    Stakeholder,
    Stance,
    TeamMember,
)
from graphsvc.domain.snapshot import DealHistory
from graphsvc.examples import ExampleBuilder

HOSTILE_NAME = '<img src=x onerror="window.__pwned=1;alert(1)">'
HOSTILE_TITLE = "</script><script>window.__pwned=2;alert(2)</script>"
HOSTILE_SUMMARY = (
    'See <a href="javascript:window.__pwned=3;alert(3)">notes</a> and '
    "javascript:window.__pwned=4;alert(4) then ]]></script><!-- <script>alert(5)</script>"
)
HOSTILE_DEAL = "Deal </title><script>window.__pwned=6;alert(6)</script> & <b>co</b>"

_FIRST = [
    "Ana",
    "Ben",
    "Chen",
    "Dara",
    "Eli",
    "Fatima",
    "Goran",
    "Hana",
    "Ivan",
    "Jun",
    "Kofi",
    "Lena",
    "Marta",
    "Nils",
    "Olu",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tariq",
    "Uma",
    "Viktor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoe",
]
_LAST = [
    "Almeida",
    "Berg",
    "Castro",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Huang",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Larsen",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quist",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Ueda",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zhou",
]
_TITLES: dict[Role, list[str]] = {
    Role.economic_decision_maker: ["Chief Executive Officer", "Chief Financial Officer"],
    Role.decision_maker: ["Chief Information Officer", "VP Operations", "Chief Operating Officer"],
    Role.economic_buyer: ["VP Finance", "Head of Procurement"],
    Role.executive_sponsor: ["SVP Digital", "VP Strategy"],
    Role.champion: ["Director of IT", "Head of Data"],
    Role.technical_buyer: ["Enterprise Architect", "IT Security Lead", "Head of Infrastructure"],
    Role.evaluator: ["Solution Analyst", "Project Manager", "QA Lead"],
    Role.influencer: ["Senior Advisor", "Regional Director", "Programme Lead"],
    Role.business_user: ["Account Manager", "Analyst", "Team Lead", "Planner", "Engineer"],
    Role.gatekeeper: ["Executive Assistant", "Procurement Officer"],
    Role.other: ["Consultant", "Legal Counsel"],
}
_SENIORITY: dict[Role, int] = {
    Role.economic_decision_maker: 0,
    Role.decision_maker: 1,
    Role.economic_buyer: 1,
    Role.executive_sponsor: 1,
    Role.champion: 2,
    Role.technical_buyer: 2,
    Role.influencer: 2,
    Role.evaluator: 3,
    Role.gatekeeper: 3,
    Role.other: 3,
    Role.business_user: 3,
}
_DAY = timedelta(days=1)
WEEKS = 12


@dataclass(frozen=True)
class SampleDeal:
    bundle: Bundle
    history: DealHistory
    start: datetime
    end: datetime
    top_decision_maker_id: str
    late_joiner_ids: tuple[str, ...]


def _roles(n: int, rng: random.Random) -> list[Role]:
    fixed = [
        Role.economic_decision_maker,
        Role.decision_maker,
        Role.economic_buyer,
        Role.executive_sponsor,
        Role.champion,
        Role.gatekeeper,
        Role.technical_buyer,
    ]
    weighted = (
        [Role.business_user] * 35
        + [Role.influencer] * 20
        + [Role.evaluator] * 15
        + [Role.technical_buyer] * 10
        + [Role.other] * 8
        + [Role.gatekeeper] * 4
    )
    return (fixed + [rng.choice(weighted) for _ in range(max(0, n - len(fixed)))])[:n]


def _stance(rng: random.Random) -> Stance:
    return rng.choices(
        [
            Stance.champion,
            Stance.supporter,
            Stance.neutral,
            Stance.skeptic,
            Stance.blocker,
            Stance.unknown,
        ],
        weights=[6, 22, 24, 14, 6, 28],
    )[0]


def sample_deal(
    members: int = 30,
    *,
    seed: int = 7,
    deal_id: str = "deal-1",
    workspace: str = "default",
    end: datetime | None = None,
    team_size: int | None = None,
    dm_never_contacted: bool = True,
    hostile: bool = False,
    deal_name: str | None = None,
) -> SampleDeal:
    """A seeded committee of ``members`` people recorded over twelve weeks up to ``end``.

    ``hostile`` puts script-injection payloads into a name, a title, interaction
    summaries and the deal name (the page must show them as text).

    Examples
    --------
    >>> deal = sample_deal(12, end=datetime(2026, 6, 1, tzinfo=UTC))
    >>> len(deal.history.snapshot().members) <= 12
    True
    """
    if members < 1:
        raise ValueError("a sample committee needs at least one member")
    rng = random.Random(seed)
    # Default: a minute ago, so "as of now" sees every recorded fact.
    end = end or (datetime.now(UTC) - timedelta(minutes=1)).replace(second=0, microsecond=0)
    start = end - timedelta(weeks=WEEKS)
    account_id = f"acc-{deal_id}"
    book = ExampleBuilder(workspace=workspace, account_id=account_id)
    book.account(account_id, "Nordwind Logistics AG")
    name = deal_name or f"Nordwind fleet platform ({members} people)"
    if hostile:
        name = HOSTILE_DEAL
    deal = book.deal(
        deal_id,
        name=name,
        owner_email="owner@seller.example",
        amount=1_250_000.0,
        currency="EUR",
        stage="Proposal",
        close_date=(end + timedelta(days=45)).date(),
    )

    roles = _roles(members, rng)
    people: list[Stakeholder] = []
    used: set[str] = set()
    for i, role in enumerate(roles):
        while True:
            full = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
            if full not in used or len(used) > 600:
                break
        used.add(full)
        people.append(
            Stakeholder(
                id=f"{deal_id}-p{i:03d}",
                account_id=account_id,
                name=full,
                title=rng.choice(_TITLES[role]),
                email=f"p{i:03d}.{deal_id}@customer.example",
            )
        )
    if hostile:
        people[min(3, members - 1)] = people[min(3, members - 1)].model_copy(
            update={"name": HOSTILE_NAME}
        )
        people[min(4, members - 1)] = people[min(4, members - 1)].model_copy(
            update={"title": HOSTILE_TITLE}
        )
    for person in people:
        book.person(person.id, person.name, title=person.title, email=person.email)
    top_dm = people[0].id

    # Who joins when: about two thirds are there from the start, the rest join later.
    joined: dict[str, datetime] = {}
    late: list[str] = []
    for i, (person, role) in enumerate(zip(people, roles, strict=True)):
        early = i < 7 or rng.random() < 0.66
        at = start + _DAY * (rng.uniform(0, 5) if early else rng.uniform(20, 75))
        if not early:
            late.append(person.id)
        joined[person.id] = at
        stance = Stance.unknown if person.id == top_dm else _stance(rng)
        ally = stance in (Stance.champion, Stance.supporter) and rng.random() < 0.35
        if role == Role.champion:
            stance, ally = Stance.champion, True
        # The top decision-maker is the best-ranked decision role: make it person 0.
        rating = (
            5
            if i == 0
            else rng.randint(1, 3)
            if i < 3
            else (rng.randint(1, 5) if rng.random() < 0.8 else None)
        )
        deal.seat(person.id, role, at=at, stance=stance, ally=ally, rating=rating)
        if rng.random() < 0.25 and i >= 3:
            # A stance change later on: support moves week by week.
            later = at + _DAY * rng.uniform(10, 60)
            if later < end:
                new = _stance(rng)
                deal.seat(
                    person.id,
                    role,
                    at=later,
                    stance=new,
                    ally=new in (Stance.champion, Stance.supporter) and rng.random() < 0.5,
                    rating=rng.randint(1, 5),
                )
        if i >= 7 and rng.random() < 0.04:
            deal.leaves(person.id, at=min(end - _DAY, at + _DAY * rng.uniform(15, 40)))

    # Reporting lines follow seniority; influence lines mostly flow from senior people.
    by_level: dict[int, list[int]] = {}
    for i, role in enumerate(roles):
        by_level.setdefault(_SENIORITY[role], []).append(i)
    for i, role in enumerate(roles):
        level = _SENIORITY[role]
        managers = [j for lv in range(level - 1, -1, -1) for j in by_level.get(lv, []) if j != i]
        if i == 0 or not managers:
            continue
        manager = rng.choice(managers[: max(1, min(len(managers), 6))])
        at = max(joined[people[i].id], joined[people[manager].id])
        book.reports_to(people[i].id, people[manager].id, at=at)
    seen: set[tuple[int, int]] = set()
    for i in range(members):
        for _ in range(rng.choice([1, 1, 2, 2, 3])):
            j = rng.randrange(members)
            if j == i or (i, j) in seen:
                continue
            if _SENIORITY[roles[i]] > _SENIORITY[roles[j]] and rng.random() < 0.6:
                i_src, j_dst = j, i
            else:
                i_src, j_dst = i, j
            if (i_src, j_dst) in seen:
                continue
            seen.add((i_src, j_dst))
            at = max(joined[people[i_src].id], joined[people[j_dst].id])
            book.influences(
                people[i_src].id, people[j_dst].id, round(rng.uniform(0.15, 1.0), 2), at=at
            )

    for j in range(1, min(members, 4)):
        if (0, j) not in seen:
            seen.add((0, j))
            book.influences(
                people[0].id, people[j].id, 0.9, at=max(joined[people[0].id], joined[people[j].id])
            )

    team_count = team_size or max(3, min(8, members // 25 + 3))
    team_names = [
        "Alex Moreno",
        "Sam Keller",
        "Robin Ito",
        "Jo Brandt",
        "Kim Laine",
        "Max Ortega",
        "Noor Haddad",
        "Lou Meyer",
    ]
    team = [
        TeamMember(email=f"{n.split()[0].lower()}@seller.example", name=n)
        for n in team_names[:team_count]
    ]
    for member in team:
        book.team_member(member.email, member.name)
    contactable = [p.id for p in people if not (dm_never_contacted and p.id == top_dm)]
    interactions: list[Interaction] = []
    summaries = [
        "Discovery call: current fleet tooling and pain points.",
        "Demo of route planning; asked for security review.",
        "Pricing discussion postponed until needs are clear.",
        "Workshop with the operations team; next step: pilot scope.",
        "Coffee with the sponsor; budget confirmed for Q3.",
    ]
    for k in range(max(6, int(members * 1.6))):
        at = start + _DAY * rng.uniform(3, WEEKS * 7 - 0.5)
        pool = [sid for sid in contactable if joined[sid] <= at]
        if not pool:
            continue
        who = rng.sample(pool, k=min(len(pool), rng.choice([1, 1, 2, 3])))
        ours = rng.sample(team, k=rng.choice([1, 1, 2]))
        summary = rng.choice(summaries)
        if hostile and k % 3 == 0:
            summary = HOSTILE_SUMMARY
        interactions.append(
            Interaction(
                id=f"{deal_id}-i{k:04d}",
                deal_id=deal_id,
                at=at,
                channel=rng.choice(list(Channel)),
                stakeholder_ids=who,
                team_member_emails=[t.email for t in ours],
                summary=summary,
                next_step_at=at + _DAY * 14 if rng.random() < 0.5 else None,
            )
        )
    # Recorded in time order, as a CRM export lists them.
    for contact in sorted(interactions, key=lambda i: (i.at, i.id)):
        book.add_interaction(contact)

    return SampleDeal(
        bundle=book.bundle(),
        history=deal.history(as_of=end),
        start=start,
        end=end,
        top_decision_maker_id=top_dm,
        late_joiner_ids=tuple(late),
    )
