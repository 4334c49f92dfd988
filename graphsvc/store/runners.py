"""The backend runners: run a named query of ``queries/`` and return plain rows.

Two backends implement :class:`graphsvc.store.repository.Runner`:

* :class:`FalkorRunner`: the embedded FalkorDB (``graphsvc.store.embedded``) over its
  unix socket, one graph named ``graphsvc``. Reads go through ``GRAPH.RO_QUERY``.
* :class:`Neo4jRunner`: Neo4j 5 through the official driver's ``execute_query``
  (managed transactions, the driver's own retries, READ routing for reads).

Rows are dicts keyed by the query's column names, holding plain Python values only
(int, float, str, bool, None, lists, dicts; a node or relationship becomes the dict of
its properties). Each query is timed: set ``runner.on_query = fn(name, seconds)`` to
collect the figures (the API's metrics do).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Mapping
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
from graphsvc.errors import ConfigurationError, GraphsvcError, StoreUnavailable
from graphsvc.store.embedded import NO_RETRY, EmbeddedServer, acquire

GRAPH_NAME = "graphsvc"
QueryHook = Callable[[str, float], None]
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class QueryFailed(GraphsvcError):
    """The database refused a query (a bug in a query file, or a constraint)."""

    status_code = 500
    kind = "store_error"


def _identifier(name: str) -> str:
    # Schema names are fixed data (graphsvc/store/schema.py); check anyway, since DDL
    # cannot take them as parameters.
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a plain identifier: {name!r}")
    return name


def to_plain(value: Any) -> Any:
    """Convert a driver value to plain Python (nodes/relationships -> property dicts)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    properties = getattr(value, "properties", None)  # falkordb Node / Edge
    if isinstance(properties, Mapping):
        return {str(k): to_plain(v) for k, v in properties.items()}
    items = getattr(value, "items", None)  # neo4j Node / Relationship
    if callable(items):
        return {str(k): to_plain(v) for k, v in items()}
    nodes = getattr(value, "nodes", None)  # paths
    if nodes is not None:
        return [to_plain(n) for n in nodes]
    return value


def _cypher_literal(value: Any) -> str:
    """A parameter value as FalkorDB's ``CYPHER`` header spells it: the same text as the
    client's ``stringify_param_value`` (strings quoted, backslash and double quote
    escaped), with one type dispatch per value instead of a chain of isinstance checks
    (params are the ingest's hot path: ~60% of the client's time per batch)."""
    kind = type(value)
    if kind is str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if kind is dict:
        parts = []
        for key, item in value.items():
            if not key or "`" in key:
                raise ValueError(f"unusable parameter map key: {key!r}")
            parts.append(f"`{key}`:{_cypher_literal(item)}")
        return "{" + ",".join(parts) + "}"
    if kind is list or kind is tuple:
        return "[" + ",".join([_cypher_literal(item) for item in value]) + "]"
    if value is None:
        return "null"
    if isinstance(value, str):  # str subclasses, e.g. StrEnum members
        return _cypher_literal(str.__str__(value))
    return str(value)


def params_header(params: dict[str, Any] | None) -> str:
    """The ``CYPHER name=value ...`` prefix carrying the parameters of one query."""
    if not params:
        return ""
    parts = ["CYPHER"]
    for key, value in params.items():
        if not key or "`" in key:
            raise ValueError(f"unusable parameter name: {key!r}")
        parts.append(f"`{key}`={_cypher_literal(value)}")
    return " ".join(parts) + " "


def _compact_rows(response: list[Any], graph: Any) -> list[dict[str, Any]]:
    """Rows of a ``--compact`` reply as dicts of plain values.

    Scalars, lists and maps are decoded here in one pass (the hot path of every read);
    anything else (nodes, edges, paths, temporal values) goes through the client's own
    parser, which needs the graph's schema, then :func:`to_plain`."""
    if response and isinstance(response[0], redis.ResponseError):
        raise response[0]
    if response and isinstance(response[-1], redis.ResponseError):
        raise response[-1]
    if len(response) < 3:
        return []  # statistics only (a write without RETURN)
    columns = [column[1] for column in response[0]]
    return [
        {col: _plain_cell(cell, graph) for col, cell in zip(columns, row, strict=True)}
        for row in response[1]
    ]


def _plain_cell(cell: list[Any], graph: Any) -> Any:
    kind, value = cell[0], cell[1]
    if kind == 2:  # string
        return value
    if kind == 3:  # integer
        return int(value)
    if kind == 5:  # double
        return float(value)
    if kind == 1:  # null
        return None
    if kind == 4:  # boolean
        return value == "true"
    if kind == 6:  # array; most are of strings (packed facts), decoded without a call
        return [item[1] if item[0] == 2 else _plain_cell(item, graph) for item in value]
    if kind == 10:  # map: key, value, key, value, ...
        return {str(value[i]): _plain_cell(value[i + 1], graph) for i in range(0, len(value), 2)}
    from falkordb.query_result import parse_scalar

    return to_plain(parse_scalar(cell, graph))


