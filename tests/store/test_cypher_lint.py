"""Every ``queries/*.cypher`` file passes Neo4j's own linter (``lintCypherQuery``).

Node runs once per test session (per xdist worker) over all files plus two broken
canaries, which prove the linter actually reports errors; each query file then gets
its own test, so a failure names the file.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import queries
from tests.helpers import require_tool, running_in_ci

ROOT = Path(__file__).resolve().parents[2]
LINTER = ROOT / "tools" / "cypherlint"
QUERY_DIR = Path(queries.__file__).resolve().parent
CANARIES = {
    "syntax": "MATCH (d:Deal {ws: $workspace})\nRETRUN d\n",
    "semantic": "MATCH (d:Deal {ws: $workspace})\nRETURN undefined_variable\n",
    "function": "RETURN not_a_neo4j_function($x) AS x\n",
}


@cache
def _lint_everything() -> dict[str, dict[str, Any]]:
    node = require_tool("node")
    if not (LINTER / "node_modules" / "@neo4j-cypher" / "language-support").is_dir():
        reason = "tools/cypherlint/node_modules is missing: run `npm ci` in tools/cypherlint"
        if running_in_ci():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    with tempfile.TemporaryDirectory(prefix="cypherlint-") as tmp:
        canary_files = []
        for name, text in CANARIES.items():
            path = Path(tmp) / f"canary_{name}.cypher"
            path.write_text(text, encoding="utf-8")
            canary_files.append(str(path))
        files = [str(QUERY_DIR / f"{name}.cypher") for name in queries.names()]
        proc = subprocess.run(
            [node, str(LINTER / "lint.mjs"), *files, *canary_files],
            capture_output=True, text=True, timeout=300, cwd=LINTER,
        )
    if proc.returncode not in (0, 1):
        pytest.fail(f"the linter did not run (exit {proc.returncode}): {proc.stderr}")
    report = json.loads(proc.stdout)
    return {Path(entry["file"]).name: entry for entry in report["files"]}


def test_linter_reports_broken_queries() -> None:
    results = _lint_everything()
    for name in CANARIES:
        assert results[f"canary_{name}.cypher"]["errors"], f"the {name} canary passed the linter"


@pytest.mark.parametrize("query_name", queries.names())
def test_query_passes_neo4j_linter(query_name: str) -> None:
    entry = _lint_everything()[f"{query_name}.cypher"]
    problems = [f"{e['line']}:{e['column']}: {e['message']}" for e in entry["errors"]]
    assert not problems, f"queries/{query_name}.cypher:\n" + "\n".join(problems)
