"""Property tests (hypothesis): bounds, relabelling invariance, monotone support, and
the engine (vectorised) equal to the networkx reference on random committees and
histories."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphsvc.analysis._reference import (
    analyze_history,
    analyze_snapshot,
    assess_snapshot,
    support_history,
)
from graphsvc.analysis.engine import analyze, analyze_snapshots, support_histories
from graphsvc.analysis.folding import snapshots_at, trend_pairs, trend_pairs_at
from graphsvc.analysis.next_best import next_best_contacts
from graphsvc.analysis.ranking import rank_members, score_members
from graphsvc.analysis.schemas import Interval
from graphsvc.analysis.support import support_state
from graphsvc.analysis.vectorised import fleet_next_best, fleet_scores
from graphsvc.domain.models import Stance
from graphsvc.domain.snapshot import DealSnapshot, Line, StakeholderInfo
from tests.analysis.agreement import assert_same_risk, assert_same_rows
from tests.analysis.strategies import committees, histories

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def relabel(snap: DealSnapshot, mapping: dict[str, str]) -> DealSnapshot:
    members = sorted(
        (
            dataclasses.replace(
                m,
                stakeholder=StakeholderInfo(
                    id=mapping[m.id], account_id="acc", name=m.stakeholder.name
                ),
            )
            for m in snap.members
        ),
        key=lambda m: m.id,
    )

    def move(lines: tuple[Line, ...]) -> tuple[Line, ...]:
        return tuple(
            sorted(
                (
                    Line(mapping[x.source_id], mapping[x.target_id], x.strength, x.since)
                    for x in lines
                ),
                key=lambda x: (x.source_id, x.target_id),
            )
        )

    return dataclasses.replace(
        snap,
        members=tuple(members),
        influences=move(snap.influences),
        reporting=move(snap.reporting),
    )


@FAST
@given(committees())
def test_scores_stay_within_0_and_100(snap: DealSnapshot) -> None:
    rows = rank_members(snap)
    assert all(0.0 <= r.score <= 100.0 for r in rows)
    for c in (r.components for r in rows):
        assert (
            0.0 <= c.authority <= 1.0 and 0.0 <= c.network <= 1.0 + 1e-12 and 0.0 <= c.rating <= 1.0
        )
    assert [r.rank for r in rows] == list(range(1, len(rows) + 1))


@FAST
@given(committees(min_size=1), st.randoms(use_true_random=False))
def test_relabelling_stakeholders_changes_no_score(snap: DealSnapshot, rnd) -> None:
    ids = [m.id for m in snap.members]
    shuffled = [f"x{i:03d}" for i in range(len(ids))]
    rnd.shuffle(shuffled)
    mapping = dict(zip(ids, shuffled, strict=True))
    before = {
        mapping[m.id]: s for m, s in zip(snap.members, score_members(snap).score, strict=True)
    }
    moved = relabel(snap, mapping)
    after = {m.id: s for m, s in zip(moved.members, score_members(moved).score, strict=True)}
    assert before.keys() == after.keys()
    for key, value in before.items():
        assert abs(value - after[key]) < 1e-9


@FAST
@given(committees(min_size=1), st.data())
def test_neutral_turned_supporter_never_lowers_the_share(snap: DealSnapshot, data) -> None:
    neutrals = [i for i, m in enumerate(snap.members) if m.stance == Stance.neutral]
    if not neutrals:
        snap = dataclasses.replace(
            snap,
            members=(
                dataclasses.replace(snap.members[0], stance=Stance.neutral),
                *snap.members[1:],
            ),
        )
        neutrals = [0]
    i = data.draw(st.sampled_from(neutrals))
    turned = list(snap.members)
    turned[i] = dataclasses.replace(turned[i], stance=Stance.supporter)
    after_snap = dataclasses.replace(snap, members=tuple(turned))
    before = support_state(snap, score_members(snap)).share
    after = support_state(after_snap, score_members(after_snap)).share
    assert after >= before - 1e-12


@FAST
@given(st.lists(committees(), min_size=1, max_size=5))
def test_fleet_scores_equal_per_deal_scores(snaps: list[DealSnapshot]) -> None:
    for snap, fleet in zip(snaps, fleet_scores(snaps), strict=True):
        single = score_members(snap)
        assert np.allclose(fleet.score, single.score, rtol=0, atol=1e-9)
        assert fleet.order == single.order


@FAST
@given(histories(), st.lists(st.integers(-10, 140), max_size=6))
def test_fast_folding_equals_dealhistory_snapshot(history, days) -> None:
    day = 86_400_000
    start = history.as_of - 130 * day
    instants = [None, *(start + d * day for d in days)]
    for t, snap in zip(instants, snapshots_at(history, instants), strict=True):
        assert snap == history.snapshot(t)


@FAST
@given(st.lists(histories(), min_size=1, max_size=4))
def test_engine_analysis_equals_the_networkx_reference(batch) -> None:
    for h, engine, (now, then) in zip(
        batch, analyze(batch), zip(*trend_pairs(batch), strict=True), strict=True
    ):
        # The engine's folding of both instants equals DealHistory.snapshot's.
        assert now == h.snapshot() and then == h.snapshot(then.as_of)
        single = analyze_history(h)
        assert_same_rows(engine.ranking, single.ranking)
        assert_same_risk(engine, single)
        assert engine.support.movers == single.support.movers or all(
            abs(a.delta - b.delta) <= 1e-9
            for a, b in zip(engine.support.movers, single.support.movers, strict=True)
        )


@FAST
@given(histories(), st.lists(st.integers(-10, 140), max_size=4))
def test_frames_of_one_deal_equal_the_reference_at_each_instant(history, days) -> None:
    # The deal map analyses one deal at several instants as one fleet.
    day = 86_400_000
    instants = [history.as_of - 130 * day + d * day for d in days]
    frames = analyze_snapshots(*trend_pairs_at(history, instants))
    for t, frame in zip(instants, frames, strict=True):
        single = analyze_history(history, as_of=t)
        assert_same_rows(frame.ranking, single.ranking)
        assert_same_risk(frame, single)


@FAST
@given(st.lists(histories(), min_size=1, max_size=4), st.sampled_from(list(Interval)))
def test_engine_support_histories_equal_the_reference(batch, interval) -> None:
    for h, points in zip(batch, support_histories(batch, interval=interval), strict=True):
        expected = support_history(h, interval=interval)
        assert [p.at for p in points] == [p.at for p in expected]
        for got, want in zip(points, expected, strict=True):
            assert abs(got.share - want.share) <= 1e-9
            assert abs(got.opposition - want.opposition) <= 1e-9
            assert (got.allies, got.completeness) == (want.allies, want.completeness)


@FAST
@given(st.lists(histories(), min_size=1, max_size=4))
def test_fleet_scan_equals_per_deal_assessment(batch) -> None:
    now, then = trend_pairs(batch)
    for a, b, fleet in zip(now, then, analyze_snapshots(now, then, ranking=False), strict=True):
        single = assess_snapshot(a, previous=b)
        full = analyze_snapshot(a, previous=b)
        assert [p.stakeholder_id for p in single.key_people] == [
            r.stakeholder_id for r in full.ranking[:3]
        ]
        assert_same_rows(fleet.key_people, full.key_people)
        assert fleet.flags == full.flags
        assert_same_risk(fleet, single)


@FAST
@given(st.lists(committees(), min_size=1, max_size=5))
def test_fleet_next_best_equals_per_deal(snaps: list[DealSnapshot]) -> None:
    for snap, fleet in zip(snaps, fleet_next_best(snaps, fleet_scores(snaps)), strict=True):
        single = next_best_contacts(snap)
        assert [c.stakeholder_id for c in fleet] == [c.stakeholder_id for c in single]
        for x, y in zip(fleet, single, strict=True):
            assert abs(x.support_gain - y.support_gain) < 1e-9
            assert abs(x.dm_stance_gain - y.dm_stance_gain) < 1e-9
            assert x.approach_via == y.approach_via


def test_fleet_next_best_with_a_zero_self_weight() -> None:
    # b listens only to a and keeps nothing of its own view (self-weight 0): the block
    # takes the per-deal route (forecast.py) inside the fleet pass.
    from graphsvc.analysis._examples import committee

    odd = committee(
        [("a", "Other", 3, "neutral"), ("b", "Other", 3, "blocker", False, 0.0)],
        influences=[("a", "b", 1.0)],
    )
    normal = committee([("c", "Influencer", 3, "neutral")])
    fleet = fleet_next_best([odd, normal], fleet_scores([odd, normal]))
    assert [[c.stakeholder_id for c in x] for x in fleet] == [
        [c.stakeholder_id for c in next_best_contacts(odd)],
        [c.stakeholder_id for c in next_best_contacts(normal)],
    ]
    assert fleet[0][0].support_gain == next_best_contacts(odd)[0].support_gain
