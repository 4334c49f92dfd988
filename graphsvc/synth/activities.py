"""The account team's contacts on a deal: calls, meetings and e-mails over the months."""

from __future__ import annotations

import random
from datetime import timedelta

from graphsvc.domain.models import Channel
from graphsvc.examples import ExampleBuilder
from graphsvc.synth.frame import Frame
from graphsvc.synth.organisation import Person
from graphsvc.synth.vocabulary import INTERACTION_SUMMARIES


def interactions(
    frame: Frame,
    rng: random.Random,
    deal_id: str,
    committee: list[Person],
    chunk: ExampleBuilder,
    *,
    per_deal: int,
    top_dm: Person | None,
    dm_contacted: bool,
    owner: str,
    colleague: str,
) -> None:
    """About ``per_deal`` contacts with one to three members each; the top
    decision-maker is in exactly one of them when ``dm_contacted``, else in none."""
    reachable = [p.id for p in committee if top_dm is None or p.id != top_dm.id]
    n = max(0, per_deal + rng.randint(-3, 3))
    instants = sorted(frame.instant(rng, frame.start, frame.now) for _ in range(n))
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
            summary=rng.choice(INTERACTION_SUMMARIES),
            next_step_at=next_step,
            interaction_id=f"{deal_id}-ix-{k:03d}",
        )
