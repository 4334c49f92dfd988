"""Line folding: a deal's dated facts folded into its committee as of any instants.

:class:`FactFolder` sorts one deal's facts once; every instant is then a binary search
per member and per line. :func:`snapshots_at` gives exactly what
``DealHistory.snapshot`` gives (tests/analysis/test_properties.py), with one sort per
deal instead of one scan per instant. :func:`trend_pairs` gives each deal's committee
now and ``trend_weeks`` earlier, the pair the analysis compares.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from itertools import pairwise

from graphsvc.analysis._build import bulk_build
from graphsvc.analysis.params import DEFAULT_PARAMS, AnalysisParams
from graphsvc.analysis.support import trend_reference_instant
from graphsvc.domain.chunk import FactChunk
from graphsvc.domain.compact import CompactHistory
from graphsvc.domain.snapshot import (
    DealHistory,
    DealSnapshot,
    Line,
    LineFact,
    Member,
    MembershipFact,
)


@dataclass(slots=True)
class FactFolder:
    """One deal's facts, sorted once, ready to be folded at any instant."""

    history: DealHistory
    member_facts: dict[str, tuple[list[int], list[MembershipFact], list[int]]]
    influence: list[tuple[str, str, list[int], list[Line | None], list[LineFact]]]
    reporting: list[tuple[str, str, list[int], list[Line | None], list[LineFact]]]
    interaction_ats: list[int] | None
    # Every membership and line fact's instant, sorted: two instants with as many facts
    # at or before them fold the same committee (same members and lines), so a history
    # of many instants only folds and scores the committee once per change.
    fact_ats: list[int]
    # The same fact folds into the same object at every instant, so comparing two
    # snapshots of one deal is mostly identity checks (see ranking.same_scores).
    cache: dict[tuple, object]

    @classmethod
    def of(cls, history: DealHistory) -> FactFolder:
        grouped: dict[str, list[MembershipFact]] = defaultdict(list)
        for fact in history.membership_facts:
            grouped[fact.stakeholder_id].append(fact)
        member_facts = {}
        for sid, facts in sorted(grouped.items()):
            facts.sort(key=lambda f: (f.at, f.seq))
            # Start of the unbroken active run ending at each fact (DealHistory's
            # _membership_start, precomputed).
            run_start: list[int] = []
            for j, fact in enumerate(facts):
                if fact.active and j > 0 and facts[j - 1].active:
                    run_start.append(run_start[-1])
                else:
                    run_start.append(fact.at)
            member_facts[sid] = ([f.at for f in facts], facts, run_start)
        ats = [i.at for i in history.interactions]
        ordered = all(a <= b for a, b in pairwise(ats))
        fact_ats = [f.at for f in history.membership_facts]
        fact_ats.extend([f.at for f in history.influence_facts])
        fact_ats.extend([f.at for f in history.reporting_facts])
        fact_ats.sort()
        return cls(
            history=history,
            member_facts=member_facts,
            influence=_group_lines(history.influence_facts),
            reporting=_group_lines(history.reporting_facts),
            interaction_ats=ats if ordered else None,
            fact_ats=fact_ats,
            cache={},
        )

    def first_fact_at(self) -> int | None:
        return self.history.first_fact_at()

    def snapshot(self, as_of: int | None = None) -> DealSnapshot:
        history = self.history
        t = history.as_of if as_of is None else min(as_of, history.as_of)
        members: list[Member] = []
        for sid, (ats, facts, run_start) in self.member_facts.items():  # in id order
            k = bisect_right(ats, t) - 1
            if k < 0:
                continue
            fact = facts[k]
            if not fact.active or fact.role is None or sid not in history.stakeholders:
                continue
            member = self.cache.get((sid, k))
            if member is None:
                member = self.cache[(sid, k)] = Member(
                    stakeholder=history.stakeholders[sid],
                    role=fact.role,
                    stance=fact.stance,
                    ally=fact.ally,
                    influence_rating=fact.influence_rating,
                    self_weight=fact.self_weight,
                    since=run_start[k],
                )
            members.append(member)  # type: ignore[arg-type]
        ids = {m.id for m in members}
        if self.interaction_ats is not None:
            interactions = history.interactions[: bisect_right(self.interaction_ats, t)]
        else:
            interactions = tuple(i for i in history.interactions if i.at <= t)
        return DealSnapshot(
            workspace=history.workspace,
            deal=history.deal,
            as_of=t,
            members=tuple(members),
            influences=_fold_lines(self.influence, t, ids),
            reporting=_fold_lines(self.reporting, t, ids),
            interactions=tuple(interactions),
        )


def _group_lines(
    facts: Sequence[LineFact],
) -> list[tuple[str, str, list[int], list[Line | None], list[LineFact]]]:
    """Facts per (source, target), sorted by (at, seq); keys in order. The middle list
    caches the :class:`Line` each fact folds into (built on first use)."""
    grouped: dict[tuple[str, str], list[LineFact]] = {}
    for fact in facts:
        key = (fact.source_id, fact.target_id)
        held = grouped.get(key)
        if held is None:
            grouped[key] = [fact]
        else:
            held.append(fact)
    result: list[tuple[str, str, list[int], list[Line | None], list[LineFact]]] = []
    for key in sorted(grouped):
        items = grouped[key]
        if len(items) > 1:
            items.sort(key=lambda f: (f.at, f.seq))
        built: list[Line | None] = [None] * len(items)
        result.append((key[0], key[1], [f.at for f in items], built, items))
    return result


