"""Fixtures shared by the whole suite.

* One embedded FalkorDB per pytest(-xdist) worker, in the worker's own temp dir, for
  the whole session; tests share its graph safely through a unique ``workspace`` each.
* ``store``: a :class:`GraphStore` parametrized over the backends: FalkorDB always, and
  Neo4j: the server at ``NEO4J_URI`` when set, else a local Neo4j 5 that the session
  starts itself from ``tools/neo4j/serve`` (needs Java 17 and Maven; without them the
  Neo4j variants skip locally and fail under CI=true).
* ``require_tool(name)`` (from :mod:`tests.helpers`): skip locally, fail under CI=true.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import SecretStr

from graphsvc.config import Environment, Settings
from graphsvc.store import embedded
from graphsvc.store.repository import GraphStore
from graphsvc.store.runners import FalkorRunner, Neo4jRunner, open_embedded_runner
from tests.helpers import require_tool, running_in_ci
from tests.local_neo4j import LocalNeo4j, LocalNeo4jFailed, missing_tools, stop_pid

__all__ = ["require_tool", "running_in_ci"]

BACKENDS = ["falkordb", pytest.param("neo4j", marks=pytest.mark.neo4j)]


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    """Settings for a test: embedded store under ``data_dir``, nothing read from .env."""
    values: dict[str, object] = {
        "data_dir": data_dir,
        "environment": Environment.test,
        "neo4j_uri": None,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def falkordb_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # tmp_path_factory is per xdist worker, so every worker gets its own server.
    return tmp_path_factory.mktemp("falkordb")


@pytest.fixture(scope="session")
def session_settings(falkordb_data_dir: Path) -> Settings:
    return make_settings(falkordb_data_dir)


@pytest.fixture(scope="session")
def falkordb_runner(session_settings: Settings) -> Iterator[FalkorRunner]:
    runner = open_embedded_runner(session_settings)
    runner.ensure_schema()
    yield runner
    runner.close()
    embedded.stop(session_settings.data_dir)


@dataclass(frozen=True)
class Neo4jConnection:
    uri: str
    user: str
    password: str
    database: str

    def env(self) -> dict[str, str]:
        """The variables a fresh graphsvc process reads to use this server."""
        return {
            "NEO4J_URI": self.uri,
            "NEO4J_USER": self.user,
            "NEO4J_PASSWORD": self.password,
            "NEO4J_DATABASE": self.database,
        }


# One local Neo4j per test session, not one per xdist worker: a JVM with its heap and page
# cache is ~1.5 GB and ~15 s of CPU to start, on a 2-core machine that also runs a
# FalkorDB per worker; tests already share a server safely through unique workspaces.
# The first worker that needs it starts it under a file lock in the session's shared base
# temp dir (so it starts lazily: a run without Neo4j tests starts none) and leaves its
# URI and pid there; the other workers read them. The controller process, which outlives
# every worker, stops it at the end (pytest_unconfigure).
_LOCAL_NEO4J_INFO = "local-neo4j.json"


def _session_shared_dir(factory: pytest.TempPathFactory) -> Path:
    base = factory.getbasetemp()
    # An xdist worker's basetemp is <the controller's basetemp>/<worker id>.
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def _start_local_neo4j(shared: Path) -> Neo4jConnection:
    info_path = shared / _LOCAL_NEO4J_INFO
    with (shared / "local-neo4j.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not info_path.exists():
            password = secrets.token_hex(12)
            server = LocalNeo4j(shared / "neo4j-data", password=password)
            try:
                uri = server.start()
            except LocalNeo4jFailed as exc:
                info_path.write_text(json.dumps({"error": str(exc)}))
            else:
                info_path.write_text(
                    json.dumps({"uri": uri, "password": password, "pid": server.pid})
                )
    info = json.loads(info_path.read_text())
    if "error" in info:
        raise LocalNeo4jFailed(info["error"])
    return Neo4jConnection(info["uri"], "neo4j", info["password"], "neo4j")


@pytest.fixture(scope="session")
def neo4j_connection(tmp_path_factory: pytest.TempPathFactory) -> Neo4jConnection:
    """The Neo4j of this session: ``NEO4J_URI`` when set, else the local one."""
    uri = os.environ.get("NEO4J_URI")
    if uri:
        return Neo4jConnection(
            uri,
            os.environ.get("NEO4J_USER", "neo4j"),
            os.environ.get("NEO4J_PASSWORD", ""),
            os.environ.get("NEO4J_DATABASE", "neo4j"),
        )
    reason = missing_tools()
    if reason is None:
        try:
            return _start_local_neo4j(_session_shared_dir(tmp_path_factory))
        except LocalNeo4jFailed as exc:
            reason = f"the local Neo4j did not start: {exc}"
    if running_in_ci():
        pytest.fail(f"{reason} (Neo4j is required when CI=true)", pytrace=False)
    pytest.skip(f"NEO4J_URI is not set and {reason}")


def pytest_unconfigure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return  # a worker: the controller stops the shared server
    factory = getattr(config, "_tmp_path_factory", None)
    base = getattr(factory, "_basetemp", None)  # None: no temp dir, so no server either
    if base is None:
        return
    info_path = Path(base) / _LOCAL_NEO4J_INFO
    if info_path.exists():
        pid = json.loads(info_path.read_text()).get("pid")
        if pid:
            stop_pid(int(pid))


@pytest.fixture(scope="session")
def neo4j_runner(neo4j_connection: Neo4jConnection) -> Iterator[Neo4jRunner]:
    runner = Neo4jRunner(
        neo4j_connection.uri,
        user=neo4j_connection.user,
        password=neo4j_connection.password,
        database=neo4j_connection.database,
    )
    runner.ensure_schema()
    yield runner
    runner.close()


@pytest.fixture
def settings(session_settings: Settings) -> Settings:
    """The session's settings; a copy, so a test may change fields freely. Each test
    has rate-limit buckets of its own (the store keeps them, and the Neo4j server may
    outlive the session): its app instances share them, other tests' do not."""
    return session_settings.model_copy(
        update={"rate_limit_namespace": f"test-{uuid.uuid4().hex[:12]}"}
    )


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def runner(backend: str, request: pytest.FixtureRequest) -> FalkorRunner | Neo4jRunner:
    """The session runner of the parametrized backend (do not close it)."""
    value = request.getfixturevalue(f"{backend}_runner")
    assert isinstance(value, FalkorRunner | Neo4jRunner)
    return value


@pytest.fixture
def store(
    runner: FalkorRunner | Neo4jRunner, settings: Settings, request: pytest.FixtureRequest
) -> GraphStore:
    """A GraphStore on the session's runner; scope your data with ``workspace``."""
    if isinstance(runner, Neo4jRunner):
        connection = request.getfixturevalue("neo4j_connection")
        settings = settings.model_copy(
            update={
                "neo4j_uri": connection.uri,
                "neo4j_user": connection.user,
                "neo4j_password": SecretStr(connection.password),
                "neo4j_database": connection.database,
            }
        )
    return GraphStore(runner, settings=settings)


@pytest.fixture
def workspace(request: pytest.FixtureRequest) -> str:
    """A workspace no other test uses, so tests can share one graph."""
    return f"ws-{uuid.uuid4().hex[:16]}"
