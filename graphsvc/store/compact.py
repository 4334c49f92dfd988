"""The compact history read: many deals' facts in few, large store replies, decoded
into one :class:`~graphsvc.domain.chunk.FactChunk` per chunk (sorted arrays, no object
per fact).

One query (``deal_history_compact.cypher``, or FalkorDB's own version of it) per chunk
of 500 deals returns a row per deal (its properties) and, for the whole chunk, one row
per kind of fact: every membership fact, every member's packed identity, every line
fact a member drew, every interaction, as flat lists or (FalkorDB) as a few joined
strings each. No per-fact maps, no nesting and no filter on the server (the instant is
compared here, on the ``at`` of each fact).

:mod:`graphsvc.store.compact_wire` turns either reply form into columns (deal positions,
person numbers, instants and sequence numbers as integer arrays, each fact's state as
an index into the few distinct states); :mod:`graphsvc.store.compact_cut` sorts and
groups them and cuts them at each instant asked: all arrays and strings
(:class:`ChunkParts`), so a scan process can do it and send it
(:mod:`graphsvc.store.scan_processes`). :func:`fact_chunks` then builds the objects
(deals, people, interaction records) once for every instant, here.
:func:`read_ahead` runs the reads on background threads, a chunk or two ahead of the
caller (both clients release the GIL while they wait for the server), so reading and
analysing overlap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence, Sized
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import accumulate
from typing import Any, TypeVar

from graphsvc.domain.chunk import FactChunk
from graphsvc.domain.compact import CompactHistory
from graphsvc.domain.models import Deal
from graphsvc.domain.snapshot import InteractionRecord, StakeholderInfo
from graphsvc.store.codecs import (
    FAR_FUTURE_MS,
    KEY_SEPARATOR,
    Canonical,
    deal_from_props,
    interaction_from,
    line_state,
    membership_state,
    node_key,
)
from graphsvc.store.compact_cut import QUERY, ChunkParts, Cut, ReplyColumns, Row
from graphsvc.store.compact_wire import IDS_SEPARATOR, InteractionColumns, json_list
from graphsvc.store.core import Runner

# QUERY and ChunkParts live in compact_cut (a scan process imports them without this
# module's domain models) and are part of this module's interface too.
__all__ = [
    "QUERY",
    "ChunkParts",
    "ReplyColumns",
    "compact_params",
    "decode_chunk",
    "fact_chunks",
    "interaction_records",
    "people_infos",
    "read_ahead",
    "read_chunk",
    "read_chunk_parts",
    "read_compact",
]

_T = TypeVar("_T")
_R = TypeVar("_R", bound=Sized)


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
    return fact_chunks(read_chunk_parts(runner, ws, deal_ids, [as_of]))[0]


def read_chunk_parts(
    runner: Runner, ws: str, deal_ids: Sequence[str], instants: Sequence[int]
) -> ChunkParts:
    """The deals' query and every array of its reply, cut at each of ``instants``: all
    of a read but the objects, what a scan process does for the process that analyses
    (:mod:`graphsvc.store.scan_processes`)."""
    rows = runner.read(QUERY, compact_params(ws, deal_ids))
    return ReplyColumns(rows, deal_ids).parts(ws, instants)


def decode_chunk(rows: list[Row], ws: str, deal_ids: Sequence[str], as_of: int) -> FactChunk:
    """:func:`read_chunk`'s reply (either form, see :mod:`graphsvc.store.compact_wire`)
    decoded; facts after ``as_of`` are dropped here."""
    return fact_chunks(ReplyColumns(rows, deal_ids).parts(ws, [as_of]))[0]


def fact_chunks(parts: ChunkParts) -> list[FactChunk]:
    """One :class:`FactChunk` per cut of ``parts``, sharing the deals, people and
    interaction records (built once for all cuts)."""
    # Every mention of a stakeholder id shares one string object: the analysis looks
    # ids up in dicts millions of times, and identical strings compare at once.
    canonical = Canonical()
    deals = [deal_from_props(props) for props in parts.deal_props]
    people = people_infos(parts.people, canonical, parts.people_parsed)
    found = parts.interactions
    records = [] if found is None else interaction_records(found, canonical)
    return [_assemble(parts.workspace, deals, people, records, cut) for cut in parts.cuts]


def _assemble(
    ws: str,
    deals: list[Deal],
    people: list[StakeholderInfo],
    records: list[InteractionRecord],
    cut: Cut,
) -> FactChunk:
    seats, lines, places = cut.seats, cut.lines, cut.places
    held = [records[k] for k in cut.interactions.tolist()]
    bounds = cut.interaction_bounds.tolist()
    return FactChunk(
        workspace=ws,
        as_of=cut.as_of,
        deals=deals,
        people=people,
        member_at=seats.at,
        member_seq=seats.seq,
        member_state_code=seats.state_code,
        # Parsed once for every read: these are the codec's cached states.
        member_state_values=list(map(membership_state, seats.state_texts)),
        seat_deal=seats.deals,
        seat_person=seats.persons,
        seat_start=seats.starts,
        seat_end=seats.ends,
        line_at=lines.at,
        line_seq=lines.seq,
        line_state_code=lines.state_code,
        line_state_values=list(map(line_state, lines.state_texts)),
        line_source=lines.sources,
        line_target=lines.targets,
        line_reporting=lines.reporting,
        line_start=lines.starts,
        line_end=lines.ends,
        place_line=places[0],
        place_deal=places[1],
        place_source_seat=places[2],
        place_target_seat=places[3],
        interactions=[tuple(held[bounds[d] : bounds[d + 1]]) for d in range(len(deals))],
    )


def people_infos(
    packed: list[str], canonical: Canonical, parsed: list[list[Any]] | None = None
) -> list[StakeholderInfo]:
    """The people's identities (``[id, account_id, name, title, email]`` packed, or
    already ``parsed``), their ids made canonical."""
    # Fields in declaration order, passed by position: a frozen dataclass built from
    # keywords costs a third more, and a chunk builds some 10,000 of them.
    same = canonical.setdefault
    return [
        StakeholderInfo(same(sid, sid), account_id, name, title, email)
        for sid, account_id, name, title, email in (json_list(packed) if parsed is None else parsed)
    ]


def interaction_records(
    columns: InteractionColumns, canonical: Canonical
) -> list[InteractionRecord]:
    """The interactions as records (``[id, at, channel, team_member_emails, summary,
    next_step_at]`` parsed, their stakeholder ids flat): ids made canonical in one pass,
    each record's a slice of them."""
    parsed = json_list(columns.packed) if columns.parsed is None else columns.parsed
    sizes = columns.sizes
    same = list(map(canonical.setdefault, columns.stakeholders, columns.stakeholders))
    ends = accumulate(sizes)
    return [
        interaction_from(values, tuple(same[end - size : end]))
        for values, size, end in zip(parsed, sizes, ends, strict=True)
    ]


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
