"""GraphStore: every store operation, run as named queries through a backend runner.

The graph
---------
Every node carries ``ws`` (its workspace) and a ``key``: the workspace and the node's
natural id in one string (:func:`node_key`), indexed and unique. Every lookup goes by
``key`` (or by ``ws`` for a workspace scan), so no operation of workspace B reaches
anything of workspace A, whatever ids it passes. Labels and relationship types are the
fixed enums of :mod:`graphsvc.store.schema`, never input.

Nodes::

    (:Workspace {ws, rev, lock})               rev: bumped by every write statement
    (:Account {ws, key, id, name, tier, h})
    (:Deal {ws, key, id, account_id, account_key, name, owner_email, amount, currency,
            stage, status, close_date, h})-[:FOR_ACCOUNT]->(:Account)
    (:Stakeholder {ws, key, id, account_id, account_key, name, title, email, h})
        -[:WORKS_AT]->(:Account)
    (:TeamMember {ws, key, email, name, h})
    (:Interaction {ws, key, id, deal_id, deal_key, at, channel, stakeholder_ids,
                   team_member_emails, summary, next_step_at, h})

``h`` is a fingerprint of the stored values: an upsert whose fingerprint equals the
stored one reports ``unchanged`` and writes nothing. Absent optional values are not
stored (``None`` is never a property value). Instants are epoch milliseconds.

History is kept as *fact relationships*, never overwritten::

    (:Stakeholder)-[:MEMBER_FACT {at, seq, recorded, active, state, packed}]->(:Deal)
    (:Stakeholder)-[:INFLUENCE_FACT {...the same}]->(:Stakeholder)
    (:Stakeholder)-[:REPORTS_FACT {...the same}]->(manager:Stakeholder)

Each fact is the full state of the membership or line from ``at`` (the caller's
instant or now) until the next fact of the same pair: ``state`` is compact JSON,
``[active, role, stance, ally, influence_rating, self_weight]`` for a membership,
``[active, strength]`` for a line; ``active`` false ends it (removing a member or a
line records an inactive fact; the past stays). ``seq`` orders facts of one instant:
``workspace revision * 1e6 + row index``, taken inside the writing statement, so it is
unique in the workspace and a later write wins a tie; ``recorded`` is the server time.
Facts are CREATEd, never MERGEd, so concurrent writers cannot fold two changes into
one. Idempotence: a fact is not recorded when the latest fact at exactly its instant
has the same state (re-imports change nothing). A fact that merely repeats the state in
effect *is* recorded (and counted ``unchanged``), because facts arrive out of order: a
change recorded later at an earlier instant must not swallow it.

Writes
------
One statement per chunk of ``settings.store_batch_size`` rows (``UNWIND $rows``), which
also bumps the workspace revision. Fact writes go in *rounds*: one fact per pair per
statement, so each fact sees the one before it. Everything is validated before the
first write (pydantic, then references: deals, stakeholders and accounts must exist in
the same workspace); one invalid item means nothing is written. A concurrent delete
between validation and write can still drop rows (the writes MATCH their endpoints,
so nothing dangling is ever created).

Deletes
-------
* ``delete_deal``: the deal, its membership facts and its interactions.
* ``delete_stakeholder``: the person, all their facts, and their id in interactions.
* ``delete_account``: refused with 409 :class:`~graphsvc.errors.Conflict` while a deal
  is on the account or one of its stakeholders sits on a deal (delete those first);
  otherwise the account and its stakeholders (with their line facts) go.

Reads return plain values (models and dataclasses, never driver objects). A deal's
history is one query (``deal_history.cypher``) whether for one deal or for a chunk of
500 (``deal_histories``, ``open_deal_histories``): memberships with the stakeholders,
their influence and reporting facts, and the interactions, each ``UNWIND``-ing the ids.
Facts travel as one string each, their ``packed`` property (built once when recorded,
see the record queries), because the fleet scan reads some 200 facts per deal and
every value returned costs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import queue
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, Generic, Protocol, TypeVar, cast

from pydantic import BaseModel, ValidationError

from graphsvc.config import Settings, get_settings
from graphsvc.domain.models import (
    Account,
    Bundle,
    Deal,
    DealStatus,
    Influence,
    InfluenceEnd,
    Interaction,
    Membership,
    MembershipEnd,
    ReportingEnd,
    ReportingLine,
    Role,
    Stakeholder,
    Stance,
    TeamMember,
    to_ms,
    utcnow,
)
from graphsvc.domain.snapshot import (
    DealHistory,
    DealSnapshot,
    InteractionRecord,
    LineFact,
    MembershipFact,
    StakeholderInfo,
)
from graphsvc.errors import Conflict, NotFound, ValidationFailed

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

# seq = revision * _SEQ_SPAN + row index: a chunk may not hold more rows than this.
_SEQ_SPAN = 1_000_000
# Deals per history query: bounds one reply (~25 kB per deal) while keeping a fleet scan
# of 10,000 deals to 20 round trips.
_HISTORY_CHUNK = 500
_MAX_ERRORS = 200
_INTERNAL_PROPS = frozenset({"ws", "h", "key", "account_key", "deal_key", "packed"})
# Joins the workspace and an id into a node key; ids and workspace names are printable,
# so it never occurs in either.
KEY_SEPARATOR = "\x1f"


class Runner(Protocol):
    """A backend: runs a named query of ``queries/`` with parameters, returns rows as dicts."""

    backend: str

    def read(self, query_name: str, params: dict[str, Any]) -> list[dict[str, Any]]: ...
    def write(self, query_name: str, params: dict[str, Any]) -> list[dict[str, Any]]: ...
    def ping(self) -> bool: ...
    def ensure_schema(self) -> None: ...
    def close(self) -> None: ...


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None = None


@dataclass
class UpsertCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: UpsertCounts) -> UpsertCounts:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class ImportCounts:
    by_kind: dict[str, UpsertCounts] = field(default_factory=dict)


# --------------------------------------------------------------------------- validation


def _error_loc(model_cls: type[BaseModel], index: int, error: Any) -> list[Any]:
    loc: list[Any] = [index, *error["loc"]]
    if not error["loc"]:
        # Model-level checks name their field as "field: message" (models.py).
        message = str(error.get("ctx", {}).get("error", ""))
        head = message.split(":", 1)[0]
        if head in model_cls.model_fields:
            loc.append(head)
    return loc


def validate_batch(model_cls: type[M], raw_items: Iterable[Any]) -> list[M]:
    """Turn raw items (dicts, or models already) into ``model_cls`` instances.

    Raises :class:`ValidationFailed` listing every invalid field as
    ``{"loc": [index, field, ...], "msg": ...}`` (the first 200), so one bad item in a
    batch is reported by its index and the caller writes nothing.
    """
    models: list[M] = []
    errors: list[dict[str, Any]] = []
    for index, item in enumerate(raw_items):
        if isinstance(item, model_cls):
            models.append(item)
            continue
        try:
            if isinstance(item, BaseModel):
                item = item.model_dump()
            models.append(model_cls.model_validate(item))
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                errors.append({"loc": _error_loc(model_cls, index, error), "msg": error["msg"]})
    if errors:
        raise ValidationFailed(
            f"{len(errors)} invalid field(s) in the {model_cls.__name__} batch; nothing written",
            detail=errors[:_MAX_ERRORS],
        )
    return models


def _raise_reference_errors(errors: list[dict[str, Any]], what: str) -> None:
    if errors:
        raise ValidationFailed(
            f"{len(errors)} unknown reference(s) in the {what}; nothing written",
            detail=errors[:_MAX_ERRORS],
        )


# --------------------------------------------------------------------------- encoding


_FINGERPRINT_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
_STATE_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _fingerprint(values: Any) -> str:
    text = _FINGERPRINT_JSON.encode(values)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def node_key(workspace: str, natural_id: str) -> str:
    """The indexed, unique lookup key of a node: its workspace and its id in one string.

    The trailing separator matters: FalkorDB 4.16's string indexes drop whitespace (and
    \x01) at either end of a value, so an id ending in a space would otherwise collide
    with the same id without it (and crash the unique-constraint check)."""
    return f"{workspace}{KEY_SEPARATOR}{natural_id}{KEY_SEPARATOR}"


def check_workspace(workspace: str) -> str:
    """Workspace names are 1-128 printable characters without surrounding whitespace
    (``ws`` is indexed as it is; see :func:`node_key` for why the ends matter)."""
    if not isinstance(workspace, str) or not 1 <= len(workspace) <= 128 \
            or not workspace.isprintable() or workspace != workspace.strip():
        raise ValidationFailed("invalid workspace", detail=[{
            "loc": ["workspace"],
            "msg": "workspace names are 1-128 printable characters, "
                   "not starting or ending with a space"}])
    return workspace


def _props(ws: str, values: dict[str, Any], natural_id: str,
           **keys: str) -> dict[str, Any]:
    """Stored property map: ``None`` dropped (neither backend stores null), ``h`` the
    fingerprint of the values, then ws, key and the given reference keys."""
    kept = {k: v for k, v in values.items() if v is not None}
    kept["h"] = _fingerprint(kept)
    kept["ws"] = ws
    kept["key"] = node_key(ws, natural_id)
    kept.update(keys)
    return kept


def _plain(props: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if k not in _INTERNAL_PROPS}


def _encode_cursor(last_id: str) -> str:
    return base64.urlsafe_b64encode(last_id.encode("utf-8")).decode("ascii")


def _decode_cursor(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise ValidationFailed(
            "invalid cursor", detail=[{"loc": ["cursor"], "msg": "not a cursor of this API"}]
        ) from exc


def _counts(rows: list[dict[str, Any]]) -> UpsertCounts:
    counts = UpsertCounts()
    for row in rows:
        setattr(counts, row["outcome"], getattr(counts, row["outcome"]) + int(row["n"]))
    return counts


def _rounds(rows: list[dict[str, Any]], key: Any) -> list[list[dict[str, Any]]]:
    """Split fact rows so each pair appears once per round, in instant order, letting
    every fact be compared with the one recorded before it. Of several facts for one
    pair at one instant only the last given counts (so re-applying a batch is a no-op)."""
    last_at_instant = {(key(row), row["at"]): row for row in rows}
    by_pair: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for row in sorted(last_at_instant.values(), key=lambda r: r["at"]):
        by_pair[key(row)].append(row)
    rounds: list[list[dict[str, Any]]] = []
    for facts in by_pair.values():
        for depth, row in enumerate(facts):
            if depth == len(rounds):
                rounds.append([])
            rounds[depth].append(row)
    return rounds


def _state(values: list[Any]) -> str:
    """A fact's full state as compact JSON: compared to tell a change from a repeat,
    and read back in one value instead of one per attribute."""
    return _STATE_JSON.encode(values)


def _membership_row(ws: str, m: Membership | MembershipEnd, at: int) -> dict[str, Any]:
    row: dict[str, Any] = {"deal_key": node_key(ws, m.deal_id),
                           "stakeholder_key": node_key(ws, m.stakeholder_id), "at": at}
    if isinstance(m, Membership):
        values = [True, m.role.value, m.stance.value, m.ally, m.influence_rating,
                  m.self_weight]
    else:
        values = [False, None, None, False, None, None]
    row.update(state=_state(values), active=values[0])
    return row


def _line_row(ws: str, source_id: str, target_id: str, at: int, strength: float | None
              ) -> dict[str, Any]:
    """An influence or reporting fact; ``strength`` None ends the line."""
    active = strength is not None
    return {"source_key": node_key(ws, source_id), "target_key": node_key(ws, target_id),
            "at": at, "active": active, "state": _state([active, strength])}


def _deal_from_props(props: dict[str, Any]) -> Deal:
    return Deal.model_validate(_plain(props))


def _stance(value: Any) -> Stance:
    return Stance(value) if value is not None else Stance.unknown


# --------------------------------------------------------------------------- the store


class GraphStore:
    """The store contract. Every operation takes the workspace it acts in (keyword-only);
    ids are the caller's own and are looked up only within that workspace."""

    def __init__(self, runner: Runner, *, settings: Settings) -> None:
        self.runner = runner
        self.settings = settings
        self._local = threading.local()  # the calling thread's write pipeline, if any

    @classmethod
    def open(cls, settings: Settings | None = None) -> GraphStore:
        """Neo4j when ``NEO4J_URI`` is set, else the embedded FalkorDB under ``data_dir``."""
        from graphsvc.store.runners import open_runner

        settings = settings or get_settings()
        runner = open_runner(settings)
        try:
            runner.ensure_schema()
        except BaseException:
            runner.close()
            raise
        return cls(runner, settings=settings)

    def close(self) -> None:
        self.runner.close()

    def ping(self) -> bool:
        return self.runner.ping()

    def workspace_revision(self, *, workspace: str) -> int:
        """A counter bumped by every write statement in the workspace (0: never written);
        caches compare it to see writes made by other processes."""
        rows = self.runner.read("workspace_revision", {"ws": check_workspace(workspace)})
        return int(rows[0]["rev"] or 0) if rows else 0

    # -- plumbing

    def _chunk_size(self) -> int:
        return max(1, min(self.settings.store_batch_size, _SEQ_SPAN))

    def _chunks(self, rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
        size = self._chunk_size()
        for start in range(0, len(rows), size):
            yield rows[start:start + size]

    @contextmanager
    def _pipelined(self) -> Iterator[None]:
        """Within this block, write statements run in order on one background thread,
        so building the next chunk (Python) overlaps the database running the previous
        one. Counts handed to ``_write`` are complete when the block exits."""
        if getattr(self._local, "writer", None) is not None:
            yield  # already inside a pipeline
            return
        writer = _OrderedWriter(self.runner)
        self._local.writer = writer
        try:
            yield
        except BaseException:
            writer.close(raise_error=False)
            raise
        finally:
            self._local.writer = None
        writer.close()

    def _write(self, query: str, params: dict[str, Any], counts: UpsertCounts) -> None:
        writer: _OrderedWriter | None = getattr(self._local, "writer", None)
        if writer is None:
            counts += _counts(self.runner.write(query, params))
        else:
            writer.submit(query, params, counts)

    def _upsert(self, query: str, ws: str, rows: list[dict[str, Any]],
                extra: Callable[[list[dict[str, Any]]], dict[str, Any]] | None = None
                ) -> UpsertCounts:
        """``extra(chunk)`` adds per-chunk parameters."""
        counts = UpsertCounts()
        with self._pipelined() if len(rows) > self._chunk_size() else nullcontext():
            for chunk in self._chunks(rows):
                params = {"ws": ws, "rows": chunk, **(extra(chunk) if extra else {})}
                self._write(query, params, counts)
        return counts

    def _record_facts(self, query: str, ws: str, rows: list[dict[str, Any]],
                      pair: tuple[str, str]) -> UpsertCounts:
        rounds = _rounds(rows, lambda row: (row[pair[0]], row[pair[1]]))
        # A fact superseded within the batch (same pair, same instant) changes nothing.
        counts = UpsertCounts(unchanged=len(rows) - sum(map(len, rounds)))
        many = len(rounds) > 1 or len(rows) > self._chunk_size()
        with self._pipelined() if many else nullcontext():
            for round_rows in rounds:
                for chunk in self._chunks(round_rows):
                    for i, row in enumerate(chunk):  # rows are this call's own dicts
                        row["i"] = i
                    self._write(query, {"ws": ws, "rows": chunk, "sep": KEY_SEPARATOR},
                                counts)
        return counts

    def _existing(self, kind: str, ws: str, ids: Iterable[str]) -> set[str]:
        wanted = sorted(set(ids))
        found: set[str] = set()
        size = max(1, self.settings.store_batch_size)
        for start in range(0, len(wanted), size):
            keys = [node_key(ws, i) for i in wanted[start:start + size]]
            rows = self.runner.read(f"{kind}_ids_existing", {"ws": ws, "keys": keys})
            found.update(row["id"] for row in rows)
        return found

    def _check_refs(self, ws: str, refs: list[tuple[int, tuple[Any, ...], str, str]],
                    what: str, pending: dict[str, set[str]] | None = None) -> None:
        """refs: (index, loc tail, kind, id); ``pending`` holds ids the same import writes."""
        by_kind: dict[str, set[str]] = defaultdict(set)
        for _index, _loc, kind, ref in refs:
            by_kind[kind].add(ref)
        known: dict[str, set[str]] = {}
        for kind, ids in by_kind.items():
            ahead = (pending or {}).get(kind, set())
            known[kind] = ahead | self._existing(kind, ws, ids - ahead)
        errors = [
            {"loc": [index, *loc], "msg": f"unknown {kind} {ref!r}"}
            for index, loc, kind, ref in refs if ref not in known[kind]
        ]
        _raise_reference_errors(errors, what)

    @staticmethod
    def _now_ms() -> int:
        return to_ms(utcnow())

    @staticmethod
    def _as_of_ms(as_of: datetime | None) -> int:
        return to_ms(as_of) if as_of is not None else to_ms(utcnow())

    # -- accounts

    def upsert_accounts(self, *, workspace: str, accounts: Sequence[Account]) -> UpsertCounts:
        ws = check_workspace(workspace)
        return self._write_accounts(ws, validate_batch(Account, accounts))

    def _write_accounts(self, ws: str, models: list[Account]) -> UpsertCounts:
        latest = {a.id: a for a in models}  # of duplicate ids the last wins
        rows = [{"key": node_key(ws, a.id), "props": _props(ws, a.model_dump(mode="json"), a.id)}
                for a in latest.values()]
        return self._upsert("account_upsert", ws, rows)

    def get_account(self, *, workspace: str, account_id: str) -> Account:
        ws = check_workspace(workspace)
        rows = self.runner.read("account_get", {"key": node_key(ws, account_id)})
        if not rows:
            raise NotFound(f"no account {account_id!r}")
        return Account.model_validate(_plain(rows[0]["props"]))

    def delete_account(self, *, workspace: str, account_id: str) -> None:
        """Delete an account and its stakeholders; 409 Conflict (nothing deleted) while a
        deal is on the account or one of its stakeholders sits on a deal."""
        ws = check_workspace(workspace)
        rows = self.runner.write("account_delete", {"ws": ws, "key": node_key(ws, account_id)})
        if not rows:
            raise NotFound(f"no account {account_id!r}")
        deals, seats = int(rows[0]["deals"]), int(rows[0]["seats"])
        if deals or seats:
            raise Conflict(
                f"account {account_id!r} still has {deals} deal(s), and its stakeholders "
                f"{seats} committee fact(s); delete those deals first",
                detail={"deals": deals, "membership_facts": seats},
            )

    # -- deals

    def upsert_deals(self, *, workspace: str, deals: Sequence[Deal]) -> UpsertCounts:
        ws = check_workspace(workspace)
        models = validate_batch(Deal, deals)
        self._check_refs(ws, [(i, ("account_id",), "account", d.account_id)
                              for i, d in enumerate(models)], "deal batch")
        return self._write_deals(ws, models)

    def _write_deals(self, ws: str, models: list[Deal]) -> UpsertCounts:
        latest = {d.id: d for d in models}
        rows = []
        for d in latest.values():
            account_key = node_key(ws, d.account_id)
            rows.append({"key": node_key(ws, d.id), "account_key": account_key,
                         "props": _props(ws, d.model_dump(mode="json"), d.id,
                                         account_key=account_key)})
        return self._upsert("deal_upsert", ws, rows)

    def get_deal(self, *, workspace: str, deal_id: str) -> Deal:
        ws = check_workspace(workspace)
        rows = self.runner.read("deal_get", {"key": node_key(ws, deal_id)})
        if not rows:
            raise NotFound(f"no deal {deal_id!r}")
        return _deal_from_props(rows[0]["props"])

    def delete_deal(self, *, workspace: str, deal_id: str) -> None:
        """Delete a deal with its membership facts and interactions."""
        ws = check_workspace(workspace)
        rows = self.runner.write("deal_delete", {"ws": ws, "key": node_key(ws, deal_id)})
        if not rows or not rows[0]["deleted"]:
            raise NotFound(f"no deal {deal_id!r}")

    def list_deals(self, *, workspace: str, owner: str | None = None,
                   status: DealStatus | None = None, account_id: str | None = None,
                   limit: int = 50, cursor: str | None = None) -> Page[Deal]:
        """Deals ordered by id; ``next_cursor`` (opaque) continues after the last one."""
        ws = check_workspace(workspace)
        if limit < 1:
            raise ValidationFailed("limit must be >= 1",
                                   detail=[{"loc": ["limit"], "msg": "must be >= 1"}])
        try:
            status_value = DealStatus(status).value if status else None
        except ValueError as exc:
            raise ValidationFailed("unknown deal status", detail=[
                {"loc": ["status"], "msg": f"not one of {[s.value for s in DealStatus]}"}],
            ) from exc
        params = {
            "ws": ws,
            "owner": owner.strip().lower() if owner else None,
            "status": status_value,
            "account_id": account_id,
            "after": _decode_cursor(cursor) if cursor else None,
            "limit": limit + 1,
        }
        rows = self.runner.read("deal_list", params)
        items = [_deal_from_props(row["props"]) for row in rows[:limit]]
        next_cursor = _encode_cursor(items[-1].id) if len(rows) > limit else None
        return Page(items=items, next_cursor=next_cursor)

    # -- stakeholders and team members

    def upsert_stakeholders(self, *, workspace: str,
                            stakeholders: Sequence[Stakeholder]) -> UpsertCounts:
        ws = check_workspace(workspace)
        models = validate_batch(Stakeholder, stakeholders)
        self._check_refs(ws, [(i, ("account_id",), "account", s.account_id)
                              for i, s in enumerate(models)], "stakeholder batch")
        return self._write_stakeholders(ws, models)

    def _write_stakeholders(self, ws: str, models: list[Stakeholder]) -> UpsertCounts:
        latest = {s.id: s for s in models}
        rows = []
        for s in latest.values():
            account_key = node_key(ws, s.account_id)
            # packed: what a deal history returns for a member, in one value.
            packed = _STATE_JSON.encode([s.id, s.account_id, s.name, s.title, s.email])
            rows.append({"key": node_key(ws, s.id), "account_key": account_key,
                         "props": _props(ws, s.model_dump(mode="json"), s.id,
                                         account_key=account_key, packed=packed)})
        return self._upsert("stakeholder_upsert", ws, rows)

    def get_stakeholder(self, *, workspace: str, stakeholder_id: str) -> Stakeholder:
        ws = check_workspace(workspace)
        rows = self.runner.read("stakeholder_get", {"key": node_key(ws, stakeholder_id)})
        if not rows:
            raise NotFound(f"no stakeholder {stakeholder_id!r}")
        return Stakeholder.model_validate(_plain(rows[0]["props"]))

    def delete_stakeholder(self, *, workspace: str, stakeholder_id: str) -> None:
        """Delete a person with all their facts; their id leaves the interactions."""
        ws = check_workspace(workspace)
        rows = self.runner.write("stakeholder_delete", {
            "ws": ws, "key": node_key(ws, stakeholder_id), "id": stakeholder_id})
        if not rows or not rows[0]["deleted"]:
            raise NotFound(f"no stakeholder {stakeholder_id!r}")

    def list_stakeholder_deals(self, *, workspace: str, stakeholder_id: str,
                               as_of: datetime | None = None) -> list[Deal]:
        """The deals the stakeholder sits on as of ``as_of`` (now), ordered by id."""
        ws = check_workspace(workspace)
        self.get_stakeholder(workspace=ws, stakeholder_id=stakeholder_id)
        rows = self.runner.read("stakeholder_deals", {
            "key": node_key(ws, stakeholder_id), "as_of": self._as_of_ms(as_of)})
        latest: dict[str, dict[str, Any]] = {}
        for row in rows:
            held = latest.get(row["deal_id"])
            if held is None or (row["at"], row["seq"]) > (held["at"], held["seq"]):
                latest[row["deal_id"]] = row
        return [_deal_from_props(row["props"])
                for _, row in sorted(latest.items()) if row["active"]]

    def upsert_team_members(self, *, workspace: str,
                            team_members: Sequence[TeamMember]) -> UpsertCounts:
        ws = check_workspace(workspace)
        return self._write_team_members(ws, validate_batch(TeamMember, team_members))

    def _write_team_members(self, ws: str, models: list[TeamMember]) -> UpsertCounts:
        latest = {m.email: m for m in models}
        rows = [{"key": node_key(ws, m.email),
                 "props": _props(ws, m.model_dump(mode="json"), m.email)}
                for m in latest.values()]
        return self._upsert("team_member_upsert", ws, rows)

    # -- history facts

    def record_memberships(self, *, workspace: str,
                           memberships: Sequence[Membership]) -> UpsertCounts:
        """Record membership states from their ``at`` (now when omitted): ``created``
        counts joins and re-joins, ``updated`` changes of a membership in effect,
        ``unchanged`` states already in effect at that instant."""
        ws = check_workspace(workspace)
        models = validate_batch(Membership, memberships)
        self._check_membership_refs(ws, models, "membership batch")
        return self._write_memberships(ws, models)

    def end_memberships(self, *, workspace: str, ends: Sequence[MembershipEnd]) -> int:
        """End memberships at ``at`` (now); returns how many were in effect then."""
        ws = check_workspace(workspace)
        models = validate_batch(MembershipEnd, ends)
        self._check_membership_refs(ws, models, "membership end batch")
        return self._write_memberships(ws, models).updated

    def _check_membership_refs(self, ws: str, models: Sequence[Membership | MembershipEnd],
                               what: str, pending: dict[str, set[str]] | None = None) -> None:
        refs: list[tuple[int, tuple[Any, ...], str, str]] = []
        for i, m in enumerate(models):
            refs.append((i, ("deal_id",), "deal", m.deal_id))
            refs.append((i, ("stakeholder_id",), "stakeholder", m.stakeholder_id))
        self._check_refs(ws, refs, what, pending)

    def _write_memberships(self, ws: str,
                           models: Sequence[Membership | MembershipEnd]) -> UpsertCounts:
        now = self._now_ms()
        rows = [_membership_row(ws, m, to_ms(m.at) if m.at else now) for m in models]
        return self._record_facts("membership_record", ws, rows,
                                  ("deal_key", "stakeholder_key"))

    def record_influences(self, *, workspace: str,
                          influences: Sequence[Influence]) -> UpsertCounts:
        """Record influence lines (source sways target) with their strength from ``at``."""
        ws = check_workspace(workspace)
        models = validate_batch(Influence, influences)
        self._check_line_refs(ws, models, ("source_id", "target_id"), "influence batch")
        return self._write_influences(ws, models)

    def end_influences(self, *, workspace: str, ends: Sequence[InfluenceEnd]) -> int:
        ws = check_workspace(workspace)
        models = validate_batch(InfluenceEnd, ends)
        self._check_line_refs(ws, models, ("source_id", "target_id"), "influence end batch")
        return self._write_influences(ws, models).updated

    def _check_line_refs(self, ws: str, models: Sequence[BaseModel], fields: tuple[str, str],
                         what: str, pending: dict[str, set[str]] | None = None) -> None:
        refs = [(i, (name,), "stakeholder", getattr(m, name))
                for i, m in enumerate(models) for name in fields]
        self._check_refs(ws, refs, what, pending)

    def _write_influences(self, ws: str,
                          models: Sequence[Influence | InfluenceEnd]) -> UpsertCounts:
        now = self._now_ms()
        rows = [_line_row(ws, m.source_id, m.target_id, to_ms(m.at) if m.at else now,
                          m.strength if isinstance(m, Influence) else None)
                for m in models]
        return self._record_facts("influence_record", ws, rows, ("source_key", "target_key"))

    def record_reporting_lines(self, *, workspace: str,
                               lines: Sequence[ReportingLine]) -> UpsertCounts:
        """Record that ``stakeholder_id`` reports to ``manager_id`` from ``at``."""
        ws = check_workspace(workspace)
        models = validate_batch(ReportingLine, lines)
        self._check_line_refs(ws, models, ("stakeholder_id", "manager_id"),
                              "reporting line batch")
        return self._write_reporting(ws, models)

    def end_reporting_lines(self, *, workspace: str, ends: Sequence[ReportingEnd]) -> int:
        ws = check_workspace(workspace)
        models = validate_batch(ReportingEnd, ends)
        self._check_line_refs(ws, models, ("stakeholder_id", "manager_id"),
                              "reporting end batch")
        return self._write_reporting(ws, models).updated

    def _write_reporting(self, ws: str,
                         models: Sequence[ReportingLine | ReportingEnd]) -> UpsertCounts:
        now = self._now_ms()
        rows = [_line_row(ws, m.stakeholder_id, m.manager_id, to_ms(m.at) if m.at else now,
                          1.0 if isinstance(m, ReportingLine) else None)
                for m in models]
        return self._record_facts("reporting_record", ws, rows, ("source_key", "target_key"))

    # -- interactions

    def record_interactions(self, *, workspace: str,
                            interactions: Sequence[Interaction]) -> list[Interaction]:
        """Upsert interactions by id and return them as stored. Without an id, one is
        derived from the content (re-sending is idempotent). Team members present are
        added (by e-mail) when unknown."""
        ws = check_workspace(workspace)
        models = [_with_stable_id(x) for x in validate_batch(Interaction, interactions)]
        self._check_interaction_refs(ws, models, "interaction batch")
        self._write_interactions(ws, models)
        return models

    def _check_interaction_refs(self, ws: str, models: Sequence[Interaction], what: str,
                                pending: dict[str, set[str]] | None = None) -> None:
        refs: list[tuple[int, tuple[Any, ...], str, str]] = []
        for i, x in enumerate(models):
            refs.append((i, ("deal_id",), "deal", x.deal_id))
            refs.extend((i, ("stakeholder_ids", k), "stakeholder", sid)
                        for k, sid in enumerate(x.stakeholder_ids))
        self._check_refs(ws, refs, what, pending)

    def _write_interactions(self, ws: str, models: Sequence[Interaction]) -> UpsertCounts:
        latest = {x.id: x for x in models}
        rows = []
        for x in latest.values():
            values = _interaction_values(x)
            deal_key = node_key(ws, x.deal_id)
            # packed: what a deal history returns for an interaction, in one value.
            packed = _STATE_JSON.encode([values[k] for k in _INTERACTION_FIELDS])
            rows.append({"key": node_key(ws, x.id), "deal_key": deal_key,
                         "props": _props(ws, values, x.id, deal_key=deal_key,
                                         packed=packed)})

        def team_members(chunk: list[dict[str, Any]]) -> dict[str, Any]:
            emails = sorted({e for row in chunk for e in row["props"].get(
                "team_member_emails", ())})
            return {"team_members": [{"key": node_key(ws, e), "email": e} for e in emails]}

        return self._upsert("interaction_upsert", ws, rows, team_members)

    def list_interactions(self, *, workspace: str, deal_id: str,
                          as_of: datetime | None = None) -> list[InteractionRecord]:
        """The deal's interactions up to ``as_of`` (default: all), oldest first."""
        ws = check_workspace(workspace)
        self.get_deal(workspace=ws, deal_id=deal_id)
        at = to_ms(as_of) if as_of is not None else _FAR_FUTURE_MS
        return self._interactions(ws, [deal_id], at).get(deal_id, [])

    def _interactions(self, ws: str, deal_ids: list[str],
                      as_of: int) -> dict[str, list[InteractionRecord]]:
        rows = self.runner.read("deal_history_interactions", {
            "deal_keys": [node_key(ws, d) for d in deal_ids], "as_of": as_of})
        by_deal: dict[str, list[InteractionRecord]] = defaultdict(list)
        canonical = _Canonical()
        for row in rows:
            by_deal[row["deal_id"]].append(
                _interaction_record([row["packed"], row["stakeholder_ids"]], canonical))
        return by_deal

    # -- bundles

    def import_bundle(self, *, workspace: str, bundle: Bundle) -> ImportCounts:
        """Validate the whole bundle (fields, then references to the bundle itself and to
        what is stored), then write it in dependency order. Nothing is written when
        anything is invalid; re-importing the same bundle changes nothing."""
        ws = check_workspace(workspace)
        if not isinstance(bundle, Bundle):
            bundle = _validate_bundle(bundle)
        if any("id" not in x.model_fields_set for x in bundle.interactions):
            bundle = bundle.model_copy(update={
                "interactions": [_with_stable_id(x) for x in bundle.interactions]})
        bundle = _at_one_instant(bundle, utcnow())
        self._check_bundle(ws, bundle)
        counts = ImportCounts()
        by_kind = counts.by_kind
        with self._pipelined():
            by_kind["accounts"] = self._write_accounts(ws, bundle.accounts)
            by_kind["deals"] = self._write_deals(ws, bundle.deals)
            by_kind["stakeholders"] = self._write_stakeholders(ws, bundle.stakeholders)
            by_kind["team_members"] = self._write_team_members(ws, bundle.team_members)
            by_kind["memberships"] = self._write_memberships(ws, bundle.memberships)
            by_kind["membership_ends"] = self._write_memberships(ws, bundle.membership_ends)
            by_kind["influences"] = self._write_influences(ws, bundle.influences)
            by_kind["influence_ends"] = self._write_influences(ws, bundle.influence_ends)
            by_kind["reporting_lines"] = self._write_reporting(ws, bundle.reporting_lines)
            by_kind["reporting_ends"] = self._write_reporting(ws, bundle.reporting_ends)
            by_kind["interactions"] = self._write_interactions(ws, bundle.interactions)
        for kind in ("membership_ends", "influence_ends", "reporting_ends"):
            by_kind[kind] = _ended(by_kind[kind], len(getattr(bundle, kind)))
        return counts

    def without_stored(self, *, workspace: str, bundle: Bundle
                       ) -> tuple[Bundle, dict[str, int]]:
        """The bundle less the accounts, deals, stakeholders and interactions that are
        stored with exactly these values, and how many were left out per kind: a large
        re-import (a CRM export) then writes only what changed. Facts are kept as given.
        One read of the workspace's fingerprints (``node_fingerprints.cypher``)."""
        ws = check_workspace(workspace)
        stored: dict[str, dict[str, str]] = defaultdict(dict)
        for row in self.runner.read("node_fingerprints", {"ws": ws, "sep": KEY_SEPARATOR}):
            kind, natural_id, fingerprint = row["node"].split(KEY_SEPARATOR, 2)
            stored[kind][natural_id] = fingerprint
        kept: dict[str, list[Any]] = {}
        left_out: dict[str, int] = {}
        for kind, label in (("accounts", "account"), ("deals", "deal"),
                            ("stakeholders", "stakeholder"), ("interactions", "interaction")):
            held = stored.get(label, {})
            models = getattr(bundle, kind)
            kept[kind] = [m for m in models
                          if held.get(m.id) != _stored_fingerprint(m)] if held else models
            left_out[kind] = len(models) - len(kept[kind])
        return bundle.model_copy(update=kept), left_out

    def _check_bundle(self, ws: str, bundle: Bundle) -> None:
        pending = {
            "account": {a.id for a in bundle.accounts},
            "deal": {d.id for d in bundle.deals},
            "stakeholder": {s.id for s in bundle.stakeholders},
        }
        checks: list[tuple[str, Callable[[], None]]] = [
            ("deals", lambda: self._check_refs(
                ws, [(i, ("account_id",), "account", d.account_id)
                     for i, d in enumerate(bundle.deals)], "deals", pending)),
            ("stakeholders", lambda: self._check_refs(
                ws, [(i, ("account_id",), "account", s.account_id)
                     for i, s in enumerate(bundle.stakeholders)], "stakeholders", pending)),
            ("memberships", lambda: self._check_membership_refs(
                ws, bundle.memberships, "memberships", pending)),
            ("membership_ends", lambda: self._check_membership_refs(
                ws, bundle.membership_ends, "membership ends", pending)),
            ("influences", lambda: self._check_line_refs(
                ws, bundle.influences, ("source_id", "target_id"), "influences", pending)),
            ("influence_ends", lambda: self._check_line_refs(
                ws, bundle.influence_ends, ("source_id", "target_id"), "influence ends",
                pending)),
            ("reporting_lines", lambda: self._check_line_refs(
                ws, bundle.reporting_lines, ("stakeholder_id", "manager_id"),
                "reporting lines", pending)),
            ("reporting_ends", lambda: self._check_line_refs(
                ws, bundle.reporting_ends, ("stakeholder_id", "manager_id"),
                "reporting ends", pending)),
            ("interactions", lambda: self._check_interaction_refs(
                ws, bundle.interactions, "interactions", pending)),
        ]
        errors: list[dict[str, Any]] = []
        for kind, check in checks:
            try:
                check()
            except ValidationFailed as exc:
                found = cast(list[dict[str, Any]], exc.detail)
                errors.extend({"loc": [kind, *e["loc"]], "msg": e["msg"]} for e in found)
        _raise_reference_errors(errors, "bundle")

    # -- history and snapshots

    def deal_history(self, *, workspace: str, deal_id: str,
                     as_of: datetime | None = None) -> DealHistory:
        """Every fact of the deal up to ``as_of`` (now), inclusive; see DealHistory."""
        histories = self.deal_histories(workspace=workspace, deal_ids=[deal_id], as_of=as_of)
        if not histories:
            raise NotFound(f"no deal {deal_id!r}")
        return histories[0]

    def snapshot(self, *, workspace: str, deal_id: str,
                 as_of: datetime | None = None) -> DealSnapshot:
        """The deal's committee as of ``as_of`` (now)."""
        return self.deal_history(workspace=workspace, deal_id=deal_id, as_of=as_of).snapshot()

    def deal_histories(self, *, workspace: str, deal_ids: Sequence[str],
                       as_of: datetime | None = None) -> list[DealHistory]:
        """Histories of many deals up to ``as_of`` (now): one query per chunk of 500
        deals (never one per deal); unknown ids are left out, input order is kept."""
        ws = check_workspace(workspace)
        at = self._as_of_ms(as_of)
        ids = list(dict.fromkeys(deal_ids))
        histories: list[DealHistory] = []
        size = _HISTORY_CHUNK
        for start in range(0, len(ids), size):
            histories.extend(self._histories(ws, ids[start:start + size], at))
        return histories

    def open_deal_histories(self, *, workspace: str, as_of: datetime | None = None,
                            batch_size: int = 500) -> Iterator[list[DealHistory]]:
        """Every open deal's history, ``batch_size`` deals at a time, in id order (the
        fleet scan). Open means open now; the facts are those up to ``as_of``.

        Two queries per batch (a page of ids, then the histories). The next batch is
        read on a background thread while the caller works on the current one, so on
        two cores the store read and the analysis overlap."""
        ws = check_workspace(workspace)
        at = self._as_of_ms(as_of)
        size = max(1, batch_size)

        def fetch(after: str | None) -> tuple[list[str], list[DealHistory]]:
            rows = self.runner.read("deal_open_ids", {"ws": ws, "after": after, "limit": size})
            ids = [row["id"] for row in rows]
            histories: list[DealHistory] = []
            for start in range(0, len(ids), _HISTORY_CHUNK):
                histories.extend(self._histories(ws, ids[start:start + _HISTORY_CHUNK], at))
            return ids, histories

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="graphstore-scan") as pool:
            ahead = pool.submit(fetch, None)
            try:
                while True:
                    ids, histories = ahead.result()
                    more = len(ids) == size
                    if more:
                        ahead = pool.submit(fetch, ids[-1])
                    if histories:
                        yield histories
                    if not more:
                        return
            finally:
                ahead.cancel()

    def _histories(self, ws: str, deal_ids: list[str], as_of: int) -> list[DealHistory]:
        rows = self.runner.read("deal_history", {
            "deal_keys": [node_key(ws, d) for d in deal_ids], "as_of": as_of})
        deals: dict[str, Deal] = {}
        members: dict[str, dict[str, StakeholderInfo]] = defaultdict(dict)
        facts: dict[str, list[MembershipFact]] = defaultdict(list)
        influences: dict[str, list[LineFact]] = defaultdict(list)
        reporting: dict[str, list[LineFact]] = defaultdict(list)
        interactions: dict[str, list[InteractionRecord]] = {}
        # Every mention of a stakeholder id shares one string object: the analysis looks
        # ids up in dicts and tuples millions of times, and equal objects that are also
        # identical compare at once (and stay in cache).
        canonical = _Canonical()
        for row in rows:
            part, owner, items = row["part"], row["id"], row["items"]
            if part == "members":
                deals[owner] = _deal_from_props(row["deal"])
                for person, member_facts in items:
                    if person is None:  # a deal without members
                        continue
                    sid, account_id, name, title, email = json.loads(person)
                    sid = canonical(sid)
                    own = [_membership_fact(sid, fact) for fact in member_facts]
                    # Only people who sat on the deal count; an end that arrived for
                    # someone who never joined (facts come in any order) is not shown.
                    if not any([f.active for f in own]):
                        continue
                    members[owner][sid] = StakeholderInfo(
                        id=sid, account_id=account_id, name=name, title=title, email=email)
                    facts[owner].extend(own)
            elif part == "lines":
                source = canonical(owner)
                for packed in items:
                    kind, at, seq, state, target = packed.split(KEY_SEPARATOR, 4)
                    active, strength = _line_state(state)
                    (reporting if kind == "R" else influences)[owner].append(LineFact(
                        source_id=source, target_id=canonical(target), at=int(at),
                        seq=int(seq), active=active, strength=strength))
            else:
                records = [_interaction_record(item, canonical) for item in items]
                records.sort(key=lambda x: (x.at, x.id))
                interactions[owner] = records
        histories = []
        for did in deal_ids:
            if did not in deals:
                continue
            ids = members[did]
            histories.append(DealHistory(
                workspace=ws, deal=deals[did], as_of=as_of, stakeholders=dict(ids),
                membership_facts=tuple(facts[did]),
                influence_facts=_facts_within(influences, ids),
                reporting_facts=_facts_within(reporting, ids),
                interactions=tuple(interactions.get(did, ())),
            ))
        return histories