def _fold_lines(
    grouped: list[tuple[str, str, list[int], list[Line | None], list[LineFact]]],
    t: int,
    ids: set[str],
) -> tuple[Line, ...]:
    lines: list[Line] = []
    append = lines.append
    for src, dst, ats, built, facts in grouped:
        if src not in ids or dst not in ids:
            continue
        k = (0 if ats[0] <= t else -1) if len(ats) == 1 else bisect_right(ats, t) - 1
        if k < 0:
            continue
        fact = facts[k]
        if fact.active:
            line = built[k]
            if line is None:
                line = built[k] = Line(src, dst, fact.strength, fact.at)
            append(line)
    return tuple(lines)  # keys were sorted, so lines are in (source, target) order


def snapshots_at(history: DealHistory, instants: Sequence[int | None]) -> list[DealSnapshot]:
    """The deal's snapshots at several instants, equal to ``history.snapshot(t)`` for each.

    Examples
    --------
    >>> from graphsvc.analysis._examples import history_from_events
    >>> h = history_from_events([(0, "a", {"role": "Other"}), (5, "a", {})], as_of_day=10)
    >>> [len(s.members) for s in snapshots_at(h, [h.as_of - 7 * 86_400_000, None])]
    [1, 0]
    """
    folder = FactFolder.of(history)
    return [folder.snapshot(t) for t in instants]


def trend_snapshots(
    history: DealHistory, *, as_of: int | None = None, params: AnalysisParams = DEFAULT_PARAMS
) -> tuple[DealSnapshot, DealSnapshot]:
    """The snapshot at ``as_of`` (default and at most: the history's instant) and the one
    the trend compares it with (``trend_weeks`` earlier, not before the first fact)."""
    now, then = trend_pairs_at(history, [as_of], params=params)
    return now[0], then[0]


def trend_pairs(
    histories: Sequence[DealHistory | CompactHistory],
    *,
    as_of: int | None = None,
    params: AnalysisParams = DEFAULT_PARAMS,
    folders: Sequence[FactFolder] | None = None,
) -> tuple[list[DealSnapshot], list[DealSnapshot]]:
    """Each deal's snapshot now and ``trend_weeks`` earlier (:func:`trend_snapshots` of
    each); ``folders``: the deals' folders when already built. A
    :class:`~graphsvc.domain.compact.CompactHistory` (the cold scan's read) is its own
    folder: its facts are sorted already.

    Examples
    --------
    >>> from graphsvc.analysis._examples import history_from_events
    >>> h = history_from_events([(0, "a", {"role": "Other"}), (20, "b", {"role": "Other"})],
    ...                         as_of_day=30)
    >>> now, then = trend_pairs([h])
    >>> [len(s.members) for s in (*now, *then)]
    [2, 1]
    """
    now_list: list[DealSnapshot] = []
    then_list: list[DealSnapshot] = []
    # One deal builds few objects: no garbage-collector pause for it.
    with bulk_build() if len(histories) > 1 else nullcontext():
        for d, history in enumerate(histories):
            folder: FactFolder | CompactHistory
            if isinstance(history, CompactHistory):
                folder = history
            else:
                folder = FactFolder.of(history) if folders is None else folders[d]
            _append_pair(folder, as_of, params, now_list, then_list)
    return now_list, then_list


def chunk_trend_pairs(
    chunk: FactChunk, *, as_of: int | None = None, params: AnalysisParams = DEFAULT_PARAMS
) -> tuple[list[DealSnapshot], list[DealSnapshot]]:
    """:func:`trend_pairs` of a chunk of the cold scan's read, folded a whole chunk at a
    time (:meth:`FactChunk.snapshots`): each deal now, and at its trend's reference
    instant."""
    now_at, then_at = chunk_trend_instants(chunk, as_of=as_of, params=params)
    with bulk_build() if len(chunk) > 1 else nullcontext():
        return chunk.snapshots([now_at] * len(chunk)), chunk.snapshots(then_at)


def chunk_trend_instants(
    chunk: FactChunk, *, as_of: int | None = None, params: AnalysisParams = DEFAULT_PARAMS
) -> tuple[int, list[int]]:
    """The instant a chunk's deals are analysed as of (``as_of``, at most the chunk's
    own), and each deal's trend reference instant (``trend_weeks`` earlier, not before
    its first fact)."""
    now_at = chunk.as_of if as_of is None else min(as_of, chunk.as_of)
    firsts = chunk.first_fact_at()
    return now_at, [trend_reference_instant(f, now_at, params=params) for f in firsts]


def trend_pairs_at(
    history: DealHistory, instants: Sequence[int | None], *, params: AnalysisParams = DEFAULT_PARAMS
) -> tuple[list[DealSnapshot], list[DealSnapshot]]:
    """One deal's snapshot at each instant and the one its trend compares it with (the
    deal map's frames: a fleet of one deal at several instants); facts sorted once."""
    folder = FactFolder.of(history)
    now_list: list[DealSnapshot] = []
    then_list: list[DealSnapshot] = []
    for t in instants:
        _append_pair(folder, t, params, now_list, then_list)
    return now_list, then_list


def _append_pair(
    folder: FactFolder | CompactHistory,
    as_of: int | None,
    params: AnalysisParams,
    now_list: list[DealSnapshot],
    then_list: list[DealSnapshot],
) -> None:
    now = folder.snapshot(as_of)
    then_at = trend_reference_instant(folder.first_fact_at(), now.as_of, params=params)
    now_list.append(now)
    then_list.append(folder.snapshot(then_at))
