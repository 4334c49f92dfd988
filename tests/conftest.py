"""Fixtures shared by the whole suite.

* One embedded FalkorDB per pytest(-xdist) worker, in the worker's own temp dir, for
  the whole session; tests share its graph safely through a unique ``workspace`` each.
* ``store``: a :class:`GraphStore` parametrized over the backends: FalkorDB always,
  Neo4j when ``NEO4J_URI`` is set (else skipped with that reason).
* ``require_tool(name)`` (from :mod:`tests.helpers`): skip locally, fail under CI=true.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from graphsvc.config import Environment, Settings
from graphsvc.store import embedded
from graphsvc.store.repository import GraphStore
from graphsvc.store.runners import FalkorRunner, Neo4jRunner, open_embedded_runner
from tests.helpers import require_tool, running_in_ci

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


@pytest.fixture(scope="session")
def neo4j_runner() -> Iterator[Neo4jRunner]:
    uri = os.environ.get("NEO4J_URI")
    if not uri:
        pytest.skip("NEO4J_URI is not set")
    runner = Neo4jRunner(
        uri,
        user=os.environ.get("NEO4J_USER", "neo4j"),
        password=os.environ.get("NEO4J_PASSWORD", ""),
        database=os.environ.get("NEO4J_DATABASE", "neo4j"),
    )
    runner.ensure_schema()
    yield runner
    runner.close()


@pytest.fixture
def settings(session_settings: Settings) -> Settings:
    """The session's settings; a copy, so a test may change fields freely."""
    return session_settings.model_copy()


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
def store(runner: FalkorRunner | Neo4jRunner, settings: Settings) -> GraphStore:
    """A GraphStore on the session's runner; scope your data with ``workspace``."""
    if isinstance(runner, Neo4jRunner):
        settings = settings.model_copy(update={"neo4j_uri": os.environ.get("NEO4J_URI")})
    return GraphStore(runner, settings=settings)


@pytest.fixture
def workspace(request: pytest.FixtureRequest) -> str:
    """A workspace no other test uses, so tests can share one graph."""
    return f"ws-{uuid.uuid4().hex[:16]}"
