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
same lines with the same strength and instant).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from graphsvc.analysis._blocks import LineArrays
from graphsvc.domain.chunk import ChunkFold, FactChunk
from graphsvc.domain.models import Role


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
        strengths = np.array([state[1] for state in chunk.line_state_values], dtype=float)
        of_fact = strengths[chunk.line_state_code]
        strength = of_fact[line_now] != of_fact[line_then]
        moved[drawn] |= differs | strength
    bad = np.bincount(chunk.seat_deal[changed], minlength=count)
    bad += np.bincount(chunk.place_deal[moved], minlength=count)
    return (bad == 0).tolist()
