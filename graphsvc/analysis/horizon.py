"""How long an answer "as of now" stays the answer: the first instant it could change.

The answer as of ``t`` is the analysis of ``history_until(history, t)`` (what the store
reads as of ``t``), and with a chart of ``K`` points also the support shares of
``support_histories(..., interval=week, max_points=K)`` (the kept sparkline).
:func:`analysis_unchanged_until` gives, for an answer as of ``at``, an instant ``due >
at`` such that the answer as of any ``t`` in ``[at, due)`` equals it apart from its
``as_of``. A cache may serve it until then, saying the instant it answers for.

The maths. Write ``W`` for a week, ``T = trend_weeks * W``, ``D`` for a day, and
``first`` for the deal's first fact (membership or interaction) up to ``at``.

1. **Facts.** Before the first fact instant after ``at`` (any kind, future-dated ones
   included), the facts in force at ``t`` are those in force at ``at``.
2. **Support depends on a committee through its signature only**: who sits there with
   which role and rating, who supports us (stance +1 or +2), and its lines. Scores use
   roles, ratings and lines (``ranking.same_scores``), never interactions, stances,
   allies or self-weights; the share, the trend's delta and its movers use the scores
   and who supports us (``support.summarize_support``). So only the instants ``S`` of
   facts that change a member's signature entry, or of a line fact, move it.
3. **Trend.** It compares with the committee at ``max(t - T, first)``, which has the
   signature it has at ``at`` until ``t - T`` reaches the next ``c`` of ``S`` after
   ``max(first, at - T)``: bound ``c + T``.
4. **Chart.** Its points are ``first`` (unless ``t - first`` is a whole number of
   weeks) and ``t - kW`` for every ``kW <= t - first``, oldest first, the last ``K``
   kept. Point ``k < K`` moves past a signature change ``c > max(first, at - kW)`` at
   ``c + kW``; and while fewer than ``K`` points are kept, one joins at ``first + mW + 1``
   (``m <= K - 2``: the first point after a whole number ``m`` of weeks). When a
   ``K+1``-th would join (``m = K - 1``), ``first`` leaves instead and the oldest point
   is the committee a ms after ``first``: a change only if ``first + 1`` is in ``S``,
   at ``first + 1 + (K - 1)W``, a term above.
5. **Contact flags.** ``STALE`` (latest contact of the deal, ``d = stale_days``) and
   ``DM_NOT_RECENTLY_CONTACTED`` (latest contact ``L`` of the top decision-maker, ``d =
   dm_recent_days``) fire when ``t - L > d * D`` and then show ``(t - L) // D`` days:
   fired at ``at``, the count changes at the next whole day ``L + ((at - L) // D + 1)
   * D``; not fired, it fires at ``L + d * D + 1``.
6. **Next step.** ``NO_NEXT_STEP`` fires once the next step ``N`` set by the latest
   interaction (newest, ties by the larger id) is before the instant: at ``N + 1``,
   when ``N >= at``.

The bound is the earliest of these; :data:`NEVER` when none applies.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Collection, Hashable, Sequence
from dataclasses import replace
from typing import TypeVar

from graphsvc.analysis.params import DEFAULT_PARAMS, AnalysisParams
from graphsvc.analysis.support import DAY_MS, WEEK_MS
from graphsvc.domain.models import NEVER_MS
from graphsvc.domain.snapshot import DealHistory, InteractionRecord, LineFact, MembershipFact

NEVER = NEVER_MS  # later than any instant the store holds (epoch ms)

_Fact = TypeVar("_Fact", MembershipFact, LineFact)


def _fact_instants(history: DealHistory) -> list[int]:
    instants = [f.at for f in history.membership_facts]
    instants += [f.at for f in history.influence_facts]
    instants += [f.at for f in history.reporting_facts]
    instants += [i.at for i in history.interactions]
    instants.sort()
    return instants


def committee_unchanged_until(history: DealHistory, at: int) -> int:
    """The first fact instant after ``at`` (epoch ms): the committee, its lines and its
    interactions as of any instant before it are those as of ``at``.

    ``history`` must hold every fact of the deal, future-dated ones included.

    Examples
    --------
    >>> from graphsvc.analysis._examples import history_from_events
    >>> h = history_from_events([(0, "a", {"role": "Other"}), (9, "a", {})], as_of_day=20)
    >>> committee_unchanged_until(h, h.as_of - 15 * DAY_MS) == h.as_of - 11 * DAY_MS
    True
    """
    instants = _fact_instants(history)
    k = bisect_right(instants, at)
    return instants[k] if k < len(instants) else NEVER


def _changes(
    facts: Sequence[_Fact],
    key: Callable[[_Fact], Hashable],
    entry: Callable[[_Fact], Hashable],
    after: int,
) -> set[int]:
    """The instants after ``after`` at which the ``entry`` of some ``key`` changes: per
    key, facts in ``(at, seq)`` order, the last one of an instant in force after it."""
    keys = {key(fact) for fact in facts if fact.at > after}
    if not keys:
        return set()
    grouped: dict[Hashable, list[_Fact]] = {}
    for fact in facts:
        if (k := key(fact)) in keys:
            grouped.setdefault(k, []).append(fact)
    found: set[int] = set()
    for items in grouped.values():
        items.sort(key=lambda f: (f.at, f.seq))
        held: Hashable = None  # no fact yet: not in force
        for j, fact in enumerate(items):
            if j + 1 < len(items) and items[j + 1].at == fact.at:
                continue  # a later fact of the same instant wins
            now = entry(fact)
            if now != held and fact.at > after:
                found.add(fact.at)
            held = now
    return found


def support_changes(seen: DealHistory, *, after: int = -NEVER) -> list[int]:
    """The instants after ``after``, sorted, at which the deal's committee changes its
    support signature (see the module docstring, 2.): a member's seat, role, rating or
    being a supporter, or a line drawn or ended (a line drawn again with the same
    strength too: ``ranking.same_scores`` compares lines with their instants).

    Examples
    --------
    A stance change from neutral to skeptic leaves the support base as it was; one to
    supporter changes it.

    >>> from graphsvc.analysis._examples import history_from_events
    >>> h = history_from_events([(0, "a", {"role": "Other", "stance": "neutral"}),
    ...                          (3, "a", {"role": "Other", "stance": "skeptic"}),
    ...                          (5, "a", {"role": "Other", "stance": "supporter"})])
    >>> [(c - h.membership_facts[0].at) // DAY_MS for c in support_changes(h)]
    [0, 5]
    """

    def member(fact: MembershipFact) -> Hashable:
        if not fact.active or fact.role is None or fact.stakeholder_id not in seen.stakeholders:
            return None
        return (fact.role, fact.influence_rating, fact.stance.numeric >= 1)

    def line(fact: LineFact) -> Hashable:
        return (fact.at, fact.strength) if fact.active else None

    def ends(fact: LineFact) -> Hashable:
        return (fact.source_id, fact.target_id)

    found = _changes(seen.membership_facts, lambda f: f.stakeholder_id, member, after)
    found |= _changes(seen.influence_facts, ends, line, after)
    found |= _changes(seen.reporting_facts, ends, line, after)
    return sorted(found)


def _day_count_change(since: int, at: int, days: int) -> int:
    """When a flag firing once ``t - since > days`` whole days, and then showing
    ``(t - since) // DAY_MS``, next changes after ``at`` (with ``since <= at``)."""
    elapsed = at - since
    if elapsed > days * DAY_MS:  # fired: its day count ticks
        return since + (elapsed // DAY_MS + 1) * DAY_MS
    return since + days * DAY_MS + 1  # the strict comparison first holds 1 ms later


def analysis_unchanged_until(
    history: DealHistory,
    at: int,
    *,
    params: AnalysisParams = DEFAULT_PARAMS,
    chart_points: int = 0,
    watched: Collection[str] | None = None,
) -> int:
    """The first instant after ``at`` at which the deal's analysis (ranking, support and
    trend, flags and their messages) could differ from the one as of ``at``; with
    ``chart_points``, also its weekly support shares (``support_histories`` with
    ``max_points=chart_points``: the portfolio's sparkline). ``watched``: the members
    whose contact the analysis counts days from (the top decision-maker, whom facts
    alone decide); default every member, which bounds it sooner than needed.

    ``history`` must hold every fact of the deal, future-dated ones included. The maths
    is in the module docstring.

    Examples
    --------
    A deal whose only facts are a seat and a contact on day 0 (no next step): on day 10
    at noon, nothing changes until ``STALE`` fires, 30 days and 1 ms after the contact.

    >>> from graphsvc.analysis._examples import contact, history_from_events
    >>> h = history_from_events([(0, "a", {"role": "Other"})], interactions=[contact(0, "a")],
    ...                         as_of_day=90)
    >>> first = h.interactions[0].at
    >>> analysis_unchanged_until(h, first + 10 * DAY_MS + DAY_MS // 2) == first + 30 * DAY_MS + 1
    True

    Once it fired, its day count ticks every whole day after the contact.

    >>> analysis_unchanged_until(h, first + 40 * DAY_MS + DAY_MS // 2) == first + 41 * DAY_MS
    True

    With a later contact with ``b``, the deal is not stale; watching ``a`` as the top
    decision-maker, ``DM_NOT_RECENTLY_CONTACTED`` fires 45 days and 1 ms after
    ``a``'s contact.

    >>> h = history_from_events([(0, "a", {"role": "Other"}), (0, "b", {"role": "Other"})],
    ...                         interactions=[contact(0, "a"), contact(40, "b")], as_of_day=90)
    >>> day_44 = first + 44 * DAY_MS
    >>> analysis_unchanged_until(h, day_44, watched=("a",)) == first + 45 * DAY_MS + 1
    True
    >>> analysis_unchanged_until(h, day_44, watched=()) == first + 70 * DAY_MS + 1
    True
    """
    bound = committee_unchanged_until(history, at)
    seen = history_until(history, at)
    first = seen.first_fact_at()
    if first is None:  # no fact yet: nothing moves with the clock
        return bound
    # Signature changes after the first fact and within the longest window, in force at
    # ``at`` (later ones: term 1).
    changes = support_changes(seen, after=changes_after(first, at, params, chart_points))
    clock = clock_unchanged_until(
        changes,
        first,
        at,
        seen.interactions,
        params=params,
        chart_points=chart_points,
        watched=watched,
    )
    return min(bound, clock)


def _windows(params: AnalysisParams, chart_points: int) -> set[int]:
    """The trend's window and the chart's weekly ones."""
    return {params.trend_weeks * WEEK_MS, *(k * WEEK_MS for k in range(1, chart_points))}


def changes_after(first: int, at: int, params: AnalysisParams, chart_points: int) -> int:
    """From when :func:`clock_unchanged_until` needs a deal's support changes: its
    first fact, or the start of the longest window if later."""
    return max(first, at - max(_windows(params, chart_points)))


def clock_unchanged_until(
    changes: Sequence[int],
    first: int,
    at: int,
    contacts: Sequence[InteractionRecord],
    *,
    params: AnalysisParams,
    chart_points: int,
    watched: Collection[str] | None,
) -> int:
    """The terms 3-6 of the module docstring: when the trend, the chart or a contact
    flag of a deal whose first fact is ``first`` next moves with the clock alone, given
    its support ``changes`` (sorted, after :func:`changes_after`) and its interactions
    up to ``at``. :func:`analysis_unchanged_until` is the earlier of it and term 1."""
    bound = NEVER
    for window in _windows(params, chart_points):
        k = bisect_right(changes, at - window)
        if k < len(changes):
            bound = min(bound, changes[k] + window)
    # A chart of fewer than ``chart_points`` points gains one a ms after each whole week.
    for m in range(chart_points - 1):
        if first + m * WEEK_MS + 1 > at:
            bound = min(bound, first + m * WEEK_MS + 1)
            break
    if not contacts:  # STALE and NO_NEXT_STEP say so whatever the instant
        return bound
    newest = max(record.at for record in contacts)
    bound = min(bound, _day_count_change(newest, at, params.stale_days))
    latest = max((r for r in contacts if r.at == newest), key=lambda r: r.id)
    if latest.next_step_at is not None and latest.next_step_at >= at:
        bound = min(bound, latest.next_step_at + 1)
    last: dict[str, int] = {}
    for record in contacts:
        for sid in record.stakeholder_ids:
            if (watched is None or sid in watched) and record.at > last.get(sid, -NEVER):
                last[sid] = record.at
    for since in set(last.values()):
        bound = min(bound, _day_count_change(since, at, params.dm_recent_days))
    return bound


def history_until(history: DealHistory, at: int) -> DealHistory:
    """The history as the store returns it ``as_of`` ``at``: facts dated after it left
    out, and only people who had sat on the deal by then (as ``histories.py`` reads it).

    Examples
    --------
    >>> from graphsvc.analysis._examples import history_from_events
    >>> h = history_from_events([(0, "a", {"role": "Other"}), (9, "b", {"role": "Other"})],
    ...                         as_of_day=20)
    >>> sorted(h.stakeholders), sorted(history_until(h, h.as_of - 15 * 86_400_000).stakeholders)
    (['a', 'b'], ['a'])
    """
    facts = tuple(f for f in history.membership_facts if f.at <= at)
    seated = {f.stakeholder_id for f in facts if f.active}
    facts = tuple(f for f in facts if f.stakeholder_id in seated)
    return replace(
        history,
        as_of=at,
        stakeholders={k: v for k, v in history.stakeholders.items() if k in seated},
        membership_facts=facts,
        influence_facts=tuple(
            f
            for f in history.influence_facts
            if f.at <= at and f.source_id in seated and f.target_id in seated
        ),
        reporting_facts=tuple(
            f
            for f in history.reporting_facts
            if f.at <= at and f.source_id in seated and f.target_id in seated
        ),
        interactions=tuple(i for i in history.interactions if i.at <= at),
    )
