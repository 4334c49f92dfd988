"""The engine's side of a chunk folded from arrays (:class:`graphsvc.domain.chunk.
FactChunk`): its lines as the fleet-wide node-index arrays of
:class:`~graphsvc.analysis._blocks.Encoded`, and which committees keep their scores
between two folds, both without a :class:`~graphsvc.domain.snapshot.Line` object.

Encoded lays the committees out one after the other, each in member (id) order; a
chunk's seats are ordered by (deal, person id), so a seat held in a fold is node
``offset + (number of held seats before it)`` when the fold's selected deals are laid
out in deal order from ``offset``: one cumulative sum. The lines then come in
placement order, (deal, source id, target id), as Encoded reads them from the
snapshots. :func:`same_scores` is :func:`graphsvc.analysis.ranking.same_scores` of every
deal's two committees at once (the same seats held with the same role and rating, the
same lines with the same strength and instant); :func:`weekly_shares` is the kept
results' sparkline, folded and scored a chunk at a time.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from graphsvc.analysis._blocks import Encoded, LineArrays
from graphsvc.analysis.params import AnalysisParams
from graphsvc.analysis.schemas import Interval
from graphsvc.analysis.support import history_instants
from graphsvc.analysis.vectorised import encoded_scores, support_states
from graphsvc.domain.chunk import ChunkFold, FactChunk
from graphsvc.domain.models import Role
from graphsvc.domain.snapshot import DealSnapshot


def chunk_lines(chunk: FactChunk, folds: Sequence[tuple[ChunkFold, np.ndarray]]) -> LineArrays:
    """The lines of ``folds``, each ``(fold, deals)`` laid out on the deals of its mask,
    in order, after the committees of the folds before it."""
    parts = []
    offset = 0
    for fold, deals in folds:
        held = fold.seated & deals[chunk.seat_deal]
        node = np.cumsum(held) - 1 + offset
        source_seat, target_seat, strength, reporting = chunk.line_arrays(fold, deals)
        source, target = node[source_seat], node[target_seat]
        influence = ~reporting
        parts.append(
            (
                source[influence],
                target[influence],
                strength[influence],
                source[reporting],
                target[reporting],
            )
        )
        offset += int(held.sum())
    src, dst, strength, rep, mgr = (np.concatenate([part[i] for part in parts]) for i in range(5))
    return src, dst, strength.astype(float), rep, mgr


def same_scores(chunk: FactChunk, now: ChunkFold, then: ChunkFold) -> list[bool]:
    """Per deal: whether its committees in the two folds must get the same scores."""
    count = len(chunk.deals)
    values = chunk.member_state_values
    role_number: dict[Role | None, int] = {role: k for k, role in enumerate(Role)}
    roles = np.array([role_number.get(state[1], -1) for state in values], dtype=np.int64)
    ratings = np.array([-1 if state[4] is None else state[4] for state in values], dtype=np.int64)
    both = now.seated & then.seated
    seat_now = chunk.member_state_code[now.member_fact[both]]
    seat_then = chunk.member_state_code[then.member_fact[both]]
    changed = np.zeros(len(both), dtype=bool)
    changed[both] = (roles[seat_now] != roles[seat_then]) | (
        ratings[seat_now] != ratings[seat_then]
    )
    changed |= now.seated != then.seated
    drawn = now.drawn & then.drawn
    moved = now.drawn != then.drawn
    if drawn.any():
        line_now, line_then = now.line_fact[drawn], then.line_fact[drawn]
        differs = chunk.line_at[line_now] != chunk.line_at[line_then]
        strength = chunk.line_strengths(line_now) != chunk.line_strengths(line_then)
        moved[drawn] |= differs | strength
    bad = np.bincount(chunk.seat_deal[changed], minlength=count)
    bad += np.bincount(chunk.place_deal[moved], minlength=count)
    return (bad == 0).tolist()


def _unchanged(chunk: FactChunk, now: ChunkFold, then: ChunkFold) -> np.ndarray:
    """Per deal: whether the two folds hold the very same facts (so the same committee,
    stances included)."""
    count = len(chunk.deals)
    changed = (now.seated != then.seated) | (now.seated & (now.member_fact != then.member_fact))
    moved = (now.drawn != then.drawn) | (now.drawn & (now.line_fact != then.line_fact))
    bad = np.bincount(chunk.seat_deal[changed], minlength=count)
    bad += np.bincount(chunk.place_deal[moved], minlength=count)
    return np.asarray(bad == 0)


def weekly_shares(
    chunk: FactChunk, *, points: int, params: AnalysisParams
) -> list[tuple[float, ...]]:
    """Each deal's support share at its last ``points`` weekly instants up to the
    chunk's instant: the shares of ``engine.support_histories(histories,
    interval=week, max_points=points)``, a whole chunk at a time. Round ``k`` folds
    every deal at its ``k``-th instant; a committee whose facts did not change since
    the round before is scored once."""
    count = len(chunk)
    end = chunk.as_of
    instants = [
        [] if first is None else history_instants(min(first, end), end, Interval.week)[-points:]
        for first in chunk.first_fact_at()
    ]
    folds: list[tuple[ChunkFold, np.ndarray]] = []
    snapshots: list[DealSnapshot] = []
    committee = np.full((count, max(map(len, instants), default=0)), -1, dtype=np.int64)
    previous: ChunkFold | None = None
    for k in range(committee.shape[1]):
        fold = chunk.fold([pts[min(k, len(pts) - 1)] if pts else end for pts in instants])
        new = np.array([k < len(pts) for pts in instants], dtype=bool)
        if previous is not None:
            same = new & _unchanged(chunk, fold, previous)
            committee[same, k] = committee[same, k - 1]
            new &= ~same
        chosen = np.flatnonzero(new)
        committee[chosen, k] = np.arange(len(snapshots), len(snapshots) + len(chosen))
        snapshots += chunk.snapshots_without_lines(fold, chosen.tolist())
        folds.append((fold, new))
        previous = fold
    if not snapshots:
        return [()] * count
    encoded = Encoded.of(snapshots, params, lines=chunk_lines(chunk, folds))
    states = support_states(
        encoded.layout, encoded.ids, encoded.stances, encoded_scores(encoded, params)
    )
    shares = [state.share for state in states]
    return [
        tuple(shares[c] for c in row[: len(pts)].tolist())
        for row, pts in zip(committee, instants, strict=True)
    ]
