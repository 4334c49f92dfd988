"""The vectorised maths: every committee of a fleet scored in one pass.

All committees are laid side by side as the diagonal blocks of one fleet-wide system
(numpy/scipy, :mod:`graphsvc.analysis._blocks`), so the per-deal work of
:mod:`graphsvc.analysis.ranking` and :mod:`graphsvc.analysis.forecast` becomes a
handful of whole-fleet operations:

* **PageRank** of every committee at once, exactly: for a block with listener ->
  influencer transition matrix ``P`` (dangling rows left at zero) the solution of
  ``(I - α Pᵀ) y = 1/n`` normalised to sum 1 is the PageRank with dangling mass spread
  evenly (Langville & Meyer 2004, "Deeper inside PageRank", section 5), the same vector
  networkx's power iteration converges to. Committees of equal size are stacked and
  solved by one batched dense LU per size (:func:`~graphsvc.analysis._blocks.block_solve`).
* **Reporting position**: the transitive closure of all reporting trees by repeated
  sparse boolean products, then row and column counts (people below / above).
* **Support states**: each committee's influence weights and shares by bincounts over
  the blocks.
* **Friend reaches the decision-maker**: one breadth-first search for the whole fleet.
* **Friedkin-Johnsen**: the same batched solve of the block-diagonal ``I - Λ W``; the
  columns of ``M`` each next-best candidate needs are solved together, one right-hand
  side column per candidate *slot* (the k-th candidate of every committee shares
  column k, since the blocks do not interact).

Each function equals its per-deal networkx counterpart (``ranking.score_members``,
``support.support_state``, ``next_best.next_best_contacts``) within float noise (far
inside 1e-9); tests/analysis/test_properties.py holds them to it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
import scipy.sparse.csgraph as csgraph

from graphsvc.analysis._blocks import Encoded, Layout, Stances, block_solve
from graphsvc.analysis._build import bulk_build
from graphsvc.analysis.forecast import friedkin_johnsen_operator, influence_matrix
from graphsvc.analysis.next_best import rank_next_best
from graphsvc.analysis.params import DEFAULT_PARAMS, AnalysisParams
from graphsvc.analysis.ranking import MemberScores, position_from_counts
from graphsvc.analysis.schemas import NextBestContact
from graphsvc.analysis.support import SupportState
from graphsvc.domain.snapshot import DealSnapshot


def _pagerank(encoded: Encoded, params: AnalysisParams) -> np.ndarray:
    layout = encoded.layout
    n = layout.total
    source, target, strength = encoded.influence
    # Listener (target of the influence line) -> influencer (its source), row-normalised;
    # the system is I - alpha * transition^T: entry (influencer, listener).
    out = np.bincount(target, weights=strength, minlength=n)
    sizes = layout.sizes[layout.block_of].astype(float)
    solved = block_solve(
        layout,
        np.ones(n),
        (source, target, -params.pagerank_alpha * strength / out[target]),
        1.0 / sizes,
    )
    block_sums = np.bincount(layout.block_of, weights=solved, minlength=len(layout.sizes))
    return solved / block_sums[layout.block_of]


def _reporting_counts(encoded: Encoded) -> tuple[np.ndarray, np.ndarray]:
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
    return encoded_scores(Encoded.of(snapshots, params), params)


def encoded_scores(encoded: Encoded, params: AnalysisParams) -> list[MemberScores]:
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


def support_states(
    layout: Layout, ids: Sequence[Sequence[str]], stances: Stances, scores: Sequence[MemberScores]
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


def friends_reach_dms(encoded: Encoded, found: list[tuple[int, bool] | None]) -> np.ndarray:
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


def _fj_system(
    encoded: Encoded, params: AnalysisParams
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
        return next_best_of(snapshots, scores, params, limit)


def next_best_of(
    snapshots: Sequence[DealSnapshot],
    scores: Sequence[MemberScores],
    params: AnalysisParams,
    limit: int | None,
) -> list[list[NextBestContact]]:
    encoded = Encoded.of(snapshots, params)
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
    solved = block_solve(layout, diagonal, entries, columns)
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
