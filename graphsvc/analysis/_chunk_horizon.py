"""The kept results' due times read on a chunk's arrays: :func:`horizon.support_changes`
of every deal of a chunk at once, and :func:`chunk_unchanged_until`, the bound of
:func:`horizon.analysis_unchanged_until` for each deal as the chunk was read.

A support change (horizon.py's module docstring, 2.) is an instant at which a seat's
*entry* differs from the one in force before it, the last fact of an instant winning:

* a membership fact's entry is ``(role, rating, supporter)`` while it puts its person
  on the committee, none otherwise (no seat yet counts as none). Entries are numbered
  per distinct state, so a seat's run of facts compares integers;
* a line fact's entry is ``(instant, strength)`` while the line is drawn, none when it
  ends: every drawn fact is a change, an ended one only after a drawn one. A line is
  numbered once per chunk and its changes go to every deal it is placed on.

tests/store/test_fact_chunks.py checks both against horizon.py on every deal of the
seeded portfolio, at several instants.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np

from graphsvc.analysis.horizon import NEVER, changes_after, clock_unchanged_until
from graphsvc.analysis.params import AnalysisParams
from graphsvc.domain.chunk import FactChunk, run_indices


def _last_of_each_instant(
    starts: np.ndarray, ends: np.ndarray, instants: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Of the facts in the runs ``starts[k]:ends[k]`` (each sorted by instant, then
    seq), those that are the last of their instant in their run: their indices, runs
    and instants, in run order."""
    facts, offsets = run_indices(starts, ends)
    runs = np.repeat(np.arange(len(starts)), np.diff(offsets))
    at = instants[facts]
    last = np.ones(len(at), dtype=bool)
    last[:-1] = (runs[1:] != runs[:-1]) | (at[1:] != at[:-1])
    return facts[last], runs[last], at[last]


def _seat_changes(chunk: FactChunk) -> tuple[np.ndarray, np.ndarray]:
    """Every seat's support changes: (deal, instant) of each."""
    code: dict[object, int] = {}
    entry_of = np.array(
        [
            code.setdefault((role, rating, stance.numeric >= 1), len(code))
            if active and role is not None
            else -1
            for active, role, stance, _, rating, _ in chunk.member_state_values
        ]
        + [-1],  # an empty chunk still indexes an array
        dtype=np.int64,
    )
    facts, seat, at = _last_of_each_instant(chunk.seat_start, chunk.seat_end, chunk.member_at)
    entry = entry_of[chunk.member_state_code[facts]]
    held = np.full(len(entry), -1, dtype=np.int64)
    held[1:] = np.where(seat[1:] == seat[:-1], entry[:-1], -1)
    changed = entry != held
    return chunk.seat_deal[seat[changed]], at[changed]


def _line_changes(chunk: FactChunk) -> tuple[np.ndarray, np.ndarray]:
    """Every placed line's support changes: (deal, instant) of each, a line's changes
    once per deal it is placed on."""
    drawn_of = np.array([state[0] for state in chunk.line_state_values] + [False], dtype=bool)
    facts, line, at = _last_of_each_instant(chunk.line_start, chunk.line_end, chunk.line_at)
    drawn = drawn_of[chunk.line_state_code[facts]]
    was_drawn = np.zeros(len(drawn), dtype=bool)
    was_drawn[1:] = (line[1:] == line[:-1]) & drawn[:-1]
    changed = drawn | was_drawn
    line, at = line[changed], at[changed]
    # Each change to every placement of its line.
    by_line = np.argsort(chunk.place_line, kind="stable")
    placed = chunk.place_line[by_line]
    low = np.searchsorted(placed, line, side="left")
    high = np.searchsorted(placed, line, side="right")
    places, offsets = run_indices(low, high)
    return chunk.place_deal[by_line[places]], np.repeat(at, np.diff(offsets))


def chunk_support_changes(chunk: FactChunk, after: Sequence[int]) -> list[list[int]]:
    """Each deal's ``support_changes(history, after=after[d])``, the history being the
    deal's facts as the chunk holds them."""
    seat_deals, seat_at = _seat_changes(chunk)
    line_deals, line_at = _line_changes(chunk)
    deals = np.concatenate([seat_deals, line_deals])
    at = np.concatenate([seat_at, line_at])
    keep = at > np.asarray(after, dtype=np.int64)[deals]
    pairs = np.unique(np.stack([deals[keep], at[keep]]), axis=1)  # sorted by deal, then at
    bounds = np.searchsorted(pairs[0], np.arange(len(chunk) + 1)).tolist()
    instants = pairs[1].tolist()
    return [instants[bounds[d] : bounds[d + 1]] for d in range(len(chunk))]


def chunk_unchanged_until(
    chunk: FactChunk,
    deals: Sequence[int],
    *,
    params: AnalysisParams,
    chart_points: int,
    watched: Sequence[Collection[str] | None],
) -> list[int]:
    """For each of ``deals`` (positions), ``analysis_unchanged_until(history,
    chunk.as_of, ...)`` of its history as the chunk holds it (no fact after the chunk's
    instant: the caller takes the earlier of this and the deal's next fact)."""
    at = chunk.as_of
    firsts = chunk.first_fact_at()
    after = [
        NEVER if first is None else changes_after(first, at, params, chart_points)
        for first in firsts
    ]
    changes = chunk_support_changes(chunk, after)
    bounds = []
    for d, whose in zip(deals, watched, strict=True):
        first = firsts[d]
        bounds.append(
            NEVER
            if first is None
            else clock_unchanged_until(
                changes[d],
                first,
                at,
                chunk.interactions[d],
                params=params,
                chart_points=chart_points,
                watched=whose,
            )
        )
    return bounds
