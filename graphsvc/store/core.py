"""The store's core: the runner protocol, validation, chunking, the ordered writer and
reference checks, shared by every repository of :mod:`graphsvc.store`.

Each aggregate has its own repository (``accounts.py``, ``deals.py``, ...), built on
:class:`RepositoryBase` (and :class:`NodeRepository` for the nodes found by id), the way
Polar builds its repositories on one generic base. All repositories of one store share
one :class:`StoreCore`, so a bundle import pipelines the writes of several of them
through one ordered writer.
"""

from __future__ import annotations

import queue
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from graphsvc.config import Settings
from graphsvc.domain.models import to_ms, utcnow
from graphsvc.errors import NotFound, ValidationFailed
from graphsvc.store.codecs import KEY_SEPARATOR, node_key, plain

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

# seq = revision * SEQ_SPAN + row index: a chunk may not hold more rows than this.
SEQ_SPAN = 1_000_000
MAX_ERRORS = 200

# (batch index, loc tail, kind of node referred to, its id)
Reference = tuple[int, tuple[Any, ...], str, str]
# Ids written by the same import, per kind: they count as existing.
Pending = dict[str, set[str]]


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
    # Records' authors by id, where the page's records keep them.
    authors: dict[str, Authors] = field(default_factory=dict)


@dataclass
class UpsertCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Rows not written because their ``expect`` (a conditional write) did not hold.
    precondition_failed: int = 0

    def __iadd__(self, other: UpsertCounts) -> UpsertCounts:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.precondition_failed += other.precondition_failed
        return self

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def outcome(self) -> str:
        """One write's outcome: ``created``, ``updated`` or ``unchanged``."""
        return "created" if self.created else "updated" if self.updated else "unchanged"


@dataclass
class ImportCounts:
    by_kind: dict[str, UpsertCounts] = field(default_factory=dict)


# --------------------------------------------------------------------------- validation


def check_workspace(workspace: str) -> str:
    """Workspace names are 1-128 printable characters without surrounding whitespace
    (``ws`` is indexed as it is; see :func:`node_key` for why the ends matter)."""
    if (
        not isinstance(workspace, str)
        or not 1 <= len(workspace) <= 128
        or not workspace.isprintable()
        or workspace != workspace.strip()
    ):
        raise ValidationFailed(
            "invalid workspace",
            detail=[
                {
                    "loc": ["workspace"],
                    "msg": "workspace names are 1-128 printable characters, "
                    "not starting or ending with a space",
                }
            ],
        )
    return workspace


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
            detail=errors[:MAX_ERRORS],
        )
    return models


def raise_reference_errors(errors: list[dict[str, Any]], what: str) -> None:
    if errors:
        raise ValidationFailed(
            f"{len(errors)} unknown reference(s) in the {what}; nothing written",
            detail=errors[:MAX_ERRORS],
        )


def with_expectations(
    rows: list[dict[str, Any]], expect: Mapping[str, str] | None
) -> list[dict[str, Any]]:
    """Node rows with the conditional-write ``expect`` of their id, when there is one
    (see the upsert queries: a row whose expectation fails is not written)."""
    if not expect:
        return rows
    for row in rows:
        row["expect"] = expect.get(row["props"]["id"])
    return rows


def now_ms() -> int:
    return to_ms(utcnow())


def as_of_ms(as_of: datetime | None) -> int:
    """Epoch milliseconds of ``as_of``, or of now when it is None."""
    return to_ms(as_of) if as_of is not None else now_ms()


def outcome_counts(rows: list[dict[str, Any]]) -> UpsertCounts:
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


# --------------------------------------------------------------------------- the core


