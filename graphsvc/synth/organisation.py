"""An account's people: their reporting tree, and the influence lines on top of it."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from graphsvc.examples import ExampleBuilder
from graphsvc.synth.frame import Frame


@dataclass
class Person:
    id: str
    depth: int  # 0: the head of the account, 1: a manager, 2 and more: below them
    manager: str | None


def org_chart(frame: Frame, rng: random.Random, account_no: int, size: int) -> list[Person]:
    """A reporting tree: one head, a layer of managers, everybody else below them."""
    people = [Person(frame.id("sh", account_no, 0), 0, None)]
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
        people.append(Person(frame.id("sh", account_no, i), boss.depth + 1, boss.id))
    return people


def org_lines(
    frame: Frame,
    rng: random.Random,
    people: list[Person],
    chunk: ExampleBuilder,
    *,
    influences_per_person: int,
) -> None:
    """The reporting lines of the tree, and about ``influences_per_person`` influence
    lines from each person: their manager's, and informal ones to peers and former
    colleagues; a few of them end (a relationship that cooled off)."""
    start = frame.start
    ids = [p.id for p in people]
    for person in people:
        if person.manager is not None:
            chunk.reports_to(
                person.id,
                person.manager,
                at=frame.instant(rng, start - timedelta(days=400), start),
            )
    seen: set[tuple[str, str]] = set()
    for person in people:
        # formal: the manager sways the report; informal: peers and former colleagues
        targets: list[str] = []
        if person.manager is not None:
            targets.append(person.manager)
        while len(targets) < influences_per_person:
            other = rng.choice(ids)
            if other != person.id and other not in targets:
                targets.append(other)
        for target in targets:
            source, dest = (target, person.id) if target == person.manager else (person.id, target)
            if (source, dest) in seen:
                continue
            seen.add((source, dest))
            at = frame.instant(rng, start - timedelta(days=200), start + timedelta(days=60))
            chunk.influences(
                source,
                dest,
                round(
                    rng.uniform(0.5, 1.0) if source == person.manager else rng.uniform(0.1, 0.9),
                    2,
                ),
                at=at,
            )
            if rng.random() < 0.04:  # a relationship that cooled off
                chunk.stops_influencing(
                    source, dest, at=frame.instant(rng, at + timedelta(days=1), frame.now)
                )
