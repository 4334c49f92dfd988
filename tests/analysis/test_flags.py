"""Every risk flag, firing and not firing, on scenario committees (tests/analysis/scenarios.py)."""

from __future__ import annotations

import pytest

from graphsvc.analysis._examples import contact, history_from_events
from graphsvc.analysis.engine import analyze, analyze_snapshots
from graphsvc.analysis.params import AnalysisParams
from graphsvc.analysis.schemas import DealAnalysis, FlagCode, Severity
from graphsvc.domain.models import DealStatus
from graphsvc.domain.snapshot import DealHistory, DealSnapshot
from tests.analysis.scenarios import deal, healthy_interactions


def analyze_snapshot(
    snapshot: DealSnapshot,
    *,
    previous: DealSnapshot | None = None,
    params: AnalysisParams | None = None,
) -> DealAnalysis:
    """The engine on one committee (a fleet of one)."""
    earlier = None if previous is None else [previous]
    return analyze_snapshots([snapshot], earlier, params=params or AnalysisParams())[0]


def analyze_history(history: DealHistory, *, as_of: int | None = None) -> DealAnalysis:
    return analyze([history], as_of=as_of)[0]


def codes(snapshot, **kwargs) -> dict[FlagCode, object]:
    return {f.code: f for f in analyze_snapshot(snapshot, **kwargs).flags}


def test_the_healthy_deal_has_no_flag() -> None:
    assert codes(deal()) == {}


def test_closed_deals_get_no_flags() -> None:
    broken = deal(change={"dm": {"stance": "blocker"}}, interactions=[])
    assert codes(broken)  # the same committee open is full of flags
    for status in (DealStatus.won, DealStatus.lost):
        assert (
            analyze_snapshot(
                deal(change={"dm": {"stance": "blocker"}}, interactions=[], status=status)
            ).flags
            == []
        )


def test_dm_never_contacted() -> None:
    others_only = [contact(60, "ev"), contact(90, "ch"), contact(95, "sp", next_step_day=110)]
    flag = codes(deal(interactions=others_only))[FlagCode.DM_NEVER_CONTACTED]
    assert flag.severity == Severity.high and flag.stakeholder_ids == ["dm"]
    assert FlagCode.DM_NOT_RECENTLY_CONTACTED not in codes(deal(interactions=others_only))
    assert FlagCode.DM_NEVER_CONTACTED not in codes(deal())


def test_dm_contacted_only_after_as_of_is_still_never_contacted_then() -> None:
    # Time travel: the decision-maker's first meeting is on day 120.
    history = history_from_events(
        [
            (0, "dm", {"role": "Decision Maker", "stance": "neutral", "rating": 5}),
            (0, "ch", {"role": "Champion", "stance": "champion", "ally": True}),
            (0, "sp", {"role": "Executive Sponsor", "stance": "supporter"}),
        ],
        interactions=[contact(10, "ch", next_step_day=200), contact(120, "dm", next_step_day=200)],
        as_of_day=150,
    )
    day = 86_400_000
    t0 = history.as_of - 150 * day
    before = {f.code for f in analyze_history(history, as_of=t0 + 100 * day).flags}
    after = {f.code for f in analyze_history(history, as_of=t0 + 130 * day).flags}
    assert FlagCode.DM_NEVER_CONTACTED in before
    assert FlagCode.DM_NEVER_CONTACTED not in after
    assert analyze_history(history, as_of=t0 + 100 * day).top_decision_maker.contacted is False


def test_dm_not_recently_contacted_uses_the_configured_days() -> None:
    # Last contact with dm on day 54: 46 days before day 100 (> 45) -> fires.
    old = [contact(54, "dm"), contact(90, "ch"), contact(95, "sp", next_step_day=110)]
    flag = codes(deal(interactions=old))[FlagCode.DM_NOT_RECENTLY_CONTACTED]
    assert flag.severity == Severity.medium and flag.stakeholder_ids == ["dm"]
    # Day 56: 44 days -> quiet; with dm_recent_days=30 it fires again.
    recent = [contact(56, "dm"), contact(90, "ch"), contact(95, "sp", next_step_day=110)]
    assert FlagCode.DM_NOT_RECENTLY_CONTACTED not in codes(deal(interactions=recent))
    assert FlagCode.DM_NOT_RECENTLY_CONTACTED in codes(
        deal(interactions=recent), params=AnalysisParams(dm_recent_days=30)
    )


