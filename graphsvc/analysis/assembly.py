"""One deal's result assembled from its scores: ranking rows, top decision-maker,
support base and trend, risk flags.

:func:`assemble_analysis` (and :func:`assemble_risk`, the scan's lighter result without
the full ranking) turn already-scored snapshots into results. The engine
(:mod:`graphsvc.analysis.engine`, vectorised scoring) and the networkx reference
(:mod:`graphsvc.analysis._reference`) both end here, so they cannot disagree on
anything but float noise in the scores.
"""

from __future__ import annotations

from typing import Any, Literal

from graphsvc.analysis._build import checked
from graphsvc.analysis.coverage import member_coverage
from graphsvc.analysis.decision import describe_top_dm, top_dm_index
from graphsvc.analysis.flags import risk_flags
from graphsvc.analysis.params import DEFAULT_PARAMS, AnalysisParams
from graphsvc.analysis.ranking import MemberScores, ranked_members
from graphsvc.analysis.schemas import DealAnalysis, DealRisk
from graphsvc.analysis.support import SupportState, summarize_support, support_state
from graphsvc.domain.models import from_ms
from graphsvc.domain.snapshot import DealSnapshot


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
    """:func:`assemble_analysis` without the full ranking (the fleet scan's result).

    Examples
    --------
    >>> from graphsvc.analysis._examples import committee
    >>> from graphsvc.analysis.ranking import score_members
    >>> snap = committee([("a", "Decision Maker", 5, "supporter"), ("b", "Other", 1)])
    >>> risk = assemble_risk(snap, score_members(snap), None)
    >>> risk.top_decision_maker.stakeholder_id, [p.stakeholder_id for p in risk.key_people]
    ('a', ['a', 'b'])
    """
    return checked(DealRisk, _assembled(snapshot, scores, previous, everyone=False, **known))
