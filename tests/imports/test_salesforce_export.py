"""Salesforce data export in: parsing as Salesforce writes it, activities as interactions,
re-imports that change nothing, newer exports that record only their differences
(deleted records end memberships, moved contacts move), on both backends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from graphsvc.domain.models import Channel, DealStatus, Role
from graphsvc.imports.exports import ExportFiles
from graphsvc.imports.salesforce_export import read_salesforce_export
from graphsvc.imports.service import import_export_files
from graphsvc.store.repository import GraphStore
from tests.imports.salesforce_files import (
    ACME,
    BO,
    CEO,
    CFO,
    CY,
    GLOBEX,
    OPP,
    REP,
    WON,
    base_export,
    newer,
    sfid,
    write_folder,
    zip_bytes,
)

T1 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
T2 = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)


def test_reads_an_export_as_salesforce_writes_it() -> None:
    export = read_salesforce_export(ExportFiles.from_zip(zip_bytes(base_export())))
    assert export.exported_at == T1
    assert "SystemModstamp" in export.exported_at_from
    deals = {d.id: d for d in export.deals}
    assert deals[OPP].amount == 250000.0 and deals[OPP].currency == "EUR"
    assert deals[OPP].owner_email == "ada.owner@us.example"
    assert deals[OPP].status is DealStatus.open and deals[WON].status is DealStatus.won
    assert deals[WON].amount is None and str(deals[WON].close_date) == "2025-12-15"
    people = {s.id: s for s in export.stakeholders}
    assert people[CY].name == "Cy Ho" and people[CY].title == 'Buyer, "senior"'
    assert people[BO].email is None  # blank is blank
    assert export.managers == {CEO: None, CFO: CEO, BO: CFO, CY: CFO}
    assert export.roles[(OPP, CEO)] is Role.economic_decision_maker
    assert export.roles[(OPP, CY)] is Role.other  # not in the picklist
    [(kind, warning)] = export.warnings
    assert (kind, warning.file, warning.row, warning.column) == (
        "contact_roles",
        "OpportunityContactRole.csv",
        5,
        "Role",
    )
    by_id = {x.id: x for x in export.interactions}
    call, meeting = by_id[sfid("00T", 1)], by_id[sfid("00U", 1)]
    assert call.channel is Channel.call and call.stakeholder_ids == [BO]
    assert call.team_member_emails == ["rex@us.example"]
    assert meeting.channel is Channel.meeting
    assert meeting.stakeholder_ids == [BO, CY]  # WhoId and the EventRelation invitee
    assert meeting.team_member_emails == ["ada.owner@us.example", "rex@us.example"]
    # The open task (due 2026-03-20) and the future event (2026-03-10): the earliest one
    # from the export's instant on is the next step, on the latest interaction.
    assert meeting.next_step_at == datetime(2026, 3, 10, 10, tzinfo=UTC)
    assert call.next_step_at is None
    assert len(export.interactions) == 2
    assert export.ignored == {"activities on other objects": 1}


def test_import_is_idempotent_and_dated_at_the_export(store: GraphStore, workspace: str) -> None:
    files = ExportFiles.from_zip(zip_bytes(base_export()))
    first = import_export_files(store=store, workspace=workspace, files=files)
    counts = {k: (v.created, v.updated, v.unchanged) for k, v in first.by_kind.items()}
    assert counts == {
        "accounts": (2, 0, 0),
        "deals": (2, 0, 0),
        "contacts": (4, 0, 0),
        "users": (2, 0, 0),
        "contact_roles": (5, 0, 0),
        "reporting_lines": (3, 0, 0),
        "activities": (2, 0, 0),
    }
    assert first.by_kind["contact_roles"].warnings == 1
    history = store.deal_history(workspace=workspace, deal_id=OPP)
    assert {f.at for f in history.membership_facts} == {int(T1.timestamp() * 1000)}
    facts = len(history.membership_facts) + len(history.reporting_facts)

    again = import_export_files(store=store, workspace=workspace, files=files)
    assert again.total("created") == again.total("updated") == again.total("ended") == 0
    assert again.total("unchanged") == first.total("created")
    history = store.deal_history(workspace=workspace, deal_id=OPP)
    assert len(history.membership_facts) + len(history.reporting_facts) == facts


def test_a_newer_export_records_only_its_differences(
    store: GraphStore, workspace: str, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    import_export_files(
        store=store, workspace=workspace, files=ExportFiles.from_zip(zip_bytes(base_export()))
    )
    later = newer(base_export(), "2026-04-01T08:00:00.000Z")
    # Cy's contact role was deleted; Bo moved to Globex (his seat on the deal stays, he
    # now reports to nobody); the won pilot was deleted; the CFO's role changed.
    later["OpportunityContactRole.csv"] = [  # Salesforce deletes roles with their deal
        r
        for r in later["OpportunityContactRole.csv"]
        if r["ContactId"] != CY and r["OpportunityId"] != WON
    ]
    later["Opportunity.csv"] = [r for r in later["Opportunity.csv"] if r["Id"] != WON]
    for role in later["OpportunityContactRole.csv"]:
        if role["ContactId"] == CFO:
            role["Role"] = "Influencer"
    for contact in later["Contact.csv"]:
        if contact["Id"] == BO:
            contact.update(AccountId=GLOBEX, ReportsToId="")
    folder = write_folder(later, tmp_path / "export")  # a folder reads like the zip
    store.record_memberships(
        workspace=workspace,
        memberships=[  # the team's own view
            {
                "deal_id": OPP,
                "stakeholder_id": CFO,
                "role": "Economic Buyer",
                "stance": "supporter",
                "ally": True,
                "at": T1.replace(hour=12),
            }
        ],
    )

    store.upsert_stakeholders(  # a person known here only, on the deal
        workspace=workspace,
        stakeholders=[{"id": "team-added-gatekeeper", "account_id": ACME, "name": "Gina"}],
    )
    store.record_memberships(
        workspace=workspace,
        memberships=[
            {
                "deal_id": OPP,
                "stakeholder_id": "team-added-gatekeeper",
                "role": "Gatekeeper",
                "at": T1.replace(hour=12),
            }
        ],
    )

    report = import_export_files(
        store=store, workspace=workspace, files=ExportFiles.from_folder(folder)
    )
    assert report.exported_at == T2
    roles = report.by_kind["contact_roles"]
    assert (roles.created, roles.updated, roles.unchanged, roles.ended) == (0, 1, 2, 2)
    lines = report.by_kind["reporting_lines"]
    assert (lines.created, lines.unchanged, lines.ended) == (0, 2, 1)
    assert report.by_kind["contacts"].updated == 1
    assert store.get_stakeholder(workspace=workspace, stakeholder_id=BO).account_id == GLOBEX

    now = store.snapshot(workspace=workspace, deal_id=OPP)
    members = {m.stakeholder.id: m for m in now.members}
    assert set(members) == {CEO, CFO, BO, "team-added-gatekeeper"}  # the team's own stays
    assert members[CFO].role is Role.influencer
    assert (members[CFO].stance.value, members[CFO].ally) == ("supporter", True)  # kept
    before = store.snapshot(workspace=workspace, deal_id=OPP, as_of=T1)
    assert {m.stakeholder.id for m in before.members} == {CEO, CFO, BO, CY}  # not erased
    pilot = store.snapshot(workspace=workspace, deal_id=WON)
    assert pilot.members == ()  # membership ended, the deal itself is kept
    assert store.snapshot(workspace=workspace, deal_id=WON, as_of=T1).members
    history = store.deal_history(workspace=workspace, deal_id=OPP)
    assert {f.at for f in history.membership_facts} == {
        int(T1.timestamp() * 1000),
        int(T1.replace(hour=12).timestamp() * 1000),
        int(T2.timestamp() * 1000),
    }

    again = import_export_files(
        store=store, workspace=workspace, files=ExportFiles.from_folder(folder)
    )
    assert again.total("created") == again.total("updated") == again.total("ended") == 0


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda f: f.pop("Contact.csv"), ("Contact.csv", None, None)),
        (
            lambda f: [r.pop("StageName") for r in f["Opportunity.csv"]],
            ("Opportunity.csv", 1, "StageName"),
        ),
        (
            lambda f: f["Opportunity.csv"][1].update(CloseDate="15/12/2025"),
            ("Opportunity.csv", 3, "CloseDate"),
        ),
        (
            lambda f: f["Event.csv"][0].update(StartDateTime="next Tuesday"),
            ("Event.csv", 2, "StartDateTime"),
        ),
        (lambda f: f["Contact.csv"].append(dict(f["Contact.csv"][0])), ("Contact.csv", 6, "Id")),
        (
            lambda f: f["OpportunityContactRole.csv"][2].update(ContactId=sfid("003", 99)),
            ("OpportunityContactRole.csv", 4, "ContactId"),
        ),
        (
            lambda f: f["Opportunity.csv"][0].update(OwnerId=sfid("005", 99)),
            ("Opportunity.csv", 2, "OwnerId"),
        ),
    ],
)
def test_a_bad_export_names_file_row_and_column_and_writes_nothing(
    store: GraphStore, workspace: str, change, where
) -> None:  # type: ignore[no-untyped-def]
    from graphsvc.errors import ValidationFailed

    files = base_export()
    change(files)
    with pytest.raises(ValidationFailed) as caught:
        import_export_files(
            store=store, workspace=workspace, files=ExportFiles.from_zip(zip_bytes(files))
        )
    detail = caught.value.detail
    assert isinstance(detail, list)
    assert where in [(d["file"], d["row"], d["column"]) for d in detail], detail
    assert store.list_deals(workspace=workspace).items == []
    assert store.workspace_revision(workspace=workspace) == 0


def test_rep_is_a_team_member_of_the_meeting(store: GraphStore, workspace: str) -> None:
    import_export_files(
        store=store, workspace=workspace, files=ExportFiles.from_zip(zip_bytes(base_export()))
    )
    [meeting] = [
        x
        for x in store.list_interactions(workspace=workspace, deal_id=OPP)
        if x.channel == "meeting"
    ]
    assert REP not in meeting.stakeholder_ids and "rex@us.example" in meeting.team_member_emails
    assert store.get_deal(workspace=workspace, deal_id=OPP).account_id == ACME