def test_dm_unconfirmed_picks_the_top_of_the_reporting_lines() -> None:
    # Nobody holds a decision role; dm (now "Other") is on top of ev -> sp -> dm.
    snap = deal(change={"dm": {"role": "Other", "rating": 1}})
    analysis = analyze_snapshot(snap)
    flag = {f.code: f for f in analysis.flags}[FlagCode.DM_UNCONFIRMED]
    assert flag.severity == Severity.medium and flag.stakeholder_ids == ["dm"]
    assert analysis.top_decision_maker.stakeholder_id == "dm"
    assert analysis.top_decision_maker.confirmed is False
    assert FlagCode.DM_UNCONFIRMED not in codes(deal())


def test_empty_committee_is_unconfirmed_and_incomplete() -> None:
    analysis = analyze_snapshot(deal(members={}, interactions=[], influences=[], reporting=[]))
    assert analysis.top_decision_maker is None and analysis.ranking == []
    assert {FlagCode.DM_UNCONFIRMED, FlagCode.NO_ALLY, FlagCode.MAP_INCOMPLETE} <= {
        f.code for f in analysis.flags
    }


def _shrinking(members: int, flips: int, *, as_of_day: float = 100):
    # ``members`` equal members (same role, rating, no lines: equal weights 1/members),
    # all supporters from day 0; ``flips`` of them turn neutral on day 90.
    events = [
        (0, f"m{i}", {"role": "Influencer", "stance": "supporter", "rating": 3})
        for i in range(members)
    ]
    events += [
        (90, f"m{i}", {"role": "Influencer", "stance": "neutral", "rating": 3})
        for i in range(flips)
    ]
    return history_from_events(events, as_of_day=as_of_day)


def test_support_shrinking_high_when_fifteen_points_or_more() -> None:
    # 4 members, one flips: share 1.0 -> 0.75, a fall of 25 points within 4 weeks.
    analysis = analyze_history(_shrinking(4, 1))
    flag = {f.code: f for f in analysis.flags}[FlagCode.SUPPORT_SHRINKING]
    assert analysis.support.trend.value == "shrinking"
    assert analysis.support.trend_delta == pytest.approx(-0.25)
    assert flag.severity == Severity.high and flag.stakeholder_ids == ["m0"]
    assert [m.stakeholder_id for m in analysis.support.movers] == ["m0"]


def test_support_shrinking_medium_below_fifteen_points() -> None:
    # 10 members, one flips: a fall of 10 points -> medium.
    flag = {f.code: f for f in analyze_history(_shrinking(10, 1)).flags}[FlagCode.SUPPORT_SHRINKING]
    assert flag.severity == Severity.medium


def test_support_not_shrinking_under_the_threshold_or_outside_the_window() -> None:
    # 25 members, one flips: 4 points < 5 -> stable.
    assert FlagCode.SUPPORT_SHRINKING not in {
        f.code for f in analyze_history(_shrinking(25, 1)).flags
    }
    # The flip on day 90 is more than 4 weeks before day 130: stable again.
    late = analyze_history(_shrinking(4, 1, as_of_day=130))
    assert FlagCode.SUPPORT_SHRINKING not in {f.code for f in late.flags}
    assert late.support.trend.value == "stable"


def test_no_ally() -> None:
    flag = codes(deal(change={"sp": {"ally": False}, "ch": {"ally": False}}))[FlagCode.NO_ALLY]
    assert flag.severity == Severity.medium
    assert FlagCode.NO_ALLY not in codes(deal(change={"sp": {"ally": False}}))


def test_influential_blocker_only_among_the_top_three() -> None:
    flag = codes(deal(change={"dm": {"stance": "blocker"}}))[FlagCode.INFLUENTIAL_BLOCKER]
    assert flag.severity == Severity.high and flag.stakeholder_ids == ["dm"]
    skeptic = codes(deal(change={"sp": {"stance": "skeptic"}}))
    assert skeptic[FlagCode.INFLUENTIAL_BLOCKER].stakeholder_ids == ["sp"]
    # ev is ranked 4th of 4: a blocker there is not "influential".
    ranking = analyze_snapshot(deal(change={"ev": {"stance": "blocker"}})).ranking
    assert [r.stakeholder_id for r in ranking][-1] == "ev"
    assert FlagCode.INFLUENTIAL_BLOCKER not in codes(deal(change={"ev": {"stance": "blocker"}}))


