"""Workspaces on the command line: an unknown one is an error in every command that reads
one (with a "did you mean"), an unknown deal names the workspace, and a map-link lifetime
of 0 or less is refused at start. Real processes on the embedded store, as a user runs
them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from graphsvc.config import Settings
from graphsvc.domain.models import Account, Bundle, Deal, Membership, Role, Stakeholder
from graphsvc.store import embedded
from tests.test_cli import assert_one_line_error, run_cli

WORKSPACE = "acme-emea"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory):
    """An embedded store holding one deal in workspace ``acme-emea``."""
    folder = tmp_path_factory.mktemp("cli-workspaces")
    bundle = Bundle(
        accounts=[Account(id="acc", name="Acme")],
        deals=[Deal(id="d1", account_id="acc", name="Platform", owner_email="o@us.example")],
        stakeholders=[Stakeholder(id="boss", account_id="acc", name="Boss")],
        memberships=[
            Membership(
                deal_id="d1",
                stakeholder_id="boss",
                role=Role.decision_maker,
                at=datetime(2026, 3, 1, tzinfo=UTC),
            ),
        ],
    )
    bundle_file = folder / "bundle.json"
    bundle_file.write_text(bundle.model_dump_json(), encoding="utf-8")
    imported = run_cli(["import", str(bundle_file), "--workspace", WORKSPACE], folder)
    assert imported.returncode == 0, imported.stderr
    yield folder
    embedded.stop(folder)


@pytest.mark.parametrize(
    "args",
    [
        ["risks"],
        ["analyze", "d1"],
        ["map", "d1", "-o", "out.html"],
        ["map-link", "d1"],
        ["keys", "list"],
        ["alerts", "send", "--dry-run", "--out", "eml"],
    ],
    ids=["risks", "analyze", "map", "map-link", "keys-list", "alerts-send"],
)
def test_an_unknown_workspace_is_an_error_with_a_suggestion(
    args: list[str], data_dir: Path
) -> None:
    typo = run_cli([*args, "--workspace", "acme-emae"], data_dir)
    line = assert_one_line_error(typo, code=1, contains="no workspace 'acme-emae'")
    assert "did you mean 'acme-emea'?" in line
    far = run_cli([*args, "--workspace", "globex"], data_dir)
    line = assert_one_line_error(far, code=1, contains="no workspace 'globex'")
    assert "did you mean" not in line and "'acme-emea'" in line  # the known ones instead


def test_risks_of_a_known_workspace_still_work(data_dir: Path) -> None:
    result = run_cli(["risks", "--workspace", WORKSPACE], data_dir)
    assert result.returncode == 0, result.stderr
    assert "1 of 1" in result.stdout


@pytest.mark.parametrize(
    "command",
    [["analyze", "nope"], ["map-link", "nope"], ["map", "nope", "-o", "out.html"]],
    ids=["analyze", "map-link", "map"],
)
def test_an_unknown_deal_names_the_workspace(command: list[str], data_dir: Path) -> None:
    result = run_cli([*command, "--workspace", WORKSPACE], data_dir)
    assert_one_line_error(result, code=1, contains=f"no deal 'nope' in workspace '{WORKSPACE}'")


@pytest.mark.parametrize("days", ["0", "-3"])
def test_a_map_link_lifetime_of_zero_or_less_is_refused_at_start(days: str, tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        Settings(map_link_ttl_days=int(days))
    for command in (["serve", "--port", "0"], ["map-link", "d1"]):
        result = run_cli(command, tmp_path, GRAPHSVC_MAP_LINK_TTL_DAYS=days)
        assert_one_line_error(result, code=1, contains="GRAPHSVC_MAP_LINK_TTL_DAYS")
