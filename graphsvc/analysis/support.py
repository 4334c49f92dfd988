"""Support base: who is on our side, weighted by influence, and where it is heading.

* **Weights.** Each member weighs ``score_i / sum(scores)`` (equal weights if every
  score is 0), so the shares of a committee add up to 1.
* **share** = total weight of members with stance +1 or +2; **opposition** = weight of
  stance -1 or -2; **neutral** = the rest (neutral and unknown).
* **Map completeness**: the share of ``required_roles`` filled. Tokens:
  ``decision_maker`` (any of Decision Maker, Economic Decision Maker, Economic Buyer),
  ``ally_or_champion`` (an ally, or the Champion role), or any role name.
* **Trend**: share now minus share ``trend_weeks`` weeks earlier (or at the deal's
  first fact, if that is later); ``growing`` / ``shrinking`` when the change reaches
  ``trend_threshold``, else ``stable``. Movers are the members whose own contribution
  (weight if supporter, else 0) changed most.
* **History**: points every day / week / month, counted back from the end instant and
  starting at the deal's first fact (:func:`history_points`; the engine scores them,
  :func:`graphsvc.analysis.engine.support_histories`).

Coverage of each member lives in :mod:`graphsvc.analysis.coverage`.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from graphsvc.analysis._build import checked
from graphsvc.analysis.params import (
    DEFAULT_PARAMS,
    REQUIRED_ALLY_OR_CHAMPION,
    REQUIRED_DECISION_MAKER,
    AnalysisParams,
)
from graphsvc.analysis.ranking import MemberScores
from graphsvc.analysis.schemas import (
    Interval,
    SupportPoint,
    SupportSummary,
    Trend,
    TrendMover,
)
from graphsvc.domain.models import DECISION_ROLES, Role, from_ms
from graphsvc.domain.snapshot import DealHistory, DealSnapshot

# A required role may be named by its value ("Executive Sponsor") or its name
# ("executive_sponsor").
_ROLE_BY_TOKEN = {**{r.value: r for r in Role}, **{r.name: r for r in Role}}
DAY_MS = 86_400_000
WEEK_MS = 7 * DAY_MS


@dataclass(frozen=True, slots=True)
class SupportState:
    """Per-member weights and the three shares of one snapshot."""

    ids: tuple[str, ...]
    weights: np.ndarray
    supporter: np.ndarray  # bool per member
    opposed: np.ndarray  # bool per member
    share: float
    opposition: float
    neutral: float
    allies: int

    def contributions(self) -> dict[str, float]:
        """Each supporter's part of the share (everyone else contributes nothing)."""
        ids = self.ids
        weights = self.weights.tolist()
        return {ids[i]: weights[i] for i in np.flatnonzero(self.supporter).tolist()}


def influence_weights(score: np.ndarray) -> np.ndarray:
    """Normalised influence weights of a committee (equal when all scores are 0).

    Examples
    --------
    >>> influence_weights(np.array([30.0, 10.0])).tolist()
    [0.75, 0.25]
    >>> influence_weights(np.zeros(0)).tolist()
    []
    """
    if len(score) == 0:
        return np.zeros(0)
    total = float(score.sum())
    if total <= 0:
        return np.full(len(score), 1.0 / len(score))
    return score / total


def support_state(snapshot: DealSnapshot, scores: MemberScores) -> SupportState:
    """Shares of support / opposition / neutral for a scored snapshot.

    Examples
    --------
    >>> from graphsvc.analysis._examples import committee
    >>> from graphsvc.analysis.ranking import score_members
    >>> snap = committee([("a", "Other", 3, "supporter"), ("b", "Other", 3, "blocker")])
    >>> state = support_state(snap, score_members(snap))
    >>> (state.share, state.opposition, state.neutral)
    (0.5, 0.5, 0.0)
    """
    members = snapshot.members
    ids = tuple(m.id for m in members)
    weights = influence_weights(scores.score)
    numeric = np.array([m.stance.numeric for m in members], dtype=np.int64)
    supporter = numeric >= 1
    opposed = numeric <= -1
    share = float(weights[supporter].sum()) if len(ids) else 0.0
    opposition = float(weights[opposed].sum()) if len(ids) else 0.0
    neutral = max(0.0, 1.0 - share - opposition) if len(ids) else 0.0
    return SupportState(
        ids=ids,
        weights=weights,
        supporter=supporter,
        opposed=opposed,
        share=min(1.0, share),
        opposition=min(1.0, opposition),
        neutral=neutral,
        allies=sum(1 for m in members if m.ally),
    )


def map_completeness(
    snapshot: DealSnapshot, *, params: AnalysisParams = DEFAULT_PARAMS
) -> tuple[float, list[str]]:
    """Share of the required roles filled, and the missing ones.

    Examples
    --------
    >>> from graphsvc.analysis._examples import committee
    >>> map_completeness(committee([("a", "Decision Maker"), ("b", "Champion")]))
    (0.6666666666666666, ['Executive Sponsor'])
    >>> map_completeness(committee([]))
    (0.0, ['decision_maker', 'ally_or_champion', 'Executive Sponsor'])
    """
    required = params.required_roles
    if not required:
        return 1.0, []
    roles = {m.role for m in snapshot.members}
    has_ally = any(m.ally for m in snapshot.members)
    missing: list[str] = []
    for token in required:
        if token == REQUIRED_DECISION_MAKER:
            filled = bool(roles & DECISION_ROLES)
        elif token == REQUIRED_ALLY_OR_CHAMPION:
            filled = has_ally or Role.champion in roles
        else:
            role = _ROLE_BY_TOKEN.get(token)
            filled = role in roles if role is not None else False
        if not filled:
            missing.append(token)
    return (len(required) - len(missing)) / len(required), missing


