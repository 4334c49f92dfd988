"""A chunk of deals' facts as the cold scan reads them: flat arrays, folded a whole chunk
at a time.

The store's compact read (:mod:`graphsvc.store.compact`) decodes a chunk of deals into
one :class:`FactChunk`: every membership fact and line fact of the chunk in sorted
arrays, with

* a *seat* per (deal, person) who sat on the deal (had an active fact by the instant
  read), seats ordered by (deal, person id), each naming its run of facts sorted by
  (instant, seq);
* a *line* per (source, target, kind) drawn by a member, with its run of facts, and a
  *placement* per (deal, line) whose two ends both have a seat on that deal, ordered by
  (deal, source id, target id, kind).

Folding the chunk at one instant per deal (:meth:`FactChunk.fold`) picks the fact in
effect for every seat and every placement with a few array operations (the facts of a
seat or a line sorted by instant, so those at or before ``t`` are a prefix: the last of
them is the largest index a masked ``maximum.reduceat`` keeps) and builds a
:class:`~graphsvc.domain.snapshot.Member` only for a fact in effect, one object per
fact: folding again at another instant that lands on the same facts gives the very same
objects. :meth:`FactChunk.snapshots` adds one :class:`~graphsvc.domain.snapshot.Line`
per line fact in effect; the vectorised engine takes the members alone
(:meth:`FactChunk.snapshots_without_lines`) and the lines as arrays
(:meth:`FactChunk.line_arrays`), so the cold scan builds no object per historical fact
and none per line. :meth:`FactChunk.histories` gives the deals as
:class:`~graphsvc.domain.compact.CompactHistory` for callers that fold a deal at many
instants, and :meth:`FactChunk.next_fact_after` when a deal's facts next change. All
equal the per-fact read at every instant (tests/store/test_fact_chunks.py).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import TypeVar

import numpy as np

from graphsvc.domain.compact import CompactHistory, LineFacts, LineState, MemberFacts, MemberState
from graphsvc.domain.models import NEVER_MS, Deal
from graphsvc.domain.snapshot import DealSnapshot, InteractionRecord, Line, Member, StakeholderInfo

_EMPTY = np.zeros(0, dtype=np.int64)
_V = TypeVar("_V")


def run_indices(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The indices ``starts[k]:ends[k]`` of every run, one after the other, and the
    offset of each run in that list (runs are not empty)."""
    counts = ends - starts
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    within = np.arange(offsets[-1], dtype=np.int64) - np.repeat(offsets[:-1], counts)
    return np.repeat(starts, counts) + within, offsets


def _last_at_or_before(
    at: np.ndarray, indices: np.ndarray, offsets: np.ndarray, limits: np.ndarray
) -> np.ndarray:
    """For each run ``indices[offsets[k]:offsets[k+1]]`` (facts sorted by instant), the
    index of its last fact at or before ``limits[k]``; -1 where none is."""
    if not len(limits):
        return _EMPTY
    counts = np.diff(offsets)
    masked = np.where(at[indices] <= np.repeat(limits, counts), indices, -1)
    return np.maximum.reduceat(masked, offsets[:-1])


def _per_deal(values: list[_V], deals: np.ndarray, count: int) -> list[tuple[_V, ...]]:
    """``values`` (ordered by deal) split into one tuple per deal position."""
    ends = np.cumsum(np.bincount(deals, minlength=count)).tolist() if len(deals) else [0] * count
    out: list[tuple[_V, ...]] = []
    start = 0
    for end in ends:
        out.append(tuple(values[start:end]))
        start = end
    return out


@dataclass(slots=True)
class ChunkFold:
    """A chunk folded at one instant per deal (:meth:`FactChunk.fold`)."""

    limits: np.ndarray  # each deal's instant
    members: list[tuple[Member, ...]]  # each deal's members in effect, in id order
    seated: np.ndarray  # per seat: held at the deal's instant
    member_fact: np.ndarray  # per seat: the fact in effect (-1: none yet)
    drawn: np.ndarray  # per placement: the line is in effect between two members
    line_fact: np.ndarray  # per placement: the fact in effect (-1: none yet)


