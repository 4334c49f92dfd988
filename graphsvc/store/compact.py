"""The compact history read: many deals' facts in few, large store replies, decoded
straight into :class:`~graphsvc.domain.compact.CompactHistory` (no object per fact).

One query (``deal_history_compact.cypher``) per chunk of 500 deals returns one row per
deal (its members' packed facts), one row for all line facts of the chunk, and one row
per deal's interactions: few, large replies of plain strings, no per-fact maps, and no
filter on the server (the instant is compared here, on the ``at`` each packed fact
starts with). The decoder builds no object per fact: each person's and each line's
facts become sorted lists of instants and states (:class:`CompactHistory`).
:func:`read_ahead` runs the reads on background threads, a chunk or two ahead of the
caller (both clients release the GIL while they wait for the server), so reading and
analysing overlap.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from typing import Any, TypeVar

from graphsvc.domain.compact import CompactHistory, LineFacts, LineState, MemberFacts, MemberState
from graphsvc.domain.models import Role, Stance
from graphsvc.domain.snapshot import InteractionRecord, StakeholderInfo
from graphsvc.store.codecs import (
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


def read_compact(
    runner: Runner, ws: str, deal_ids: Sequence[str], as_of: int
) -> list[CompactHistory]:
    """The deals' facts up to ``as_of``, one query; unknown ids are left out, input
    order is kept."""
    rows = runner.read(QUERY, {"deal_keys": [node_key(ws, d) for d in deal_ids]})
    return decode_compact(rows, ws, deal_ids, as_of)


def decode_compact(
    rows: list[dict[str, Any]], ws: str, deal_ids: Sequence[str], as_of: int
) -> list[CompactHistory]:
    """:func:`read_compact`'s reply decoded; facts after ``as_of`` are dropped here."""
    deals: dict[str, tuple[dict[str, Any], list[list[Any]]]] = {}
    line_rows: list[list[Any]] = []
    interaction_rows: dict[str, list[Any]] = {}
    for row in rows:
        part = row["part"]
        if part == "members":
            deals[row["id"]] = (row["deal"], row["items"])
        elif part == "lines":
            line_rows = row["items"] or []
        else:
            interaction_rows[row["id"]] = row["items"]
    # Every mention of a stakeholder id shares one string object: the analysis looks ids
    # up in dicts millions of times, and identical strings compare at once.
    canonical = Canonical()
    lines_from = _lines_by_source(line_rows, as_of, canonical)
    histories = []
    for deal_id in deal_ids:
        found = deals.get(deal_id)
        if found is None:
            continue
        props, people = found
        members = _members(people, as_of, canonical)
        influence, reporting = _deal_lines(members, lines_from)
        # An interaction counts from its instant until it is withdrawn (item[2]).
        records = [
            interaction_record(item, canonical)
            for item in interaction_rows.get(deal_id, ())
            if item[2] is None or item[2] > as_of
        ]
        records = [record for record in records if record.at <= as_of]
        records.sort(key=_when)
        histories.append(
            CompactHistory(
                workspace=ws,
                deal=deal_from_props(props),
                as_of=as_of,
                members=members,
                influence=influence,
                reporting=reporting,
                interactions=tuple(records),
            )
        )
    return histories


def _when(record: InteractionRecord) -> tuple[int, str]:
    return record.at, record.id


def _members(people: list[list[Any]], as_of: int, canonical: Canonical) -> list[MemberFacts]:
    members: list[MemberFacts] = []
    split = str.split
    for person, packed in people:
        if person is None:  # a deal without members
            continue
        facts: list[tuple[int, int, MemberState]] = []
        active = False
        for fact in packed:
            at, seq, state = split(fact, KEY_SEPARATOR, 2)
            moment = int(at)
            if moment <= as_of:
                parsed = _member_state(state)
                active = active or parsed[0]
                facts.append((moment, int(seq), parsed))
        # Only people who sat on the deal count: an end that arrived for someone who
        # never joined (facts come in any order) is not shown.
        if not active:
            continue
        facts.sort(key=_instant)  # seq is unique in a workspace: no ties
        sid, account_id, name, title, email = json.loads(person)
        sid = canonical(sid)
        info = StakeholderInfo(id=sid, account_id=account_id, name=name, title=title, email=email)
        members.append((info, facts))
    members.sort(key=_member_id)
    return members


def _instant(fact: tuple[int, int, Any]) -> tuple[int, int]:
    return fact[0], fact[1]


def _member_id(member: MemberFacts) -> str:
    return member[0].id


LineRow = tuple[str, bool, int, int, LineState]  # target, reporting?, at, seq, state


def _lines_by_source(
    people: list[list[Any]], as_of: int, canonical: Canonical
) -> dict[str, list[LineRow]]:
    lines: dict[str, list[LineRow]] = {}
    split = str.split
    for source, packed in people:
        facts: list[LineRow] = []
        for fact in packed:
            kind, at, seq, state, target = split(fact, KEY_SEPARATOR, 4)
            moment = int(at)
            if moment <= as_of:
                facts.append((target, kind == "R", moment, int(seq), line_state(state)))
        lines[canonical(source)] = facts
    return lines


def _deal_lines(
    members: list[MemberFacts], lines_from: dict[str, list[LineRow]]
) -> tuple[list[LineFacts], list[LineFacts]]:
    """The deal's influence and reporting lines: those whose two ends both sat on it,
    in (source, target) order."""
    ids = {info.id: info.id for info, _ in members}
    grouped: dict[tuple[str, str, bool], list[tuple[int, int, LineState]]] = {}
    for source in ids:
        for target, reporting, at, seq, state in lines_from.get(source, ()):
            same = ids.get(target)
            if same is not None:
                key = (source, same, reporting)
                held = grouped.get(key)
                if held is None:
                    grouped[key] = [(at, seq, state)]
                else:
                    held.append((at, seq, state))
    influence: list[LineFacts] = []
    reports: list[LineFacts] = []
    for key in sorted(grouped):
        source, target, reporting = key
        facts = grouped[key]
        if len(facts) > 1:
            facts.sort(key=_instant)
        (reports if reporting else influence).append((source, target, facts))
    return influence, reports


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
