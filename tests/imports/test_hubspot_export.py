"""HubSpot export in: the files of a CRM export "with associated records" (one per
object, HubSpot's download names), property labels or internal names as the header,
associated record IDs separated by ``;``, owners from the users export. Column names
from HubSpot's exports guide and CRM property names (see graphsvc/imports/hubspot.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from graphsvc.domain.models import Channel, Role
from graphsvc.errors import ValidationFailed
from graphsvc.imports.exports import ExportFiles
from graphsvc.imports.hubspot import read_hubspot_export
from graphsvc.imports.service import import_export_files
from graphsvc.store.repository import GraphStore
from tests.imports.salesforce_files import Files, zip_bytes

LABELS: Files = {
    "hubspot-crm-exports-all-companies-2026-03-01.csv": [
        {
            "Record ID": "9001",
            "Company name": "Initech",
            "Company Domain Name": "initech.example",
            "Last Modified Date": "2026-03-01 09:00",
        },
    ],
    "hubspot-crm-exports-all-contacts-2026-03-01.csv": [
        {
            "Record ID": "501",
            "First Name": "Peter",
            "Last Name": "Gibbons",
            "Email": "peter@initech.example",
            "Job Title": "CTO",
            "Buying Role": "Decision Maker",
            "Associated Company IDs": "9001",
            "Last Modified Date": "2026-02-27 10:00",
        },
        {
            "Record ID": "502",
            "First Name": "Bill",
            "Last Name": "Lumbergh",
            "Email": "",
            "Job Title": "VP",
            "Buying Role": "Budget Holder;Blocker",
            "Associated Company IDs": "9001",
            "Last Modified Date": "2026-02-27 10:00",
        },
        {
            "Record ID": "503",
            "First Name": "Milton",
            "Last Name": "Waddams",
            "Email": "",
            "Job Title": "",
            "Buying Role": "Stapler Keeper",
            "Associated Company IDs": "",
            "Last Modified Date": "2026-02-27 10:00",
        },
    ],
    "hubspot-crm-exports-all-deals-2026-03-01.csv": [
        {
            "Record ID": "7001",
            "Deal Name": "Initech TPS",
            "Deal Stage": "Contract Sent",
            "Amount": "48000",
            "Close Date": "2026-06-30",
            "Deal owner": "31",
            "Associated Company IDs": "9001",
            "Associated Contact IDs": "501;502;503",
            "Last Modified Date": "2026-03-01 09:30",
        },
    ],
    "hubspot-crm-exports-calls-2026-03-01.csv": [
        {
            "Record ID": "801",
            "Call Title": "Discovery",
            "Activity date": "2026-02-15 16:00",
            "Call status": "COMPLETED",
            "Activity assigned to": "31",
            "Associated Contact IDs": "502",
            "Associated Deal IDs": "7001",
        },
        {
            "Record ID": "802",
            "Call Title": "Account check-in",
            "Activity date": "2026-02-16 16:00",
            "Call status": "COMPLETED",
            "Activity assigned to": "31",
            "Associated Contact IDs": "501",
            "Associated Deal IDs": "",
        },
    ],
    "hubspot-crm-exports-meetings-2026-03-01.csv": [
        {
            "Record ID": "811",
            "Meeting name": "Roadmap",
            "Start Time": "2026-02-20 10:00",
            "Meeting outcome": "COMPLETED",
            "Activity assigned to": "31",
            "Associated Contact IDs": "502;503",
            "Associated Deal IDs": "7001",
        },
        {
            "Record ID": "812",
            "Meeting name": "Exec sponsor call",
            "Start Time": "2026-03-09 10:00",
            "Meeting outcome": "SCHEDULED",
            "Activity assigned to": "31",
            "Associated Contact IDs": "501",
            "Associated Deal IDs": "7001",
        },
    ],
    "users-2026-03-01.csv": [{"ID": "31", "Email": "Samir@us.example", "First Name": "S"}],
}


def test_reads_a_label_export() -> None:
    export = read_hubspot_export(ExportFiles.from_zip(zip_bytes(LABELS)))
    assert export.exported_at == datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    [deal] = export.deals
    assert (deal.owner_email, deal.account_id, deal.amount) == ("samir@us.example", "9001", 48000.0)
    assert export.roles == {
        ("7001", "501"): Role.decision_maker,
        ("7001", "502"): Role.economic_buyer,
        ("7001", "503"): Role.other,
    }
    assert [w.column for _, w in export.warnings] == ["Buying Role"]
    by_id = {x.id: x for x in export.interactions}
    assert set(by_id) == {"801", "811"}  # 802 is on no deal, 812 is planned
    assert by_id["801"].channel is Channel.call
    assert by_id["811"].stakeholder_ids == ["502", "503"]  # several people, one meeting
    assert by_id["811"].next_step_at == datetime(2026, 3, 9, 10, tzinfo=UTC)
    assert export.ignored == {"activities on other objects": 1}


def test_imports_internal_names_and_ends_what_a_newer_export_lacks(
    store: GraphStore, workspace: str
) -> None:
    rename = {
        "Record ID": "hs_object_id",
        "Deal Name": "dealname",
        "Deal Stage": "dealstage",
        "Close Date": "closedate",
        "Deal owner": "hubspot_owner_id",
        "Last Modified Date": "hs_lastmodifieddate",
        "Company name": "name",
        "First Name": "firstname",
        "Last Name": "lastname",
        "Job Title": "jobtitle",
        "Buying Role": "hs_buying_role",
        "Activity date": "hs_timestamp",
        "Start Time": "hs_meeting_start_time",
        "Meeting outcome": "hs_meeting_outcome",
    }
    internal = {
        name: [{rename.get(k, k): v for k, v in row.items()} for row in rows]
        for name, rows in LABELS.items()
    }
    first = import_export_files(
        store=store, workspace=workspace, files=ExportFiles.from_zip(zip_bytes(internal))
    )
    assert first.source == "hubspot"
    assert first.by_kind["contact_roles"].created == 3
    assert first.by_kind["activities"].created == 2
    again = import_export_files(
        store=store, workspace=workspace, files=ExportFiles.from_zip(zip_bytes(internal))
    )
    assert again.total("created") == again.total("updated") == 0

    later = {k: [dict(r) for r in v] for k, v in internal.items()}
    deals = later["hubspot-crm-exports-all-deals-2026-03-01.csv"]
    deals[0].update(
        hs_lastmodifieddate="2026-03-15T12:00:00Z", **{"Associated Contact IDs": "501;502"}
    )
    report = import_export_files(
        store=store, workspace=workspace, files=ExportFiles.from_zip(zip_bytes(later))
    )
    assert report.by_kind["contact_roles"].ended == 1
    members = {
        m.stakeholder.id for m in store.snapshot(workspace=workspace, deal_id="7001").members
    }
    assert members == {"501", "502"}


def test_a_deal_naming_an_unknown_contact_is_refused(store: GraphStore, workspace: str) -> None:
    bad = {k: [dict(r) for r in v] for k, v in LABELS.items()}
    bad["hubspot-crm-exports-all-deals-2026-03-01.csv"][0]["Associated Contact IDs"] = "501;999"
    with pytest.raises(ValidationFailed) as caught:
        import_export_files(
            store=store, workspace=workspace, files=ExportFiles.from_zip(zip_bytes(bad))
        )
    [problem] = caught.value.detail  # type: ignore[misc]
    assert (problem["file"], problem["row"], problem["column"]) == (
        "hubspot-crm-exports-all-deals-2026-03-01.csv",
        2,
        "Associated Contact IDs",
    )
    assert store.workspace_revision(workspace=workspace) == 0


def _with_managers(files: Files, managers: dict[str, str]) -> Files:
    """The export with a custom contact property naming each contact's manager."""
    changed = {name: [dict(row) for row in rows] for name, rows in files.items()}
    for row in changed["hubspot-crm-exports-all-contacts-2026-03-01.csv"]:
        row["Manager Record ID"] = managers.get(row["Record ID"], "")
    return changed