class StoreCore:
    """The runner, the settings and the calling thread's write pipeline, shared by the
    repositories of one store. ``runner`` may be replaced (the API wraps it to count
    queries); every repository reads it from here."""

    def __init__(self, runner: Runner, *, settings: Settings) -> None:
        self.runner = runner
        self.settings = settings
        self._local = threading.local()  # the calling thread's write pipeline, if any

    def chunk_size(self) -> int:
        return max(1, min(self.settings.store_batch_size, SEQ_SPAN))

    def chunks(self, rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
        size = self.chunk_size()
        for start in range(0, len(rows), size):
            yield rows[start : start + size]

    @contextmanager
    def pipelined(self) -> Iterator[None]:
        """Within this block, write statements run in order on one background thread,
        so building the next chunk (Python) overlaps the database running the previous
        one. Counts handed to :meth:`write` are complete when the block exits."""
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

    def write(self, query: str, params: dict[str, Any], counts: UpsertCounts) -> None:
        writer: _OrderedWriter | None = getattr(self._local, "writer", None)
        if writer is None:
            counts += outcome_counts(self.runner.write(query, params))
        else:
            writer.submit(query, params, counts)

    def upsert(
        self,
        query: str,
        ws: str,
        rows: list[dict[str, Any]],
        extra: Callable[[list[dict[str, Any]]], dict[str, Any]] | None = None,
    ) -> UpsertCounts:
        """Upsert node rows a chunk per statement; ``extra(chunk)`` adds per-chunk
        parameters."""
        counts = UpsertCounts()
        with self.pipelined() if len(rows) > self.chunk_size() else nullcontext():
            for chunk in self.chunks(rows):
                params = {"ws": ws, "rows": chunk, **(extra(chunk) if extra else {})}
                self.write(query, params, counts)
        return counts

    def upsert_each(
        self,
        query: str,
        ws: str,
        rows: list[dict[str, Any]],
        extra: Callable[[list[dict[str, Any]]], dict[str, Any]] | None = None,
    ) -> dict[str, str]:
        """Upsert node rows like :meth:`upsert`, answering each row's outcome by id
        (``created``, ``updated``, ``unchanged``, ``precondition_failed``); a row the
        statement dropped (a node it refers to went away) is missing."""
        outcomes: dict[str, str] = {}
        for chunk in self.chunks(rows):
            params = {"ws": ws, "rows": chunk, **(extra(chunk) if extra else {})}
            for row in self.runner.write(query, params):
                outcomes.update(dict.fromkeys(row["ids"], row["outcome"]))
        return outcomes

    def record_facts(
        self, query: str, ws: str, rows: list[dict[str, Any]], pair: tuple[str, str]
    ) -> UpsertCounts:
        """Record fact rows in rounds (one fact per ``pair`` per statement)."""
        rounds = _rounds(rows, lambda row: (row[pair[0]], row[pair[1]]))
        # A fact superseded within the batch (same pair, same instant) changes nothing.
        counts = UpsertCounts(unchanged=len(rows) - sum(map(len, rounds)))
        many = len(rounds) > 1 or len(rows) > self.chunk_size()
        with self.pipelined() if many else nullcontext():
            for round_rows in rounds:
                for chunk in self.chunks(round_rows):
                    for i, row in enumerate(chunk):  # rows are this call's own dicts
                        row["i"] = i
                    self.write(query, {"ws": ws, "rows": chunk, "sep": KEY_SEPARATOR}, counts)
        return counts

    def existing(self, kind: str, ws: str, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` name a ``kind`` node in the workspace."""
        wanted = sorted(set(ids))
        found: set[str] = set()
        size = max(1, self.settings.store_batch_size)
        for start in range(0, len(wanted), size):
            keys = [node_key(ws, i) for i in wanted[start : start + size]]
            rows = self.runner.read(f"{kind}_ids_existing", {"ws": ws, "keys": keys})
            found.update(row["id"] for row in rows)
        return found

    def check_refs(
        self, ws: str, refs: list[Reference], what: str, pending: Pending | None = None
    ) -> None:
        """422 naming every reference to a node that neither exists nor is ``pending``."""
        by_kind: dict[str, set[str]] = defaultdict(set)
        for _index, _loc, kind, ref in refs:
            by_kind[kind].add(ref)
        known: dict[str, set[str]] = {}
        for kind, ids in by_kind.items():
            ahead = (pending or {}).get(kind, set())
            known[kind] = ahead | self.existing(kind, ws, ids - ahead)
        errors = [
            {"loc": [index, *loc], "msg": f"unknown {kind} {ref!r}"}
            for index, loc, kind, ref in refs
            if ref not in known[kind]
        ]
        raise_reference_errors(errors, what)


class _OrderedWriter:
    """One background thread running write statements strictly in submission order.

    At most ``depth`` statements wait at a time (bounded memory). After a failure the
    remaining statements are dropped and :meth:`close` raises the error."""

    def __init__(self, runner: Runner, *, depth: int = 2) -> None:
        self._runner = runner
        # A runner that can encode a statement ahead (FalkorDB) does it on the
        # submitting thread, overlapping the server running the previous statement.
        self._prepare: Callable[[str, dict[str, Any]], Callable[[], list[dict[str, Any]]]] = (
            getattr(runner, "prepare_write", None) or self._deferred
        )
        self._jobs: queue.Queue[tuple[Callable[[], list[dict[str, Any]]], UpsertCounts] | None] = (
            queue.Queue(maxsize=depth)
        )
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="graphstore-writer", daemon=True)
        self._thread.start()

    def _deferred(self, query: str, params: dict[str, Any]) -> Callable[[], list[dict[str, Any]]]:
        return lambda: self._runner.write(query, params)

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            if self._error is None:
                run, counts = job
                try:
                    counts += outcome_counts(run())
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


# --------------------------------------------------------------------------- bases


def signed(rows: list[dict[str, Any]], by: str | None) -> list[dict[str, Any]]:
    """Upsert rows with their author (``row.author`` in the record upsert queries: kept as
    ``updated_by``, and ``created_by`` when the record is created)."""
    if by is not None:
        for row in rows:
            row["author"] = by
    return rows


@dataclass(frozen=True)
class Authors:
    """Who created a record and who changed it last, and when (epoch ms); None where
    the record was written before authors were kept."""

    created_by: str | None = None
    created_at: int | None = None
    updated_by: str | None = None
    updated_at: int | None = None

    @classmethod
    def of(cls, props: dict[str, Any]) -> Authors:
        """The authors kept on a stored record's property map."""
        return cls(
            created_by=props.get("created_by"),
            created_at=_optional_ms(props.get("created_at")),
            updated_by=props.get("updated_by"),
            updated_at=_optional_ms(props.get("changed_at")),
        )


def _optional_ms(value: Any) -> int | None:
    return int(value) if value is not None else None


class RepositoryBase:
    """A repository of one aggregate, over the store's shared core."""

    def __init__(self, core: StoreCore) -> None:
        self.core = core

    @property
    def runner(self) -> Runner:
        return self.core.runner


class NodeRepository(RepositoryBase, Generic[M]):
    """A repository of nodes found by id: ``{kind}_get`` reads one, ``{kind}_upsert``
    writes rows (references to them are checked with ``{kind}_ids_existing``, see
    :meth:`StoreCore.check_refs`)."""

    kind: ClassVar[str]
    model: type[M]

    def _get(self, ws: str, natural_id: str) -> M:
        rows = self.runner.read(f"{self.kind}_get", {"key": node_key(ws, natural_id)})
        if not rows:
            raise NotFound(f"no {self.kind} {natural_id!r}")
        return self.model.model_validate(plain(rows[0]["props"]))

    def get_tagged(self, *, workspace: str, natural_id: str) -> tuple[M, str]:
        """The node and its content tag (the stored fingerprint ``h``); 404 when none."""
        record, tag, _ = self.get_authored(workspace=workspace, natural_id=natural_id)
        return record, tag

    def get_authored(self, *, workspace: str, natural_id: str) -> tuple[M, str, Authors]:
        """The node, its content tag and who created and last changed it; 404 when
        none."""
        ws = check_workspace(workspace)
        rows = self.runner.read(f"{self.kind}_get", {"key": node_key(ws, natural_id)})
        if not rows:
            raise NotFound(f"no {self.kind} {natural_id!r}")
        props = rows[0]["props"]
        return self.model.model_validate(plain(props)), str(props["h"]), Authors.of(props)

    def _upsert_rows(
        self,
        ws: str,
        rows: list[dict[str, Any]],
        extra: Callable[[list[dict[str, Any]]], dict[str, Any]] | None = None,
    ) -> UpsertCounts:
        return self.core.upsert(f"{self.kind}_upsert", ws, rows, extra)
