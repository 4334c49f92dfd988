"""Who made each fact, on both stores: facts written through the API keep the key's
name, imports keep theirs, and the deal page's change log tells them; undo takes back
interactions and notes, and notes are dated facts with their author."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from graphsvc.analysis.service import AnalysisService
from graphsvc.cli.imports import import_actor
from graphsvc.config import Settings
from graphsvc.domain.models import from_ms, utcnow
from graphsvc.store.repository import GraphStore, node_key
from graphsvc.web.deal_room import DealRoomService
from graphsvc.web.repository import WebRepository
from graphsvc.web.schemas import EditRequest
from tests.api.conftest import Api, seed_deal
from tests.web.conftest import apply_edit, seed_bundle


@pytest.fixture
def api(api_factory) -> Api:  # type: ignore[no-untyped-def]
    return api_factory(rate_limit_per_minute=0, auth_failure_limit_per_minute=0)  # type: ignore[no-any-return]


def _deal_room(store: GraphStore, settings: Settings) -> DealRoomService:
    analysis = AnalysisService(store=store, settings=settings)
    return DealRoomService(store=store, analysis=analysis, repository=WebRepository(store.runner))


def _authors(store: GraphStore, workspace: str, deal_id: str) -> dict[str, set[str]]:
    """Who signed each kind of fact of the deal, read from the store itself."""
    deal = node_key(workspace, deal_id)
    runner = store.runner
    members = runner.execute(
        "MATCH (:Stakeholder)-[f:MEMBER_FACT]->(:Deal {key: $deal}) RETURN f.by AS by",
        {"deal": deal},
        read_only=True,
    )
    lines = runner.execute(
        "MATCH (:Deal {key: $deal})<-[:MEMBER_FACT]-(s:Stakeholder) WITH DISTINCT s "
        "MATCH (s)-[f:INFLUENCE_FACT|REPORTS_FACT]->() RETURN f.by AS by",
        {"deal": deal},
        read_only=True,
    )
    interactions = runner.execute(
        "MATCH (i:Interaction {deal_key: $deal}) RETURN i.recorded_by AS by",
        {"deal": deal},
        read_only=True,
    )
    return {
        "members": {r["by"] for r in members},
        "lines": {r["by"] for r in lines},
        "interactions": {r["by"] for r in interactions},
    }


def test_api_facts_keep_the_key_name_and_the_change_log_shows_it(
    api: Api, store: GraphStore, settings: Settings, workspace: str
) -> None:
    key, _ = api.keys.create(workspace=workspace, scope="write", name="crm-sync")
    with api.client(key) as client:
        ids = seed_deal(client)
        deal, people = ids["deal"], ids["people"]
        answer = client.put(
            f"/v1/deals/{deal}/committee/{people[2]}",
            json={"role": "Evaluator", "stance": "supporter"},
        )
        assert answer.status_code == 200, answer.text
    assert _authors(store, workspace, deal) == {
        "members": {"crm-sync"},
        "lines": {"crm-sync"},
        "interactions": {"crm-sync"},
    }
    state = _deal_room(store, settings).get(workspace=workspace, deal_id=deal)
    log = [(entry.actor, entry.summary) for entry in state.changes]
    assert log[0] == ("crm-sync", "set Person 2's seat: Evaluator, supporter")
    assert ("crm-sync", "drew an influence line Person 1 → Person 0 (0.80)") in log
    assert ("crm-sync", "set a reporting line: Person 2 reports to Person 0") in log
    assert ("crm-sync", "logged a meeting on 2026-02-01") in log
    # A key without a name signs with its id.
    unnamed, record = api.keys.create(workspace=workspace, scope="write")
    with api.client(unnamed) as client:
        answer = client.delete(f"/v1/deals/{deal}/committee/{people[3]}")
        assert answer.status_code == 200, answer.text
    state = _deal_room(store, settings).get(workspace=workspace, deal_id=deal)
    assert (state.changes[0].actor, state.changes[0].summary) == (
        f"key:{record.id}",
        "removed Person 3 from the committee",
    )


def test_imports_keep_their_author(
    api: Api, store: GraphStore, settings: Settings, workspace: str
) -> None:
    bundle, deal_id, _ = seed_bundle("owner@example.com", workspace[-6:])
    key, _ = api.keys.create(workspace=workspace, scope="write", name="nightly-import")
    with api.client(key) as client:
        answer = client.post("/v1/import", json=bundle.model_dump(mode="json"))
        assert answer.status_code == 200, answer.text
    authors = _authors(store, workspace, deal_id)
    assert authors["members"] == {"nightly-import"} and authors["lines"] == {"nightly-import"}
    state = _deal_room(store, settings).get(workspace=workspace, deal_id=deal_id)
    assert ("nightly-import", "drew an influence line Chris Champion → Dana Decider (0.60)") in [
        (e.actor, e.summary) for e in state.changes
    ]
    # From the command line, the file it read.
    assert import_actor(Path("/tmp/exports/sf-2026-11.zip")) == "import:sf-2026-11.zip"


def _edit(**fields: object):  # type: ignore[no-untyped-def]
    return EditRequest.model_validate({"edit": fields}).edit


def test_undo_takes_back_interactions_and_notes(
    store: GraphStore, settings: Settings, workspace: str
) -> None:
    bundle, deal_id, _ = seed_bundle("owner@example.com", workspace[-6:])
    store.import_bundle(workspace=workspace, bundle=bundle)
    deals = _deal_room(store, settings)
    decider = next(
        m.id
        for m in deals.get(workspace=workspace, deal_id=deal_id).snapshot.members
        if m.role.value == "Decision Maker"
    )

    def apply(**fields: object) -> None:
        revision = deals.revision(workspace=workspace, deal_id=deal_id)
        deals.apply(
            workspace=workspace,
            deal_id=deal_id,
            actor="ed@example.com",
            edit=_edit(revision=revision, **fields),
        )

    before = deals.get(workspace=workspace, deal_id=deal_id)
    apply(
        action="log_interaction",
        on=utcnow().date().isoformat(),
        channel="call",
        stakeholder_ids=[decider],
        summary="budget call",
    )
    logged = deals.get(workspace=workspace, deal_id=deal_id)
    assert len(logged.snapshot.interactions) == len(before.snapshot.interactions) + 1
    assert _authors(store, workspace, deal_id)["interactions"] >= {"ed@example.com"}
    apply(action="undo")
    undone = deals.get(workspace=workspace, deal_id=deal_id)
    assert undone.snapshot.interactions == before.snapshot.interactions
    assert [(c.action, c.undone_by) for c in undone.changes[:2]] == [
        ("undo", None),
        ("log_interaction", "ed@example.com"),
    ]

    # A note is a fact: dated, signed, shown as of its date, kept after an undo.
    apply(action="note", stakeholder_id=decider, text="prefers <b>e-mail</b>")
    noted = deals.get(workspace=workspace, deal_id=deal_id)
    [note] = noted.notes
    assert (note.stakeholder_id, note.by, note.text) == (
        decider,
        "ed@example.com",
        "prefers <b>e-mail</b>",
    )
    assert noted.changes[0].summary == "added a note on Dana Decider"
    assert "prefers" not in noted.changes[0].summary  # the text lives in the note
    written = from_ms(note.at)
    earlier = deals.get(
        workspace=workspace, deal_id=deal_id, as_of=written - timedelta(milliseconds=1)
    )
    assert earlier.notes == []
    apply(action="undo")
    assert deals.get(workspace=workspace, deal_id=deal_id).notes == []
    # As of the moment it was written (before the undo) the note is still there.
    then = deals.get(workspace=workspace, deal_id=deal_id, as_of=written)
    assert [n.id for n in then.notes] == [note.id]
    with pytest.raises(Exception, match="no change on this deal left to undo"):
        apply(action="undo")


def test_records_keep_who_created_and_changed_them(
    api: Api, store: GraphStore, settings: Settings, workspace: str
) -> None:
    key, _ = api.keys.create(workspace=workspace, scope="write", name="crm-sync")
    other, _ = api.keys.create(workspace=workspace, scope="write", name="cpq")
    with api.client(key) as client:
        ids = seed_deal(client)
        deal, person = ids["deal"], ids["people"][0]
        for path in (f"/v1/accounts/{ids['account']}", f"/v1/deals/{deal}"):
            read = client.get(path).json()
            assert (read["created_by"], read["updated_by"]) == ("crm-sync", "crm-sync")
    with api.client(other) as client:
        patched = client.patch(
            f"/v1/deals/{deal}",
            json={"stage": "Proposal", "amount": 250000},
            headers={"content-type": "application/merge-patch+json"},
        )
        assert patched.status_code == 200, patched.text
        assert (patched.json()["created_by"], patched.json()["updated_by"]) == ("crm-sync", "cpq")
        assert client.get(f"/v1/deals/{deal}").json()["updated_by"] == "cpq"
        [listed] = client.get("/v1/deals").json()["items"]
        assert (listed["created_by"], listed["updated_by"]) == ("crm-sync", "cpq")
        renamed = client.put(
            f"/v1/stakeholders/{person}",
            json={"account_id": ids["account"], "name": "Person Zero"},
        )
        assert (renamed.json()["created_by"], renamed.json()["updated_by"]) == ("crm-sync", "cpq")
        # A write that changes nothing keeps the last author.
        client.put(
            f"/v1/stakeholders/{person}", json={"account_id": ids["account"], "name": "Person Zero"}
        )
    with api.client(key) as client:
        same = client.put(
            f"/v1/stakeholders/{person}", json={"account_id": ids["account"], "name": "Person Zero"}
        )
        assert same.status_code == 200 and same.json()["updated_by"] == "cpq"
    deals = _deal_room(store, settings)
    state = deals.get(workspace=workspace, deal_id=deal)
    assert ("cpq", "changed the deal: stage Proposal, amount 250,000 EUR") in [
        (e.actor, e.summary) for e in state.changes
    ]
    # A person added on the deal page is signed by the user.
    apply_edit(
        deals,
        workspace=workspace,
        deal_id=deal,
        actor="ed@example.com",
        action="add_person",
        name="Eve",
        role="Influencer",
    )
    [eve] = [
        m
        for m in store.snapshot(workspace=workspace, deal_id=deal).members
        if m.stakeholder.name == "Eve"
    ]
    _, _, authors = store.stakeholders.get_authored(workspace=workspace, natural_id=eve.id)
    assert (authors.created_by, authors.updated_by) == ("ed@example.com", "ed@example.com")


def test_imported_records_keep_the_import_as_author(store: GraphStore, workspace: str) -> None:
    bundle, deal_id, _ = seed_bundle("owner@example.com", workspace[-6:])
    store.import_bundle(workspace=workspace, bundle=bundle, by="import:sf-2026-11.zip")
    _, _, authors = store.deals.get_authored(workspace=workspace, natural_id=deal_id)
    assert (authors.created_by, authors.updated_by) == ("import:sf-2026-11.zip",) * 2
    assert authors.created_at is not None and authors.created_at == authors.updated_at
