"""The compact history read: many deals' facts in few, large store replies, decoded
straight into :class:`~graphsvc.domain.compact.CompactHistory` (no object per fact).

One query (``deal_history_compact.cypher``) per chunk of 500 deals returns a row per
deal (its properties) and, for the whole chunk, one row of parallel flat lists per kind
of fact: every membership fact (deal id, person id, packed fact), every member's packed
identity, every line fact a member drew, every interaction. No per-fact maps, no nesting
and no filter on the server (the instant is compared here, on the ``at`` each packed
fact starts with).

The decoder works a whole list at a time: the packed facts of a chunk are joined and
split in one call, their instants and sequence numbers become integer arrays, and one
sort orders every fact by (deal, person, instant, seq); only the grouping into each
person's and each line's sorted list of ``(at, seq, state)`` tuples
(:class:`CompactHistory`) runs per pair. :func:`read_ahead` runs the reads on background
threads, a chunk or two ahead of the caller (both clients release the GIL while they
wait for the server), so reading and analysing overlap.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from typing import Any, TypeVar

import numpy as np
import orjson

from graphsvc.domain.chunk import FactChunk
from graphsvc.domain.compact import CompactHistory, LineState, MemberState
from graphsvc.domain.models import Role, Stance
from graphsvc.domain.snapshot import InteractionRecord, StakeholderInfo
from graphsvc.store.codecs import (
    FAR_FUTURE_MS,
    KEY_SEPARATOR,
    Canonical,
    deal_from_props,
    interaction_record,
    line_state,
    node_key,
)
from graphsvc.store.core import Runner

QUERY = "deal_history_compact"
_EMPTY = np.zeros(0, dtype=np.int64)
# Between an interaction's stakeholder ids in FalkorDB's joined reply (ids are printable).
IDS_SEPARATOR = "\x1e"

_T = TypeVar("_T")
_R = TypeVar("_R", list[CompactHistory], FactChunk)
Row = dict[str, Any]


@lru_cache(maxsize=65_536)
def _member_state(packed_state: str) -> MemberState:
    # Few distinct states recur across a fleet: parse each once.
    active, role, stance, ally, rating, weight = json.loads(packed_state)
    return (
        active,
        Role(role) if role is not None else None,
        Stance(stance) if stance is not None else Stance.unknown,
        bool(ally),
        rating,
        weight,
    )


def compact_params(ws: str, deal_ids: Sequence[str]) -> dict[str, Any]:
    """The parameters of :data:`QUERY` for these deals."""
    return {
        "deal_keys": [node_key(ws, d) for d in deal_ids],
        "sep": KEY_SEPARATOR,
        "ids_sep": IDS_SEPARATOR,
        "never": FAR_FUTURE_MS,
    }


def read_compact(
    runner: Runner, ws: str, deal_ids: Sequence[str], as_of: int
) -> list[CompactHistory]:
    """The deals' facts up to ``as_of``, one query; unknown ids are left out, input
    order is kept."""
    return read_chunk(runner, ws, deal_ids, as_of).histories()


def read_chunk(runner: Runner, ws: str, deal_ids: Sequence[str], as_of: int) -> FactChunk:
    """:func:`read_compact` as one :class:`FactChunk` (the cold scan folds it whole)."""
    rows = runner.read(QUERY, compact_params(ws, deal_ids))
    return decode_chunk(rows, ws, deal_ids, as_of)


def decode_compact(
    rows: list[Row], ws: str, deal_ids: Sequence[str], as_of: int
) -> list[CompactHistory]:
    """:func:`read_compact`'s reply decoded; facts after ``as_of`` are dropped here."""
    return decode_chunk(rows, ws, deal_ids, as_of).histories()


def decode_chunk(rows: list[Row], ws: str, deal_ids: Sequence[str], as_of: int) -> FactChunk:
    """:func:`read_chunk`'s reply decoded; facts after ``as_of`` are dropped here."""
    props: dict[str, dict[str, Any]] = {}
    parts: dict[str, Row] = {}
    for row in rows:
        if row["part"] == "deals":
            props[row["a"]] = row["b"]
        else:
            parts[row["part"]] = row
    found = [deal_id for deal_id in dict.fromkeys(deal_ids) if deal_id in props]
    position = {deal_id: k for k, deal_id in enumerate(found)}
    # Every mention of a stakeholder id shares one string object: the analysis looks ids
    # up in dicts millions of times, and identical strings compare at once.
    canonical = Canonical()
    people = People(parts.get("people"), canonical)
    seats = _members(parts.get("members"), people, position, as_of)
    lines = _lines(parts.get("lines"), people, as_of)
    places = _place_lines(lines, seats, len(people.infos))
    met = _interactions(parts.get("interactions"), as_of, canonical)
    return FactChunk(
        workspace=ws,
        as_of=as_of,
        deals=[deal_from_props(props[deal_id]) for deal_id in found],
        people=people.infos,
        member_at=seats.at,
        member_seq=seats.seq,
        member_state_code=seats.state_code,
        member_state_values=seats.state_values,
        seat_deal=seats.deals,
        seat_person=seats.persons,
        seat_start=seats.starts,
        seat_end=seats.ends,
        line_at=lines.at,
        line_seq=lines.seq,
        line_state_code=lines.state_code,
        line_state_values=lines.state_values,
        line_source=lines.sources,
        line_target=lines.targets,
        line_reporting=lines.reporting,
        line_start=lines.starts,
        line_end=lines.ends,
        place_line=places[0],
        place_deal=places[1],
        place_source_seat=places[2],
        place_target_seat=places[3],
        interactions=[met.get(deal_id, ()) for deal_id in found],
    )


