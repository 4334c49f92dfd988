"""The networkx reference: one deal at a time, every score from networkx.

Private, as networkx keeps ``_pagerank_python`` next to its public ``pagerank``: the
public path is the vectorised engine (:mod:`graphsvc.analysis.engine`), and the tests
hold the two equal (scores within 1e-9, identical flags, decision-makers, key people
and support histories). The reference is the slow, obvious formulation of the maths,
each deal scored by :func:`graphsvc.analysis.ranking.score_members` (networkx PageRank
and descendants), so that a change to the engine can be checked against it.
"""

from __future__ import annotations

from graphsvc.analysis.assembly import assemble_analysis, assemble_risk
from graphsvc.analysis.params import DEFAULT_PARAMS, AnalysisParams
from graphsvc.analysis.ranking import MemberScores, same_scores, score_members
from graphsvc.analysis.schemas import (
    DealAnalysis,
    DealRisk,
    Interval,
    SupportPoint,
    SupportSummary,
)
from graphsvc.analysis.support import (
    SupportState,
    history_points,
    map_completeness,
    summarize_support,
    support_point_at,
    support_state,
    trend_reference_instant,
)
from graphsvc.domain.snapshot import DealHistory, DealSnapshot


def _scored(
    snapshot: DealSnapshot, previous: DealSnapshot | None, params: AnalysisParams
) -> tuple[MemberScores, SupportState | None, dict[str, str] | None]:
    """Scores now (networkx), and the support state and names ``trend_weeks`` earlier."""
    scores = score_members(snapshot, params=params)
    prev_state = None
    names = None
    if previous is not None:
        # Stance changes alone do not move scores: reuse today's when nothing else moved.
        earlier = (
            scores if same_scores(snapshot, previous) else score_members(previous, params=params)
        )
        prev_state = support_state(previous, earlier)
        names = {m.id: m.stakeholder.name for m in (*previous.members, *snapshot.members)}
    return scores, prev_state, names


def analyze_snapshot(
    snapshot: DealSnapshot,
    *,
    previous: DealSnapshot | None = None,
    params: AnalysisParams = DEFAULT_PARAMS,
) -> DealAnalysis:
    """Analyse one committee; ``previous`` (the committee ``trend_weeks`` earlier) gives the trend.

    Examples
    --------
    >>> from graphsvc.analysis._examples import committee
    >>> result = analyze_snapshot(committee([("a", "Economic Buyer", 4, "supporter", True)]))
    >>> top = result.top_decision_maker
    >>> (result.ranking[0].stakeholder_id, result.support.share, top.confirmed)
    ('a', 1.0, True)
    """
    scores, prev_state, names = _scored(snapshot, previous, params)
    return assemble_analysis(snapshot, scores, prev_state, names=names, params=params)


def assess_snapshot(
    snapshot: DealSnapshot,
    *,
    previous: DealSnapshot | None = None,
    params: AnalysisParams = DEFAULT_PARAMS,
) -> DealRisk:
    """One deal's :class:`DealRisk` on the per-deal path (networkx): what the fleet scan
    gives for it, without the full ranking.

    Examples
    --------
    >>> from graphsvc.analysis._examples import committee
    >>> risk = assess_snapshot(committee([("a", "Economic Buyer"), ("b", "Other")]))
    >>> [p.stakeholder_id for p in risk.key_people], risk.flags[0].code.value
    (['a', 'b'], 'DM_NEVER_CONTACTED')
    """
    scores, prev_state, names = _scored(snapshot, previous, params)
    return assemble_risk(snapshot, scores, prev_state, names=names, params=params)


def analyze_history(
    history: DealHistory,
    *,
    as_of: int | None = None,
    params: AnalysisParams = DEFAULT_PARAMS,
) -> DealAnalysis:
    """Full analysis of a deal as of an instant (epoch ms; default the history's own),
    each committee folded by ``DealHistory.snapshot`` (the reference of the folding too).

    Examples
    --------
    >>> from graphsvc.analysis._examples import history_from_events
    >>> h = history_from_events([(0, "a", {"role": "Decision Maker", "stance": "supporter"})])
    >>> analyze_history(h).top_decision_maker.stakeholder_id
    'a'
    """
    now = history.snapshot(as_of)
    then = history.snapshot(
        trend_reference_instant(history.first_fact_at(), now.as_of, params=params)
    )
    return analyze_snapshot(now, previous=then, params=params)


def support_summary(
    history: DealHistory,
    *,
    as_of: int | None = None,
    params: AnalysisParams = DEFAULT_PARAMS,
) -> SupportSummary:
    """Support base of a deal as of an instant, with its trend over ``trend_weeks``.

    Parameters
    ----------
    history : DealHistory
        The deal's facts.
    as_of : int, optional
        Epoch ms (default: the history's own instant).
    params : AnalysisParams
        Thresholds.

    Examples
    --------
    >>> from graphsvc.analysis._examples import history_from_events
    >>> h = history_from_events([(0, "a", {"role": "Other", "stance": "supporter"}),
    ...                          (0, "b", {"role": "Other", "stance": "neutral"}),
    ...                          (90, "b", {"role": "Other", "stance": "supporter"})],
    ...                         as_of_day=100)
    >>> s = support_summary(h)
    >>> (s.share, s.trend.value, round(s.trend_delta, 2))
    (1.0, 'growing', 0.5)
    """
    now = history.snapshot(as_of)
    then = history.snapshot(
        trend_reference_instant(history.first_fact_at(), now.as_of, params=params)
    )
    state = support_state(now, score_members(now, params=params))
    previous = support_state(then, score_members(then, params=params))
    names = {sid: info.name for sid, info in history.stakeholders.items()}
    return summarize_support(now, state, previous, names=names, params=params)


def _support_point(
    snapshot: DealSnapshot, state: SupportState, *, params: AnalysisParams = DEFAULT_PARAMS
) -> SupportPoint:
    completeness, _ = map_completeness(snapshot, params=params)
    return support_point_at(snapshot.as_of, state, completeness)


def support_history(
    history: DealHistory,
    *,
    start: int | None = None,
    end: int | None = None,
    interval: Interval = Interval.week,
    params: AnalysisParams = DEFAULT_PARAMS,
) -> list[SupportPoint]:
    """Support share, opposition, allies and completeness at regular points in time.

    Parameters
    ----------
    history : DealHistory
        The deal's facts.
    start, end : int, optional
        Epoch ms; default from the deal's first fact to the history's instant.
    interval : Interval
        Step between points, counted back from ``end``.

    Returns
    -------
    list[SupportPoint]
        Oldest first; empty for a deal without any fact.

    Examples
    --------
    One member who turns from blocker to champion on day 2, every day for four days:

    >>> from graphsvc.analysis._examples import history_from_events
    >>> h = history_from_events([(0, "a", {"role": "Other", "stance": "blocker"}),
    ...                          (2, "a", {"role": "Other", "stance": "champion"})],
    ...                         as_of_day=3)
    >>> [(p.share, p.opposition) for p in support_history(h, interval=Interval.day)]
    [(0.0, 1.0), (0.0, 1.0), (1.0, 0.0), (1.0, 0.0)]
    """
    instants = history_points(history, start=start, end=end, interval=interval)
    points: list[SupportPoint] = []
    for t in instants:
        snap = history.snapshot(t)
        points.append(
            _support_point(
                snap, support_state(snap, score_members(snap, params=params)), params=params
            )
        )
    return points