def test_reporting_lines_from_a_configured_manager_property(
    store: GraphStore, workspace: str
) -> None:
    files = _with_managers(LABELS, {"502": "501", "503": "999"})
    export = read_hubspot_export(
        ExportFiles.from_zip(zip_bytes(files)), manager_property="manager record id"
    )
    assert export.managers == {"501": None, "502": "501", "503": None}
    unknown = [w for _, w in export.warnings if w.column == "manager record id"]
    assert [w.row for w in unknown] == [4] and "999" in unknown[0].message
    # Not configured: the column is an unknown extra one, and no line is read.
    assert read_hubspot_export(ExportFiles.from_zip(zip_bytes(files))).managers == {}
    # Configured but absent from this export: a warning, and no line either.
    absent = read_hubspot_export(
        ExportFiles.from_zip(zip_bytes(LABELS)), manager_property="Manager Record ID"
    )
    assert absent.managers == {} and any("no such column" in w.message for _, w in absent.warnings)

    configured = GraphStore(
        store.runner,
        settings=store.settings.model_copy(
            update={"hubspot_manager_property": "Manager Record ID"}
        ),
    )
    first = import_export_files(
        store=configured, workspace=workspace, files=ExportFiles.from_zip(zip_bytes(files))
    )
    assert first.by_kind["reporting_lines"].created == 1
    history = configured.histories.snapshot(workspace=workspace, deal_id="7001")
    assert [(r.source_id, r.target_id) for r in history.reporting] == [("502", "501")]
    # A newer export where Bill reports to nobody ends the line (its history stays).
    later = _with_managers(files, {})
    later["hubspot-crm-exports-all-companies-2026-03-01.csv"][0]["Last Modified Date"] = (
        "2026-03-20 09:00"
    )
    report = import_export_files(
        store=configured, workspace=workspace, files=ExportFiles.from_zip(zip_bytes(later))
    )
    assert report.by_kind["reporting_lines"].ended == 1
