"""The store a benchmark runs on, for ``--backend falkordb|neo4j`` (imported as a sibling
module, like ``_meters``).

* ``falkordb``: a fresh embedded FalkorDB in the benchmark's data dir.
* ``neo4j``: the server at ``NEO4J_URI`` (``NEO4J_USER``/``NEO4J_PASSWORD``/
  ``NEO4J_DATABASE``) when set, in workspaces of this run's own, deleted at the end; else
  a local Neo4j 5 (``tools/neo4j/serve``, needs Java 17 and Maven) that the benchmark
  starts in its data dir and stops at the end.
"""

from __future__ import annotations

import atexit
import os
import secrets
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from graphsvc.config import Environment, Settings
from graphsvc.store import embedded
from graphsvc.store.repository import GraphStore
from graphsvc.store.runners import FalkorRunner, Neo4jRunner

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.local_neo4j: the launcher the test suite uses too
from tests.local_neo4j import LocalNeo4j  # noqa: E402

BACKENDS = ("falkordb", "neo4j")


def embedded_settings(data_dir: Path, **values: Any) -> Settings:
    """Settings of a benchmark's own store: the embedded FalkorDB in ``data_dir``, test
    environment, nothing read from a ``.env`` or ``NEO4J_URI``; ``values`` override."""
    chosen: dict[str, Any] = {"environment": Environment.test, "neo4j_uri": None, **values}
    return Settings(_env_file=None, data_dir=data_dir, **chosen)


class BenchBackend:
    """Opens :class:`GraphStore` instances on one backend and cleans up after the run."""

    def __init__(self, backend: str, data_dir: Path) -> None:
        self.backend = backend
        self.data_dir = data_dir
        self.local: LocalNeo4j | None = None
        self.external = backend == "neo4j" and bool(os.environ.get("NEO4J_URI"))
        # A shared server may hold other data: this run's workspaces carry a suffix.
        self.suffix = f"-{secrets.token_hex(4)}" if self.external else ""
        self.workspaces: set[str] = set()
        self.neo4j: dict[str, str] = {}
        if backend == "neo4j":
            if self.external:
                self.neo4j = {
                    "neo4j_uri": os.environ["NEO4J_URI"],
                    "neo4j_user": os.environ.get("NEO4J_USER", "neo4j"),
                    "neo4j_password": os.environ.get("NEO4J_PASSWORD", ""),
                    "neo4j_database": os.environ.get("NEO4J_DATABASE", "neo4j"),
                }
            else:
                password = secrets.token_hex(12)
                self.local = LocalNeo4j(data_dir / "neo4j", password=password)
                # Stopped even when the benchmark fails before close(): a JVM left behind
                # holds 1.5 GB of a shared machine.
                atexit.register(self.local.stop)
                started = time.perf_counter()
                uri = self.local.start()
                print(
                    f"local Neo4j pid {self.local.pid} at {uri} "
                    f"(started in {time.perf_counter() - started:.0f} s)",
                    flush=True,
                )
                self.neo4j = {"neo4j_uri": uri, "neo4j_password": password}
        elif backend != "falkordb":
            raise SystemExit(f"unknown backend {backend!r}; choose from {BACKENDS}")

    def workspace(self, name: str) -> str:
        self.workspaces.add(name + self.suffix)
        return name + self.suffix

    def settings(self, **values: object) -> Settings:
        values = {"embedded_idle_seconds": 60, **values, **self.neo4j}
        return embedded_settings(self.data_dir / "store", **values)

    def open(self, **values: object) -> GraphStore:
        return GraphStore.open(self.settings(**values))

    @staticmethod
    @contextmanager
    def untimed_ingest(store: GraphStore) -> Iterator[None]:
        """A benchmark's untimed set-up ingest into its private embedded FalkorDB, without
        an fsync per write (``appendfsync always`` again after it, so what is measured runs
        as configured): on a machine whose disk is shared by other jobs, fsyncs made a
        10,000-deal ingest take hours. Neo4j is left as it is."""
        runner = store.runner
        if not isinstance(runner, FalkorRunner):
            yield
            return
        connection = runner._db.connection
        connection.config_set("appendfsync", "no")
        try:
            yield
        finally:
            connection.config_set("appendfsync", "always")

    @staticmethod
    def server_pid(store: GraphStore) -> int | None:
        runner = store.runner
        if isinstance(runner, FalkorRunner) and runner.server is not None:
            return runner.server.pid
        return None

    def pid(self, store: GraphStore) -> int | None:
        """The server process (for CPU and memory meters); None for a remote Neo4j."""
        if self.local is not None:
            return self.local.pid
        return self.server_pid(store)

    def crash(self, store: GraphStore) -> bool:
        """SIGKILL the server (False when it is not ours to kill)."""
        if self.local is not None:
            self.local.kill()
            return True
        pid = self.server_pid(store)
        if pid is None:
            return False
        os.kill(pid, 9)
        return True

    def recover(self) -> None:
        """Start the killed server again (the embedded one restarts when next opened)."""
        if self.local is not None:
            self.local.restart()

    def close(self, store: GraphStore) -> None:
        runner = store.runner
        if self.external and isinstance(runner, Neo4jRunner):
            for ws in self.workspaces:  # leave a shared server as it was
                while runner.execute(
                    "MATCH (n) WHERE n.ws = $ws OR n.workspace = $ws WITH n LIMIT 5000 "
                    "DETACH DELETE n RETURN count(*) AS n",
                    {"ws": ws},
                )[0]["n"]:
                    pass
        store.close()
        if self.backend == "falkordb":
            embedded.stop(self.data_dir / "store")
        if self.local is not None:
            self.local.stop()
