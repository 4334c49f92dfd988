"""A deal's buying committee: who sits on it, in which role, and how their stances move."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from functools import partial

from graphsvc.domain.models import Role, Stance
from graphsvc.examples import ExampleBuilder
from graphsvc.synth.frame import Frame
from graphsvc.synth.organisation import Person
from graphsvc.synth.vocabulary import STANCE_ORDER, WORKING_ROLES


def pick_committee(rng: random.Random, people: list[Person], size: int) -> list[Person]:
    """About ``size`` of the account's people, the top of the tree over-represented (as
    in real deals), ordered from the top down."""
    size = min(size, len(people))
    top = [p for p in people if p.depth <= 1]
    rest = [p for p in people if p.depth > 1]
    n_top = min(len(top), max(2, size // 4))
    committee = rng.sample(top, n_top) + rng.sample(rest, min(len(rest), size - n_top))
    if people[0] not in committee and rng.random() < 0.7:
        committee[-1] = people[0]
    committee.sort(key=lambda p: (p.depth, p.id))
    return committee


def assign_roles(
    rng: random.Random, committee: list[Person], *, decision_maker_share: float
) -> tuple[dict[str, Role], Person | None]:
    """Each member's role, and the top decision-maker (the committee's highest person)
    on ``decision_maker_share`` of the deals; two members are champions."""
    has_dm = rng.random() < decision_maker_share
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
            roles[person.id] = rng.choice(WORKING_ROLES)
    if top_dm is None:
        roles[committee[0].id] = Role.executive_sponsor
    for champ in rng.sample(committee[1:], min(2, len(committee) - 1)):
        roles[champ.id] = Role.champion
    return roles, top_dm


def pick_trend(rng: random.Random, *, shrinking_share: float, growing_share: float) -> str:
    """Where the deal's support goes over the last six weeks."""
    roll = rng.random()
    return (
        "shrinking"
        if roll < shrinking_share
        else "growing"
        if roll < shrinking_share + growing_share
        else "steady"
    )


def committee_history(
    frame: Frame,
    rng: random.Random,
    deal_id: str,
    committee: list[Person],
    roles: dict[str, Role],
    trend: str,
    chunk: ExampleBuilder,
    *,
    stance_changes_per_member: float,
) -> None:
    """Each member joins early, drifts about ``stance_changes_per_member`` steps, and in
    the last six weeks moves with the deal's ``trend``; a few leave."""
    start, now = frame.start, frame.now
    quarter = (now - start) / 4
    late = now - min(timedelta(days=42), quarter)
    for person in committee:
        role = roles[person.id]
        level = 2 + (1 if role is Role.champion else 0) + rng.choice([-1, 0, 0, 0, 1])
        level = min(4, max(0, level))
        stance = Stance.unknown if rng.random() < 0.15 else STANCE_ORDER[level]
        rating = min(5, max(1, 5 - person.depth + rng.choice([-1, 0, 0, 1])))
        self_weight = round(rng.uniform(0.3, 0.9), 2)
        joined = frame.instant(rng, start, start + min(timedelta(days=45), quarter))

        fact = partial(_seat, chunk, deal_id, person.id, role, rating, self_weight)
        fact(joined, stance)
        changes = sorted(
            frame.instant(rng, joined + timedelta(days=1), late)
            for _ in range(_poisson(rng, stance_changes_per_member))
        )
        for at in changes:
            level = min(4, max(0, level + rng.choice([-1, 1])))
            fact(at, STANCE_ORDER[level])
        # the last six weeks carry the deal's trend
        if trend == "shrinking" and level >= 2 and rng.random() < 0.6:
            level = max(0, level - rng.choice([1, 2]))
            fact(frame.instant(rng, late, now), STANCE_ORDER[level])
        elif trend == "growing" and level <= 3 and rng.random() < 0.5:
            level += 1
            fact(frame.instant(rng, late, now), STANCE_ORDER[level])
        if role is not Role.champion and person.depth > 1 and rng.random() < 0.03:
            chunk.leaves(deal_id, person.id, at=frame.instant(rng, late, now))


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
