"""The OpenAPI document generates good clients: stable readable operation ids, described
tags and operations; Spectral (``spectral:oas``) finds nothing; and a client generated
with ``openapi-python-client`` runs a small sync flow against the live server."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.conftest import Api
from tests.helpers import require_tool, running_in_ci

ROOT = Path(__file__).resolve().parents[2]
SPECTRAL = ROOT / "tools" / "spectral"
CLIENTGEN = ROOT / "tools" / "openapi-client"

OPERATION_IDS = {
    "getHealth",
    "getReadiness",
    "upsertAccount",
    "patchAccount",
    "getAccount",
    "deleteAccount",
    "batchUpsertAccounts",
    "upsertDeal",
    "patchDeal",
    "getDeal",
    "deleteDeal",
    "listDeals",
    "batchUpsertDeals",
    "upsertStakeholder",
    "patchStakeholder",
    "getStakeholder",
    "deleteStakeholder",
    "exportStakeholder",
    "listStakeholderDeals",
    "batchUpsertStakeholders",
    "getCommittee",
    "upsertCommitteeMember",
    "endCommitteeMember",
    "upsertInfluence",
    "endInfluence",
    "upsertReportsTo",
    "endReportsTo",
    "recordInteraction",
    "upsertInteraction",
    "patchInteraction",
    "getInteraction",
    "deleteInteraction",
    "listInteractions",
    "batchUpsertInteractions",
    "importRecords",
    "getDealAnalysis",
    "getSupportHistory",
    "getForecast",
    "getNextBestContacts",
    "getPathsToDecisionMaker",
    "listRisks",
    "listKeys",
    "createKey",
    "revokeKey",
    "getDealMap",
    "createDealMapLink",
    "getPublicDealMap",
    "listChanges",
}


@pytest.fixture
def schema(api: Api) -> dict[str, Any]:
    return httpx.get(f"{api.url}/openapi.json", timeout=60).json()


def _operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def test_operation_ids_tags_and_descriptions(schema: dict[str, Any]) -> None:
    ids = [operation["operationId"] for _, _, operation in _operations(schema)]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z]+(?:[A-Z][a-z]*)*", i) for i in ids), ids
    # Part of the API: generated clients name their methods after them.
    assert set(ids) >= OPERATION_IDS - {"getDealMap", "createDealMapLink", "getPublicDealMap"}
    described = {tag["name"] for tag in schema["tags"] if tag.get("description")}
    for path, method, operation in _operations(schema):
        assert operation.get("description"), (method, path)
        assert set(operation.get("tags", [])) <= described, (method, path)
    change = schema["components"]["schemas"]["ChangeOut"]["properties"]
    assert change["changed_at"]["anyOf"][0] == {"type": "string", "format": "date-time"}


def test_spectral_oas_reports_nothing(schema: dict[str, Any], tmp_path: Path) -> None:
    node = require_tool("node")
    binary = SPECTRAL / "node_modules" / ".bin" / "spectral"
    if not binary.exists():
        message = "tools/spectral is not installed (make test runs npm ci there)"
        if running_in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    document = tmp_path / "openapi.json"
    document.write_text(json.dumps(schema), encoding="utf-8")
    proc = subprocess.run(
        [
            node,
            str(binary),
            "lint",
            "--ruleset",
            str(SPECTRAL / ".spectral.yaml"),
            "--format",
            "json",
            "--fail-severity",
            "hint",
            str(document),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=SPECTRAL,
    )
    start = proc.stdout.find("[")
    assert start >= 0, proc.stdout + proc.stderr
    findings, _ = json.JSONDecoder().raw_decode(proc.stdout[start:])
    assert [(f["code"], f["message"], f.get("path")) for f in findings] == []


def test_generated_client_runs_a_sync_flow(api: Api, workspace: str, tmp_path: Path) -> None:
    generator = CLIENTGEN / ".venv" / "bin" / "openapi-python-client"
    if not generator.exists():
        message = "tools/openapi-client is not installed (make test installs it)"
        if running_in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    spec = tmp_path / "openapi.json"
    spec.write_text(httpx.get(f"{api.url}/openapi.json", timeout=60).text, encoding="utf-8")
    tools = str(generator.parent)
    proc = subprocess.run(
        [
            str(generator),
            "generate",
            "--path",
            str(spec),
            "--output-path",
            str(tmp_path / "client"),
            "--meta",
            "none",
            "--config",
            str(CLIENTGEN / "config.yaml"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": f"{tools}:/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # Every body is understood: the CSV and zip imports too (no part skipped).
    assert "Warning" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    # The client runs in the generator's environment: it is what a CRM integrator has.
    flow = subprocess.run(
        [
            str(generator.parent / "python"),
            str(Path(__file__).with_name("generated_client_flow.py")),
            api.url,
            api.key(workspace),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": f"{tools}:/usr/bin:/bin", "PYTHONPATH": str(tmp_path)},
    )
    assert flow.returncode == 0, flow.stdout + flow.stderr
    assert flow.stdout.strip().splitlines()[-1] == "flow ok"
