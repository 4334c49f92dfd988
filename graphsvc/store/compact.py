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

from graphsvc.domain.compact import CompactHistory, LineFacts, LineState, MemberFacts, MemberState
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

_T = TypeVar("_T")
_S = TypeVar("_S")
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
        "never": FAR_FUTURE_MS,
    }


def read_compact(
    runner: Runner, ws: str, deal_ids: Sequence[str], as_of: int
) -> list[CompactHistory]:
    """The deals' facts up to ``as_of``, one query; unknown ids are left out, input
    order is kept."""
    rows = runner.read(QUERY, compact_params(ws, deal_ids))
    return decode_compact(rows, ws, deal_ids, as_of)


def decode_compact(
    rows: list[Row], ws: str, deal_ids: Sequence[str], as_of: int
) -> list[CompactHistory]:
    """:func:`read_compact`'s reply decoded; facts after ``as_of`` are dropped here."""
    deals: dict[str, dict[str, Any]] = {}
    parts: dict[str, Row] = {}
    for row in rows:
        if row["part"] == "deals":
            deals[row["a"]] = row["b"]
        else:
            parts[row["part"]] = row
    # Every mention of a stakeholder id shares one string object: the analysis looks ids
    # up in dicts millions of times, and identical strings compare at once.
    canonical = Canonical()
    people = People(parts.get("people"), canonical)
    seated = _members(parts.get("members"), people, as_of)
    placed = _place_lines(_lines(parts.get("lines"), people, as_of), seated, people)
    met = _interactions(parts.get("interactions"), as_of, canonical)
    histories = []
    no_lines: tuple[list[LineFacts], list[LineFacts]] = ([], [])
    for deal_id in deal_ids:
        props = deals.get(deal_id)
        if props is None:
            continue
        members = seated.by_deal.get(deal_id, [])
        influence, reporting = placed.get(deal_id, no_lines)
        histories.append(
            CompactHistory(
                workspace=ws,
                deal=deal_from_props(props),
                as_of=as_of,
                members=members,
                influence=influence,
                reporting=reporting,
                interactions=met.get(deal_id, ()),
            )
        )
    return histories


def _fields(packed: list[str], width: int) -> list[str]:
    """Every packed fact's ``width`` fields, one after the other (one join, one split)."""
    fields = KEY_SEPARATOR.join(packed).split(KEY_SEPARATOR)
    if len(fields) != width * len(packed):
        raise ValueError(f"packed facts of {width} fields expected")
    return fields


def _codes(values: list[str], code: dict[str, int]) -> np.ndarray:
    """Each value's code, new values numbered as they come."""
    setdefault = code.setdefault
    return np.fromiter(
        [setdefault(v, len(code)) for v in values], dtype=np.int64, count=len(values)
    )


def _groups(keys: list[np.ndarray], order: np.ndarray) -> tuple[list[int], list[int]]:
    """Start and end of each run of equal ``keys`` along ``order``."""
    n = len(order)
    if not n:
        return [], []
    new = np.zeros(n, dtype=bool)
    new[0] = True
    for key in keys:
        sorted_key = key[order]
        new[1:] |= sorted_key[1:] != sorted_key[:-1]
    starts = np.flatnonzero(new)
    return starts.tolist(), [*starts[1:].tolist(), n]


def _runs(
    at: list[int], seq: list[int], states: list[_S], starts: list[int], ends: list[int]
) -> list[list[tuple[int, int, _S]]]:
    """The ``(at, seq, state)`` facts of each run ``starts[k]:ends[k]`` (sorted lists)."""
    return [
        [(at[start], seq[start], states[start])]  # most runs are one fact
        if end - start == 1
        else list(zip(at[start:end], seq[start:end], states[start:end], strict=True))
        for start, end in zip(starts, ends, strict=True)
    ]


