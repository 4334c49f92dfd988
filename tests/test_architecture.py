"""The layer contract of README's "Architecture" holds: import-linter checks each
contract of ``[tool.importlinter]`` in pyproject.toml.

A contract that only another issue-12 branch can make pass waits in ``PENDING`` (skipped,
with the import that breaks it and the branch that removes it); the lead empties
``PENDING`` after merging. Contracts are never weakened to pass.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CONTRACTS: list[dict] = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["tool"][
    "importlinter"
]["contracts"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

PENDING: dict[str, str] = {}


def test_every_pending_contract_exists() -> None:
    assert set(PENDING) <= {contract["id"] for contract in CONTRACTS}


@pytest.mark.parametrize("contract_id", [contract["id"] for contract in CONTRACTS])
def test_contract_is_kept(contract_id: str) -> None:
    if contract_id in PENDING:
        pytest.skip(f"pending: {PENDING[contract_id]}")
    done = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--contract", contract_id],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


# Story data tables may be long; code files are not (issue 12: "no file over about 500
# lines except data tables"). None is needed today.
DATA_TABLES: frozenset[str] = frozenset()


def test_no_shipped_module_over_500_lines() -> None:
    """Every module of the package (``visual`` and ``queries`` included, through their
    links) reads in one sitting: at most 500 lines after ``ruff format``."""
    package = REPO / "graphsvc"
    long = {
        str(path.relative_to(package)): lines
        for path in package.rglob("*.py")
        if str(path.relative_to(package)) not in DATA_TABLES
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > 500
    }
    assert not long, long