_FAR_FUTURE_MS = 2**62


class _OrderedWriter:
    """One background thread running write statements strictly in submission order.

    At most ``depth`` statements wait at a time (bounded memory). After a failure the
    remaining statements are dropped and :meth:`close` raises the error."""

    def __init__(self, runner: Runner, *, depth: int = 2) -> None:
        self._runner = runner
        # A runner that can encode a statement ahead (FalkorDB) does it on the
        # submitting thread, overlapping the server running the previous statement.
        self._prepare: Callable[[str, dict[str, Any]], Callable[[], list[dict[str, Any]]]] \
            = getattr(runner, "prepare_write", None) or self._deferred
        self._jobs: queue.Queue[tuple[Callable[[], list[dict[str, Any]]],
                                      UpsertCounts] | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="graphstore-writer",
                                        daemon=True)
        self._thread.start()

    def _deferred(self, query: str,
                  params: dict[str, Any]) -> Callable[[], list[dict[str, Any]]]:
        return lambda: self._runner.write(query, params)

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            if self._error is None:
                run, counts = job
                try:
                    counts += _counts(run())
                except BaseException as exc:
                    self._error = exc

    def submit(self, query: str, params: dict[str, Any], counts: UpsertCounts) -> None:
        if self._error is not None:
            raise self._error
        self._jobs.put((self._prepare(query, params), counts))

    def close(self, *, raise_error: bool = True) -> None:
        self._jobs.put(None)
        self._thread.join()
        if raise_error and self._error is not None:
            raise self._error


