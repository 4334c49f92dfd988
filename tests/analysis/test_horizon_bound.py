"""The due time of a kept result (graphsvc/analysis/horizon.py, issue 15) is never too
late: on seeded random histories (small hand-drawn committees with every edge case of
the maths in reach, and deals of the synthetic portfolio), the answer the kept results
keep (``engine.analyze`` of the history as the store reads it, ``ranking=False``, plus
the ``CHART_WEEKS`` weekly support shares) as of every probed instant before the due
time equals the answer as of the instant it was computed for, apart from ``as_of``; the
full analysis (the whole ranking) likewise with its own bound. The probes are the
instants where the answer could change: every fact instant plus every window the
analysis looks back over, a ms either side, the day boundaries of every contact, next
steps, the first fact plus whole weeks, the due time minus 1 ms, and random ones.

And the bound is tighter than the one before issue 15 (which counted every fact at
every window and every contact's day ticks), so deals of an idle store come due later.
"""

from __future__ import annotations

import random
import statistics
from bisect import bisect_right
from collections.abc import Collection, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import graphsvc.synth.generator as synth_generator
from graphsvc.analysis._examples import T0, example_deal
from graphsvc.analysis.engine import analyze, support_histories
from graphsvc.analysis.horizon import NEVER, analysis_unchanged_until, history_until
from graphsvc.analysis.params import DEFAULT_PARAMS
from graphsvc.analysis.results import CHART_WEEKS
from graphsvc.analysis.schemas import Interval
from graphsvc.analysis.support import DAY_MS, WEEK_MS
from graphsvc.domain.models import Bundle, Role, Stance, from_ms, to_ms
from graphsvc.domain.snapshot import DealHistory
from graphsvc.examples import ExampleBuilder
from graphsvc.synth import PortfolioGenerator

MINUTE_MS = 60_000
ROLES = [r.value for r in Role]
STANCES = [s.value for s in Stance]
SYNTH_NOW = datetime(2026, 5, 4, tzinfo=UTC)


# -- the answers compared


def kept_answer(history: DealHistory, t: int) -> tuple[dict[str, Any], list[float]]:
    """What the kept results keep as of ``t`` (results.py ``_analyze_and_keep``)."""
    seen = history_until(history, t)
    [risk] = analyze([seen], ranking=False)
    [points] = support_histories([seen], interval=Interval.week, max_points=CHART_WEEKS)
    return risk.model_dump(exclude={"as_of"}), [p.share for p in points]


def full_answer(history: DealHistory, t: int) -> dict[str, Any]:
    """The full analysis as of ``t`` (results.py ``full_analysis``)."""
    [analysis] = analyze([history_until(history, t)])
    return analysis.model_dump(exclude={"as_of"})


def top_dm(history: DealHistory, at: int) -> tuple[str, ...]:
    """Whom the kept results watch (results.py ``_watched``)."""
    [risk] = analyze([history_until(history, at)], ranking=False)
    top = risk.top_decision_maker
    return () if top is None else (top.stakeholder_id,)


# -- random histories


def random_history(rng: random.Random) -> DealHistory:
    """A small deal with facts on any minute of ``span`` days after :data:`T0`: seats,
    stance, role and rating changes, leaves, lines drawn and ended, contacts with next
    steps. Some facts share an instant, or come 1 ms or whole weeks after another (the
    edges of the windows); a quiet deal has all its facts in its first days."""
    span = rng.choice([1, 3, 10, 40, 120])
    people = [f"p{i}" for i in range(rng.randint(1, 6))]
    used: list[int] = []

    def when() -> datetime:
        roll = rng.random()
        if used and roll < 0.1:
            ms = rng.choice(used)  # the same instant as another fact
        elif used and roll < 0.2:
            ms = rng.choice(used) + 1
        elif used and roll < 0.3:
            ms = rng.choice(used) + rng.randint(1, CHART_WEEKS) * WEEK_MS
        else:
            ms = T0 + rng.randrange(span * 24 * 60) * MINUTE_MS
            used.append(ms)
        return from_ms(ms)

    book = ExampleBuilder(workspace="ws")
    book.add_deal(example_deal("d1"))
    for sid in people:
        stance, role, rating = rng.choice(STANCES), rng.choice(ROLES), rng.choice([None, 1, 3, 5])
        for _ in range(rng.randint(1, 4)):
            roll = rng.random()
            if roll < 0.1:
                book.leaves("d1", sid, at=when())
                continue
            if roll < 0.6:
                stance = rng.choice(STANCES)
            elif roll < 0.7:
                role = rng.choice(ROLES)
            elif roll < 0.8:
                rating = rng.choice([None, 1, 3, 5])
            book.seat(
                "d1",
                sid,
                Role(role),
                at=when(),
                stance=Stance(stance),
                ally=rng.random() < 0.3,
                rating=rating,
                self_weight=rng.choice([None, 0.3, 0.6]),
            )
    pairs = [(a, b) for a in people for b in people if a != b]
    for _ in range(rng.randint(0, 4) if pairs else 0):
        a, b = rng.choice(pairs)
        if rng.random() < 0.8:
            book.influences(a, b, rng.choice([0.2, 0.8]), at=when())
        else:
            book.stops_influencing(a, b, at=when())
    for _ in range(rng.randint(0, 2) if pairs else 0):
        a, b = rng.choice(pairs)
        if rng.random() < 0.8:
            book.reports_to(a, b, at=when())
        else:
            book.stops_reporting_to(a, b, at=when())
    contacts = []
    for i in range(rng.randint(0, 5)):
        at = when()
        step = rng.choice([None, None, at + timedelta(hours=rng.randint(0, 30 * 24)), at])
        present = rng.sample(people, rng.randint(1, min(2, len(people))))
        contacts.append((at, f"i{i}", present, step))
    for at, ident, present, step in sorted(contacts, key=lambda c: (c[0], c[1])):
        book.met("d1", *present, at=at, next_step_at=step, interaction_id=ident)
    # Every fact, future ones included, as the kept results read them for the due time.
    return book.history("d1", as_of=NEVER)