def trend_of(delta: float, *, params: AnalysisParams = DEFAULT_PARAMS) -> Trend:
    """``growing`` / ``shrinking`` when ``|delta|`` reaches the threshold, else ``stable``.

    Examples
    --------
    >>> [trend_of(d).value for d in (0.05, -0.08, 0.01)]
    ['growing', 'shrinking', 'stable']
    """
    # A hair of tolerance so a change of exactly the threshold counts despite float noise.
    if delta >= params.trend_threshold - 1e-12:
        return Trend.growing
    if delta <= -params.trend_threshold + 1e-12:
        return Trend.shrinking
    return Trend.stable


def trend_reference_instant(
    history_first_ms: int | None, as_of: int, *, params: AnalysisParams = DEFAULT_PARAMS
) -> int:
    """The instant the trend compares with: ``trend_weeks`` back, not before the first fact."""
    then = as_of - params.trend_weeks * WEEK_MS
    if history_first_ms is not None:
        then = max(then, min(history_first_ms, as_of))
    return then


def _name_of(
    stakeholder_id: str, snapshot: DealSnapshot, state: SupportState, names: dict[str, str] | None
) -> str:
    """A mover's name: from ``names`` when given (it knows who left), else from the
    committee (``state.ids`` is aligned with ``snapshot.members``)."""
    if names is not None:
        return names.get(stakeholder_id, stakeholder_id)
    try:
        return snapshot.members[state.ids.index(stakeholder_id)].stakeholder.name
    except ValueError:
        return stakeholder_id


def summarize_support(
    snapshot: DealSnapshot,
    state: SupportState,
    previous: SupportState | None,
    *,
    names: dict[str, str] | None = None,
    params: AnalysisParams = DEFAULT_PARAMS,
) -> SupportSummary:
    """Assemble the :class:`SupportSummary` from the state now and ``trend_weeks`` ago."""
    completeness, missing = map_completeness(snapshot, params=params)
    delta = 0.0
    movers: list[TrendMover] = []
    if previous is not None:
        delta = state.share - previous.share
        # Candidates as (-|delta| rounded, id, delta): the smallest come first, i.e. the
        # largest moves, ties by id.
        if state.ids == previous.ids:
            # Same people: one vector subtraction instead of two dicts.
            moved = state.weights * state.supporter - previous.weights * previous.supporter
            changed = np.flatnonzero(np.abs(moved) > 1e-9)
            keys = (-np.round(np.abs(moved[changed]), 9)).tolist()
            ids = state.ids
            candidates = list(
                zip(keys, [ids[i] for i in changed.tolist()], moved[changed].tolist(), strict=True)
            )
        else:
            now_c = state.contributions()
            then_c = previous.contributions()
            changes = [
                (sid, now_c.get(sid, 0.0) - then_c.get(sid, 0.0)) for sid in now_c.keys() | then_c
            ]
            candidates = [(-round(abs(d), 9), sid, d) for sid, d in changes if abs(d) > 1e-9]
        movers = [
            checked(
                TrendMover,
                dict(stakeholder_id=sid, name=_name_of(sid, snapshot, state, names), delta=d),
            )
            for _, sid, d in heapq.nsmallest(params.movers, candidates)
        ]
    return checked(
        SupportSummary,
        dict(
            share=state.share,
            opposition=state.opposition,
            neutral=state.neutral,
            allies=state.allies,
            completeness=completeness,
            missing_roles=missing,
            trend=trend_of(delta, params=params) if previous is not None else Trend.stable,
            trend_delta=delta,
            trend_weeks=params.trend_weeks,
            movers=movers,
        ),
    )


def _add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year = moment.year + month_index // 12
    month = month_index % 12 + 1
    days = [
        31,
        29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][month - 1]
    return moment.replace(year=year, month=month, day=min(moment.day, days))


def history_instants(start: int, end: int, interval: Interval = Interval.week) -> list[int]:
    """Instants (epoch ms) from ``start`` to ``end``: every step back from ``end``, plus ``start``.

    Examples
    --------
    >>> day = 86_400_000
    >>> history_instants(0, 15 * day, "week") == [0, day, 8 * day, 15 * day]
    True
    """
    if end < start:
        return []
    points: list[int] = []
    if interval in ("day", "week"):
        step = DAY_MS if interval == "day" else WEEK_MS
        t = end
        while t >= start:
            points.append(t)
            t -= step
    elif interval == "month":
        end_dt = datetime.fromtimestamp(end / 1000, tz=UTC)
        k = 0
        while True:
            t = round(_add_months(end_dt, -k).timestamp() * 1000)
            if t < start:
                break
            points.append(t)
            k += 1
    else:
        raise ValueError(f"interval must be day, week or month, not {interval!r}")
    if not points or points[-1] != start:
        points.append(start)
    return sorted(points)


def history_points(
    history: DealHistory,
    *,
    start: int | None = None,
    end: int | None = None,
    interval: Interval = Interval.week,
) -> list[int]:
    """The instants of a deal's support history: from ``start`` (default: its first
    fact) to ``end`` (default and at most: the history's instant); empty for a deal
    without any fact."""
    last = history.as_of if end is None else min(end, history.as_of)
    first = history.first_fact_at() if start is None else start
    if first is None:
        return []
    return history_instants(min(first, last), last, interval)


def support_point_at(at: int, state: SupportState, completeness: float) -> SupportPoint:
    """The support point at ``at`` (epoch ms) of a committee whose support state and map
    completeness are known (many instants of one unchanged committee share them)."""
    return checked(
        SupportPoint,
        dict(
            at=from_ms(at),
            share=state.share,
            opposition=state.opposition,
            allies=state.allies,
            completeness=completeness,
        ),
    )
