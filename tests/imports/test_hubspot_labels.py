"""HubSpot roles per deal, from deal–contact association labels.

A contact's part in one deal is an association label on the deal–contact association
(https://knowledge.hubspot.com/crm-setup/create-and-use-association-labels: "a deal can
have multiple associated contacts, one who is the Decision maker and another who is the
Billing contact"). HubSpot does not document how labels appear as export columns, so
the labels come in an associations file shaped as the associations v4 API answers
``POST /crm/v4/associations/deals/contacts/batch/read``: ``results[].from.id``,
``results[].to[].toObjectId`` and ``associationTypes[]`` of ``category``, ``typeId``
and ``label`` (label null for the unlabelled default type), as documented at
https://developers.hubspot.com/docs/api-reference/latest/crm/associations/associate-records/batch/get-associations
(JSON), or the same flattened as CSV, one row per association type. The other files are
the CRM export's, as in test_hubspot_export.py.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from graphsvc.domain.models import Role, to_ms
from graphsvc.errors import ValidationFailed
from graphsvc.imports.exports import ExportFiles
from graphsvc.imports.hubspot import read_hubspot_export
from graphsvc.imports.service import import_export_files
from graphsvc.store.repository import GraphStore
from tests.imports.salesforce_files import Files, csv_bytes, write_folder
from tests.imports.test_hubspot_export import LABELS

DEALS = "hubspot-crm-exports-all-deals-2026-03-01.csv"
CONTACTS = "hubspot-crm-exports-all-contacts-2026-03-01.csv"
ASSOCIATIONS_JSON = "deal-contact-associations-2026-03-01.json"
ASSOCIATIONS_CSV = "deal-contact-associations-2026-03-01.csv"
UNLABELLED = {"category": "HUBSPOT_DEFINED", "typeId": 3, "label": None}


def _label(type_id: int, label: str) -> dict[str, Any]:
    return {"category": "USER_DEFINED", "typeId": type_id, "label": label}


DECISION_MAKER, BUDGET_HOLDER, INFLUENCER = (
    _label(5, "Decision maker"),
    _label(7, "Budget holder"),
    _label(9, "Influencer"),
)
CHAMPION, BILLING = _label(11, "Champion"), _label(13, "Billing contact")


def _files() -> Files:
    """The export of test_hubspot_export.py with a second deal, 7002, on which Peter
    (501) is associated too."""
    files = {name: [dict(row) for row in rows] for name, rows in LABELS.items()}
    second = dict(files[DEALS][0])
    second.update(
        {"Record ID": "7002", "Deal Name": "Initech Printers", "Associated Contact IDs": "501"}
    )
    files[DEALS].append(second)
    return files


def _answer(pairs: dict[str, dict[str, list[dict[str, Any]]]]) -> dict[str, Any]:
    """A batch-read answer: deal -> contact -> association types."""
    return {
        "status": "COMPLETE",
        "results": [
            {
                "from": {"id": deal},
                "to": [
                    {"toObjectId": int(contact), "associationTypes": [UNLABELLED, *types]}
                    for contact, types in contacts.items()
                ],
            }
            for deal, contacts in pairs.items()
        ],
        "startedAt": "2026-03-01T09:40:00.000Z",
        "completedAt": "2026-03-01T09:40:01.000Z",
    }


FIRST = {
    "7001": {"501": [DECISION_MAKER], "502": [BUDGET_HOLDER, CHAMPION], "503": []},
    "7002": {"501": [INFLUENCER], "502": [BILLING]},
}


def _zip(files: Files, associations: dict[str, Any] | None = None, csv_rows: Any = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in files.items():
            archive.writestr(name, csv_bytes(rows))
        if associations is not None:
            archive.writestr(ASSOCIATIONS_JSON, json.dumps(associations))
        if csv_rows is not None:
            archive.writestr(ASSOCIATIONS_CSV, csv_bytes(csv_rows))
    return buffer.getvalue()


def test_labels_give_each_deal_its_own_role() -> None:
    export = read_hubspot_export(ExportFiles.from_zip(_zip(_files(), _answer(FIRST))))
    assert export.roles == {
        ("7001", "501"): Role.decision_maker,
        ("7001", "502"): Role.economic_buyer,  # Budget holder outranks Champion
        ("7001", "503"): Role.other,  # unlabelled: its Buying Role, unknown: Other
        ("7002", "501"): Role.influencer,  # the same person, another deal, another role
        ("7002", "502"): Role.other,  # a label we do not map; seated from the file alone
    }
    messages = [w.message for kind, w in export.warnings if kind == "contact_roles"]
    assert any("several labels on deal '7001'" in m and "Economic Buyer" in m for m in messages)
    assert any("'Billing contact'" in m and "taken as Other" in m for m in messages)
    [where] = [w.column for _, w in export.warnings if "Billing contact" in w.message]
    assert where == "results[1].to[1]"


def test_the_label_table_is_configurable_and_checked() -> None:
    files = ExportFiles.from_zip(_zip(_files(), _answer(FIRST)))
    export = read_hubspot_export(
        files, association_roles={"billing contact": "Gatekeeper", "Influencer": "Champion"}
    )
    assert export.roles[("7002", "502")] is Role.gatekeeper
    assert export.roles[("7002", "501")] is Role.champion
    with pytest.raises(ValidationFailed, match="not a role"):
        read_hubspot_export(files, association_roles={"Billing contact": "Accountant"})


def test_the_flattened_csv_form_and_its_problems() -> None:
    rows = [
        {
            "fromObjectId": "7001",
            "toObjectId": "501",
            "category": "USER_DEFINED",
            "typeId": "5",
            "label": "Decision maker",
        },
        {
            "fromObjectId": "7002",
            "toObjectId": "501",
            "category": "USER_DEFINED",
            "typeId": "9",
            "label": "Influencer",
        },
        {
            "fromObjectId": "7002",
            "toObjectId": "502",
            "category": "HUBSPOT_DEFINED",
            "typeId": "3",
            "label": "",
        },
    ]
    export = read_hubspot_export(ExportFiles.from_zip(_zip(_files(), csv_rows=rows)))
    assert export.roles[("7001", "501")] is Role.decision_maker
    assert export.roles[("7002", "501")] is Role.influencer
    assert export.roles[("7002", "502")] is Role.economic_buyer  # unlabelled: Buying Role
    bad = [
        *rows,
        {
            "fromObjectId": "7002",
            "toObjectId": "999",
            "category": "",
            "typeId": "",
            "label": "Champion",
        },
    ]
    with pytest.raises(ValidationFailed) as caught:
        read_hubspot_export(ExportFiles.from_zip(_zip(_files(), csv_rows=bad)))
    [problem] = caught.value.detail  # type: ignore[misc]
    assert (problem["file"], problem["row"], problem["column"]) == (
        ASSOCIATIONS_CSV,
        5,
        "toObjectId",
    )
    assert "unknown contact '999'" in problem["msg"]


def _roles_on(store: GraphStore, workspace: str, deal_id: str) -> dict[str, Role | None]:
    return {
        m.stakeholder.id: m.role
        for m in store.snapshot(workspace=workspace, deal_id=deal_id).members
    }


def test_roles_per_deal_in_the_store_and_a_newer_export_records_only_the_change(
    store: GraphStore, workspace: str
) -> None:
    first = import_export_files(
        store=store,
        workspace=workspace,
        files=ExportFiles.from_zip(_zip(_files(), _answer(FIRST))),
    )
    assert first.by_kind["contact_roles"].created == 5
    assert _roles_on(store, workspace, "7001")["501"] is Role.decision_maker
    assert _roles_on(store, workspace, "7002")["501"] is Role.influencer

    # Two weeks later Peter is the champion of 7002; nothing else changed.
    files = _files()
    files[DEALS][1]["Last Modified Date"] = "2026-03-15 12:00"
    later = {**FIRST, "7002": {**FIRST["7002"], "501": [CHAMPION]}}
    report = import_export_files(
        store=store, workspace=workspace, files=ExportFiles.from_zip(_zip(files, _answer(later)))
    )
    roles = report.by_kind["contact_roles"]
    assert (roles.created + roles.updated, roles.unchanged, roles.ended) == (1, 4, 0)
    assert _roles_on(store, workspace, "7002")["501"] is Role.champion
    assert _roles_on(store, workspace, "7001")["501"] is Role.decision_maker
    history = store.deal_history(workspace=workspace, deal_id="7002")
    peter = sorted((f.at, f.role) for f in history.membership_facts if f.stakeholder_id == "501")
    t1, t2 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC), datetime(2026, 3, 15, 12, tzinfo=UTC)
    assert peter == [(to_ms(t1), Role.influencer), (to_ms(t2), Role.champion)]
    assert len(store.deal_history(workspace=workspace, deal_id="7001").membership_facts) == 3

    again = import_export_files(
        store=store, workspace=workspace, files=ExportFiles.from_zip(_zip(files, _answer(later)))
    )
    assert again.total("created") == again.total("updated") == again.total("ended") == 0


def test_an_export_folder_with_the_json_answer(tmp_path: Path) -> None:
    """A folder works as the zip does (the CLI's ``graphsvc import FOLDER``)."""
    write_folder(_files(), tmp_path)
    (tmp_path / ASSOCIATIONS_JSON).write_text(json.dumps([_answer(FIRST)]), encoding="utf-8")
    export = read_hubspot_export(ExportFiles.from_folder(tmp_path))
    assert export.roles[("7002", "501")] is Role.influencer  # a list of pages is read too