def test_no_path_to_dm() -> None:
    # dm neutral, no lines at all: no friend reaches them.
    lonely = deal(change={"dm": {"stance": "neutral"}}, influences=[], reporting=[])
    flag = codes(lonely)[FlagCode.NO_PATH_TO_DM]
    assert flag.severity == Severity.medium and flag.stakeholder_ids == ["dm"]
    # An influence line from the ally sp to dm is a path.
    assert FlagCode.NO_PATH_TO_DM not in codes(
        deal(change={"dm": {"stance": "neutral"}}, influences=[("sp", "dm", 0.3)], reporting=[])
    )
    # So is a reporting line (either direction), also through a neutral member.
    assert FlagCode.NO_PATH_TO_DM not in codes(
        deal(
            change={"dm": {"stance": "neutral"}},
            influences=[("ch", "ev", 0.5)],
            reporting=[("dm", "ev")],
        )
    )
    # An influence line *from* dm to the ally is not a path to dm.
    assert FlagCode.NO_PATH_TO_DM in codes(
        deal(change={"dm": {"stance": "neutral"}}, influences=[("dm", "sp", 0.9)], reporting=[])
    )


def test_single_threaded() -> None:
    only_dm = [contact(80, "dm"), contact(95, "dm", next_step_day=110)]
    flag = codes(deal(interactions=only_dm))[FlagCode.SINGLE_THREADED]
    assert flag.severity == Severity.medium and flag.stakeholder_ids == ["dm"]
    # Two members only: below the 3-member minimum.
    two = deal(
        members={
            "dm": ("Economic Decision Maker", 5, "supporter", True),
            "sp": ("Executive Sponsor", 4, "supporter", False),
        },
        interactions=only_dm,
        influences=[],
        reporting=[],
    )
    assert FlagCode.SINGLE_THREADED not in codes(two)
    assert FlagCode.SINGLE_THREADED not in codes(deal())
    # One meeting with dm and sp together is not single-threaded.
    assert FlagCode.SINGLE_THREADED not in codes(
        deal(interactions=[contact(95, "dm", "sp", next_step_day=110)])
    )


def test_stale() -> None:
    old = [contact(50, "dm", "sp", next_step_day=110), contact(69, "ch", next_step_day=110)]
    flag = codes(deal(interactions=old))[FlagCode.STALE]  # 31 days without contact
    assert flag.severity == Severity.medium
    assert FlagCode.STALE not in codes(deal())
    assert FlagCode.STALE in codes(deal(interactions=[]))
    assert FlagCode.STALE not in codes(deal(interactions=old), params=AnalysisParams(stale_days=40))


def test_no_next_step() -> None:
    base = healthy_interactions()[:-1]
    missing = codes(deal(interactions=[*base, contact(95, "dm", "sp")]))[FlagCode.NO_NEXT_STEP]
    assert missing.severity == Severity.low
    past = codes(deal(interactions=[*base, contact(95, "dm", "sp", next_step_day=99)]))
    assert FlagCode.NO_NEXT_STEP in past
    assert FlagCode.NO_NEXT_STEP not in codes(deal())
    # Only the latest interaction counts: an older one with a future step does not help.
    older_plan = [contact(90, "ch", next_step_day=120), contact(95, "dm", "sp")]
    assert FlagCode.NO_NEXT_STEP in codes(deal(interactions=older_plan))


def test_key_person_stance_unknown() -> None:
    flag = codes(deal(change={"dm": {"stance": "unknown"}}))[FlagCode.KEY_PERSON_STANCE_UNKNOWN]
    assert flag.severity == Severity.low and flag.stakeholder_ids == ["dm"]
    assert FlagCode.KEY_PERSON_STANCE_UNKNOWN not in codes(
        deal(change={"ev": {"stance": "unknown"}})
    )


def test_map_incomplete() -> None:
    analysis = analyze_snapshot(deal(change={"sp": {"role": "Influencer"}}))
    flag = {f.code: f for f in analysis.flags}[FlagCode.MAP_INCOMPLETE]
    assert flag.severity == Severity.low
    assert analysis.support.missing_roles == ["Executive Sponsor"]
    assert analysis.support.completeness == pytest.approx(2 / 3)
    # Configurable: without the sponsor requirement the map is complete.
    params = AnalysisParams(required_roles=("decision_maker", "ally_or_champion"))
    assert FlagCode.MAP_INCOMPLETE not in codes(
        deal(change={"sp": {"role": "Influencer"}}), params=params
    )


def test_flags_are_ordered_by_severity() -> None:
    flags = analyze_snapshot(deal(change={"dm": {"stance": "blocker"}}, interactions=[])).flags
    weights = [f.severity.weight for f in flags]
    assert weights == sorted(weights, reverse=True)
