"""Test helpers shared by every area (importable as ``tests.helpers``)."""

from __future__ import annotations

import os
import shutil

import pytest

from graphsvc.config import Settings


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def require_tool(name: str, *, reason: str | None = None) -> str:
    """Return the path of executable ``name``; skip the test locally when it is missing,
    but fail it under ``CI=true`` (CI must run everything)."""
    path = shutil.which(name)
    if path is not None:
        return path
    message = reason or f"{name} is not installed"
    if running_in_ci():
        pytest.fail(f"{message} (required when CI=true)", pytrace=False)
    pytest.skip(message)


def store_env(settings: Settings) -> dict[str, str]:
    """The variables that point a fresh ``graphsvc`` process at the same store as
    ``settings``: ``GRAPHSVC_DATA_DIR`` always, and ``NEO4J_*`` when it uses Neo4j."""
    env = {"GRAPHSVC_DATA_DIR": str(settings.data_dir)}
    if settings.neo4j_uri:
        env.update(
            {
                "NEO4J_URI": settings.neo4j_uri,
                "NEO4J_USER": settings.neo4j_user,
                "NEO4J_PASSWORD": settings.neo4j_password.get_secret_value(),
                "NEO4J_DATABASE": settings.neo4j_database,
            }
        )
    return env