class People:
    """The chunk's members: their identities, numbered in id order (so members of a deal
    come out sorted by id); the ids are the canonical strings of the read."""

    def __init__(self, row: Row | None, canonical: Canonical) -> None:
        infos: list[StakeholderInfo] = []
        for packed in (row or {}).get("a") or ():
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


class Seated:
    """Each deal's members with their facts, and who sat where as arrays (person and
    deal numbers of every seat, for placing lines)."""

    def __init__(self) -> None:
        self.by_deal: dict[str, list[MemberFacts]] = {}
        self.deal_names: list[str] = []
        self.deals = np.zeros(0, dtype=np.int64)
        self.persons = np.zeros(0, dtype=np.int64)


def _members(row: Row | None, people: People, as_of: int) -> Seated:
    """Each deal's members (in id order) with their facts up to ``as_of`` (sorted by
    instant, then seq: unique in a workspace, so no ties). Only people with an active
    fact count: an end that arrived for someone who never joined is not shown."""
    seated = Seated()
    if row is None or not row["a"]:
        return seated
    fields = _fields(row["a"], 5)
    at = np.array(fields[2::5], dtype=np.int64)
    seq = np.array(fields[3::5], dtype=np.int64)
    states = fields[4::5]
    deal_code: dict[str, int] = {}
    deals = _codes(fields[0::5], deal_code)
    persons = people.codes(fields[1::5])
    keep = np.flatnonzero((at <= as_of) & (persons >= 0))
    order = keep[np.lexsort((seq[keep], at[keep], persons[keep], deals[keep]))]
    starts, ends = _groups([deals, persons], order)
    if not starts:
        return seated
    parsed = [_member_state(states[i]) for i in order.tolist()]
    active = np.fromiter([state[0] for state in parsed], dtype=bool, count=len(parsed))
    sat = np.logical_or.reduceat(active, starts)  # the runs of people who sat on the deal
    firsts = order[np.asarray(starts)[sat]]
    seated.deals, seated.persons = deals[firsts], persons[firsts]
    seated.deal_names = deal_names = list(deal_code)
    runs = _runs(
        at[order].tolist(),
        seq[order].tolist(),
        parsed,
        np.asarray(starts)[sat].tolist(),
        np.asarray(ends)[sat].tolist(),
    )
    infos, by_deal = people.infos, seated.by_deal
    seats = zip(seated.deals.tolist(), seated.persons.tolist(), runs, strict=True)
    for deal, person, facts in seats:
        members = by_deal.get(deal_names[deal])
        if members is None:
            members = by_deal[deal_names[deal]] = []
        members.append((infos[person], facts))
    return seated


class Lines:
    """Every line between members of the chunk's deals: its source, target and kind as
    arrays, and its facts up to the instant read (sorted by instant, then seq)."""

    def __init__(self) -> None:
        self.sources = np.zeros(0, dtype=np.int64)
        self.targets = np.zeros(0, dtype=np.int64)
        self.reporting = np.zeros(0, dtype=bool)
        self.facts: list[list[tuple[int, int, LineState]]] = []


def _lines(row: Row | None, people: People, as_of: int) -> Lines:
    """The members' lines (one per source, target and kind) with their facts up to
    ``as_of``; lines to anyone else are dropped here, since a deal counts only lines
    between its own members."""
    lines = Lines()
    if row is None or not row["a"]:
        return lines
    fields = _fields(row["a"], 6)
    kinds, states = fields[1::6], fields[4::6]
    at = np.array(fields[2::6], dtype=np.int64)
    seq = np.array(fields[3::6], dtype=np.int64)
    sources = people.codes(fields[0::6])
    targets = people.codes(fields[5::6])
    reporting = np.fromiter([k == "R" for k in kinds], dtype=bool, count=len(kinds))
    keep = np.flatnonzero((at <= as_of) & (targets >= 0) & (sources >= 0))
    order = keep[np.lexsort((seq[keep], at[keep], reporting[keep], targets[keep], sources[keep]))]
    starts, ends = _groups([sources, targets, reporting], order)
    if not starts:
        return lines
    parsed = [line_state(states[i]) for i in order.tolist()]
    lines.facts = _runs(at[order].tolist(), seq[order].tolist(), parsed, starts, ends)
    firsts = order[np.asarray(starts)]
    lines.sources, lines.targets = sources[firsts], targets[firsts]
    lines.reporting = reporting[firsts]
    return lines


