"""How long an answer "as of now" stays the answer: the first instant it could change.

With the facts fixed (the store's revision unchanged), a deal's analysis as of ``t``
still depends on ``t`` in a few known ways: facts dated after an earlier ``t`` come into
force (imports may date facts ahead), the trend's reference instant ``t - trend_weeks``
moves past facts, and three flags look at the clock (``DM_NOT_RECENTLY_CONTACTED`` and
``STALE`` count whole days since a contact; ``NO_NEXT_STEP`` passes a next-step date).
The functions here return a conservative bound: before it, the answer as of any later
instant equals the answer as of ``at`` apart from its ``as_of``. A cache may serve it
until then, saying the instant it answers for.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection
from dataclasses import replace

from graphsvc.analysis.params import DEFAULT_PARAMS, AnalysisParams
from graphsvc.analysis.support import DAY_MS, WEEK_MS
from graphsvc.domain.snapshot import DealHistory

NEVER = 2**62  # later than any instant the store holds (epoch ms)


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


def _next_day_tick(since: int, at: int) -> int:
    """The first instant after ``at`` where ``t - since > n days`` or ``(t - since) // day``
    changes for some whole ``n``: ``since + k days`` (the count) or one ms after it (the
    strict comparison)."""
    base = since + ((at - since) // DAY_MS) * DAY_MS
    return base + 1 if base + 1 > at else base + DAY_MS


def analysis_unchanged_until(
    history: DealHistory,
    at: int,
    *,
    params: AnalysisParams = DEFAULT_PARAMS,
    chart_weeks: int = 0,
    watched: Collection[str] | None = None,
) -> int:
    """The first instant after ``at`` at which the deal's analysis (ranking, support and
    trend, flags and their messages) could differ from the one as of ``at``; with
    ``chart_weeks``, also its weekly support points ``at - k weeks`` for ``k`` up to
    ``chart_weeks`` (the portfolio's sparkline). ``watched``: the members whose contact
    day counts the analysis shows (the top decision-maker, whom facts alone decide);
    default every member, which bounds it sooner than needed.

    Examples
    --------
    A deal whose only fact is a contact on day 0, analysed on day 10 at noon: the day
    counts of the contact flags tick at the next day boundary after it.

    >>> from graphsvc.analysis._examples import contact, history_from_events
    >>> h = history_from_events([(0, "a", {"role": "Other"})], interactions=[contact(0, "a")],
    ...                         as_of_day=30)
    >>> first = h.interactions[0].at
    >>> analysis_unchanged_until(h, first + 10 * DAY_MS + DAY_MS // 2) == first + 11 * DAY_MS
    True

    Only the deal's newest contact and the watched members' contacts tick.

    >>> analysis_unchanged_until(h, first + DAY_MS // 2, watched=()) == first + DAY_MS
    True
    """
    instants = _fact_instants(history)
    k = bisect_right(instants, at)
    bound = instants[k] if k < len(instants) else NEVER
    # The trend compares with the committee trend_weeks earlier: it moves past a fact
    # when t - window reaches it.
    # A weekly chart point k weeks back moves past a fact the same way.
    for weeks in {params.trend_weeks, *range(1, chart_weeks + 1)}:
        window = weeks * WEEK_MS
        k = bisect_right(instants, at - window)
        if k < len(instants):
            bound = min(bound, instants[k] + window)
    # Contact flags count whole days since a member's (and the deal's) latest contact;
    # the next step flag fires once its date has passed.
    latest: dict[str, int] = {}
    newest: int | None = None
    for record in history.interactions:
        if record.at > at:
            continue
        newest = record.at if newest is None else max(newest, record.at)
        for sid in record.stakeholder_ids:
            if watched is not None and sid not in watched:
                continue
            if record.at > latest.get(sid, -NEVER):
                latest[sid] = record.at
        if record.next_step_at is not None and record.next_step_at + 1 > at:
            bound = min(bound, record.next_step_at + 1)
    for since in {*latest.values(), *(() if newest is None else (newest,))}:
        bound = min(bound, _next_day_tick(since, at))
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