@dataclass(slots=True)
class FactChunk:
    """Every fact of a chunk of deals up to ``as_of`` (epoch ms), as flat arrays; see the
    module docstring for seats, lines and placements. Person numbers follow id order."""

    workspace: str
    as_of: int
    deals: list[Deal]
    people: list[StakeholderInfo]  # by person number
    # Membership facts, sorted by (deal, person, instant, seq); the states parsed.
    member_at: np.ndarray
    member_seq: np.ndarray
    member_state_code: np.ndarray  # per fact, into member_state_values
    member_state_values: list[MemberState]
    # Seats, ordered by (deal, person): deal position, person, and their facts' range.
    seat_deal: np.ndarray
    seat_person: np.ndarray
    seat_start: np.ndarray
    seat_end: np.ndarray
    # Line facts, sorted by (line, instant, seq); lines: ends, kind and facts' range.
    line_at: np.ndarray
    line_seq: np.ndarray
    line_state_code: np.ndarray
    line_state_values: list[LineState]
    line_source: np.ndarray
    line_target: np.ndarray
    line_reporting: np.ndarray
    line_start: np.ndarray
    line_end: np.ndarray
    # Placements, ordered by (deal, source, target, kind): the line and both ends' seats.
    place_line: np.ndarray
    place_deal: np.ndarray
    place_source_seat: np.ndarray
    place_target_seat: np.ndarray
    interactions: list[tuple[InteractionRecord, ...]]  # per deal, oldest first
    # Built on the first fold: per fact, whether it puts someone on the committee (or a
    # line in effect), the start of the unbroken active run it ends, and the object it
    # folds into (one per fact, so every fold that lands on a fact shares it).
    _folding: _Folding | None = None

    def __len__(self) -> int:
        return len(self.deals)

    def first_fact_at(self) -> list[int | None]:
        """Each deal's first membership fact or interaction
        (``DealHistory.first_fact_at``)."""
        first = np.full(len(self.deals), NEVER_MS, dtype=np.int64)
        np.minimum.at(first, self.seat_deal, self.member_at[self.seat_start])
        firsts = [None if at == NEVER_MS else at for at in first.tolist()]
        for deal, met in enumerate(self.interactions):
            if met:
                held = firsts[deal]
                if held is None or met[0].at < held:
                    firsts[deal] = met[0].at
        return firsts

    def next_fact_after(self, at: int) -> list[int]:
        """Each deal's first fact instant after ``at`` (membership, line or interaction,
        as ``DealHistory`` holds them), ``never`` where there is none: until then, its
        facts as of any later instant are those as of ``at``."""
        count = len(self.deals)
        first = np.full(count, NEVER_MS, dtype=np.int64)
        index, _ = run_indices(self.seat_start, self.seat_end)
        seat_deals = np.repeat(self.seat_deal, self.seat_end - self.seat_start)
        later = self.member_at[index] > at
        np.minimum.at(first, seat_deals[later], self.member_at[index][later])
        starts = self.line_start[self.place_line]
        index, _ = run_indices(starts, self.line_end[self.place_line])
        place_deals = np.repeat(self.place_deal, self.line_end[self.place_line] - starts)
        later = self.line_at[index] > at
        np.minimum.at(first, place_deals[later], self.line_at[index][later])
        result = first.tolist()
        for d, met in enumerate(self.interactions):
            k = bisect_right([i.at for i in met], at) if met else 0
            if k < len(met) and met[k].at < result[d]:
                result[d] = met[k].at
        return result

    def line_strengths(self, facts: np.ndarray) -> np.ndarray:
        """The strength of each of these line facts."""
        return self._folded().line_strength[facts]

    def _folded(self) -> _Folding:
        if self._folding is None:
            self._folding = _Folding(self)
        return self._folding

    def fold(self, instants: Sequence[int]) -> ChunkFold:
        """Each deal's committee as of its instant (at most the chunk's): the members,
        and which seats and lines are in effect (lines are built by :meth:`snapshots`,
        or read as arrays by the vectorised engine)."""
        folding = self._folded()
        limits = np.minimum(np.asarray(instants, dtype=np.int64), self.as_of)
        members, seated, member_fact = folding.members_at(self, limits)
        drawn, line_fact = folding.lines_at(self, limits, seated)
        return ChunkFold(limits, members, seated, member_fact, drawn, line_fact)

    def snapshots(self, instants: Sequence[int]) -> list[DealSnapshot]:
        """Each deal's committee as of its instant (at most the chunk's), equal to
        ``history.snapshot(t)`` of its :class:`CompactHistory`."""
        fold = self.fold(instants)
        folding = self._folded()
        influence, reporting = folding.lines_of(self, fold)
        return self._snapshots(fold, influence, reporting)

    def snapshots_without_lines(
        self, fold: ChunkFold, deals: Sequence[int] | None = None
    ) -> list[DealSnapshot]:
        """The fold's committees (of ``deals``, positions in order; default all) with
        their members and interactions but NO lines: for the vectorised engine only,
        which reads the lines as arrays (:meth:`line_arrays`) instead of one object each."""
        empty: list[tuple[Line, ...]] = [()] * len(self.deals)
        return self._snapshots(fold, empty, empty, deals)

    def line_arrays(
        self, fold: ChunkFold, deals: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The lines in effect on the ``deals`` (a mask), in (deal, source id, target id,
        kind) order: source seat, target seat, strength, and whether it is a reporting
        line."""
        chosen = fold.drawn & deals[self.place_deal]
        facts = fold.line_fact[chosen]
        return (
            self.place_source_seat[chosen],
            self.place_target_seat[chosen],
            self.line_strengths(facts),
            self.line_reporting[self.place_line[chosen]],
        )

    def _snapshots(
        self,
        fold: ChunkFold,
        influence: list[tuple[Line, ...]],
        reporting: list[tuple[Line, ...]],
        deals: Sequence[int] | None = None,
    ) -> list[DealSnapshot]:
        snapshots = []
        limits = fold.limits.tolist()
        for d in range(len(limits)) if deals is None else deals:
            t = limits[d]
            met = self.interactions[d]
            if met and met[-1].at > t:
                met = met[: bisect_right([i.at for i in met], t)]
            snapshots.append(
                DealSnapshot(
                    workspace=self.workspace,
                    deal=self.deals[d],
                    as_of=t,
                    members=fold.members[d],
                    influences=influence[d],
                    reporting=reporting[d],
                    interactions=met,
                )
            )
        return snapshots

    def histories(self) -> list[CompactHistory]:
        """The deals with every fact, as :class:`CompactHistory`."""
        count = len(self.deals)
        member_runs = _runs(
            self.member_at,
            self.member_seq,
            _pick(self.member_state_values, self.member_state_code),
            self.seat_start,
            self.seat_end,
        )
        people = self.people
        members: list[list[MemberFacts]] = [[] for _ in range(count)]
        for deal, person, facts in zip(
            self.seat_deal.tolist(), self.seat_person.tolist(), member_runs, strict=True
        ):
            members[deal].append((people[person], facts))
        line_runs = _runs(
            self.line_at,
            self.line_seq,
            _pick(self.line_state_values, self.line_state_code),
            self.line_start,
            self.line_end,
        )
        influence: list[list[LineFacts]] = [[] for _ in range(count)]
        reporting: list[list[LineFacts]] = [[] for _ in range(count)]
        sources, targets = self.line_source.tolist(), self.line_target.tolist()
        kinds = self.line_reporting.tolist()
        for line, deal in zip(self.place_line.tolist(), self.place_deal.tolist(), strict=True):
            held = reporting[deal] if kinds[line] else influence[deal]
            held.append((people[sources[line]].id, people[targets[line]].id, line_runs[line]))
        return [
            CompactHistory(
                workspace=self.workspace,
                deal=deal,
                as_of=self.as_of,
                members=members[d],
                influence=influence[d],
                reporting=reporting[d],
                interactions=self.interactions[d],
            )
            for d, deal in enumerate(self.deals)
        ]


class _Folding:
    """What folding a chunk needs beyond its facts, built once per chunk (see
    :attr:`FactChunk._folding`)."""

    def __init__(self, chunk: FactChunk) -> None:
        values, codes = chunk.member_state_values, chunk.member_state_code
        n = len(codes)
        active = np.array([state[0] for state in values], dtype=bool)[codes]
        self.joins = (
            active & np.array([state[1] is not None for state in values], dtype=bool)[codes]
        )
        # The start of the unbroken active run each fact ends: a run starts at a seat's
        # first fact and after every inactive fact.
        starts = np.zeros(n, dtype=bool)
        starts[chunk.seat_start] = True
        starts[1:] |= ~active[:-1]
        self.run_start = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
        self.member_index, self.member_offsets = run_indices(chunk.seat_start, chunk.seat_end)
        self.fact_person = np.full(n, -1, dtype=np.int64)
        self.fact_person[self.member_index] = np.repeat(
            chunk.seat_person, chunk.seat_end - chunk.seat_start
        )
        self.members: list[Member | None] = [None] * n
        self.member_built = np.zeros(n, dtype=bool)
        lines = chunk.line_state_code
        drawn = chunk.line_state_values
        self.line_active = np.array([state[0] for state in drawn], dtype=bool)[lines]
        self.line_strength = np.array([state[1] for state in drawn], dtype=float)[lines]
        self.line_index, self.line_offsets = run_indices(
            chunk.line_start[chunk.place_line], chunk.line_end[chunk.place_line]
        )
        self.lines: list[Line | None] = [None] * len(lines)
        self.line_built = np.zeros(len(lines), dtype=bool)
        # The line and deal of each fact, for building lines and splitting them by deal.
        self.fact_line = np.repeat(
            np.arange(len(chunk.line_start)), chunk.line_end - chunk.line_start
        )

    def members_at(
        self, chunk: FactChunk, limits: np.ndarray
    ) -> tuple[list[tuple[Member, ...]], np.ndarray, np.ndarray]:
        """Each deal's members in effect, the mask of the seats they hold, and each
        seat's fact in effect (-1: none)."""
        count = len(chunk.deals)
        last = _last_at_or_before(
            chunk.member_at, self.member_index, self.member_offsets, limits[chunk.seat_deal]
        )
        seated = last >= 0
        seated[seated] = self.joins[last[seated]]
        facts = last[seated]
        new = np.unique(facts[~self.member_built[facts]])
        if len(new):
            values, people = chunk.member_state_values, chunk.people
            codes = chunk.member_state_code[new].tolist()
            persons = self.fact_person[new].tolist()
            since = chunk.member_at[self.run_start[new]].tolist()
            built = self.members
            for k, code, person, start in zip(new.tolist(), codes, persons, since, strict=True):
                _, role, stance, ally, rating, weight = values[code]
                # By position, in declaration order (stakeholder, role, stance, ally,
                # influence_rating, self_weight, since): a frozen dataclass built from
                # keywords costs a third more. A fact that joins has a role.
                built[k] = Member(people[person], role, stance, ally, rating, weight, start)
            self.member_built[new] = True
        members = _per_deal(_pick(self.members, facts), chunk.seat_deal[seated], count)
        return members, seated, last

    def lines_at(
        self, chunk: FactChunk, limits: np.ndarray, seated: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Which placements hold a line in effect between two members, and each
        placement's fact in effect (-1: none)."""
        if not len(chunk.place_line):
            return np.zeros(0, dtype=bool), _EMPTY
        last = _last_at_or_before(
            chunk.line_at, self.line_index, self.line_offsets, limits[chunk.place_deal]
        )
        drawn = last >= 0
        drawn[drawn] = self.line_active[last[drawn]]
        drawn &= seated[chunk.place_source_seat] & seated[chunk.place_target_seat]
        return drawn, last

    def lines_of(
        self, chunk: FactChunk, fold: ChunkFold
    ) -> tuple[list[tuple[Line, ...]], list[tuple[Line, ...]]]:
        """Each deal's influence and reporting lines of the fold, one :class:`Line` per
        fact (shared by every fold that lands on it)."""
        count = len(chunk.deals)
        drawn = fold.drawn
        if not len(drawn):
            return [()] * count, [()] * count
        facts = fold.line_fact[drawn]
        new = np.unique(facts[~self.line_built[facts]])
        if len(new):
            ids, built = chunk.people, self.lines
            owners = self.fact_line[new]
            sources = chunk.line_source[owners].tolist()
            targets = chunk.line_target[owners].tolist()
            strengths = self.line_strength[new].tolist()
            since = chunk.line_at[new].tolist()
            made = zip(new.tolist(), sources, targets, strengths, since, strict=True)
            for k, source, target, strength, start in made:
                built[k] = Line(ids[source].id, ids[target].id, strength, start)
            self.line_built[new] = True
        reporting = chunk.line_reporting[chunk.place_line[drawn]]
        deals = chunk.place_deal[drawn]
        return (
            _per_deal(_pick(self.lines, facts[~reporting]), deals[~reporting], count),
            _per_deal(_pick(self.lines, facts[reporting]), deals[reporting], count),
        )


def _pick(objects: Sequence[_V | None], indices: np.ndarray) -> list[_V]:
    """``objects[k]`` for every ``k`` of ``indices`` (all built: never None); also each
    fact's state from its code."""
    if len(indices) > 1:
        return list(itemgetter(*indices.tolist())(objects))
    return [objects[k] for k in indices.tolist()]


def _runs(
    at: np.ndarray, seq: np.ndarray, states: list, starts: np.ndarray, ends: np.ndarray
) -> list[list[tuple]]:
    """The ``(at, seq, state)`` facts of each run ``starts[k]:ends[k]`` (sorted lists)."""
    at_list, seq_list = at.tolist(), seq.tolist()
    return [
        [(at_list[start], seq_list[start], states[start])]  # most runs are one fact
        if end - start == 1
        else list(zip(at_list[start:end], seq_list[start:end], states[start:end], strict=True))
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True)
    ]
