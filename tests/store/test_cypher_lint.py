"""Every ``queries/*.cypher`` file passes Neo4j's own linter (``lintCypherQuery``).

Node runs once per test session over all files, plus broken canaries (which prove
the linter really reports errors) and the Neo4j schema DDL; each query file then gets
its own test, so a failure names the file. All tests here share one xdist group, so
only one worker pays for the linter. The report is also kept in pytest's cache, keyed
by the exact text of every input (queries, canaries, lint.mjs, package-lock.json), so
an unchanged tree is not linted twice.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

from graphsvc import queries
from graphsvc.store.runners import Neo4jRunner
from tests.helpers import require_tool, running_in_ci

pytestmark = pytest.mark.xdist_group("cypherlint")

ROOT = Path(__file__).resolve().parents[2]
LINTER = ROOT / "tools" / "cypherlint"
QUERY_DIR = Path(queries.__file__).resolve().parent
CANARIES = {
    "canary_syntax.cypher": "MATCH (d:Deal {ws: $workspace})\nRETRUN d\n",
    "canary_semantic.cypher": "MATCH (d:Deal {ws: $workspace})\nRETURN undefined_variable\n",
    "canary_function.cypher": "RETURN not_a_neo4j_function($x) AS x\n",
}
CACHE_KEY = "graphsvc/cypherlint"

Report = dict[str, dict[str, Any]]


def _inputs() -> dict[str, str]:
    """File name -> text of everything to lint."""
    texts = {
        f"{name}.cypher": (QUERY_DIR / f"{name}.cypher").read_text(encoding="utf-8")
        for name in queries.names()
    }
    for name, dialect in queries.variants():
        file_name = f"{name}.{dialect}.cypher"
        texts[file_name] = (QUERY_DIR / file_name).read_text(encoding="utf-8")
    texts.update(CANARIES)
    for i, statement in enumerate(Neo4jRunner.schema_statements()):
        texts[f"neo4j_schema_{i:02d}.cypher"] = statement + "\n"
    return texts


def _run_linter(node: str, texts: dict[str, str]) -> Report:
    with tempfile.TemporaryDirectory(prefix="cypherlint-") as tmp:
        paths = []
        for name, text in texts.items():
            path = Path(tmp) / name
            path.write_text(text, encoding="utf-8")
            paths.append(str(path))
        proc = subprocess.run(
            [node, str(LINTER / "lint.mjs"), *paths],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=LINTER,
        )
    if proc.returncode not in (0, 1):
        pytest.fail(f"the linter did not run (exit {proc.returncode}): {proc.stderr}")
    report = json.loads(proc.stdout)
    return {Path(entry["file"]).name: entry for entry in report["files"]}


@pytest.fixture(scope="session")
def lint_report(request: pytest.FixtureRequest) -> Report:
    node = require_tool("node")
    if not (LINTER / "node_modules" / "@neo4j-cypher" / "language-support").is_dir():
        reason = "tools/cypherlint/node_modules is missing: run `npm ci` in tools/cypherlint"
        if running_in_ci():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    texts = _inputs()
    digest = hashlib.sha256()
    for part in [*(LINTER / name for name in ("lint.mjs", "package-lock.json"))]:
        digest.update(part.read_bytes())
    digest.update(json.dumps(texts, sort_keys=True).encode())
    cache = getattr(request.config, "cache", None)
    if cache is not None:
        cached = cache.get(CACHE_KEY, None)
        if cached and cached.get("digest") == digest.hexdigest():
            return dict(cached["report"])
    report = _run_linter(node, texts)
    if cache is not None:
        cache.set(CACHE_KEY, {"digest": digest.hexdigest(), "report": report})
    return report


def test_linter_reports_broken_queries(lint_report: Report) -> None:
    for name in CANARIES:
        assert lint_report[name]["errors"], f"{name} passed the linter"


def test_neo4j_schema_ddl_passes_neo4j_linter(lint_report: Report) -> None:
    statements = Neo4jRunner.schema_statements()
    assert statements
    for i, statement in enumerate(statements):
        errors = lint_report[f"neo4j_schema_{i:02d}.cypher"]["errors"]
        assert not errors, f"{statement}: {errors}"


@pytest.mark.parametrize("query_name", queries.names())
def test_query_passes_neo4j_linter(lint_report: Report, query_name: str) -> None:
    entry = lint_report[f"{query_name}.cypher"]
    problems = [f"{e['line']}:{e['column']}: {e['message']}" for e in entry["errors"]]
    assert not problems, f"queries/{query_name}.cypher:\n" + "\n".join(problems)


# Functions a backend's own version of a query may call that Neo4j does not have; every
# other problem the linter reports fails it as it would fail a shared query.
DIALECT_FUNCTIONS = {"falkordb": ("string.join",)}


@pytest.mark.parametrize(("query_name", "dialect"), queries.variants())
def test_dialect_query_passes_neo4j_linter_but_its_functions(
    lint_report: Report, query_name: str, dialect: str
) -> None:
    entry = lint_report[f"{query_name}.{dialect}.cypher"]
    allowed = tuple(f"Function {name} is not present" for name in DIALECT_FUNCTIONS[dialect])
    problems = [
        f"{e['line']}:{e['column']}: {e['message']}"
        for e in entry["errors"]
        if not e["message"].startswith(allowed)
    ]
    assert not problems, f"queries/{query_name}.{dialect}.cypher:\n" + "\n".join(problems)


def test_every_dialect_query_has_a_shared_version() -> None:
    names = set(queries.names())
    assert queries.variants(), "the FalkorDB compact read is expected to have its own version"
    for name, _ in queries.variants():
        assert name in names, f"queries/{name}.cypher is missing"
