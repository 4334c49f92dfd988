"""Support base, coverage, completeness, history and trend on hand-built deals."""

from __future__ import annotations

import pytest

from graphsvc.analysis._examples import DAY_MS, T0, committee, contact, history_from_events
from graphsvc.analysis._reference import support_summary
from graphsvc.analysis.coverage import member_coverage
from graphsvc.analysis.engine import support_histories
from graphsvc.analysis.params import AnalysisParams
from graphsvc.analysis.ranking import score_members
from graphsvc.analysis.schemas import Coverage, Interval
from graphsvc.analysis.support import (
    history_instants,
    map_completeness,
    support_state,
)


def test_shares_are_influence_weighted() -> None:
    # No lines, position 0.5 for all, network 1 for all; role Other (0.2):
    #   authority = 0.6*0.2 + 0.4*0.5 = 0.32 -> 0.4*0.32 = 0.128, network 0.35
    #   a rating 5: 0.128 + 0.35 + 0.25  = 0.728
    #   b rating 1: 0.128 + 0.35 + 0     = 0.478
    #   c rating 3: 0.128 + 0.35 + 0.125 = 0.603       total 1.809
    snap = committee(
        [("a", "Other", 5, "champion"), ("b", "Other", 1, "blocker"), ("c", "Other", 3, "unknown")]
    )
    state = support_state(snap, score_members(snap))
    assert state.share == pytest.approx(0.728 / 1.809)
    assert state.opposition == pytest.approx(0.478 / 1.809)
    assert state.neutral == pytest.approx(0.603 / 1.809)
    assert state.allies == 0


def test_empty_committee_has_zero_shares() -> None:
    snap = committee([])
    state = support_state(snap, score_members(snap))
    assert (state.share, state.opposition, state.neutral, state.allies) == (0.0, 0.0, 0.0, 0)


def test_coverage_thresholds() -> None:
    # a: 1 interaction -> brief; b: 2 calls -> multiple; c: 4 with 2 meetings -> in depth;
    # d: 4 calls, no meeting -> multiple only; e: nothing -> none.
    interactions = [contact(1, "a", "b", channel="call"), contact(2, "b", channel="call")]
    interactions += [contact(3 + k, "c", channel="meeting" if k < 2 else "email") for k in range(4)]
    interactions += [contact(10 + k, "d", channel="call") for k in range(4)]
    snap = committee([(x, "Other") for x in "abcde"], interactions=interactions)
    cov = member_coverage(snap)
    assert {k: v[0] for k, v in cov.items()} == {
        "a": Coverage.brief,
        "b": Coverage.multiple,
        "c": Coverage.in_depth,
        "d": Coverage.multiple,
        "e": Coverage.none,
    }
    assert cov["d"][1] == 4 and cov["d"][2] == T0 + 13 * DAY_MS
    assert cov["e"][2] is None


def test_map_completeness_tokens() -> None:
    # An ally counts for ally_or_champion even without the Champion role.
    snap = committee([("a", "Economic Buyer"), ("b", "Influencer", 3, "supporter", True)])
    assert map_completeness(snap) == (pytest.approx(2 / 3), ["Executive Sponsor"])
    params = AnalysisParams(required_roles=("Technical Buyer", "Gatekeeper"))
    assert map_completeness(snap, params=params) == (0.0, ["Technical Buyer", "Gatekeeper"])
    assert map_completeness(snap, params=AnalysisParams(required_roles=())) == (1.0, [])


def test_history_instants_day_week_month() -> None:
    day = DAY_MS
    assert history_instants(0, 3 * day, "day") == [0, day, 2 * day, 3 * day]
    assert history_instants(0, 20 * day, "week") == [0, 6 * day, 13 * day, 20 * day]
    # 2026-01-31 back by calendar months: Dec 31, Nov 30 (clamped), Oct 31.
    end = T0 + 30 * day  # 2026-01-31
    start = T0 - 92 * day  # 2025-10-01
    points = history_instants(start, end, "month")
    # Oct 31 -> Jan 31 is 92 days, Nov 30 -> Jan 31 is 62, Dec 31 -> Jan 31 is 31.
    assert [p - end for p in points[1:]] == [-92 * day, -62 * day, -31 * day, 0]
    assert points[0] == start
    with pytest.raises(ValueError):
        history_instants(0, day, "year")  # type: ignore[arg-type]


def test_support_history_weekly_from_first_fact() -> None:
    # a supporter from day 0, b neutral until day 10 then supporter: equal weights.
    h = history_from_events(
        [
            (0, "a", {"role": "Other", "stance": "supporter"}),
            (0, "b", {"role": "Other", "stance": "neutral"}),
            (10, "b", {"role": "Other", "stance": "supporter"}),
            (12, "a", {}),
        ],  # a leaves on day 12
        as_of_day=21,
    )
    points = support_histories([h])[0]
    # Points at day 0, 7, 14, 21 (back from day 21, weekly): shares 0.5, 0.5, 1.0 (only b).
    assert [(p.at.day, p.share) for p in points] == [(1, 0.5), (8, 0.5), (15, 1.0), (22, 1.0)]
    daily = support_histories([h], interval=Interval.day)[0]
    assert len(daily) == 22
    assert support_histories([history_from_events([])]) == [[]]


def test_trend_growing_with_movers_and_configurable_window() -> None:
    events = [(0, f"m{i}", {"role": "Influencer", "stance": "neutral"}) for i in range(4)]
    events += [
        (80, "m1", {"role": "Influencer", "stance": "supporter"}),
        (95, "m2", {"role": "Influencer", "stance": "champion"}),
    ]
    h = history_from_events(events, as_of_day=100)
    summary = support_summary(h)
    assert summary.trend.value == "growing" and summary.trend_delta == pytest.approx(0.5)
    assert [m.stakeholder_id for m in summary.movers] == ["m1", "m2"]
    assert all(m.delta == pytest.approx(0.25) for m in summary.movers)
    # A one-week window only sees m2's change.
    week = support_summary(h, params=AnalysisParams(trend_weeks=1))
    assert week.trend_delta == pytest.approx(0.25) and week.trend_weeks == 1
    # A 30-point threshold makes +25 points "stable".
    assert (
        support_summary(h, params=AnalysisParams(trend_weeks=1, trend_threshold=0.3)).trend.value
        == "stable"
    )
