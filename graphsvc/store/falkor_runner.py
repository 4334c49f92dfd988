"""The embedded FalkorDB runner: named queries over the server's unix socket.

:class:`FalkorRunner` speaks to the server :mod:`graphsvc.store.embedded` runs (one
graph named ``graphsvc``); reads go through ``GRAPH.RO_QUERY``, with ``--compact``
replies decoded by :func:`graphsvc.store.wire.compact_rows`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import redis
from tenacity import (
    Retrying,
    retry_if_exception_type,
    retry_if_result,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential,
)

from graphsvc import queries
from graphsvc.config import Settings
from graphsvc.errors import StoreUnavailable
from graphsvc.store.embedded import NO_RETRY, EmbeddedServer, acquire
from graphsvc.store.wire import (
    QueryFailed,
    QueryHook,
    compact_rows,
    identifier,
    load_schema,
    params_header,
)

GRAPH_NAME = "graphsvc"
DIALECT = "falkordb"  # its own versions of some queries (queries/<name>.falkordb.cypher)

_CONNECTION_ERRORS = (redis.ConnectionError, redis.TimeoutError, ConnectionError, OSError)


class FalkorRunner:
    """FalkorDB over a unix socket. Thread-safe: one connection pool (redis-py's pool
    hands each command its own connection) and a per-thread graph handle, whose result
    parser keeps a schema cache that must not be shared."""

    backend = "falkordb"

    def __init__(
        self,
        socket_path: str,
        *,
        graph_name: str = GRAPH_NAME,
        server: EmbeddedServer | None = None,
        attempts: int = 5,
    ) -> None:
        from falkordb import FalkorDB

        self.socket_path = socket_path
        self.graph_name = graph_name
        self.server = server
        self.on_query: QueryHook | None = None
        self._attempts = attempts
        self._db = FalkorDB(unix_socket_path=socket_path, max_connections=64, retry=NO_RETRY)
        self._local = threading.local()
        self._restart_lock = threading.Lock()

    # -- plumbing

    def _graph(self) -> Any:
        graph = getattr(self._local, "graph", None)
        if graph is None:
            graph = self._db.select_graph(self.graph_name)
            self._local.graph = graph
        return graph

    def _recover(self) -> None:
        """After a connection error: restart the embedded server if it went away."""
        self._db.connection.connection_pool.reset()
        if self.server is not None:
            with self._restart_lock:
                self.server.restart_if_down()

    def _retrying(self) -> Retrying:
        return Retrying(
            retry=retry_if_exception_type(_CONNECTION_ERRORS),
            wait=wait_exponential(multiplier=0.02, max=1.0),
            stop=stop_after_attempt(self._attempts),
            before_sleep=lambda _state: self._recover(),
            reraise=True,
        )

    def execute(
        self,
        text: str,
        params: dict[str, Any] | None = None,
        *,
        read_only: bool = False,
        name: str = "<text>",
    ) -> list[dict[str, Any]]:
        """Run query text (from ``queries/`` or fixed code, never from input)."""
        # params_header escapes every value as the client's own builder does.
        return self._execute(params_header(params) + text, read_only=read_only, name=name)

    def _execute(self, command_text: str, *, read_only: bool, name: str) -> list[dict[str, Any]]:
        """Run query text already prefixed with its parameters."""
        started = time.perf_counter()
        try:
            for attempt in self._retrying():
                with attempt:
                    graph = self._graph()
                    command = [
                        "GRAPH.RO_QUERY" if read_only else "GRAPH.QUERY",
                        self.graph_name,
                        command_text,
                        "--compact",
                    ]
                    response = self._db.connection.execute_command(*command)
                    rows = compact_rows(response, graph)
        except _CONNECTION_ERRORS as exc:
            raise StoreUnavailable(f"FalkorDB at {self.socket_path} is unavailable: {exc}") from exc
        except redis.ResponseError as exc:
            raise QueryFailed(f"query {name!r} failed: {exc}") from exc
        finally:
            if self.on_query is not None:
                self.on_query(name, time.perf_counter() - started)
        return rows

    # -- Runner protocol

    def read(self, query_name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.execute(
            queries.load(query_name, DIALECT), params, read_only=True, name=query_name
        )

    def write(self, query_name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.execute(queries.load(query_name, DIALECT), params, name=query_name)

    def prepare_write(
        self, query_name: str, params: dict[str, Any]
    ) -> Callable[[], list[dict[str, Any]]]:
        """The write, its parameters encoded now; calling the result runs it. Lets a
        pipelined import encode the next statement on the caller's thread while the
        background writer only sends: the server never idles during the encoding."""
        command_text = params_header(params) + queries.load(query_name, DIALECT)
        return lambda: self._execute(command_text, read_only=False, name=query_name)

    def ping(self) -> bool:
        try:
            return bool(self._db.connection.ping())
        except _CONNECTION_ERRORS:
            return False

    def ensure_schema(self) -> None:
        """Range indexes for INDEXES and every UNIQUE_KEYS property, then the unique
        constraints; all idempotent.

        When anything was created, the append-only file is compacted at once, so the
        index definitions live in its RDB base: FalkorDB does not populate an index
        created *while* it replays an AOF until the replay ends, so a log that starts
        with ``CREATE INDEX`` replays every later write without indexes, quadratically
        (600 deals: 31 s instead of 0.4 s)."""
        indexes, unique_keys = load_schema()
        created = False
        wanted: dict[str, list[str]] = {}
        for label, prop in indexes:
            wanted.setdefault(label, []).append(prop)
        for label, props in unique_keys:
            wanted.setdefault(label, []).extend(props)
        for label, label_props in wanted.items():
            for prop in dict.fromkeys(label_props):
                try:
                    self.execute(
                        f"CREATE INDEX FOR (n:{identifier(label)}) ON (n.{identifier(prop)})",
                        name="ensure_schema",
                    )
                    created = True
                except QueryFailed as exc:
                    if "already indexed" not in str(exc):
                        raise
        for label, props in unique_keys:
            command: list[str] = [
                "GRAPH.CONSTRAINT",
                "CREATE",
                self.graph_name,
                "UNIQUE",
                "NODE",
                identifier(label),
                "PROPERTIES",
                str(len(props)),
                *(identifier(p) for p in props),
            ]
            try:
                for attempt in self._retrying():
                    with attempt:
                        self._db.connection.execute_command(*command)
                created = True
            except redis.ResponseError as exc:
                if "already exists" not in str(exc).lower():
                    raise QueryFailed(f"unique constraint on {label}{props}: {exc}") from exc
        if created:
            # FalkorDB builds a unique constraint in the background and writes its
            # command to the append-only file only when it is built: compacting before
            # that leaves it in the replayed tail (see above).
            self._await_constraints()
            self.compact_log()

    def _await_constraints(self, *, timeout: float = 300.0) -> None:
        def pending() -> bool:
            rows = self.execute("CALL db.constraints()", read_only=True, name="ensure_schema")
            return any(row["status"] == "UNDER CONSTRUCTION" for row in rows)

        _wait_while(pending, timeout=timeout)

    def compact_log(self, *, timeout: float = 300.0) -> None:
        """Rewrite the append-only file as an RDB base (BGREWRITEAOF) and wait for it."""
        connection = self._db.connection
        try:
            connection.bgrewriteaof()
        except redis.ResponseError as exc:
            if "already in progress" not in str(exc):
                raise QueryFailed(f"cannot rewrite the append-only file: {exc}") from exc

        def rewriting() -> bool:
            info = connection.info("persistence")
            return bool(info["aof_rewrite_in_progress"] or info["aof_rewrite_scheduled"])

        _wait_while(rewriting, timeout=timeout)
        status = connection.info("persistence").get("aof_last_bgrewrite_status")
        if status != "ok":
            raise QueryFailed(f"rewriting the append-only file failed ({status})")

    def close(self) -> None:
        self._db.connection.close()
        self._db.connection.connection_pool.disconnect()
        if self.server is not None:
            self.server.release()
            self.server = None


def open_embedded_runner(settings: Settings) -> FalkorRunner:
    server = acquire(settings.data_dir, idle_seconds=settings.embedded_idle_seconds)
    try:
        return FalkorRunner(server.socket_path, server=server)
    except BaseException:
        server.release()
        raise


def _wait_while(busy: Callable[[], bool], *, timeout: float) -> None:
    """Poll ``busy`` (backing off from 5 ms to 0.5 s) until it is false, for at most
    ``timeout`` seconds; the server's state is polled, there is no event to wait on."""
    Retrying(
        retry=retry_if_result(bool),
        wait=wait_exponential(multiplier=0.005, max=0.5),
        stop=stop_after_delay(timeout),
        reraise=True,
        retry_error_callback=lambda state: True,
    )(busy)
