"""One deal's full analysis: ranking, top decision-maker, support base, risk flags.

:func:`assemble_analysis` turns already-scored snapshots into a :class:`DealAnalysis`;
the per-deal path (networkx, :func:`analyze_history`) and the fleet path
(scipy, :mod:`graphsvc.analysis.fleet`) both end in it, so they cannot disagree on
anything but float noise in the scores.
"""

from __future__ import annotations

from typing import Any, Literal

from graphsvc.analysis._build import checked
from graphsvc.analysis.decision import describe_top_dm, top_dm_index
from graphsvc.analysis.flags import risk_flags
from graphsvc.analysis.params import DEFAULT_PARAMS, AnalysisParams
from graphsvc.analysis.ranking import MemberScores, ranked_members, same_scores, score_members
from graphsvc.analysis.schemas import DealAnalysis, DealRisk
from graphsvc.analysis.support import (
    SupportState,
    member_coverage,
    summarize_support,
    support_state,
    trend_reference_instant,
)
from graphsvc.domain.models import from_ms
from graphsvc.domain.snapshot import DealHistory, DealSnapshot


def _assembled(
    snapshot: DealSnapshot,
    scores: MemberScores,
    previous: SupportState | None,
    *,
    everyone: bool,
    state: SupportState | None = None,
    names: dict[str, str] | None = None,
    top_dm: tuple[int, bool] | Literal[False] | None = False,
    friend_reaches_dm: bool | None = None,
    params: AnalysisParams = DEFAULT_PARAMS,
) -> dict[str, Any]:
    """The field values of a :class:`DealRisk` (with ``ranking`` too when ``everyone``)."""
    if state is None:
        state = support_state(snapshot, scores)
    support = summarize_support(snapshot, state, previous, names=names, params=params)
    found = (
        top_dm_index(snapshot, scores, decimals=params.rank_decimals) if top_dm is False else top_dm
    )
    if everyone:
        ranking = ranked_members(
            snapshot, scores, coverage=member_coverage(snapshot, params=params)
        )
        key_people = ranking[: params.key_people]
    else:
        key = [snapshot.members[i].id for i in scores.order[: params.key_people]]
        key_people = ranked_members(
            snapshot,
            scores,
            coverage=member_coverage(snapshot, params=params, only=key),
            limit=params.key_people,
        )
    deal = snapshot.deal
    values: dict[str, Any] = dict(
        deal_id=deal.id,
        deal_name=deal.name,
        owner_email=deal.owner_email,
        status=deal.status.value,
        amount=deal.amount,
        as_of=from_ms(snapshot.as_of),
        top_decision_maker=describe_top_dm(snapshot, scores, found),
        support=support,
        flags=risk_flags(
            snapshot,
            scores=scores,
            support=support,
            top_dm=found,
            friend_reaches_dm=friend_reaches_dm,
            params=params,
        ),
        key_people=key_people,
    )
    if everyone:
        values["ranking"] = ranking
    return values


def assemble_analysis(
    snapshot: DealSnapshot, scores: MemberScores, previous: SupportState | None, **known: Any
) -> DealAnalysis:
    """Build the :class:`DealAnalysis` of a scored snapshot (``previous``: support state
    ``trend_weeks`` earlier, or ``None`` for no trend). ``known`` may pass ``state``,
    ``names``, ``top_dm`` and ``friend_reaches_dm`` when already computed (the fleet
    does), and ``params``."""
    return checked(DealAnalysis, _assembled(snapshot, scores, previous, everyone=True, **known))


def assemble_risk(
    snapshot: DealSnapshot, scores: MemberScores, previous: SupportState | None, **known: Any
) -> DealRisk:
    """:func:`assemble_analysis` without the full ranking (the fleet scan's result)."""
    return checked(DealRisk, _assembled(snapshot, scores, previous, everyone=False, **known))


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


def trend_snapshots(
    history: DealHistory, *, as_of: int | None = None, params: AnalysisParams = DEFAULT_PARAMS
) -> tuple[DealSnapshot, DealSnapshot]:
    """The snapshot at ``as_of`` and the one the trend compares it with."""
    # The fleet's folding: one sort per deal for both instants (equal to
    # DealHistory.snapshot, see tests/analysis/test_properties.py).
    from graphsvc.analysis.fleet import snapshots_at

    t = history.as_of if as_of is None else min(as_of, history.as_of)
    then = trend_reference_instant(history.first_fact_at(), t, params=params)
    now_snapshot, then_snapshot = snapshots_at(history, [t, then])
    return now_snapshot, then_snapshot


def analyze_history(
    history: DealHistory,
    *,
    as_of: int | None = None,
    params: AnalysisParams = DEFAULT_PARAMS,
) -> DealAnalysis:
    """Full analysis of a deal as of an instant (epoch ms; default the history's own).

    Parameters
    ----------
    history : DealHistory
        All facts of the deal, as the store returns them.
    as_of : int, optional
        Time travel: the answer the data held at that instant.
    params : AnalysisParams
        Weights and thresholds.

    Examples
    --------
    >>> from graphsvc.analysis._examples import history_from_events
    >>> h = history_from_events([(0, "a", {"role": "Decision Maker", "stance": "supporter"})])
    >>> analyze_history(h).top_decision_maker.stakeholder_id
    'a'
    """
    now, then = trend_snapshots(history, as_of=as_of, params=params)
    return analyze_snapshot(now, previous=then, params=params)
