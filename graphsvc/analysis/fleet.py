"""Fleet scan: every open deal of a workspace analysed in one vectorised pass.

All committees are laid side by side as the diagonal blocks of one fleet-wide system
(numpy/scipy), so the per-deal work of :mod:`graphsvc.analysis.ranking` and
:mod:`graphsvc.analysis.forecast` becomes a handful of whole-fleet operations:

* **PageRank** of every committee at once, exactly: for a block with listener ->
  influencer transition matrix ``P`` (dangling rows left at zero) the solution of
  ``(I - α Pᵀ) y = 1/n`` normalised to sum 1 is the PageRank with dangling mass spread
  evenly (Langville & Meyer 2004, "Deeper inside PageRank", section 5), the same vector
  networkx's power iteration converges to. Committees of equal size are stacked and
  solved by one batched dense LU per size (:func:`_block_solve`).
* **Reporting position**: the transitive closure of all reporting trees by repeated
  sparse boolean products, then row and column counts (people below / above).
* **Friedkin-Johnsen**: the same batched solve of the block-diagonal ``I - Λ W``; the
  columns of ``M`` each next-best candidate needs are solved together, one right-hand
  side column per candidate *slot* (the k-th candidate of every committee shares
  column k, since the blocks do not interact).

What follows (ranks, shares, flags, messages) is the very same Python as the per-deal
path (:func:`graphsvc.analysis.deal.assemble_analysis` and ``assemble_risk``, the scan's
lighter result without the full ranking), so both paths give the same
flags, and scores equal within float noise (far inside 1e-9).

Snapshots at many instants (the trend, the weekly support history) are folded from
each :class:`DealHistory` by :func:`snapshots_at`, which gives exactly what
``DealHistory.snapshot`` gives, with one sort per deal instead of one scan per instant.
"""

from __future__ import annotations

import gc
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise
from typing import TypeVar

import numpy as np
import scipy.sparse as sp
import scipy.sparse.csgraph as csgraph

from graphsvc.analysis.deal import assemble_analysis, assemble_risk
from graphsvc.analysis.decision import top_dm_index
from graphsvc.analysis.forecast import friedkin_johnsen_operator, influence_matrix
from graphsvc.analysis.next_best import rank_next_best
from graphsvc.analysis.params import DEFAULT_PARAMS, AnalysisParams
from graphsvc.analysis.ranking import MemberScores, position_from_counts, same_scores
from graphsvc.analysis.schemas import DealAnalysis, DealRisk, NextBestContact, SupportPoint
from graphsvc.analysis.support import (
    SupportState,
    history_points,
    map_completeness,
    support_point_at,
    trend_reference_instant,
)
from graphsvc.domain.models import Role, Stance
from graphsvc.domain.snapshot import (
    DealHistory,
    DealSnapshot,
    Line,
    LineFact,
    Member,
    MembershipFact,
)


@contextmanager
def bulk_build() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many result objects.

    A fleet pass creates hundreds of thousands of small objects while the histories it
    reads are alive; every few thousand allocations CPython would rescan all of them,
    which measured at 30-40% of a 500-deal pass. Nothing built here forms reference
    cycles, so reference counting frees it all the same; the collector runs again after.

    What survives the pass is results, which live on: rather than letting the next young
    collections traverse every one of them, they are moved straight to the oldest
    generation (``gc.freeze`` then ``gc.unfreeze``: two list splices, no traversal),
    unless someone else keeps objects frozen (a pre-fork server), whom that would undo.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        if was_enabled:
            gc.enable()


# --------------------------------------------------------------------------- folding


@dataclass(slots=True)
class _Folder:
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
    def of(cls, history: DealHistory) -> _Folder:
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
    folder = _Folder.of(history)
    return [folder.snapshot(t) for t in instants]


# --------------------------------------------------------------------------- scoring


