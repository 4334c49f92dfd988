"""Notes on the people of a deal over the real stack, on both backends: written dated
and signed with the key's name, listed as of an instant, withdrawn (never erased) by
DELETE, replayed under an Idempotency-Key, and deleted with their deal."""

from __future__ import annotations

from datetime import UTC, datetime

from graphsvc.store.codecs import node_key
from tests.api.conftest import Api, seed_deal


def test_notes_are_dated_signed_and_withdrawn(api: Api, workspace: str) -> None:
    key, _ = api.keys.create(workspace=workspace, scope="write", name="crm-sync")
    with api.client(key) as client:
        seeded = seed_deal(client)
        deal, people = seeded["deal"], seeded["people"]
        notes = f"/v1/deals/{deal}/notes"
        posted = client.post(
            notes,
            json={"stakeholder_id": people[0], "text": "Signs off budgets over 100k"},
            headers={"Idempotency-Key": "note-1"},
        )
        assert posted.status_code == 201, posted.text
        note = posted.json()
        assert (note["by"], note["stakeholder_id"], note["deal_id"]) == (
            "crm-sync",
            people[0],
            deal,
        )
        assert posted.headers["location"] == f"{notes}/{note['id']}"
        replayed = client.post(
            notes,
            json={"stakeholder_id": people[0], "text": "Signs off budgets over 100k"},
            headers={"Idempotency-Key": "note-1"},
        )
        assert replayed.headers["idempotent-replayed"] == "true"
        assert replayed.json() == note

        read = client.get(posted.headers["location"])
        assert read.status_code == 200 and read.json() == note
        assert read.headers["etag"] == posted.headers["etag"]
        unchanged = client.get(
            posted.headers["location"], headers={"If-None-Match": read.headers["etag"]}
        )
        assert unchanged.status_code == 304
        listed = client.get(notes).json()["items"]
        assert [n["id"] for n in listed] == [note["id"], seeded["note"]]  # newest first
        about = client.get(notes, params={"stakeholder_id": people[0]}).json()["items"]
        assert [n["id"] for n in about] == [note["id"]]

        # The rules of the service: the person must exist, the text must not be blank.
        assert client.post(notes, json={"stakeholder_id": "nobody", "text": "x"}).status_code == 404
        assert client.post(notes, json={"stakeholder_id": people[0], "text": ""}).status_code == 422
        assert (
            client.post(notes, json={"stakeholder_id": people[0], "text": " "}).status_code == 422
        )
        assert client.get("/v1/deals/nodeal/notes").status_code == 404

        # Withdrawn, not erased: gone now, listed as of before.
        stale = client.delete(posted.headers["location"], headers={"If-Match": '"other"'})
        assert stale.status_code == 412
        before = datetime.now(UTC).isoformat()
        assert client.delete(posted.headers["location"]).status_code == 204
        assert client.get(posted.headers["location"]).status_code == 404
        assert client.delete(posted.headers["location"]).status_code == 404
        assert [n["id"] for n in client.get(notes).json()["items"]] == [seeded["note"]]
        then = client.get(notes, params={"as_of": before}).json()["items"]
        assert [n["id"] for n in then] == [note["id"], seeded["note"]]
        export = client.get(f"/v1/stakeholders/{people[0]}/export").json()
        [held] = export["notes"]
        assert (held["id"], held["withdrawn_by"]) == (note["id"], "crm-sync")
        assert held["withdrawn_at"] is not None

        # A deal's notes go with it, as its other facts do.
        assert client.delete(f"/v1/deals/{deal}").status_code == 204
        left = api.store.runner.execute(
            "MATCH (n:Note {deal_key: $deal}) RETURN count(n) AS n",
            {"deal": node_key(workspace, deal)},
            read_only=True,
        )
        assert left[0]["n"] == 0