def _load_schema() -> tuple[list[tuple[str, str]], list[tuple[str, tuple[str, ...]]]]:
    from graphsvc.store import schema

    return list(schema.INDEXES), list(schema.UNIQUE_KEYS)


# --------------------------------------------------------------------------- FalkorDB

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
                    rows = _compact_rows(response, graph)
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
        return self.execute(queries.load(query_name), params, read_only=True, name=query_name)

    def write(self, query_name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.execute(queries.load(query_name), params, name=query_name)

    def prepare_write(
        self, query_name: str, params: dict[str, Any]
    ) -> Callable[[], list[dict[str, Any]]]:
        """The write, its parameters encoded now; calling the result runs it. Lets a
        pipelined import encode the next statement on the caller's thread while the
        background writer only sends: the server never idles during the encoding."""
        command_text = params_header(params) + queries.load(query_name)
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
        indexes, unique_keys = _load_schema()
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
                        f"CREATE INDEX FOR (n:{_identifier(label)}) ON (n.{_identifier(prop)})",
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
                _identifier(label),
                "PROPERTIES",
                str(len(props)),
                *(_identifier(p) for p in props),
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
            self.compact_log()

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

        Retrying(
            retry=retry_if_result(bool),
            wait=wait_exponential(multiplier=0.005, max=0.5),
            stop=stop_after_delay(timeout),
            reraise=True,
            retry_error_callback=lambda state: True,
        )(rewriting)
        status = connection.info("persistence").get("aof_last_bgrewrite_status")
        if status != "ok":
            raise QueryFailed(f"rewriting the append-only file failed ({status})")

    def close(self) -> None:
        self._db.connection.close()
        self._db.connection.connection_pool.disconnect()
        if self.server is not None:
            self.server.release()
            self.server = None


# --------------------------------------------------------------------------- Neo4j


_BOLT_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


class Neo4jRunner:
    """Neo4j 5 through the official driver; ``execute_query`` runs each query in a
    managed transaction and retries transient failures itself (deadlocks between
    concurrent writers, a restarting server) for up to ``retry_seconds``; after that
    the query fails with :class:`StoreUnavailable` (HTTP 503). Errors name the URI and
    the user, never the password."""

    backend = "neo4j"

    def __init__(
        self, uri: str, *, user: str, password: str, database: str, retry_seconds: float = 10.0
    ) -> None:
        import neo4j

        self._neo4j = neo4j
        self.uri = uri
        self.user = user
        self.database = database
        self.on_query: QueryHook | None = None
        scheme = uri.split("://", 1)[0].lower() if "://" in uri else ""
        if scheme not in _BOLT_SCHEMES:
            raise ConfigurationError(
                f"NEO4J_URI {uri!r} is not a Bolt URI (expected one of "
                f"{', '.join(s + '://' for s in _BOLT_SCHEMES)})"
            )
        try:
            self.driver = neo4j.GraphDatabase.driver(
                uri,
                auth=(user, password),
                max_transaction_retry_time=retry_seconds,
                # Neo4j warns about every property no node has yet (a fresh database
                # reading `revoked_at` of keys), and the driver logs each warning: the
                # queries are checked by the linter and the tests instead.
                notifications_min_severity=neo4j.NotificationMinimumSeverity.OFF,
                # A dead server is found out fast; the retries above wait for it.
                connection_timeout=min(5.0, max(retry_seconds, 1.0)),
                connection_acquisition_timeout=max(retry_seconds, 1.0) + 30.0,
            )
        except (neo4j.exceptions.ConfigurationError, ValueError) as exc:
            raise ConfigurationError(f"NEO4J_URI {uri!r} is not usable: {exc}") from exc

    @classmethod
    def from_settings(cls, settings: Settings) -> Neo4jRunner:
        assert settings.neo4j_uri
        return cls(
            settings.neo4j_uri,
            user=settings.neo4j_user,
            password=settings.neo4j_password.get_secret_value(),
            database=settings.neo4j_database,
            retry_seconds=settings.neo4j_retry_seconds,
        )

    def _failure(self, exc: Exception, name: str) -> GraphsvcError:
        """Our error for a driver error: one line, naming the server, never the password."""
        errors = self._neo4j.exceptions
        if isinstance(exc, errors.AuthError) or "AuthenticationRateLimit" in str(
            getattr(exc, "code", "")
        ):
            return StoreUnavailable(
                f"Neo4j at {self.uri} refused the login of user {self.user!r}: check "
                f"NEO4J_USER and NEO4J_PASSWORD ({getattr(exc, 'code', None) or 'auth'})"
            )
        if isinstance(exc, errors.IncompleteCommit):
            return StoreUnavailable(
                f"Neo4j at {self.uri} went away while committing {name!r}; the write is "
                f"either complete or absent, and safe to repeat"
            )
        if isinstance(exc, errors.DriverError | errors.TransientError | errors.DatabaseUnavailable):
            reason = " ".join(str(exc).split()) or type(exc).__name__
            return StoreUnavailable(f"Neo4j at {self.uri} is unavailable: {reason}")
        return QueryFailed(f"query {name!r} failed: {exc}")

    def execute(
        self,
        text: str,
        params: dict[str, Any] | None = None,
        *,
        read_only: bool = False,
        name: str = "<text>",
    ) -> list[dict[str, Any]]:
        neo4j = self._neo4j
        routing = neo4j.RoutingControl.READ if read_only else neo4j.RoutingControl.WRITE
        started = time.perf_counter()
        try:
            records, _summary, _keys = self.driver.execute_query(
                neo4j.Query(text), params or {}, routing_=routing, database_=self.database
            )
        except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError) as exc:
            raise self._failure(exc, name) from exc
        finally:
            if self.on_query is not None:
                self.on_query(name, time.perf_counter() - started)
        return [{key: to_plain(value) for key, value in record.items()} for record in records]

    def read(self, query_name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.execute(queries.load(query_name), params, read_only=True, name=query_name)

    def write(self, query_name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.execute(queries.load(query_name), params, name=query_name)

    def ping(self) -> bool:
        try:
            self.driver.verify_connectivity()
            return True
        except self._neo4j.exceptions.Neo4jError:
            return False
        except self._neo4j.exceptions.DriverError:
            return False

    @staticmethod
    def schema_statements() -> list[str]:
        """The DDL for :mod:`graphsvc.store.schema`, idempotent (``IF NOT EXISTS``)."""
        indexes, unique_keys = _load_schema()
        statements = []
        for label, props in unique_keys:
            label = _identifier(label)
            keys = ", ".join(f"n.{_identifier(p)}" for p in props)
            name = f"graphsvc_{label}_{'_'.join(props)}_key".lower()
            statements.append(
                f"CREATE CONSTRAINT {name} IF NOT EXISTS FOR (n:{label}) REQUIRE ({keys}) IS UNIQUE"
            )
        backed_by_constraint = {
            (label, props[0]) for label, props in unique_keys if len(props) == 1
        }
        for label, prop in indexes:
            if (label, prop) in backed_by_constraint:
                continue  # the constraint's own index; a second one is refused
            name = f"graphsvc_{_identifier(label)}_{_identifier(prop)}".lower()
            statements.append(f"CREATE INDEX {name} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})")
        return statements

    @staticmethod
    def expected_schema() -> dict[str, list[str]]:
        """The names of the constraints and indexes :meth:`schema_statements` creates."""
        expected: dict[str, list[str]] = {"constraints": [], "indexes": []}
        for statement in Neo4jRunner.schema_statements():
            kind, name = statement.split()[1:3]
            expected["constraints" if kind == "CONSTRAINT" else "indexes"].append(name)
        return expected

    def ensure_schema(self) -> None:
        for statement in self.schema_statements():
            self.execute(statement, name="ensure_schema")

    def describe(self) -> dict[str, Any]:
        """The server (product, version, edition, address, database) and our schema on
        it: each expected constraint and index, present or missing, and its state."""
        components = self.execute(
            "CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition",
            read_only=True,
            name="describe",
        )
        constraints = {
            row["name"]
            for row in self.execute(
                "SHOW CONSTRAINTS YIELD name RETURN name", read_only=True, name="describe"
            )
        }
        indexes = {
            row["name"]: row["state"]
            for row in self.execute(
                "SHOW INDEXES YIELD name, state RETURN name, state", read_only=True, name="describe"
            )
        }
        expected = self.expected_schema()
        server = components[0] if components else {}
        return {
            "backend": self.backend,
            "uri": self.uri,
            "user": self.user,
            "database": self.database,
            "product": server.get("name"),
            "version": (server.get("versions") or [None])[0],
            "edition": server.get("edition"),
            "constraints": {
                name: ("present" if name in constraints else "missing")
                for name in expected["constraints"]
            },
            "indexes": {name: indexes.get(name, "missing") for name in expected["indexes"]},
        }

    def close(self) -> None:
        self.driver.close()


# --------------------------------------------------------------------------- factory


def open_embedded_runner(settings: Settings) -> FalkorRunner:
    server = acquire(settings.data_dir, idle_seconds=settings.embedded_idle_seconds)
    try:
        return FalkorRunner(server.socket_path, server=server)
    except BaseException:
        server.release()
        raise


def open_runner(settings: Settings) -> FalkorRunner | Neo4jRunner:
    """Neo4j when ``settings.neo4j_uri`` is set, else the embedded FalkorDB."""
    if settings.neo4j_uri:
        return Neo4jRunner.from_settings(settings)
    return open_embedded_runner(settings)