@dataclass(slots=True)
class _Layout:
    """Where each committee sits in the fleet-wide arrays."""

    offsets: np.ndarray  # start of each block, plus the total at the end
    sizes: np.ndarray
    block_of: np.ndarray  # block index of every node

    @classmethod
    def of(cls, snapshots: Sequence[DealSnapshot]) -> _Layout:
        sizes = np.fromiter(
            (len(s.members) for s in snapshots), dtype=np.int64, count=len(snapshots)
        )
        offsets = np.zeros(len(sizes) + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        return cls(offsets=offsets, sizes=sizes, block_of=np.repeat(np.arange(len(sizes)), sizes))

    @property
    def total(self) -> int:
        return int(self.offsets[-1])

    def size_groups(self) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        """``(m, blocks, nodes)`` for every committee size ``m`` > 0: the blocks of that
        size and their nodes as a ``(len(blocks), m)`` array, row by row."""
        for m in np.unique(self.sizes).tolist():
            if m == 0:
                continue
            blocks = np.flatnonzero(self.sizes == m)
            yield m, blocks, self.offsets[blocks][:, None] + np.arange(m)[None, :]


_STANCE_NUMBER = {stance: stance.numeric for stance in Stance}
_Stances = tuple[np.ndarray, np.ndarray]  # stance (-2..2, unknown 0) and ally per node


def _stances_of(members: Sequence[Member]) -> _Stances:
    numbers = _STANCE_NUMBER
    n = len(members)
    return (
        np.fromiter([numbers[m.stance] for m in members], dtype=np.int64, count=n),
        np.fromiter([m.ally for m in members], dtype=bool, count=n),
    )


@dataclass(slots=True)
class _Encoded:
    """Every committee's members and lines as fleet-wide arrays (one pass over the data)."""

    layout: _Layout
    ids: list[list[str]]
    members: list[Member]  # every committee's, one after the other
    role: np.ndarray
    rating: np.ndarray
    stances: _Stances
    influence: tuple[np.ndarray, np.ndarray, np.ndarray]  # source, target, strength
    reporting: tuple[np.ndarray, np.ndarray]  # report, manager

    @classmethod
    def of(cls, snapshots: Sequence[DealSnapshot], params: AnalysisParams) -> _Encoded:
        layout = _Layout.of(snapshots)
        role_of = {role: params.role_value(role) for role in Role}
        # One flat pass per attribute over every member of every committee (list
        # comprehensions are the fastest way CPython reads slots), then per-block slices.
        members = [m for snap in snapshots for m in snap.members]
        flat_ids = [m.stakeholder.id for m in members]
        offsets = layout.offsets.tolist()
        ids = [flat_ids[offsets[b] : offsets[b + 1]] for b in range(len(snapshots))]
        src: list[int] = []
        dst: list[int] = []
        strength: list[float] = []
        rep: list[int] = []
        mgr: list[int] = []
        for b, snap in enumerate(snapshots):
            if snap.influences or snap.reporting:
                off = offsets[b]
                index = dict(zip(ids[b], range(off, offsets[b + 1]), strict=True))
                lines = snap.influences
                src.extend([index[line.source_id] for line in lines])
                dst.extend([index[line.target_id] for line in lines])
                strength.extend([line.strength for line in lines])
                lines = snap.reporting
                rep.extend([index[line.source_id] for line in lines])
                mgr.extend([index[line.target_id] for line in lines])
        n = len(members)
        raw_rating = np.fromiter(  # ratings are 1-5, unrated 0
            [m.influence_rating or 0 for m in members], dtype=float, count=n
        )
        return cls(
            layout=layout,
            ids=ids,
            members=members,
            role=np.fromiter([role_of[m.role] for m in members], dtype=float, count=n),
            rating=np.where(raw_rating == 0, params.unrated_rating, (raw_rating - 1.0) / 4.0),
            stances=_stances_of(members),
            influence=(
                np.fromiter(src, dtype=np.int64, count=len(src)),
                np.fromiter(dst, dtype=np.int64, count=len(dst)),
                np.fromiter(strength, dtype=float, count=len(strength)),
            ),
            reporting=(
                np.fromiter(rep, dtype=np.int64, count=len(rep)),
                np.fromiter(mgr, dtype=np.int64, count=len(mgr)),
            ),
        )

    def self_weight(self) -> np.ndarray:
        """Each member's own Friedkin-Johnsen self-weight, NaN where none was recorded
        (only the forecast needs it, so it is read on demand)."""
        nan = float("nan")
        weights = [nan if m.self_weight is None else m.self_weight for m in self.members]
        return np.fromiter(weights, dtype=float, count=len(weights))


def _block_solve(
    layout: _Layout,
    diagonal: np.ndarray,
    entries: tuple[np.ndarray, np.ndarray, np.ndarray],
    rhs: np.ndarray,
) -> np.ndarray:
    """Solve the block-diagonal system ``(diag(diagonal) + entries) x = rhs`` exactly.

    Committees of equal size are stacked into one ``(blocks, m, m)`` array and solved by
    one batched LAPACK call per size (committees are small, so a dense LU of each beats a
    sparse LU of the whole fleet). ``entries`` are ``(row node, column node, value)``
    inside one block each, duplicates summed; ``rhs`` is ``(n,)`` or ``(n, k)``, and so is
    the answer.
    """
    rows, cols, values = entries
    block_of = layout.block_of
    local = np.arange(layout.total) - layout.offsets[block_of]
    columns = rhs.reshape(layout.total, -1)
    answer = np.zeros_like(columns, dtype=float)
    entry_size = layout.sizes[block_of[rows]]
    by_size = np.argsort(entry_size, kind="stable")
    sorted_sizes = entry_size[by_size]
    position = np.zeros(len(layout.sizes), dtype=np.int64)
    for m, blocks, grid in layout.size_groups():
        position[blocks] = np.arange(len(blocks))
        nodes = grid.ravel()
        lo, hi = np.searchsorted(sorted_sizes, [m, m + 1])
        picked = by_size[lo:hi]
        r, c = rows[picked], cols[picked]
        # Summing duplicates by bincount on the flat index (much faster than np.add.at).
        flat = (position[block_of[r]] * m + local[r]) * m + local[c]
        stack = np.bincount(flat, weights=values[picked], minlength=len(blocks) * m * m)
        # (bincount of nothing is an integer array)
        stack = stack.astype(float, copy=False).reshape(len(blocks), m, m)
        diagonal_index = np.arange(m)
        stack[:, diagonal_index, diagonal_index] += diagonal[nodes].reshape(len(blocks), m)
        solved = np.linalg.solve(stack, columns[nodes].reshape(len(blocks), m, -1))
        answer[nodes] = solved.reshape(len(nodes), -1)
    return answer.reshape(rhs.shape)


def _pagerank(encoded: _Encoded, params: AnalysisParams) -> np.ndarray:
    layout = encoded.layout
    n = layout.total
    source, target, strength = encoded.influence
    # Listener (target of the influence line) -> influencer (its source), row-normalised;
    # the system is I - alpha * transition^T: entry (influencer, listener).
    out = np.bincount(target, weights=strength, minlength=n)
    sizes = layout.sizes[layout.block_of].astype(float)
    solved = _block_solve(
        layout,
        np.ones(n),
        (source, target, -params.pagerank_alpha * strength / out[target]),
        1.0 / sizes,
    )
    block_sums = np.bincount(layout.block_of, weights=solved, minlength=len(layout.sizes))
    return solved / block_sums[layout.block_of]


def _reporting_counts(encoded: _Encoded) -> tuple[np.ndarray, np.ndarray]:
    """(people below, people above) every node, through all reporting lines."""
    n = encoded.layout.total
    report, manager = encoded.reporting
    below, above = np.zeros(n), np.zeros(n)
    if len(report) == 0:
        return below, above
    # Only the people on some reporting line take part: number them 0..k-1, so the
    # matrices are k x k rather than fleet-sized.
    involved, local = np.unique(np.concatenate([report, manager]), return_inverse=True)
    k = len(involved)
    local_report, local_manager = local[: len(report)], local[len(report) :]
    # manager -> report adjacency; closure = everyone reachable downwards.
    step = sp.csr_matrix(
        (np.ones(len(report)), (local_manager, local_report)), shape=(k, k), dtype=np.int8
    )
    step.data[:] = 1
    closure = step
    while True:  # path doubling: after i rounds every path of up to 2**i lines is in
        grown = closure + closure @ closure
        grown.data[:] = 1
        if grown.nnz == closure.nnz:
            break
        closure = grown
    closure = closure.tocsr()
    diagonal = closure.diagonal().astype(float)
    below[involved] = np.diff(closure.indptr) - diagonal
    above[involved] = np.bincount(closure.indices, minlength=k) - diagonal
    return below, above


def fleet_scores(
    snapshots: Sequence[DealSnapshot], *, params: AnalysisParams = DEFAULT_PARAMS
) -> list[MemberScores]:
    """Scores of many committees at once; equal (to float noise) to ``score_members`` of each.

    Parameters
    ----------
    snapshots : sequence of DealSnapshot
        Any number of committees (empty ones included).
    params : AnalysisParams
        Weights.

    Returns
    -------
    list[MemberScores]
        One per snapshot, in order.

    Examples
    --------
    >>> from graphsvc.analysis._examples import committee
    >>> from graphsvc.analysis.ranking import score_members
    >>> snaps = [committee([("a", "Other"), ("b", "Decision Maker")], influences=[("a", "b", 1.0)]),
    ...          committee([])]
    >>> fleet = fleet_scores(snaps)
    >>> bool(np.allclose(fleet[0].score, score_members(snaps[0]).score, atol=1e-9)), fleet[1].size
    (True, 0)
    """
    return _scores(_Encoded.of(snapshots, params), params)


def _scores(encoded: _Encoded, params: AnalysisParams) -> list[MemberScores]:
    layout = encoded.layout
    n = layout.total
    if n == 0:
        return [_empty_scores() for _ in layout.sizes]
    role = encoded.role
    rating = encoded.rating
    pagerank = _pagerank(encoded, params)
    # Blocks are contiguous, so the maxima are one reduceat over the non-empty blocks'
    # starts (strictly increasing; the last runs to the end).
    filled = layout.sizes > 0
    block_max = np.ones(len(layout.sizes))
    block_max[filled] = np.maximum.reduceat(pagerank, layout.offsets[:-1][filled])
    network = pagerank / block_max[layout.block_of]
    below, above = _reporting_counts(encoded)
    position = position_from_counts(below, above, layout.sizes[layout.block_of])
    share = params.authority_role_share
    authority = share * role + (1.0 - share) * position
    score = np.clip(
        100.0
        * (
            params.weight_authority * authority
            + params.weight_network * network
            + params.weight_rating * rating
        )
        / params.weight_total,
        0.0,
        100.0,
    )
    # Rank order inside each committee, committees of one size sorted together row by
    # row. Members are sorted by id inside a snapshot and lexsort is stable, so the last
    # tie-break (the smaller id) is the members' own order.
    score_key = -np.round(score, params.rank_decimals)
    authority_key = -np.round(authority, params.rank_decimals)
    orders: list[tuple[int, ...]] = [()] * len(layout.sizes)
    for _, blocks, grid in layout.size_groups():
        ranked = np.lexsort((authority_key[grid], score_key[grid]), axis=-1).tolist()
        for b, row in zip(blocks.tolist(), ranked, strict=True):
            orders[b] = tuple(row)
    bounds = layout.offsets.tolist()
    results: list[MemberScores] = []
    for b in range(len(layout.sizes)):
        lo, hi = bounds[b], bounds[b + 1]
        results.append(
            MemberScores(
                authority=authority[lo:hi],
                network=network[lo:hi],
                rating=rating[lo:hi],
                position=position[lo:hi],
                score=score[lo:hi],
                order=orders[b],
            )
        )
    return results


def _empty_scores() -> MemberScores:
    empty = np.zeros(0)
    return MemberScores(
        authority=empty, network=empty, rating=empty, position=empty, score=empty, order=()
    )


# --------------------------------------------------------------------------- analysis


def trend_pairs(
    histories: Sequence[DealHistory],
    *,
    as_of: int | None = None,
    params: AnalysisParams = DEFAULT_PARAMS,
) -> tuple[list[DealSnapshot], list[DealSnapshot]]:
    """Each deal's snapshot now and ``trend_weeks`` earlier (as :func:`deal.trend_snapshots`)."""
    now_list: list[DealSnapshot] = []
    then_list: list[DealSnapshot] = []
    with bulk_build():
        _fold_pairs(histories, as_of, params, now_list, then_list)
    return now_list, then_list


def _fold_pairs(
    histories: Sequence[DealHistory],
    as_of: int | None,
    params: AnalysisParams,
    now_list: list[DealSnapshot],
    then_list: list[DealSnapshot],
    folders: Sequence[_Folder] | None = None,
) -> None:
    for d, history in enumerate(histories):
        folder = _Folder.of(history) if folders is None else folders[d]
        now = folder.snapshot(as_of)
        then_at = trend_reference_instant(history.first_fact_at(), now.as_of, params=params)
        now_list.append(now)
        then_list.append(folder.snapshot(then_at))


def _support_states(
    layout: _Layout, ids: Sequence[Sequence[str]], stances: _Stances, scores: Sequence[MemberScores]
) -> list[SupportState]:
    """:func:`support.support_state` of every committee at once."""
    blocks = len(layout.sizes)
    if layout.total == 0:
        return [_empty_state() for _ in range(blocks)]
    stance, ally = stances
    score = np.concatenate([s.score for s in scores])
    block_of = layout.block_of
    totals = np.bincount(block_of, weights=score, minlength=blocks)
    positive = totals > 0
    weights = np.where(
        positive[block_of],
        score / np.where(positive, totals, 1.0)[block_of],
        1.0 / np.maximum(layout.sizes, 1)[block_of],
    )
    supporter = stance >= 1
    opposed = stance <= -1
    share = np.bincount(block_of, weights=weights * supporter, minlength=blocks)
    opposition = np.bincount(block_of, weights=weights * opposed, minlength=blocks)
    allies = np.bincount(block_of, weights=ally, minlength=blocks)
    states: list[SupportState] = []
    bounds = layout.offsets.tolist()
    shares, oppositions, ally_counts = share.tolist(), opposition.tolist(), allies.tolist()
    for b in range(blocks):
        lo, hi = bounds[b], bounds[b + 1]
        if lo == hi:
            states.append(_empty_state())
            continue
        sh, op = shares[b], oppositions[b]
        states.append(
            SupportState(
                ids=tuple(ids[b]),
                weights=weights[lo:hi],
                supporter=supporter[lo:hi],
                opposed=opposed[lo:hi],
                share=min(1.0, sh),
                opposition=min(1.0, op),
                neutral=max(0.0, 1.0 - sh - op),
                allies=int(ally_counts[b]),
            )
        )
    return states


def _empty_state() -> SupportState:
    empty = np.zeros(0)
    nothing = np.zeros(0, dtype=bool)
    return SupportState((), empty, nothing, nothing, 0.0, 0.0, 0.0, 0)


def _friends_reach_dms(encoded: _Encoded, found: list[tuple[int, bool] | None]) -> np.ndarray:
    """Per block: does an ally or supporter reach the block's top decision-maker along
    influence lines (source to target) or reporting lines (either way)? One breadth-first
    search for the whole fleet, from a virtual node linked to every decision-maker, on
    the reversed lines (the blocks do not touch, so each search stays in its block)."""
    layout = encoded.layout
    n = layout.total
    blocks = len(layout.sizes)
    starts = [int(layout.offsets[b]) + dm[0] for b, dm in enumerate(found) if dm is not None]
    answer = np.zeros(blocks, dtype=bool)
    if not starts:
        return answer
    source, target, _ = encoded.influence
    report, manager = encoded.reporting
    virtual = n
    rows = np.concatenate([target, report, manager, np.full(len(starts), virtual)])
    cols = np.concatenate([source, manager, report, np.asarray(starts, dtype=np.int64)])
    graph = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n + 1, n + 1))
    reached = csgraph.breadth_first_order(graph, virtual, directed=True, return_predecessors=False)
    mask = np.zeros(n + 1, dtype=bool)
    mask[reached] = True
    stance, ally = encoded.stances
    friend = ally | (stance >= 1)
    hit = mask[:n] & friend
    hit[np.asarray(starts, dtype=np.int64)] = False  # a decision-maker does not reach themself
    np.logical_or.at(answer, layout.block_of[hit], True)
    return answer