def _fields(packed: list[str] | str, width: int) -> list[str]:
    """Every packed fact's ``width`` fields, one after the other (one join, one split):
    ``packed`` is the list of facts, or (FalkorDB's version of the query) the facts
    already joined by the server."""
    if isinstance(packed, str):
        fields = packed.split(KEY_SEPARATOR) if packed else []
        if len(fields) % width:
            raise ValueError(f"packed facts of {width} fields expected")
        return fields
    fields = KEY_SEPARATOR.join(packed).split(KEY_SEPARATOR) if packed else []
    if len(fields) != width * len(packed):
        raise ValueError(f"packed facts of {width} fields expected")
    return fields


def _distinct(values: list[str]) -> tuple[list[str], np.ndarray]:
    """The distinct values (in order of first appearance) and each value's index among
    them: a chunk's 40,000 facts hold some 10,000 people, 500 deals and a few hundred
    distinct states, so only those are looked up or parsed."""
    code: dict[str, int] = {}
    number = code.setdefault
    which = [number(value, len(code)) for value in values]
    return list(code), np.fromiter(which, dtype=np.int64, count=len(which))


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


class People:
    """The chunk's members: their identities, numbered in id order (so members of a deal
    come out sorted by id); the ids are the canonical strings of the read."""

    def __init__(self, row: Row | None, canonical: Canonical) -> None:
        infos: list[StakeholderInfo] = []
        for packed in _fields((row or {}).get("a") or [], 1):
            sid, account_id, name, title, email = orjson.loads(packed)
            infos.append(
                StakeholderInfo(
                    id=canonical(sid), account_id=account_id, name=name, title=title, email=email
                )
            )
        infos.sort(key=_info_id)
        self.infos = infos
        self.code = {info.id: k for k, info in enumerate(infos)}

    def codes(self, ids: list[str]) -> np.ndarray:
        """Each id's number; -1 for someone who is not a member of the chunk's deals."""
        get = self.code.get
        return np.fromiter([get(sid, -1) for sid in ids], dtype=np.int64, count=len(ids))


def _info_id(info: StakeholderInfo) -> str:
    return info.id


class Seats:
    """The membership facts sorted by (deal, person, instant, seq), and the runs of those
    who sat on a deal (an active fact by the instant read): deal position, person, and
    the range of their facts. States are numbered: ``state_code`` per fact, into
    ``state_values``."""

    def __init__(self) -> None:
        self.at = self.seq = self.deals = self.persons = self.starts = self.ends = _EMPTY
        self.state_code = _EMPTY
        self.state_values: list[MemberState] = []


def _members(row: Row | None, people: People, position: dict[str, int], as_of: int) -> Seats:
    """The seats of the chunk's deals, with their facts up to ``as_of`` (sorted by
    instant, then seq: unique in a workspace, so no ties). Only people with an active
    fact count: an end that arrived for someone who never joined is not shown."""
    seats = Seats()
    if row is None or not row["a"]:
        return seats
    fields = _fields(row["a"], 5)
    count = len(fields) // 5
    at = np.fromiter(map(int, fields[2::5]), dtype=np.int64, count=count)
    seq = np.fromiter(map(int, fields[3::5]), dtype=np.int64, count=count)
    deal_ids, deal_of = _distinct(fields[0::5])
    person_ids, person_of = _distinct(fields[1::5])
    states, state_of = _distinct(fields[4::5])
    deals = _numbers(deal_ids, position)[deal_of]
    persons = people.codes(person_ids)[person_of]
    keep = np.flatnonzero((at <= as_of) & (persons >= 0) & (deals >= 0))
    order = keep[np.lexsort((seq[keep], at[keep], persons[keep], deals[keep]))]
    seats.state_values = parsed = [_member_state(state) for state in states]
    seats.state_code = state_of[order]
    seats.at, seats.seq = at[order], seq[order]
    deals, persons = deals[order], persons[order]
    starts, ends = _groups([deals, persons])
    if not len(starts):
        return seats
    active = np.fromiter([state[0] for state in parsed], dtype=bool, count=len(parsed))
    # The runs of people who sat on the deal.
    sat = np.logical_or.reduceat(active[seats.state_code], starts)
    seats.starts, seats.ends = starts[sat], ends[sat]
    seats.deals, seats.persons = deals[seats.starts], persons[seats.starts]
    return seats


