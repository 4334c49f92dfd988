"""The product claim, end to end: a deal whose top decision-maker was met in the CRM (a
completed Event with them in a newer export) is no longer flagged DM_NEVER_CONTACTED,
through the HTTP API (zip body and multipart upload) and the analysis service, and the
CLI prints per-object counts and names the file, row and column of a bad export."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from graphsvc.analysis.service import AnalysisService
from graphsvc.config import Settings
from tests.api.conftest import Api
from tests.imports.salesforce_files import CEO, OPP, OWNER, base_export, newer, sfid, zip_bytes

GRAPHSVC = str(Path(sys.executable).with_name("graphsvc"))


def flags(client, deal_id: str) -> set[str]:  # type: ignore[no-untyped-def]
    response = client.get(f"/v1/deals/{deal_id}/analysis")
    assert response.status_code == 200, response.text
    return {flag["code"] for flag in response.json()["flags"]}


def test_meeting_the_decision_maker_in_the_crm_clears_the_flag(
    api_factory, workspace: str, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    api: Api = api_factory()
    client = api.client(api.key(workspace))
    first = client.post(
        "/v1/import", content=zip_bytes(base_export()), headers={"content-type": "application/zip"}
    )
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["format"] == "salesforce"
    assert body["by_kind"]["activities"]["created"] == 2
    assert body["warnings"][0]["file"] == "OpportunityContactRole.csv"
    assert "DM_NEVER_CONTACTED" in flags(client, OPP)

    later = newer(base_export(), "2026-04-01T08:00:00.000Z")
    later["Event.csv"].append(
        {
            "Id": sfid("00U", 3),
            "WhoId": CEO,
            "WhatId": OPP,
            "OwnerId": OWNER,
            "StartDateTime": "2026-03-25T09:00:00.000Z",
            "EndDateTime": "2026-03-25T10:00:00.000Z",
            "IsAllDayEvent": "false",
            "ActivityDate": "2026-03-25",
            "Subject": "CEO lunch",
            "IsDeleted": "false",
            "CreatedById": OWNER,
            "SystemModstamp": "2026-03-25T11:00:00.000Z",
        }
    )
    second = client.post(
        "/v1/import",
        files={"file": ("WE_00D5g000000TEST_1.ZIP", zip_bytes(later), "application/zip")},
    )
    assert second.status_code == 200, second.text
    # The CEO lunch, and the pricing review that was planned at the first export and
    # has taken place by the second.
    assert second.json()["by_kind"]["activities"]["created"] == 2
    assert second.json()["exported_at"].startswith("2026-04-01T08:00:00")
    assert "DM_NEVER_CONTACTED" not in flags(client, OPP)

    analysis = AnalysisService(store=api.store, settings=settings).analyze(
        workspace=workspace, deal_id=OPP
    )
    assert analysis.top_decision_maker is not None
    assert analysis.top_decision_maker.stakeholder_id == CEO
    assert "DM_NEVER_CONTACTED" not in {f.code.value for f in analysis.flags}

    unchanged = client.post(
        "/v1/import", content=zip_bytes(later), headers={"content-type": "application/zip"}
    )
    assert unchanged.json()["created"] == unchanged.json()["updated"] == 0

    broken = later.copy()
    broken.pop("User.csv")
    refused = client.post(
        "/v1/import", content=zip_bytes(broken), headers={"content-type": "application/zip"}
    )
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["file"] == "User.csv"


def test_cli_imports_a_folder_and_a_zip(settings: Settings, workspace: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "GRAPHSVC_DATA_DIR": str(settings.data_dir),
        "GRAPHSVC_ENVIRONMENT": "test",
        "COLUMNS": "200",
    }
    env.pop("NEO4J_URI", None)
    export = tmp_path / "WE_00D5g000000TEST_1.ZIP"
    export.write_bytes(zip_bytes(base_export()))
    command = [GRAPHSVC, "import", str(export), "--workspace", workspace]
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "contact_roles" in first.stdout and "activities" in first.stdout
    assert (
        first.stdout.strip()
        .splitlines()[-1]
        .endswith("created 20, updated 0, unchanged 0, ended 0, warnings 1, errors 0")
    )
    assert "OpportunityContactRole.csv, row 5, Role" in first.stderr
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert (
        again.stdout.strip()
        .splitlines()[-1]
        .endswith("created 0, updated 0, unchanged 20, ended 0, warnings 1, errors 0")
    )

    bad = base_export()
    bad["Contact.csv"].append(dict(bad["Contact.csv"][0]))
    folder = tmp_path / "bad"
    folder.mkdir()
    for name, rows in bad.items():
        from tests.imports.salesforce_files import csv_bytes

        (folder / name).write_bytes(csv_bytes(rows))
    failed = subprocess.run(
        [GRAPHSVC, "import", str(folder), "--workspace", workspace],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert failed.returncode == 1
    assert "Contact.csv, row 6, Id" in failed.stderr
