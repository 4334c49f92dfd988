"""The compact read's reply, in either of its two forms, as plain columns.

``deal_history_compact.cypher`` (the shared query, Neo4j) returns each part as lists of
strings, a person or a deal named by its id; FalkorDB's own version
(``deal_history_compact.falkordb.cypher``) returns each part as one string joined on the
server (the membership facts one per deal), a deal named by its index in the query's
list and a member by their node id (a line's target by the id in its packed fact).
Both become the same columns here: per fact its deal position and person number (-1
for anyone the chunk does not hold), instant and sequence number as integer arrays, and
its state as an index into the part's distinct states (fewer than the facts: only those
are parsed). No object per person or interaction is built here: the process that
analyses builds them (:func:`graphsvc.store.compact.fact_chunks`), once per reply (the
columns may come from a scan process, :mod:`graphsvc.store.scan_processes`, which
imports no domain model). :mod:`graphsvc.store.compact_cut` sorts and groups the
columns; tests/store/test_fact_chunks.py decodes both forms on FalkorDB and compares
them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain, repeat
from typing import Any

import numpy as np
import orjson

from graphsvc.store.wire import KEY_SEPARATOR

Row = dict[str, Any]
_EMPTY = np.zeros(0, dtype=np.int64)
# Between an interaction's stakeholder ids in FalkorDB's joined reply (ids are printable).
IDS_SEPARATOR = "\x1e"


def _fields(packed: list[str] | str, width: int) -> list[str]:
    """Every item's ``width`` fields, one after the other: ``packed`` is the list of
    items (joined and split here, one call each) or the items already joined."""
    if isinstance(packed, str):
        fields = packed.split(KEY_SEPARATOR) if packed else []
        if len(fields) % width:
            raise ValueError(f"packed facts of {width} fields expected")
        return fields
    fields = KEY_SEPARATOR.join(packed).split(KEY_SEPARATOR) if packed else []
    if len(fields) != width * len(packed):
        raise ValueError(f"packed facts of {width} fields expected")
    return fields


def _joined_integers(joined: str, count: int) -> np.ndarray:
    """The ``count`` decimal values joined into one string (FalkorDB's form), parsed
    from it in one C call (no list of strings in between)."""
    try:
        parsed = np.fromstring(joined, dtype=np.int64, sep=KEY_SEPARATOR) if count else _EMPTY
    except ValueError:  # not all numbers: the slow path says which is not
        parsed = _integers(_split(joined, count))
    if len(parsed) != count:
        raise ValueError(f"{count} joined values expected, got {len(parsed)}")
    return parsed


def _split(joined: str, count: int) -> list[str]:
    """The ``count`` values joined into one string (FalkorDB's form: one string per
    field of a part, parallel to the part's items)."""
    values = joined.split(KEY_SEPARATOR) if count else []
    if len(values) != count:
        raise ValueError(f"{count} joined values expected, got {len(values)}")
    return values


def _integers(values: list[str]) -> np.ndarray:
    """The decimal values as integers, parsed in one C call (a third of ``int()`` each);
    a value that is not one makes the count differ, and ``int()`` then says which."""
    parsed = np.fromstring(" ".join(values), dtype=np.int64, sep=" ") if values else _EMPTY
    if len(parsed) != len(values):
        return np.fromiter(map(int, values), dtype=np.int64, count=len(values))
    return parsed


def _distinct(values: list[str]) -> tuple[list[str], np.ndarray]:
    """The distinct values (in order of first appearance) and each value's index among
    them: a chunk's 40,000 facts hold a few hundred distinct states (and some 10,000
    people, 500 deals), so only those are parsed or looked up."""
    code: dict[str, int] = {}
    number = code.setdefault
    which = [number(value, len(code)) for value in values]
    return list(code), np.fromiter(which, dtype=np.int64, count=len(which))


def _numbers(values: list[str], code: dict[str, int]) -> np.ndarray:
    """Each value's number in ``code``; -1 for a value it does not hold."""
    return np.fromiter(map(code.get, values, repeat(-1)), dtype=np.int64, count=len(values))


class Deals:
    """The chunk's deals: the position of each (in the order asked, unknown and repeated
    ids left out), by id and by index in the query's list."""

    def __init__(self, deal_ids: Sequence[str], known: dict[str, Any]) -> None:
        self.ids = [deal_id for deal_id in dict.fromkeys(deal_ids) if deal_id in known]
        self.position = {deal_id: k for k, deal_id in enumerate(self.ids)}
        # Only the first mention of a deal counts: a repeat would read its facts twice.
        first = {deal_id: k for k, deal_id in reversed(list(enumerate(deal_ids)))}
        self.by_index = np.array(
            [self.position.get(d, -1) if first[d] == k else -1 for k, d in enumerate(deal_ids)],
            dtype=np.int64,
        )

    def of(self, field: list[str]) -> np.ndarray:
        """Each fact's deal position from its deal's id (-1: none of the chunk's)."""
        ids, which = _distinct(field)
        return _numbers(ids, self.position)[which]

    def at_indices(self, index: np.ndarray) -> np.ndarray:
        """The deal positions of indices in the query's list (-1: none of the chunk's)."""
        inside = (index >= 0) & (index < len(self.by_index))
        return np.where(inside, self.by_index[np.where(inside, index, 0)], -1)


class People:
    """The chunk's members, numbered in id order (so members of a deal come out sorted
    by id): their packed identities in that order, and each one's number by id and (the
    FalkorDB form) by node id. No object per person here:
    :func:`graphsvc.store.compact.people_infos` builds them where the chunk is analysed
    (maybe another process, see :mod:`graphsvc.store.scan_processes`)."""

    def __init__(self, row: Row | None) -> None:
        value = (row or {}).get("a") or []
        numbered = isinstance(value, str)
        packed = _fields(value, 1)
        # One JSON array of every person: parsed in one call.
        parsed = json_list(packed)
        ids = [person[0] for person in parsed]
        order = sorted(range(len(ids)), key=ids.__getitem__)
        self.packed = [packed[k] for k in order]
        # Kept for people_infos in this process (not sent to another).
        self.parsed: list[list[Any]] | None = [parsed[k] for k in order]
        self.code = {ids[k]: n for n, k in enumerate(order)}
        number = np.empty(len(order), dtype=np.int64)
        number[np.asarray(order, dtype=np.int64)] = np.arange(len(order))
        nodes = _joined_integers(row["c"], len(packed)) if row and numbered else _EMPTY
        by_node = np.argsort(nodes)
        self._nodes, self._node_numbers = nodes[by_node], number[by_node] if numbered else _EMPTY

    def __len__(self) -> int:
        return len(self.packed)

    def of(self, field: list[str]) -> np.ndarray:
        """Each fact's person number from its person's id; -1 for someone who is not a
        member of the chunk's deals."""
        ids, which = _distinct(field)
        return _numbers(ids, self.code)[which]

    def at_nodes(self, nodes: np.ndarray) -> np.ndarray:
        """:meth:`of` for people named by node id (the FalkorDB form)."""
        at = np.searchsorted(self._nodes, nodes)
        found = at < len(self._nodes)
        found[found] = self._nodes[at[found]] == nodes[found]
        return np.where(found, self._node_numbers[np.where(found, at, 0)], -1)


def json_list(packed: list[str]) -> list[Any]:
    """Packed JSON values parsed as one array: one call for all."""
    return orjson.loads("[" + ",".join(packed) + "]") if packed else []


@dataclass(slots=True)
class FactColumns:
    """One part's facts as columns (in reply order): deal position (membership facts)
    or source and target numbers and kind (line facts); instant, seq, and the index of
    each fact's state among ``states``."""

    at: np.ndarray
    seq: np.ndarray
    states: list[str]
    state_of: np.ndarray
    deals: np.ndarray = field(default_factory=lambda: _EMPTY)
    persons: np.ndarray = field(default_factory=lambda: _EMPTY)
    sources: np.ndarray = field(default_factory=lambda: _EMPTY)
    targets: np.ndarray = field(default_factory=lambda: _EMPTY)
    reporting: np.ndarray = field(default_factory=lambda: _EMPTY)


def _common(fields: list[str], width: int, at: int, seq: int, state: int) -> FactColumns:
    states, state_of = _distinct(fields[state::width])
    return FactColumns(
        at=_integers(fields[at::width]),
        seq=_integers(fields[seq::width]),
        states=states,
        state_of=state_of,
    )


def member_columns(rows: list[Row], deals: Deals, people: People) -> FactColumns | None:
    """The membership facts: the shared query's one row of
    ``deal<sep>person<sep>at<sep>seq<sep>state`` each, or FalkorDB's row per deal (its
    index in ``b``) of ``at<sep>seq<sep>state`` joined, each fact's person in ``c``."""
    rows = [row for row in rows if row["a"]]
    if not rows:
        return None
    if not isinstance(rows[0]["a"], str):
        fields = _fields(rows[0]["a"], 5)
        columns = _common(fields, 5, 2, 3, 4)
        columns.deals = deals.of(fields[0::5])
        columns.persons = people.of(fields[1::5])
        return columns
    nodes = [row["c"] for row in rows]
    # A deal's facts come as one string: its number of persons, counted in C, gives
    # each fact its deal without a field per fact on the wire.
    per_row = _counts(nodes, KEY_SEPARATOR) + 1
    persons = int(per_row.sum())
    fields = _fields(KEY_SEPARATOR.join([row["a"] for row in rows]), 3)
    if len(fields) != 3 * persons:
        raise ValueError("a person per membership fact expected")
    columns = _common(fields, 3, 0, 1, 2)
    index = np.fromiter([row["b"] for row in rows], dtype=np.int64, count=len(rows))
    columns.deals = np.repeat(deals.at_indices(index), per_row)
    columns.persons = people.at_nodes(_joined_integers(KEY_SEPARATOR.join(nodes), persons))
    return columns


def _counts(texts: list[str], separator: str) -> np.ndarray:
    """How often ``separator`` occurs in each text (one C call per text, no Python frame)."""
    return np.fromiter(map(str.count, texts, repeat(separator)), dtype=np.int64, count=len(texts))


def line_columns(row: Row | None, people: People) -> FactColumns | None:
    """The line facts: ``source<sep>kind<sep>at<sep>seq<sep>state<sep>target id`` each,
    the source named by id (shared query), or FalkorDB's ``kind<sep>at<sep>seq<sep>
    state<sep>target id`` joined, each fact's source (node id) in ``c``."""
    if row is None or not row["a"]:
        return None
    if isinstance(row["a"], str):
        fields = _fields(row["a"], 5)
        sources = people.at_nodes(_joined_integers(row["c"], len(fields) // 5))
    else:
        fields = _fields(row["a"], 6)
        sources = people.of(fields[0::6])
        del fields[0::6]  # the rest as FalkorDB's five fields
    columns = _common(fields, 5, 1, 2, 3)
    columns.sources = sources
    columns.targets = people.of(fields[4::5])
    columns.reporting = _reporting(fields[0::5])
    return columns


def _reporting(kinds: list[str]) -> np.ndarray:
    """Whether each line fact is a reporting line (kind ``R``; ``I``: influence), read
    from the kinds joined into one byte string."""
    joined = "".join(kinds).encode("ascii", errors="replace")
    codes = np.frombuffer(joined, dtype=np.uint8)
    if len(codes) != len(kinds) or not np.isin(codes, (ord("I"), ord("R"))).all():
        raise ValueError("line facts of kind I or R expected")
    return codes == ord("R")


@dataclass(slots=True)
class InteractionColumns:
    """A chunk's interactions (in reply order): per interaction its deal position (-1:
    none of the chunk's), instant and withdrawal instant as arrays, its id, its packed
    values and its stakeholder ids (flat, ``sizes`` of them each). The records are built
    by :func:`graphsvc.store.compact.interaction_records` where the chunk is analysed."""

    positions: np.ndarray
    at: np.ndarray
    withdrawn: np.ndarray
    ids: list[str]
    packed: list[str]
    stakeholders: list[str]
    sizes: list[int]
    # The packed values parsed, kept for interaction_records in this process.
    parsed: list[list[Any]] | None = None


def interaction_columns(row: Row | None, deals: Deals) -> InteractionColumns | None:
    """Every interaction of the chunk's deals: FalkorDB's packed values joined in ``a``,
    their deals' indices in ``b``, withdrawal instants in ``c`` and stakeholder ids in
    ``d``, or the shared query's four parallel lists."""
    if row is None or not row["a"]:
        return None
    if isinstance(row["a"], str):
        packed = _fields(row["a"], 1)
        positions = deals.at_indices(_joined_integers(row["b"], len(packed)))
        withdrawn = _joined_integers(row["c"], len(packed))
        ids, sizes = _joined_ids(_split(row["d"], len(packed)))
    else:
        positions = deals.of(list(row["a"]))
        packed, withdrawn = list(row["b"]), np.asarray(row["d"], dtype=np.int64)
        held = [list(each or ()) for each in row["c"]]
        ids, sizes = list(chain.from_iterable(held)), list(map(len, held))
    parsed = json_list(packed)
    at = np.fromiter((record[1] for record in parsed), dtype=np.int64, count=len(parsed))
    return InteractionColumns(
        positions=positions,
        at=at,
        withdrawn=withdrawn,
        ids=[record[0] for record in parsed],
        packed=packed,
        stakeholders=ids,
        sizes=sizes,
        parsed=parsed,
    )


def _joined_ids(joined: list[str]) -> tuple[list[str], list[int]]:
    """Every interaction's stakeholder ids (each interaction's joined with
    :data:`IDS_SEPARATOR`) as one flat list, and how many each has: one split for all."""
    flat = IDS_SEPARATOR.join(joined).split(IDS_SEPARATOR)
    # An interaction with no one still holds one (empty) item of the flat list.
    items = _counts(joined, IDS_SEPARATOR) + 1
    held = np.fromiter(map(bool, joined), dtype=bool, count=len(joined))
    if not held.all():  # ids are never empty, so the empty items are those
        flat = list(filter(None, flat))
    return flat, (items * held).tolist()
