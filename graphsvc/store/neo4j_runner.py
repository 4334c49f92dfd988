"""The Neo4j runner: named queries through the official driver.

:class:`Neo4jRunner` runs each query with ``execute_query`` (managed transactions, the
driver's own retries, READ routing for reads) and owns the Neo4j schema DDL.
"""

from __future__ import annotations

import time
from typing import Any

from graphsvc import queries
from graphsvc.config import Settings
from graphsvc.errors import ConfigurationError, GraphsvcError, StoreUnavailable
from graphsvc.store.wire import QueryFailed, QueryHook, identifier, load_schema, to_plain

_BOLT_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
# What Neo4j answers a schema rule that another transaction created meanwhile.
_RULE_MADE_MEANWHILE = frozenset(
    {
        "Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists",
        "Neo.ClientError.Schema.IndexAlreadyExists",
        "Neo.ClientError.Schema.ConstraintAlreadyExists",
    }
)


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
        indexes, unique_keys = load_schema()
        statements = []
        for label, props in unique_keys:
            label = identifier(label)
            keys = ", ".join(f"n.{identifier(p)}" for p in props)
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
            name = f"graphsvc_{identifier(label)}_{identifier(prop)}".lower()
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
            try:
                self.execute(statement, name="ensure_schema")
            except QueryFailed as exc:
                # ``IF NOT EXISTS`` holds against what is committed, not against another
                # process creating the same rule at that moment (several API processes
                # or test workers starting on one server): its rule is ours too.
                code = getattr(exc.__cause__, "code", None)
                if code not in _RULE_MADE_MEANWHILE:
                    raise

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
