"""docker-compose.yml: the production stack validates and is wired as the README says.

``docker compose config`` needs only the client, no engine. The test uses the compose
v2 plugin (``docker compose``) when the docker client has it, else the standalone
``docker-compose``; with neither it skips locally and fails under ``CI=true``, and
``.ci/run`` installs Debian's ``docker-compose`` when the machine has no compose at all,
so CI always validates the file. The structural checks below read the YAML directly and
run everywhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import running_in_ci

REPO = Path(__file__).resolve().parent.parent
COMPOSE_FILES = ("docker-compose.yml", "Dockerfile", ".dockerignore", ".env.example")


def compose_command() -> list[str]:
    """The compose CLI to use, or skip (fail under CI) when there is none."""
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run(
            [docker, "compose", "version"], capture_output=True, text=True, timeout=60
        )
        if probe.returncode == 0:
            return [docker, "compose"]
    standalone = shutil.which("docker-compose")
    if standalone:
        return [standalone]
    message = "neither `docker compose` nor `docker-compose` is installed"
    if running_in_ci():
        pytest.fail(f"{message} (required when CI=true; .ci/run installs it)", pytrace=False)
    pytest.skip(message)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The compose files in a folder of their own, so a developer's real .env in the
    repository cannot leak into (or hide a problem from) the check."""
    for name in COMPOSE_FILES:
        shutil.copy2(REPO / name, tmp_path / name)
    return tmp_path


def _config(project: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    # Compose prefers the shell's variables to the env file: a test run pointed at a
    # Neo4j (NEO4J_PASSWORD set) must not leak into what the file is checked for.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "GRAPHSVC_"))}
    return subprocess.run(
        [*compose_command(), *extra, "config"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_compose_config_validates_with_the_example_env(project: Path) -> None:
    result = _config(project, "--env-file", ".env.example")
    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)
    assert set(resolved["services"]) == {"neo4j", "api", "alerts", "mailpit"}
    api_env = resolved["services"]["api"]["environment"]
    assert api_env["NEO4J_URI"] == "bolt://neo4j:7687"
    assert api_env["NEO4J_PASSWORD"] == "change-me-neo4j"  # from .env.example


def test_compose_refuses_to_run_without_a_password(project: Path) -> None:
    result = _config(project)  # no .env in the folder
    assert result.returncode != 0
    assert "NEO4J_PASSWORD" in result.stderr


def _compose() -> dict[str, Any]:
    loaded = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_neo4j_service() -> None:
    neo4j = _compose()["services"]["neo4j"]
    assert neo4j["image"].startswith("neo4j:5") and "community" in neo4j["image"]
    assert any(v.endswith(":/data") for v in neo4j["volumes"])
    assert "cypher-shell" in " ".join(neo4j["healthcheck"]["test"])
    assert "${NEO4J_PASSWORD" in neo4j["environment"]["NEO4J_AUTH"]


def test_api_waits_for_a_healthy_neo4j_and_alerts_run_the_scheduler() -> None:
    services = _compose()["services"]
    api, alerts = services["api"], services["alerts"]
    assert api["build"] == "."
    assert api["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert api["command"][:2] == ["graphsvc", "serve"]
    assert alerts["command"] == ["graphsvc", "alerts", "schedule"]
    assert alerts["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert "mailpit" in services["mailpit"]["image"]
    assert "${GRAPHSVC_SMTP_HOST:-mailpit}" in api["environment"]["GRAPHSVC_SMTP_HOST"]


def test_secrets_stay_out_of_the_repository() -> None:
    text = (REPO / "docker-compose.yml").read_text(encoding="utf-8")
    assert "change-me" not in text, "no literal secret in docker-compose.yml"
    example = (REPO / ".env.example").read_text(encoding="utf-8")
    assert "NEO4J_PASSWORD=" in example and "GRAPHSVC_MAP_LINK_SECRET=" in example
    ignored = [line.strip() for line in (REPO / ".gitignore").read_text().splitlines()]
    assert ".env" in ignored
    assert ".env" in (REPO / ".dockerignore").read_text().splitlines()


def test_dockerfile_serves_the_api() -> None:
    text = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert text.startswith("#") and "FROM python:3.11" in text
    assert 'CMD ["graphsvc", "serve", "--host", "0.0.0.0", "--port", "8000"]' in text
    assert "USER graphsvc" in text