def analyze_fleet(
    snapshots: Sequence[DealSnapshot],
    previous: Sequence[DealSnapshot] | None = None,
    *,
    params: AnalysisParams = DEFAULT_PARAMS,
) -> list[DealAnalysis]:
    """Analyse many deals in one pass (same results as :func:`deal.analyze_snapshot` each).

    Parameters
    ----------
    snapshots : sequence of DealSnapshot
        The committees now.
    previous : sequence of DealSnapshot, optional
        The same deals ``trend_weeks`` earlier, for the trend.
    params : AnalysisParams
        Weights and thresholds.

    Examples
    --------
    >>> from graphsvc.analysis._examples import committee
    >>> results = analyze_fleet([committee([("x", "Economic Buyer")])])
    >>> [a.top_decision_maker.stakeholder_id for a in results]
    ['x']
    """
    with bulk_build():
        return _analyze_fleet(snapshots, previous, params, assemble_analysis)[0]


def scan_fleet(
    snapshots: Sequence[DealSnapshot],
    previous: Sequence[DealSnapshot] | None = None,
    *,
    params: AnalysisParams = DEFAULT_PARAMS,
) -> list[DealRisk]:
    """The fleet scan: each deal's :class:`DealRisk` (top decision-maker, support and
    trend, flags, key people), in one pass; the same as :func:`deal.assess_snapshot` of
    each, scores equal within float noise. :func:`analyze_fleet` adds the full rankings.

    Examples
    --------
    >>> from graphsvc.analysis._examples import committee
    >>> risks = scan_fleet([committee([("x", "Economic Buyer"), ("y", "Other")])])
    >>> [(r.top_decision_maker.stakeholder_id, len(r.key_people)) for r in risks]
    [('x', 2)]
    """
    with bulk_build():
        return _analyze_fleet(snapshots, previous, params, assemble_risk)[0]