def synth_histories(n_deals: int, *, seed: int, **options: Any) -> list[DealHistory]:
    """Open deals of the seeded synthetic portfolio (``now`` = :data:`SYNTH_NOW`), every
    fact of each, read from the builders the generator records them with."""
    books: list[ExampleBuilder] = []

    class Keeping(ExampleBuilder):
        def bundle(self) -> Bundle:
            books.append(self)
            return super().bundle()

    saved = synth_generator.ExampleBuilder
    setattr(synth_generator, "ExampleBuilder", Keeping)
    try:
        generator = PortfolioGenerator(n_deals=n_deals, seed=seed, now=SYNTH_NOW, **options)
        list(generator.bundles())
    finally:
        setattr(synth_generator, "ExampleBuilder", saved)
    return [
        book.history(deal.id, as_of=NEVER)
        for book in books
        for deal in book.deals
        if deal.status.value == "open"
    ]


# -- the instants probed


def _fact_instants(history: DealHistory) -> list[int]:
    return sorted(
        {f.at for f in history.membership_facts}
        | {f.at for f in history.influence_facts}
        | {f.at for f in history.reporting_facts}
        | {i.at for i in history.interactions}
    )


def probes(history: DealHistory, at: int, due: int, rng: random.Random, most: int) -> list[int]:
    """Up to ``most`` instants in ``[at, due)`` where the answer could change, plus the
    ends and a few random ones (within 120 days of ``at``)."""
    last = min(due, at + 120 * DAY_MS)
    edges: set[int] = set()
    facts = _fact_instants(history)
    params = DEFAULT_PARAMS
    for f in facts:
        for k in range(CHART_WEEKS + 2):
            for d in (-1, 0, 1):
                edges.add(f + k * WEEK_MS + d)
    for record in history.interactions:
        after = record.at + max(0, (at - record.at) // DAY_MS) * DAY_MS
        for n in range(3):
            edges.update((after + n * DAY_MS, after + n * DAY_MS + 1))
        for days in (params.stale_days, params.dm_recent_days):
            edges.update(record.at + days * DAY_MS + d for d in (0, 1, 2))
        if record.next_step_at is not None:
            edges.update(record.next_step_at + d for d in (-1, 0, 1, 2))
    inside = sorted(t for t in edges if at < t < last)
    picked = rng.sample(inside, min(most, len(inside)))
    randoms = [rng.randrange(at, last) for _ in range(3)]
    return sorted({at, last - 1, *picked, *randoms})


# -- the checks


def check_holds(history: DealHistory, at: int, rng: random.Random, most: int = 25) -> int:
    """The kept answer and the full analysis hold at every probe before their due times;
    returns the kept answer's due time."""
    watched = top_dm(history, at)
    due = analysis_unchanged_until(history, at, chart_points=CHART_WEEKS, watched=watched)
    assert due > at
    # Watching everybody bounds it no later; without the chart, no sooner.
    assert analysis_unchanged_until(history, at, chart_points=CHART_WEEKS) <= due
    assert due <= analysis_unchanged_until(history, at, watched=watched)
    kept = kept_answer(history, at)
    for t in probes(history, at, due, rng, most):
        assert kept_answer(history, t) == kept, (at, due, t)
    full_due = analysis_unchanged_until(history, at, watched=watched)
    full = full_answer(history, at)
    for t in probes(history, at, full_due, rng, most // 3):
        assert full_answer(history, t) == full, (at, full_due, t)
    return due


def _at(history: DealHistory, rng: random.Random) -> int:
    """An instant to answer for: any minute, or exactly on a fact, a fact plus whole
    weeks, a contact plus whole days (where the bound's terms are tight)."""
    facts = _fact_instants(history)
    roll = rng.random()
    if roll < 0.15:
        return rng.choice(facts)
    if roll < 0.3:
        return rng.choice(facts) + rng.randint(1, CHART_WEEKS) * WEEK_MS + rng.choice([-1, 0])
    if roll < 0.4 and history.interactions:
        days = rng.choice([DEFAULT_PARAMS.stale_days, DEFAULT_PARAMS.dm_recent_days, 3])
        return rng.choice(history.interactions).at + days * DAY_MS + rng.choice([-1, 0, 1])
    return T0 + rng.randrange(-5 * DAY_MS, 200 * DAY_MS)


@pytest.mark.parametrize("seed", range(8))
def test_random_histories_hold_until_their_due_time(seed: int) -> None:
    rng = random.Random(f"horizon-bound:{seed}")
    for _ in range(40):
        history = random_history(rng)
        check_holds(history, _at(history, rng), rng)


def _day(days: float) -> int:
    return T0 + round(days * DAY_MS)


def _deal(
    seats: Sequence[tuple[int, str, str, str, int | None]],
    *,
    lines: Sequence[tuple[int, str, str]] = (),
    contacts: Sequence[tuple[int, str, int | None]] = (),
) -> DealHistory:
    """A deal from seats ``(at, id, role, stance, rating)``, influence lines ``(at,
    source, target)`` and contacts ``(at, id, next step)`` (epoch ms)."""
    book = ExampleBuilder(workspace="ws")
    book.add_deal(example_deal("d1"))
    for at, sid, role, stance, rating in seats:
        book.seat("d1", sid, Role(role), at=from_ms(at), stance=Stance(stance), rating=rating)
    for at, source, target in lines:
        book.influences(source, target, 0.9, at=from_ms(at))
    for k, (at, sid, step) in enumerate(contacts):
        step_at = None if step is None else from_ms(step)
        book.met("d1", sid, at=from_ms(at), next_step_at=step_at, interaction_id=f"i{k}")
    return book.history("d1", as_of=NEVER)


_PAIR = [(_day(0), "a", "Other", "supporter", 3), (_day(0), "b", "Other", "neutral", 3)]
_OLD = _day(90)  # the first fact 90 days back: the chart has all its points

# (what binds, history, instant, due time, with the chart)
CASES = [
    ("the first fact: a second chart point", _deal(_PAIR), _day(0), _day(0) + 1, True),
    ("the chart's fourth point", _deal(_PAIR), _day(20), _day(21) + 1, True),
    (
        "a chart point passes a new supporter",
        _deal([*_PAIR, (_day(10), "b", "Other", "supporter", 3)]),
        _day(23.5),
        _day(24),
        True,
    ),
    (
        "a chart point passes a new role",
        _deal([*_PAIR, (_day(10), "b", "Decision Maker", "neutral", 3)]),
        _day(23.5),
        _day(24),
        True,
    ),
    (
        "a chart point passes a new rating",
        _deal([*_PAIR, (_day(10), "b", "Other", "neutral", 5)]),
        _day(23.5),
        _day(24),
        True,
    ),
    (
        "a chart point passes a new line",
        _deal(_PAIR, lines=[(_day(100), "b", "a")]),
        _day(106.5),
        _day(107),
        True,
    ),
    (
        "the last chart point passes the second support change, 1 ms after the first fact",
        _deal([*_PAIR, (_day(0) + 1, "b", "Other", "supporter", 3)]),
        _day(70) + 2,
        _day(77) + 1,
        True,
    ),
    (
        "the trend passes a new supporter (no chart)",
        _deal([*_PAIR, (_day(100), "b", "Other", "supporter", 3)]),
        _day(127.5),
        _day(128),
        False,
    ),
    ("STALE fires", _deal(_PAIR, contacts=[(_day(80), "a", None)]), _OLD, _day(110) + 1, True),
    (
        "STALE counts another day",
        _deal(_PAIR, contacts=[(_day(80), "a", None)]),
        _day(115.5),
        _day(116),
        True,
    ),
    (
        "DM_NOT_RECENTLY_CONTACTED fires",
        _deal(_PAIR, contacts=[(_day(80), "a", None), (_day(100), "b", None)]),
        _day(120),
        _day(125) + 1,
        True,
    ),
    (
        "DM_NOT_RECENTLY_CONTACTED counts another day",
        _deal(_PAIR, contacts=[(_day(80), "a", None), (_day(100), "b", None)]),
        _day(126.5),
        _day(127),
        True,
    ),
    (
        "NO_NEXT_STEP fires (an earlier contact's next step does not count)",
        _deal(_PAIR, contacts=[(_day(78), "b", _day(84)), (_day(80), "b", _day(85))]),
        _day(82),
        _day(85) + 1,
        True,
    ),
]


@pytest.mark.parametrize(
    ("history", "at", "due", "chart"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_term_of_the_bound_is_the_first_change(
    history: DealHistory, at: int, due: int, chart: bool
) -> None:
    """Each term of the bound (module docstring of horizon.py), alone: the answer holds
    until it and changes at it."""
    watched = top_dm(history, at)
    got = analysis_unchanged_until(
        history, at, chart_points=CHART_WEEKS if chart else 0, watched=watched
    )
    assert (got - T0) / DAY_MS == (due - T0) / DAY_MS
    check_holds(history, at, random.Random(0))
    answer = kept_answer if chart else full_answer
    assert answer(history, due - 1) == answer(history, at)
    assert answer(history, due) != answer(history, at)


def test_a_change_that_leaves_the_support_base_as_it_was_moves_nothing() -> None:
    """A neutral member turning skeptic (nobody's share moves) 80 days into the deal:
    nothing changes with time alone; the bound before issue 15 came due when the chart's
    points passed it."""
    history = _deal([*_PAIR, (_day(80), "b", "Other", "skeptic", 3)])
    at = _day(85.5)
    assert analysis_unchanged_until(history, at, chart_points=CHART_WEEKS, watched=("a",)) == NEVER
    assert _before_issue_15(history, at, watched=("a",)) == _day(87)
    check_holds(history, at, random.Random(0))


@pytest.mark.parametrize("seed", range(2))
def test_synthetic_deals_hold_until_their_due_time(seed: int) -> None:
    rng = random.Random(f"horizon-synth:{seed}")
    histories = synth_histories(6, seed=seed, stakeholders_per_deal=10, chunk_deals=6)
    now = to_ms(SYNTH_NOW)
    for history in histories:
        for at in (now + rng.randrange(30 * DAY_MS), now - rng.randrange(60 * DAY_MS)):
            check_holds(history, at, rng, most=12)


# -- the gain


def _before_issue_15(history: DealHistory, at: int, *, watched: Collection[str]) -> int:
    """The bound as it was: every fact at every window, every watched member's and the
    deal's newest contact's day ticks, every next step."""
    instants = _fact_instants(history)
    k = bisect_right(instants, at)
    bound = instants[k] if k < len(instants) else NEVER
    for weeks in {DEFAULT_PARAMS.trend_weeks, *range(1, CHART_WEEKS + 1)}:
        k = bisect_right(instants, at - weeks * WEEK_MS)
        if k < len(instants):
            bound = min(bound, instants[k] + weeks * WEEK_MS)
    latest: dict[str, int] = {}
    newest: int | None = None
    for record in history.interactions:
        if record.at > at:
            continue
        newest = record.at if newest is None else max(newest, record.at)
        for sid in record.stakeholder_ids:
            if sid in watched and record.at > latest.get(sid, -NEVER):
                latest[sid] = record.at
        if record.next_step_at is not None and record.next_step_at + 1 > at:
            bound = min(bound, record.next_step_at + 1)
    for since in {*latest.values(), *(() if newest is None else (newest,))}:
        base = since + ((at - since) // DAY_MS) * DAY_MS
        bound = min(bound, base + 1 if base + 1 > at else base + DAY_MS)
    return bound


def _dues(histories: list[DealHistory], at: int) -> Iterator[tuple[int, int]]:
    for history in histories:
        watched = top_dm(history, at)
        new = analysis_unchanged_until(history, at, chart_points=CHART_WEEKS, watched=watched)
        yield new, _before_issue_15(history, at, watched=watched)


def test_synthetic_deals_come_due_later_than_before() -> None:
    """On a portfolio left idle: no deal comes due sooner, most come due later, and the
    median time to due grows several-fold (the figures of this seed in the comments)."""
    histories = synth_histories(40, seed=3, stakeholders_per_deal=12)
    at = to_ms(SYNTH_NOW + timedelta(hours=7, minutes=13))
    dues = list(_dues(histories, at))
    assert len(dues) >= 25
    assert all(new >= old for new, old in dues)
    later = sum(new > old for new, old in dues)
    assert later >= 0.6 * len(dues), (later, len(dues))  # 27 of 33
    new_median = statistics.median(new - at for new, _ in dues)
    old_median = statistics.median(old - at for _, old in dues)
    assert new_median >= 2 * old_median, (new_median, old_median)  # 20.3 h, 3.9 h