def _numbers(values: list[str], code: dict[str, int]) -> np.ndarray:
    """Each value's number in ``code``; -1 for a value it does not hold."""
    get = code.get
    return np.fromiter([get(v, -1) for v in values], dtype=np.int64, count=len(values))


class Lines:
    """Every line between members of the chunk's deals (one per source, target and
    kind), and its facts up to the instant read, sorted by (line, instant, seq); states
    numbered as :class:`Seats` does."""

    def __init__(self) -> None:
        self.at = self.seq = self.sources = self.targets = self.starts = self.ends = _EMPTY
        self.reporting = np.zeros(0, dtype=bool)
        self.state_code = _EMPTY
        self.state_values: list[LineState] = []


def _lines(row: Row | None, people: People, as_of: int) -> Lines:
    """The members' lines with their facts up to ``as_of``; lines to anyone else are
    dropped here, since a deal counts only lines between its own members."""
    lines = Lines()
    if row is None or not row["a"]:
        return lines
    fields = _fields(row["a"], 6)
    count = len(fields) // 6
    at = np.fromiter(map(int, fields[2::6]), dtype=np.int64, count=count)
    seq = np.fromiter(map(int, fields[3::6]), dtype=np.int64, count=count)
    source_ids, source_of = _distinct(fields[0::6])
    kinds, kind_of = _distinct(fields[1::6])
    states, state_of = _distinct(fields[4::6])
    target_ids, target_of = _distinct(fields[5::6])
    sources = people.codes(source_ids)[source_of]
    targets = people.codes(target_ids)[target_of]
    reporting = np.array([kind == "R" for kind in kinds], dtype=bool)[kind_of]
    keep = np.flatnonzero((at <= as_of) & (targets >= 0) & (sources >= 0))
    order = keep[np.lexsort((seq[keep], at[keep], reporting[keep], targets[keep], sources[keep]))]
    lines.state_values = [line_state(state) for state in states]
    lines.state_code = state_of[order]
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
    # Person numbers follow id order: sorting by them sorts by id.
    order = np.lexsort(
        (lines.reporting[line_of], lines.targets[line_of], lines.sources[line_of], deal_of)
    )
    return line_of[order], deal_of[order], source_seat[order], target_seat[order]


def _interactions(
    row: Row | None, as_of: int, canonical: Canonical
) -> dict[str, tuple[InteractionRecord, ...]]:
    """Each deal's interactions up to ``as_of``, oldest first (then by id); one counts
    from its instant until it is withdrawn."""
    by_deal: dict[str, list[InteractionRecord]] = {}
    for deal_id, packed, who, withdrawn in _interaction_rows(row):
        if withdrawn <= as_of:
            continue
        record = interaction_record([packed, who], canonical)
        if record.at <= as_of:
            held = by_deal.get(deal_id)
            if held is None:
                held = by_deal[deal_id] = []
            held.append(record)
    met: dict[str, tuple[InteractionRecord, ...]] = {}
    for deal_id, records in by_deal.items():
        records.sort(key=_when)
        met[deal_id] = tuple(records)
    return met


def _interaction_rows(row: Row | None) -> Iterator[tuple[str, str, list[str], int]]:
    """(deal id, packed, stakeholder ids, withdrawn_at) of every interaction, from the
    shared query's parallel lists or FalkorDB's joined fields."""
    if row is None or not row["a"]:
        return
    if not isinstance(row["a"], str):
        yield from zip(row["a"], row["b"], row["c"], row["d"], strict=True)
        return
    fields = _fields(row["a"], 4)
    for deal_id, withdrawn, ids, packed in zip(
        fields[0::4], fields[1::4], fields[2::4], fields[3::4], strict=True
    ):
        yield deal_id, packed, ids.split(IDS_SEPARATOR) if ids else [], int(withdrawn)


def _when(record: InteractionRecord) -> tuple[int, str]:
    return record.at, record.id


def read_ahead(chunks: Sequence[_T], read: Callable[[_T], _R], *, depth: int = 2) -> Iterator[_R]:
    """``read`` of every chunk, in order, up to ``depth`` chunks ahead of the caller on
    background threads (the store works on the next chunks while the caller analyses
    this one). Stops the reads it started when the caller stops early."""
    if not chunks:
        return
    with ThreadPoolExecutor(
        max_workers=max(1, depth), thread_name_prefix="graphstore-scan"
    ) as pool:
        pending: list[Future[_R]] = []
        upcoming = iter(chunks)
        try:
            for chunk in upcoming:
                pending.append(pool.submit(read, chunk))
                if len(pending) >= depth:
                    break
            while pending:
                done = pending.pop(0).result()
                following = next(upcoming, None)
                if following is not None:
                    pending.append(pool.submit(read, following))
                if len(done):  # a chunk of deals all unknown gives nothing
                    yield done
        finally:
            for future in pending:
                future.cancel()