def _place_lines(
    lines: Lines, seated: Seated, people: People
) -> dict[str, tuple[list[LineFacts], list[LineFacts]]]:
    """Each deal's influence and reporting lines: those whose two ends both sat on it,
    in (source, target) order. One join of every line with every seat of its source,
    then a lookup of its target's seat on that deal, all on arrays."""
    placed: dict[str, tuple[list[LineFacts], list[LineFacts]]] = {}
    if not len(lines.sources) or not len(seated.persons):
        return placed
    n = len(people.infos)
    seat_keys = np.sort(seated.deals * n + seated.persons)
    # The deals each source sat on: seats ordered by person, a slice per line.
    by_person = np.argsort(seated.persons, kind="stable")
    seat_persons, seat_deals = seated.persons[by_person], seated.deals[by_person]
    low = np.searchsorted(seat_persons, lines.sources, side="left")
    counts = np.searchsorted(seat_persons, lines.sources, side="right") - low
    line_of = np.repeat(np.arange(len(lines.sources)), counts)
    within = np.arange(len(line_of)) - np.repeat(np.cumsum(counts) - counts, counts)
    deal_of = seat_deals[np.repeat(low, counts) + within]
    wanted = deal_of * n + lines.targets[line_of]
    at = np.searchsorted(seat_keys, wanted)
    found = at < len(seat_keys)
    found[found] = seat_keys[at[found]] == wanted[found]
    line_of, deal_of = line_of[found], deal_of[found]
    # Person numbers follow id order: sorting by them sorts by id.
    order = np.lexsort(
        (lines.reporting[line_of], lines.targets[line_of], lines.sources[line_of], deal_of)
    )
    ids = [info.id for info in people.infos]
    sources, targets = lines.sources.tolist(), lines.targets.tolist()
    reporting, facts, names = lines.reporting.tolist(), lines.facts, seated.deal_names
    for line, deal in zip(line_of[order].tolist(), deal_of[order].tolist(), strict=True):
        name = names[deal]
        held = placed.get(name)
        if held is None:
            held = placed[name] = ([], [])
        held[1 if reporting[line] else 0].append(
            (ids[sources[line]], ids[targets[line]], facts[line])
        )
    return placed


def _interactions(
    row: Row | None, as_of: int, canonical: Canonical
) -> dict[str, tuple[InteractionRecord, ...]]:
    """Each deal's interactions up to ``as_of``, oldest first (then by id); one counts
    from its instant until it is withdrawn."""
    if row is None or not row["b"]:
        return {}
    by_deal: dict[str, list[InteractionRecord]] = {}
    for deal_id, packed, who, withdrawn in zip(row["a"], row["b"], row["c"], row["d"], strict=True):
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


def _when(record: InteractionRecord) -> tuple[int, str]:
    return record.at, record.id


def read_ahead(
    chunks: Sequence[_T], read: Callable[[_T], list[CompactHistory]], *, depth: int = 2
) -> Iterator[list[CompactHistory]]:
    """``read`` of every chunk, in order, up to ``depth`` chunks ahead of the caller on
    background threads (the store works on the next chunks while the caller analyses
    this one). Stops the reads it started when the caller stops early."""
    if not chunks:
        return
    with ThreadPoolExecutor(
        max_workers=max(1, depth), thread_name_prefix="graphstore-scan"
    ) as pool:
        pending: list[Future[list[CompactHistory]]] = []
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
                if done:
                    yield done
        finally:
            for future in pending:
                future.cancel()
