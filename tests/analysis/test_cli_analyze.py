"""``graphsvc analyze`` and ``graphsvc risks`` against the real store (both backends)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from graphsvc.cli import app
from graphsvc.config import get_settings
from graphsvc.store.repository import GraphStore
from tests.analysis.test_service import day, two_deals
from tests.helpers import store_env


@pytest.fixture
def cli_env(store: GraphStore, workspace: str) -> Iterator[dict[str, str | None]]:
    store.import_bundle(workspace=workspace, bundle=two_deals())
    # The CLI opens its own store: on the same data directory (it finds the running
    # embedded server, the store's rule for a second process) or the same Neo4j.
    get_settings.cache_clear()
    env: dict[str, str | None] = {
        "NEO4J_URI": None,
        "COLUMNS": "200",
        "GRAPHSVC_ENVIRONMENT": "test",
    }
    env.update(store_env(store.settings))
    yield env
    get_settings.cache_clear()


def test_analyze_prints_tables_and_json(cli_env: dict[str, str | None], workspace: str) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["analyze", "d1", "--workspace", workspace, "--as-of", day(40).date().isoformat()],
        env=cli_env,
    )
    assert result.exit_code == 0, result.output
    for text in (
        "Influence ranking",
        "Support base",
        "Risk flags",
        "DM_NEVER_CONTACTED",
        "never contacted",
        "Boss (boss)",
    ):
        assert text in result.output
    result = runner.invoke(
        app,
        ["analyze", "d1", "--workspace", workspace, "--json", "--as-of", "2026-04-25T00:00:00Z"],
        env=cli_env,
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["deal_id"] == "d1" and data["top_decision_maker"]["contacted"] is True
    assert {f["code"] for f in data["flags"]}.isdisjoint({"DM_NEVER_CONTACTED"})


def test_analyze_bad_date_and_unknown_deal(cli_env: dict[str, str | None], workspace: str) -> None:
    runner = CliRunner()
    bad = runner.invoke(
        app, ["analyze", "d1", "--workspace", workspace, "--as-of", "soon"], env=cli_env
    )
    assert bad.exit_code != 0
    missing = runner.invoke(app, ["analyze", "nope", "--workspace", workspace], env=cli_env)
    assert missing.exit_code != 0


def test_risks_table_and_json(cli_env: dict[str, str | None], workspace: str) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["risks", "--workspace", workspace], env=cli_env)
    assert result.exit_code == 0, result.output
    assert "Open deals at risk" in result.output and "Platform (d1)" in result.output
    result = runner.invoke(app, ["risks", "--workspace", workspace, "--json"], env=cli_env)
    items = json.loads(result.output)
    assert [i["deal_id"] for i in items] == ["d1", "d2"]  # the won deal d3 is not scanned


def test_analysis_rebuild_keeps_every_result_one_process_at_a_time(
    cli_env: dict[str, str | None], store: GraphStore, workspace: str
) -> None:
    from graphsvc.analysis.service import AnalysisService

    runner = CliRunner()
    result = runner.invoke(app, ["analysis", "rebuild", "--workspace", workspace], env=cli_env)
    assert result.exit_code == 0, result.output
    assert "re-analysed and kept" in result.output
    service = AnalysisService(store=store)
    status = service.kept.lease.status(workspace=workspace)
    assert not status.running and status.done == status.total > 0
    # While another process holds the workspace's rebuild lease, the command says so.
    with service.kept.lease.held(workspace=workspace) as held:
        assert held is not None
        result = runner.invoke(app, ["analysis", "rebuild", "--workspace", workspace], env=cli_env)
    assert result.exit_code == 1
    assert "another process is rebuilding" in result.output