def analyze_deal(
    snapshot: DealSnapshot,
    previous: DealSnapshot | None = None,
    *,
    params: AnalysisParams = DEFAULT_PARAMS,
) -> DealAnalysis:
    """One deal on the vectorised path: the same answer as :func:`deal.analyze_snapshot`
    (networkx) in a fraction of its time, which is what a request for one deal wants.
    No garbage-collector pause: a single deal builds few objects.

    Examples
    --------
    >>> from graphsvc.analysis._examples import committee
    >>> analyze_deal(committee([("x", "Economic Buyer")])).top_decision_maker.stakeholder_id
    'x'
    """
    earlier = None if previous is None else [previous]
    return _analyze_fleet([snapshot], earlier, params, assemble_analysis)[0][0]


_R = TypeVar("_R", bound=DealRisk)


def _analyze_fleet(
    snapshots: Sequence[DealSnapshot],
    previous: Sequence[DealSnapshot] | None,
    params: AnalysisParams,
    assemble: Callable[..., _R],
) -> tuple[list[_R], list[MemberScores]]:
    """The results (built by ``assemble``: :func:`deal.assemble_analysis` or
    :func:`deal.assemble_risk`), and the scores of ``snapshots`` (for the next best
    contacts)."""
    # A committee whose scores cannot have changed since the trend's reference instant
    # (only stances moved, say) reuses today's scores; the rest are scored in the batch.
    count = len(snapshots)
    reused = [
        previous is not None and same_scores(snap, previous[b]) for b, snap in enumerate(snapshots)
    ]
    extra = [previous[b] for b in range(count) if previous is not None and not reused[b]]
    encoded = _Encoded.of([*snapshots, *extra], params)
    scored = _scores(encoded, params)
    states = _support_states(encoded.layout, encoded.ids, encoded.stances, scored)
    found = [
        top_dm_index(snap, scored[b], decimals=params.rank_decimals)
        for b, snap in enumerate(snapshots)
    ]
    reaches = _friends_reach_dms(encoded, found)
    # Reused committees: today's scores and people, with the stances of back then.
    reused_at = [b for b in range(count) if reused[b]]
    reused_states = iter(
        _support_states(
            _Layout.of([snapshots[b] for b in reused_at]),
            [encoded.ids[b] for b in reused_at],
            _stances_of([m for b in reused_at for m in previous[b].members]),
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


def fleet_support_histories(
    histories: Sequence[DealHistory],
    *,
    start: int | None = None,
    end: int | None = None,
    interval: str = "week",
    max_points: int | None = None,
    params: AnalysisParams = DEFAULT_PARAMS,
) -> list[list[SupportPoint]]:
    """Support history of many deals, all instants of all deals scored in one pass.

    ``max_points`` keeps only the latest points of each deal (e.g. 13 for a 12-week
    chart). Equal to :func:`support.support_history` of each deal (to float noise).
    """
    with bulk_build():
        return _support_histories(histories, start, end, interval, max_points, params)


def _support_histories(
    histories: Sequence[DealHistory],
    start: int | None,
    end: int | None,
    interval: str,
    max_points: int | None,
    params: AnalysisParams,
    folders: Sequence[_Folder] | None = None,
) -> list[list[SupportPoint]]:
    # Most committees change at few of the instants (a 12-week chart of a quiet deal is
    # one committee 13 times), so each deal's facts are folded and scored once per
    # change, and every instant reuses the state of the committee it falls in.
    snapshots: list[DealSnapshot] = []  # the distinct committees, in order
    rows: list[list[tuple[int, int]]] = []  # per deal: (committee index, instant)
    for d, history in enumerate(histories):
        instants = history_points(history, start=start, end=end, interval=interval)  # type: ignore[arg-type]
        if max_points is not None:
            instants = instants[-max_points:]
        deal_rows: list[tuple[int, int]] = []
        if instants:
            folder = _Folder.of(history) if folders is None else folders[d]
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
    encoded = _Encoded.of(snapshots, params)
    states = _support_states(
        encoded.layout, encoded.ids, encoded.stances, _scores(encoded, params)
    )
    completeness = [map_completeness(snap, params=params)[0] for snap in snapshots]
    return [
        [support_point_at(at, states[k], completeness[k]) for k, at in deal_rows]
        for deal_rows in rows
    ]


def fleet_scan_details(
    histories: Sequence[DealHistory],
    *,
    history_points_kept: int = 13,
    next_best: int | None = 1,
    params: AnalysisParams = DEFAULT_PARAMS,
) -> tuple[list[DealRisk], list[list[SupportPoint]], list[list[NextBestContact]]]:
    """What the weekly e-mails need of many deals, in one pass over each deal's facts.

    The same as :func:`scan_fleet` on :func:`trend_pairs`, :func:`fleet_support_histories`
    (weekly, the latest ``history_points_kept`` points) and :func:`fleet_next_best` (with
    ``limit=next_best``), but each deal's facts are sorted once for all three and the
    committees are scored once for the analysis and the next best contacts.

    Examples
    --------
    >>> from graphsvc.analysis._examples import history_from_events
    >>> h = history_from_events([(0, "a", {"role": "Economic Buyer"})], as_of_day=14)
    >>> analyses, points, contacts = fleet_scan_details([h])
    >>> analyses[0].top_decision_maker.stakeholder_id, len(points[0]), len(contacts[0])
    ('a', 3, 1)
    """
    with bulk_build():
        folders = [_Folder.of(history) for history in histories]
        now: list[DealSnapshot] = []
        then: list[DealSnapshot] = []
        _fold_pairs(histories, None, params, now, then, folders)
        analyses, scores = _analyze_fleet(now, then, params, assemble_risk)
        points = _support_histories(
            histories, None, None, "week", history_points_kept, params, folders
        )
        contacts = _next_best(now, scores, params, next_best)
    return analyses, points, contacts


def _fj_system(
    encoded: _Encoded, params: AnalysisParams
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
    """Block-diagonal ``I - Λ W`` as (diagonal, off-diagonal entries), and the
    self-weights (diagonal of ``W``)."""
    n = encoded.layout.total
    source, target, strength = encoded.influence
    incoming = np.bincount(target, weights=strength, minlength=n)
    recorded = encoded.self_weight()
    own = np.where(np.isnan(recorded), params.default_self_weight, recorded)
    own = np.where(incoming > 0, own, 1.0)
    # Row i of W off the diagonal: (1 - w_ii) * strength / incoming strength.
    off = (1.0 - own[target]) * strength / incoming[target]
    susceptibility = 1.0 - own
    diagonal = 1.0 - susceptibility * own
    return diagonal, (target, source, -susceptibility[target] * off), own


def fleet_next_best(
    snapshots: Sequence[DealSnapshot],
    scores: Sequence[MemberScores],
    *,
    params: AnalysisParams = DEFAULT_PARAMS,
    limit: int | None = None,
) -> list[list[NextBestContact]]:
    """Next best contacts of many deals; Friedkin-Johnsen solved for all committees at once."""
    with bulk_build():
        return _next_best(snapshots, scores, params, limit)


def _next_best(
    snapshots: Sequence[DealSnapshot],
    scores: Sequence[MemberScores],
    params: AnalysisParams,
    limit: int | None,
) -> list[list[NextBestContact]]:
    encoded = _Encoded.of(snapshots, params)
    layout = encoded.layout
    n = layout.total
    if n == 0:
        return [[] for _ in snapshots]
    diagonal, entries, own = _fj_system(encoded, params)
    # A block with a zero self-weight can be singular (see forecast.py); those few take
    # the per-deal route, the rest one batched solve. Their rows become identity so the
    # solve exists.
    degenerate = np.zeros(len(snapshots), dtype=bool)
    np.logical_or.at(degenerate, layout.block_of, own <= 0)
    if degenerate.any():
        bad = degenerate[layout.block_of]
        diagonal = np.where(bad, 1.0, diagonal)
        rows, cols, values = entries
        entries = (rows, cols, np.where(bad[rows], 0.0, values))
    candidates: list[list[int]] = [
        [i for i, m in enumerate(snap.members) if m.stance.numeric < 1] for snap in snapshots
    ]
    width = max((len(c) for c in candidates), default=0)
    # Column 0: the equilibrium itself ((I - Λ) x0); column k: M e_i for the k-th
    # candidate i of every block.
    columns = np.zeros((n, width + 1))
    columns[:, 0] = own * encoded.stances[0]
    for b, cands in enumerate(candidates):
        off = int(layout.offsets[b])
        for k, i in enumerate(cands, start=1):
            columns[off + i, k] = own[off + i]
    solved = _block_solve(layout, diagonal, entries, columns)
    results: list[list[NextBestContact]] = []
    for b, snap in enumerate(snapshots):
        lo, hi = int(layout.offsets[b]), int(layout.offsets[b + 1])
        size = hi - lo
        if size == 0:
            results.append([])
            continue
        baseline: np.ndarray | None
        if degenerate[b]:
            operator = friedkin_johnsen_operator(influence_matrix(snap, params=params))
            baseline = None
        else:
            # Only the candidates' columns of M are read besides the equilibrium.
            operator = np.zeros((size, size))
            cands = candidates[b]
            operator[:, cands] = solved[lo:hi, 1 : len(cands) + 1]
            baseline = solved[lo:hi, 0]
        results.append(
            rank_next_best(snap, scores[b], operator, baseline=baseline, params=params, limit=limit)
        )
    return results
