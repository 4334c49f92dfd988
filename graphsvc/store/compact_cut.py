"""A compact read's reply as arrays, cut at any instant: what a scan process computes
for the process that analyses (:mod:`graphsvc.store.scan_processes`).

:class:`ReplyColumns` takes the columns of :mod:`graphsvc.store.compact_wire`; one sort
orders the facts by (deal, person, instant, seq), and the runs of each seat and each
line are found on arrays, as is every placement of a line on a deal where both its ends
sit, at each instant asked (:class:`Cut`). All of it is arrays and strings
(:class:`ChunkParts`), cheap to send between processes; the objects are built from it by
:func:`graphsvc.store.compact.fact_chunks`.

This module imports numpy, orjson and the wire columns only, not the domain's models:
a scan process starts in a tenth of a second instead of a third (pydantic and the
settings are most of the rest), and it starts with every big scan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import orjson

from graphsvc.store.compact_wire import (
    Deals,
    FactColumns,
    InteractionColumns,
    People,
    interaction_columns,
    line_columns,
    member_columns,
)

QUERY = "deal_history_compact"
_EMPTY = np.zeros(0, dtype=np.int64)
Row = dict[str, Any]


class ReplyColumns:
    """A reply of :data:`QUERY` parsed into columns (strings split, numbers parsed,
    states numbered, people numbered), ready to be cut at any instant: no object per
    fact or per person (those are :func:`graphsvc.store.compact.fact_chunks`' work)."""

    def __init__(self, rows: list[Row], deal_ids: Sequence[str]) -> None:
        props: dict[str, dict[str, Any]] = {}
        parts: dict[str, list[Row]] = {}
        for row in rows:
            if row["part"] == "deals":
                props[row["a"]] = row["b"]
            else:  # FalkorDB's membership facts come in a row per deal
                parts.setdefault(row["part"], []).append(row)
        deals = self.deals = Deals(deal_ids, props)
        self.deal_props = [props[deal_id] for deal_id in deals.ids]
        people = self.people = People(_only(parts, "people"))
        self.members = member_columns(parts.get("members", []), deals, people)
        # The cut needs to know which states put someone on the committee.
        self.member_active = _active(self.members.states if self.members else [])
        self.lines = line_columns(_only(parts, "lines"), people)
        self.interactions = interaction_columns(_only(parts, "interactions"), deals)
        self._interaction_order = _by_deal_and_time(self.interactions)

    def parts(self, ws: str, instants: Sequence[int]) -> ChunkParts:
        """The reply cut at each of ``instants``, with what the chunks' objects are
        built from."""
        return ChunkParts(
            workspace=ws,
            deal_props=self.deal_props,
            people=self.people.packed,
            interactions=self.interactions,
            cuts=[self._cut(as_of) for as_of in instants],
            people_parsed=self.people.parsed,
        )

    def _cut(self, as_of: int) -> Cut:
        seats = _members(self.members, self.member_active, as_of)
        lines = _lines(self.lines, as_of)
        kept, bounds = self._interactions_until(as_of)
        return Cut(
            as_of=as_of,
            seats=seats,
            lines=lines,
            places=_place_lines(lines, seats, len(self.people)),
            interactions=kept,
            interaction_bounds=bounds,
        )

    def _interactions_until(self, as_of: int) -> tuple[np.ndarray, np.ndarray]:
        """The interactions that count at ``as_of`` (from their instant until withdrawn),
        by deal, oldest first (then by id), as indices into the reply's; and where each
        deal's start (one more bound than deals)."""
        deals = len(self.deals.ids)
        found = self.interactions
        if found is None:
            return _EMPTY, np.zeros(deals + 1, dtype=np.int64)
        order = self._interaction_order
        kept = order[(found.at[order] <= as_of) & (found.withdrawn[order] > as_of)]
        return kept, np.searchsorted(found.positions[kept], np.arange(deals + 1))


@dataclass(slots=True)
class Cut:
    """A reply's arrays at one instant: the seats, the lines and their placements, and
    the interactions that count (indices into the reply's, ``interaction_bounds[d]:
    interaction_bounds[d + 1]`` deal ``d``'s)."""

    as_of: int
    seats: Seats
    lines: Lines
    places: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    interactions: np.ndarray
    interaction_bounds: np.ndarray


@dataclass(slots=True)
class ChunkParts:
    """Everything a reply's :class:`FactChunk` at each cut is built from: arrays and
    strings only, so another process can send it cheaply (:meth:`portable`); the
    objects (deals, people, interaction records) are built once for all cuts by
    :func:`graphsvc.store.compact.fact_chunks`, on the process that analyses them."""

    workspace: str
    deal_props: list[dict[str, Any]]  # the chunk's deals, in order
    people: list[str]  # packed identities, by person number
    interactions: InteractionColumns | None
    cuts: list[Cut]
    # The people's identities already parsed (kept in this process, not sent).
    people_parsed: list[list[Any]] | None = None

    def portable(self) -> ChunkParts:
        """These parts without what was parsed for this process only: pickling parsed
        values costs more than parsing them again."""
        found = self.interactions
        return replace(
            self,
            interactions=None if found is None else replace(found, parsed=None),
            people_parsed=None,
        )


def _only(parts: dict[str, list[Row]], name: str) -> Row | None:
    """The one row of a part that comes as a single row (None: no such part)."""
    rows = parts.get(name)
    return rows[0] if rows else None


def _by_deal_and_time(found: InteractionColumns | None) -> np.ndarray:
    """The interactions of the chunk's deals (position >= 0), ordered by deal, then
    instant, then id (an id only decides between interactions of one instant)."""
    if found is None:
        return _EMPTY
    mine = np.flatnonzero(found.positions >= 0)
    order = mine[np.lexsort((found.at[mine], found.positions[mine]))]
    deal, at = found.positions[order], found.at[order]
    tied = np.flatnonzero((deal[1:] == deal[:-1]) & (at[1:] == at[:-1]))
    if not len(tied):
        return order
    # A few interactions share their deal and instant: each such run sorted by id.
    ranked = order.tolist()
    starts, ends = _groups([deal, at])
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        if end - start > 1:
            ranked[start:end] = sorted(ranked[start:end], key=found.ids.__getitem__)
    return np.asarray(ranked, dtype=np.int64)


def _groups(keys: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Start and end of each run of equal ``keys`` (already sorted by them)."""
    n = len(keys[0])
    if not n:
        return _EMPTY, _EMPTY
    new = np.zeros(n, dtype=bool)
    new[0] = True
    for key in keys:
        new[1:] |= key[1:] != key[:-1]
    starts = np.flatnonzero(new)
    return starts, np.append(starts[1:], n)


class Seats:
    """The membership facts sorted by (deal, person, instant, seq), and the runs of those
    who sat on a deal (an active fact by the instant read): deal position, person, and
    the range of their facts. States are numbered: ``state_code`` per fact, into
    ``state_texts`` (parsed where the chunk is built)."""

    def __init__(self) -> None:
        self.at = self.seq = self.deals = self.persons = self.starts = self.ends = _EMPTY
        self.state_code = _EMPTY
        self.state_texts: list[str] = []  # the distinct states, by code


def _members(columns: FactColumns | None, active: np.ndarray, as_of: int) -> Seats:
    """The seats of the chunk's deals, with their facts up to ``as_of`` (sorted by
    instant, then seq: unique in a workspace, so no ties). Only people with an active
    fact count: an end that arrived for someone who never joined is not shown."""
    seats = Seats()
    if columns is None:
        return seats
    at, seq, deals, persons = columns.at, columns.seq, columns.deals, columns.persons
    keep = np.flatnonzero((at <= as_of) & (persons >= 0) & (deals >= 0))
    # (deal, person) as one key: one sorting pass fewer than four keys.
    seat_key = deals[keep] * max(1, int(persons.max()) + 1) + persons[keep]
    order = keep[np.lexsort((seq[keep], at[keep], seat_key))]
    seats.state_texts = columns.states
    seats.state_code = columns.state_of[order]
    seats.at, seats.seq = at[order], seq[order]
    deals, persons = deals[order], persons[order]
    starts, ends = _groups([deals, persons])
    if not len(starts):
        return seats
    # The runs of people who sat on the deal.
    sat = np.logical_or.reduceat(active[seats.state_code], starts)
    seats.starts, seats.ends = starts[sat], ends[sat]
    seats.deals, seats.persons = deals[seats.starts], persons[seats.starts]
    return seats


class Lines:
    """Every line between members of the chunk's deals (one per source, target and
    kind), and its facts up to the instant read, sorted by (line, instant, seq); states
    numbered as :class:`Seats` does."""

    def __init__(self) -> None:
        self.at = self.seq = self.sources = self.targets = self.starts = self.ends = _EMPTY
        self.reporting = np.zeros(0, dtype=bool)
        self.state_code = _EMPTY
        self.state_texts: list[str] = []  # the distinct states, by code


def _lines(columns: FactColumns | None, as_of: int) -> Lines:
    """The members' lines with their facts up to ``as_of``; lines to anyone else are
    dropped here, since a deal counts only lines between its own members."""
    lines = Lines()
    if columns is None:
        return lines
    at, seq, sources, targets = columns.at, columns.seq, columns.sources, columns.targets
    reporting = columns.reporting
    keep = np.flatnonzero((at <= as_of) & (targets >= 0) & (sources >= 0))
    # (source, target, kind) as one key: two sorting passes fewer than five keys.
    people = max(1, int(max(sources.max(), targets.max())) + 1)
    line_key = (sources[keep] * people + targets[keep]) * 2 + reporting[keep]
    order = keep[np.lexsort((seq[keep], at[keep], line_key))]
    lines.state_texts = columns.states
    lines.state_code = columns.state_of[order]
    lines.at, lines.seq = at[order], seq[order]
    sources, targets, reporting = sources[order], targets[order], reporting[order]
    lines.starts, lines.ends = _groups([sources, targets, reporting])
    if len(lines.starts):
        firsts = lines.starts
        lines.sources, lines.targets = sources[firsts], targets[firsts]
        lines.reporting = reporting[firsts]
    return lines


def _place_lines(
    lines: Lines, seats: Seats, people: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each (deal, line) whose two ends both have a seat on the deal, as (line, deal,
    source seat, target seat), ordered by (deal, source, target, kind). One join of
    every line with every seat of its source, then a lookup of its target's seat on that
    deal, all on arrays (seats are ordered by (deal, person), so their keys are sorted)."""
    if not len(lines.sources) or not len(seats.persons):
        return _EMPTY, _EMPTY, _EMPTY, _EMPTY
    seat_keys = seats.deals * people + seats.persons
    # The seats of each line's source: seats ordered by person, a slice per line.
    by_person = np.argsort(seats.persons, kind="stable")
    seat_persons = seats.persons[by_person]
    low = np.searchsorted(seat_persons, lines.sources, side="left")
    counts = np.searchsorted(seat_persons, lines.sources, side="right") - low
    line_of = np.repeat(np.arange(len(lines.sources)), counts)
    within = np.arange(len(line_of)) - np.repeat(np.cumsum(counts) - counts, counts)
    source_seat = by_person[np.repeat(low, counts) + within]
    deal_of = seats.deals[source_seat]
    wanted = deal_of * people + lines.targets[line_of]
    target_seat = np.searchsorted(seat_keys, wanted)
    found = target_seat < len(seat_keys)
    found[found] = seat_keys[target_seat[found]] == wanted[found]
    line_of, deal_of = line_of[found], deal_of[found]
    source_seat, target_seat = source_seat[found], target_seat[found]
    # The placements come in line order, (source, target, kind) (person numbers follow
    # id order), and each line's in deal order: one stable sort by deal gives (deal,
    # source, target, kind) (numpy sorts small integers stably by radix).
    order = np.argsort(_small(deal_of), kind="stable")
    return line_of[order], deal_of[order], source_seat[order], target_seat[order]


def _small(values: np.ndarray) -> np.ndarray:
    """``values`` (non-negative) as 16-bit integers when they fit, for a radix sort."""
    if len(values) and int(values.max()) < 2**15:
        return values.astype(np.int16)
    return values


def _active(states: list[str]) -> np.ndarray:
    """Whether each packed membership state puts the person on the committee: its first
    field, ``active`` (the whole state is parsed by ``codecs.membership_state`` where the
    chunk is built). The few distinct states of a chunk, parsed in one call."""
    parsed = orjson.loads("[" + ",".join(states) + "]") if states else []
    return np.fromiter([state[0] for state in parsed], dtype=bool, count=len(parsed))
