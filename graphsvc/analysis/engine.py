"""The analysis engine: every deal's analysis, one deal or a whole fleet, in one
vectorised pass.

This is the one public path from committees to results; one deal is a fleet of one.

* :func:`analyze`: deals' histories as of an instant -> each deal's
  :class:`~graphsvc.analysis.schemas.DealAnalysis` (``ranking=False``: the scan's
  lighter :class:`~graphsvc.analysis.schemas.DealRisk`, without the full ranking);
* :func:`analyze_stream`: :func:`analyze` of chunks of deals as a store read yields
  them (the cold fleet scan: the store reads the next chunks while this one is
  analysed);
* :func:`analyze_snapshots`: the same from committees already folded (now and
  ``trend_weeks`` earlier, :func:`graphsvc.analysis.folding.trend_pairs`);
* :func:`support_histories`: the support base of deals at regular instants;
* :func:`next_best_contacts`: whom to win over next on each committee;
* :func:`scan_details`: what the weekly e-mails need of many deals, each deal's facts
  sorted once.

The maths is in :mod:`graphsvc.analysis.vectorised`; the result rows, flags and
messages are built by the very same Python as the networkx reference
(:mod:`graphsvc.analysis.assembly`), which the tests compare this engine with (scores
within 1e-9, identical flags, decision-makers and key people).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from typing import Literal, TypeVar, overload

import numpy as np

from graphsvc.analysis._blocks import Encoded, Layout, stances_of
from graphsvc.analysis._build import bulk_build
from graphsvc.analysis._chunked import chunk_lines
from graphsvc.analysis._chunked import same_scores as chunk_same_scores
from graphsvc.analysis.assembly import assemble_analysis, assemble_risk
from graphsvc.analysis.decision import top_dm_index
from graphsvc.analysis.folding import FactFolder, chunk_trend_instants, trend_pairs
from graphsvc.analysis.params import DEFAULT_PARAMS, AnalysisParams
from graphsvc.analysis.ranking import MemberScores, same_scores
from graphsvc.analysis.schemas import (
    DealAnalysis,
    DealRisk,
    Interval,
    NextBestContact,
    SupportPoint,
)
from graphsvc.analysis.support import history_points, map_completeness, support_point_at
from graphsvc.analysis.vectorised import (
    encoded_scores,
    fleet_next_best,
    fleet_scores,
    friends_reach_dms,
    next_best_of,
    support_states,
)
from graphsvc.domain.chunk import FactChunk
from graphsvc.domain.compact import CompactHistory
from graphsvc.domain.snapshot import DealHistory, DealSnapshot

_R = TypeVar("_R", bound=DealRisk)


@overload
def analyze(
    histories: Sequence[DealHistory | CompactHistory] | FactChunk,
    *,
    as_of: int | None = None,
    ranking: Literal[True] = True,
    params: AnalysisParams = DEFAULT_PARAMS,
) -> list[DealAnalysis]: ...
@overload
def analyze(
    histories: Sequence[DealHistory | CompactHistory] | FactChunk,
    *,
    as_of: int | None = None,
    ranking: Literal[False],
    params: AnalysisParams = DEFAULT_PARAMS,
) -> list[DealRisk]: ...
def analyze(
    histories: Sequence[DealHistory | CompactHistory] | FactChunk,
    *,
    as_of: int | None = None,
    ranking: bool = True,
    params: AnalysisParams = DEFAULT_PARAMS,
) -> list[DealAnalysis] | list[DealRisk]:
    """Analyse deals as of an instant: ranking, top decision-maker, support base and its
    trend over ``trend_weeks``, risk flags.

    Parameters
    ----------
    histories : sequence of DealHistory or CompactHistory, or FactChunk
        All facts of each deal, as the store returns them (a chunk of deals as arrays
        is the cold scan's read, :meth:`GraphStore.fleet_fact_chunks`).
    as_of : int, optional
        Time travel (epoch ms): the answer the data held at that instant; default and at
        most each history's own instant.
    ranking : bool
        ``True``: each deal's :class:`DealAnalysis` with every member ranked; ``False``:
        its :class:`DealRisk` (the fleet scan's result: the ``key_people`` only).
    params : AnalysisParams
        Weights and thresholds.

    Examples
    --------
    >>> from graphsvc.analysis._examples import history_from_events
    >>> h = history_from_events([(0, "a", {"role": "Decision Maker", "stance": "supporter"}),
    ...                          (0, "b", {"role": "Other"})])
    >>> [a.top_decision_maker.stakeholder_id for a in analyze([h])]
    ['a']
    >>> [len(r.key_people) for r in analyze([h, h], ranking=False)]
    [2, 2]
    """
    if isinstance(histories, FactChunk):
        assemble = assemble_analysis if ranking else assemble_risk
        return _analyze_chunk(histories, as_of, params, assemble)
    now, then = trend_pairs(histories, as_of=as_of, params=params)
    if ranking:
        return analyze_snapshots(now, then, ranking=True, params=params)
    return analyze_snapshots(now, then, ranking=False, params=params)


def analyze_stream(
    chunks: Iterable[Sequence[DealHistory | CompactHistory] | FactChunk],
    *,
    as_of: int | None = None,
    params: AnalysisParams = DEFAULT_PARAMS,
) -> list[DealRisk]:
    """Each deal's :class:`DealRisk` (:func:`analyze` with ``ranking=False``) for chunks
    of deals as they arrive, in order.

    The cyclic garbage collector stays paused for the whole stream (see
    :func:`~graphsvc.analysis._build.bulk_build`), so it covers the store's reader
    threads too: they decode the next chunks into millions of small tuples while this
    thread analyses, and nothing of either forms reference cycles.

    Examples
    --------
    >>> from graphsvc.analysis._examples import history_from_events
    >>> h = history_from_events([(0, "a", {"role": "Decision Maker"})])
    >>> [r.top_decision_maker.stakeholder_id for r in analyze_stream([[h], [h, h]])]
    ['a', 'a', 'a']
    """
    results: list[DealRisk] = []
    with bulk_build():
        for chunk in chunks:
            results.extend(analyze(chunk, as_of=as_of, ranking=False, params=params))
    return results


@overload
def analyze_snapshots(
    snapshots: Sequence[DealSnapshot],
    previous: Sequence[DealSnapshot] | None = None,
    *,
    ranking: Literal[True] = True,
    params: AnalysisParams = DEFAULT_PARAMS,
) -> list[DealAnalysis]: ...
@overload
def analyze_snapshots(
    snapshots: Sequence[DealSnapshot],
    previous: Sequence[DealSnapshot] | None = None,
    *,
    ranking: Literal[False],
    params: AnalysisParams = DEFAULT_PARAMS,
) -> list[DealRisk]: ...
def analyze_snapshots(
    snapshots: Sequence[DealSnapshot],
    previous: Sequence[DealSnapshot] | None = None,
    *,
    ranking: bool = True,
    params: AnalysisParams = DEFAULT_PARAMS,
) -> list[DealAnalysis] | list[DealRisk]:
    """:func:`analyze` of committees already folded: ``snapshots`` now and, for the
    trend, ``previous`` (the same deals ``trend_weeks`` earlier).

    Examples
    --------
    >>> from graphsvc.analysis._examples import committee
    >>> results = analyze_snapshots([committee([("x", "Economic Buyer"), ("y", "Other")])])
    >>> [(a.top_decision_maker.stakeholder_id, len(a.ranking)) for a in results]
    [('x', 2)]
    """
    # A single deal builds few objects: no garbage-collector pause for it.
    pause = bulk_build() if len(snapshots) > 1 else nullcontext()
    with pause:
        if ranking:
            return _analyze(snapshots, previous, params, assemble_analysis)[0]
        return _analyze(snapshots, previous, params, assemble_risk)[0]


def _analyze(
    snapshots: Sequence[DealSnapshot],
    previous: Sequence[DealSnapshot] | None,
    params: AnalysisParams,
    assemble: Callable[..., _R],
    *,
    reused: list[bool] | None = None,
    encode: Callable[[list[int]], Encoded] | None = None,
) -> tuple[list[_R], list[MemberScores]]:
    """The results (built by ``assemble``: :func:`assembly.assemble_analysis` or
    :func:`assembly.assemble_risk`), and the scores of ``snapshots`` (for the next best
    contacts). A chunk folded from arrays (:func:`_analyze_chunk`) says itself which
    committees keep their scores (``reused``) and encodes the committees with its lines
    as arrays (``encode``, given the deals whose earlier committee is scored too)."""
    # A committee whose scores cannot have changed since the trend's reference instant
    # (only stances moved, say) reuses today's scores; the rest are scored in the batch.
    count = len(snapshots)
    if reused is None:
        reused = [
            previous is not None and same_scores(snap, previous[b])
            for b, snap in enumerate(snapshots)
        ]
    extra_at = [b for b in range(count) if previous is not None and not reused[b]]
    if encode is None:
        extra = [previous[b] for b in extra_at] if previous is not None else []
        encoded = Encoded.of([*snapshots, *extra], params)
    else:
        encoded = encode(extra_at)
    scored = encoded_scores(encoded, params)
    states = support_states(encoded.layout, encoded.ids, encoded.stances, scored)
    found = [
        top_dm_index(snap, scored[b], decimals=params.rank_decimals)
        for b, snap in enumerate(snapshots)
    ]
    reaches = friends_reach_dms(encoded, found)
    # Reused committees: today's scores and people, with the stances of back then.
    reused_at = [b for b in range(count) if reused[b]]
    reused_states = iter(
        support_states(
            Layout.of([snapshots[b] for b in reused_at]),
            [encoded.ids[b] for b in reused_at],
            stances_of([m for b in reused_at for m in previous[b].members]),
            [scored[b] for b in reused_at],
        )
        if previous is not None
        else []
    )
    results: list[_R] = []
    position = count
    for b, snap in enumerate(snapshots):
        names = None
        prev_state = None
        if previous is not None:
            before = previous[b]
            if reused[b]:
                prev_state = next(reused_states)
            else:
                prev_state = states[position]
                position += 1
                current = set(encoded.ids[b])
                if any(m.stakeholder.id not in current for m in before.members):
                    everyone = (*before.members, *snap.members)
                    names = {m.stakeholder.id: m.stakeholder.name for m in everyone}
        results.append(
            assemble(
                snap,
                scored[b],
                prev_state,
                state=states[b],
                names=names,
                top_dm=found[b],
                friend_reaches_dm=bool(reaches[b]),
                params=params,
            )
        )
    return results, scored[:count]


def _analyze_chunk(
    chunk: FactChunk, as_of: int | None, params: AnalysisParams, assemble: Callable[..., _R]
) -> list[_R]:
    """:func:`_analyze` of a chunk folded from arrays, now and at each deal's trend
    reference instant (as :func:`~graphsvc.analysis.folding.chunk_trend_pairs`), its
    lines read as arrays: no :class:`~graphsvc.domain.snapshot.Line` object is built.
    The snapshots it folds have no lines and stay inside this function."""
    count = len(chunk)
    now_at, then_at = chunk_trend_instants(chunk, as_of=as_of, params=params)
    with bulk_build() if count > 1 else nullcontext():
        now_fold, then_fold = chunk.fold([now_at] * count), chunk.fold(then_at)
        now = chunk.snapshots_without_lines(now_fold)
        then = chunk.snapshots_without_lines(then_fold)
        every = np.ones(count, dtype=bool)

        def encode(extra_at: list[int]) -> Encoded:
            extra = np.zeros(count, dtype=bool)
            extra[extra_at] = True
            lines = chunk_lines(chunk, [(now_fold, every), (then_fold, extra)])
            return Encoded.of([*now, *(then[b] for b in extra_at)], params, lines=lines)

        reused = chunk_same_scores(chunk, now_fold, then_fold)
        return _analyze(now, then, params, assemble, reused=reused, encode=encode)[0]


def support_histories(
    histories: Sequence[DealHistory],
    *,
    start: int | None = None,
    end: int | None = None,
    interval: Interval = Interval.week,
    max_points: int | None = None,
    params: AnalysisParams = DEFAULT_PARAMS,
) -> list[list[SupportPoint]]:
    """Support share, opposition, allies and completeness of deals at regular instants.

    Parameters
    ----------
    histories : sequence of DealHistory
        The deals' facts.
    start, end : int, optional
        Epoch ms; default from each deal's first fact to its history's instant.
    interval : Interval
        Step between points, counted back from ``end``.
    max_points : int, optional
        Keep only the latest points of each deal (e.g. 13 for a 12-week chart).

    Returns
    -------
    list[list[SupportPoint]]
        Per deal, oldest first; empty for a deal without any fact.

    Examples
    --------
    >>> from graphsvc.analysis._examples import history_from_events
    >>> h = history_from_events([(0, "a", {"role": "Other", "stance": "supporter"}),
    ...                          (0, "b", {"role": "Other", "stance": "neutral"}),
    ...                          (10, "b", {"role": "Other", "stance": "supporter"})],
    ...                         as_of_day=14)
    >>> [p.share for p in support_histories([h])[0]]
    [0.5, 0.5, 1.0]
    """
    with bulk_build():
        return _support_histories(histories, start, end, interval, max_points, params)


def _support_histories(
    histories: Sequence[DealHistory],
    start: int | None,
    end: int | None,
    interval: Interval,
    max_points: int | None,
    params: AnalysisParams,
    folders: Sequence[FactFolder] | None = None,
) -> list[list[SupportPoint]]:
    # Most committees change at few of the instants (a 12-week chart of a quiet deal is
    # one committee 13 times), so each deal's facts are folded and scored once per
    # change, and every instant reuses the state of the committee it falls in.
    snapshots: list[DealSnapshot] = []  # the distinct committees, in order
    rows: list[list[tuple[int, int]]] = []  # per deal: (committee index, instant)
    for d, history in enumerate(histories):
        instants = history_points(history, start=start, end=end, interval=interval)
        if max_points is not None:
            instants = instants[-max_points:]
        deal_rows: list[tuple[int, int]] = []
        if instants:
            folder = FactFolder.of(history) if folders is None else folders[d]
            fact_ats = folder.fact_ats
            folded = -1
            for t in instants:
                at = min(t, history.as_of)
                count = bisect_right(fact_ats, at)
                if count != folded:  # another set of facts in force: another committee
                    snapshots.append(folder.snapshot(at))
                    folded = count
                deal_rows.append((len(snapshots) - 1, at))
        rows.append(deal_rows)
    encoded = Encoded.of(snapshots, params)
    states = support_states(
        encoded.layout, encoded.ids, encoded.stances, encoded_scores(encoded, params)
    )
    completeness = [map_completeness(snap, params=params)[0] for snap in snapshots]
    return [
        [support_point_at(at, states[k], completeness[k]) for k, at in deal_rows]
        for deal_rows in rows
    ]


def next_best_contacts(
    snapshots: Sequence[DealSnapshot],
    *,
    limit: int | None = None,
    params: AnalysisParams = DEFAULT_PARAMS,
) -> list[list[NextBestContact]]:
    """Each committee's members not yet supporting us, ranked by what winning them over
    would gain (:mod:`graphsvc.analysis.next_best`; Friedkin-Johnsen solved for all
    committees at once).

    Examples
    --------
    >>> from graphsvc.analysis._examples import committee
    >>> snap = committee([("a", "Decision Maker", 3, "neutral"), ("b", "Other", 3, "supporter")])
    >>> [[c.stakeholder_id for c in items] for items in next_best_contacts([snap])]
    [['a']]
    """
    return fleet_next_best(
        snapshots, fleet_scores(snapshots, params=params), params=params, limit=limit
    )


def scan_details(
    histories: Sequence[DealHistory],
    *,
    as_of: int | None = None,
    history_points_kept: int = 13,
    next_best: int | None = 1,
    params: AnalysisParams = DEFAULT_PARAMS,
) -> tuple[list[DealRisk], list[list[SupportPoint]], list[list[NextBestContact]]]:
    """What the weekly e-mails need of many deals, in one pass over each deal's facts.

    The same as :func:`analyze` (``ranking=False``), :func:`support_histories` (weekly,
    the latest ``history_points_kept`` points) and
    :func:`graphsvc.analysis.vectorised.fleet_next_best` (``limit=next_best``), but each
    deal's facts are sorted once for all three and the committees are scored once for
    the analysis and the next best contacts.

    Examples
    --------
    >>> from graphsvc.analysis._examples import history_from_events
    >>> h = history_from_events([(0, "a", {"role": "Economic Buyer"})], as_of_day=14)
    >>> analyses, points, contacts = scan_details([h])
    >>> analyses[0].top_decision_maker.stakeholder_id, len(points[0]), len(contacts[0])
    ('a', 3, 1)
    """
    with bulk_build():
        folders = [FactFolder.of(history) for history in histories]
        now, then = trend_pairs(histories, as_of=as_of, params=params, folders=folders)
        analyses, scores = _analyze(now, then, params, assemble_risk)
        points = _support_histories(
            histories, None, as_of, Interval.week, history_points_kept, params, folders
        )
        contacts = next_best_of(now, scores, params, next_best)
    return analyses, points, contacts