def _validate_bundle(raw: Any) -> Bundle:
    try:
        return Bundle.model_validate(raw.model_dump() if isinstance(raw, BaseModel) else raw)
    except ValidationError as exc:
        raise ValidationFailed(
            "invalid bundle; nothing written",
            detail=[{"loc": list(e["loc"]), "msg": e["msg"]}
                    for e in exc.errors(include_url=False)][:_MAX_ERRORS],
        ) from exc


_FACT_KINDS = ("memberships", "membership_ends", "influences", "influence_ends",
               "reporting_lines", "reporting_ends")


def _at_one_instant(bundle: Bundle, now: datetime) -> Bundle:
    """The bundle with every undated fact dated ``now``: one import is one instant, so a
    deal imported a moment ago shows no trend between its own facts (issue 12)."""
    update = {}
    for kind in _FACT_KINDS:
        facts = getattr(bundle, kind)
        if any(f.at is None for f in facts):
            update[kind] = [f if f.at is not None else f.model_copy(update={"at": now})
                            for f in facts]
    return bundle.model_copy(update=update) if update else bundle


def _ended(counts: UpsertCounts, total: int) -> UpsertCounts:
    # An end that ended something counts as an update of that membership or line.
    return UpsertCounts(updated=counts.updated, unchanged=total - counts.updated)


