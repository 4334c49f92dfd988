"""The fleet-wide arrays of the vectorised engine, and its block-diagonal solver.

Every committee of a pass is one diagonal block of fleet-wide arrays: :class:`Layout`
says where each block sits, :class:`Encoded` holds every member's attributes and every
line as flat arrays (one pass over the data), and :func:`block_solve` solves a
block-diagonal system exactly, committees of equal size stacked into one batched LU.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from graphsvc.analysis.params import AnalysisParams
from graphsvc.domain.models import Role, Stance
from graphsvc.domain.snapshot import DealSnapshot, Member


@dataclass(slots=True)
class Layout:
    """Where each committee sits in the fleet-wide arrays."""

    offsets: np.ndarray  # start of each block, plus the total at the end
    sizes: np.ndarray
    block_of: np.ndarray  # block index of every node

    @classmethod
    def of(cls, snapshots: Sequence[DealSnapshot]) -> Layout:
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
# Lines as node indices: influence (source, target, strength), reporting (report, manager).
LineArrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
Stances = tuple[np.ndarray, np.ndarray]  # stance (-2..2, unknown 0) and ally per node


def stances_of(members: Sequence[Member]) -> Stances:
    numbers = _STANCE_NUMBER
    n = len(members)
    return (
        np.fromiter([numbers[m.stance] for m in members], dtype=np.int64, count=n),
        np.fromiter([m.ally for m in members], dtype=bool, count=n),
    )


@dataclass(slots=True)
class Encoded:
    """Every committee's members and lines as fleet-wide arrays (one pass over the data)."""

    layout: Layout
    ids: list[list[str]]
    members: list[Member]  # every committee's, one after the other
    role: np.ndarray
    rating: np.ndarray
    stances: Stances
    influence: tuple[np.ndarray, np.ndarray, np.ndarray]  # source, target, strength
    reporting: tuple[np.ndarray, np.ndarray]  # report, manager

    @classmethod
    def of(
        cls,
        snapshots: Sequence[DealSnapshot],
        params: AnalysisParams,
        lines: LineArrays | None = None,
    ) -> Encoded:
        """``lines``: the committees' lines already as node-index arrays (a chunk folded
        from arrays, :mod:`graphsvc.analysis._chunked`); the snapshots' own are then
        not read."""
        layout = Layout.of(snapshots)
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
        for b, snap in enumerate(snapshots if lines is None else ()):
            if snap.influences or snap.reporting:
                off = offsets[b]
                index = dict(zip(ids[b], range(off, offsets[b + 1]), strict=True))
                drawn = snap.influences
                src.extend([index[line.source_id] for line in drawn])
                dst.extend([index[line.target_id] for line in drawn])
                strength.extend([line.strength for line in drawn])
                drawn = snap.reporting
                rep.extend([index[line.source_id] for line in drawn])
                mgr.extend([index[line.target_id] for line in drawn])
        n = len(members)
        if lines is None:
            lines = (
                np.fromiter(src, dtype=np.int64, count=len(src)),
                np.fromiter(dst, dtype=np.int64, count=len(dst)),
                np.fromiter(strength, dtype=float, count=len(strength)),
                np.fromiter(rep, dtype=np.int64, count=len(rep)),
                np.fromiter(mgr, dtype=np.int64, count=len(mgr)),
            )
        raw_rating = np.fromiter(  # ratings are 1-5, unrated 0
            [m.influence_rating or 0 for m in members], dtype=float, count=n
        )
        return cls(
            layout=layout,
            ids=ids,
            members=members,
            role=np.fromiter([role_of[m.role] for m in members], dtype=float, count=n),
            rating=np.where(raw_rating == 0, params.unrated_rating, (raw_rating - 1.0) / 4.0),
            stances=stances_of(members),
            influence=lines[:3],
            reporting=lines[3:],
        )

    def self_weight(self) -> np.ndarray:
        """Each member's own Friedkin-Johnsen self-weight, NaN where none was recorded
        (only the forecast needs it, so it is read on demand)."""
        nan = float("nan")
        weights = [nan if m.self_weight is None else m.self_weight for m in self.members]
        return np.fromiter(weights, dtype=float, count=len(weights))


def block_solve(
    layout: Layout,
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