@lru_cache(maxsize=65_536)
def _membership_state(state: str) -> tuple[bool, Role | None, Stance, bool, int | None,
                                           float | None]:
    # Few distinct states recur across a fleet: parse each once.
    active, role, stance, ally, rating, weight = json.loads(state)
    return (active, Role(role) if role is not None else None, _stance(stance), bool(ally),
            rating, weight)


@lru_cache(maxsize=65_536)
def _line_state(state: str) -> tuple[bool, float]:
    active, strength = json.loads(state)
    return active, (strength if strength is not None else 1.0)


def _interaction_values(x: Interaction) -> dict[str, Any]:
    """An interaction's stored values (before ``_props``)."""
    return {
        "id": x.id, "deal_id": x.deal_id, "at": to_ms(x.at),
        "channel": x.channel.value, "stakeholder_ids": list(x.stakeholder_ids),
        "team_member_emails": list(x.team_member_emails), "summary": x.summary,
        "next_step_at": to_ms(x.next_step_at) if x.next_step_at else None,
    }


def _stored_fingerprint(model: BaseModel) -> str:
    """The ``h`` an upsert of ``model`` stores (see ``_props``)."""
    if isinstance(model, Interaction):
        values = _interaction_values(model)
    elif isinstance(model, Stakeholder):
        values = dict(vars(model))  # every field a str or None: its JSON dump, cheaper
    else:
        values = model.model_dump(mode="json")
    return _fingerprint({k: v for k, v in values.items() if v is not None})


def _with_stable_id(interaction: Interaction) -> Interaction:
    """An interaction sent without an id gets one derived from its content, so sending
    the same (id-less) interaction again is recognised instead of stored twice."""
    if "id" in interaction.model_fields_set:
        return interaction
    content = interaction.model_dump(mode="json", exclude={"id"})
    return interaction.model_copy(update={"id": "ix-" + _fingerprint(content)})


# Packed on the node; stakeholder_ids stay apart, since deleting a person edits them.
_INTERACTION_FIELDS = ("id", "at", "channel", "team_member_emails", "summary",
                       "next_step_at")


class _Canonical(dict[str, str]):
    """Maps each string to the first equal string it was given (a per-read intern table)."""

    def __call__(self, value: str) -> str:
        return self.setdefault(value, value)


def _interaction_record(item: list[Any], canonical: _Canonical) -> InteractionRecord:
    packed, stakeholder_ids = item
    iid, at, channel, emails, summary, next_step_at = json.loads(packed)
    return InteractionRecord(id=iid, at=at, channel=channel,
                             stakeholder_ids=tuple(map(canonical, stakeholder_ids or ())),
                             team_member_emails=tuple(emails or ()), summary=summary,
                             next_step_at=next_step_at)


def _membership_fact(sid: str, packed: str) -> MembershipFact:
    at, seq, state = packed.split(KEY_SEPARATOR, 2)
    active, role, stance, ally, rating, weight = _membership_state(state)
    return MembershipFact(stakeholder_id=sid, at=int(at), seq=int(seq), active=active,
                          role=role, stance=stance, ally=ally, influence_rating=rating,
                          self_weight=weight)


def _facts_within(by_source: dict[str, list[LineFact]],
                  members: dict[str, StakeholderInfo]) -> tuple[LineFact, ...]:
    """The line facts whose two ends both sat on the deal."""
    return tuple(fact for sid in members for fact in by_source.get(sid, ())
                 if fact.target_id in members)
