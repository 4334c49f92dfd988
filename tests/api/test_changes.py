"""The changes feed and ``updated_since`` over the real stack, on both backends: every
write and delete appears once, in write order, and a cursor resumes where it stopped."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from tests.api.conftest import Api

LINK = re.compile(r'^<([^>]+)>; rel="next"$')


@pytest.fixture
def client(api: Api, workspace: str) -> Iterator[httpx.Client]:
    with api.client(api.key(workspace)) as c:
        yield c


def _seed(client: httpx.Client) -> None:
    assert client.put("/v1/accounts/a", json={"name": "A"}).status_code == 201
    assert (
        client.put(
            "/v1/deals/d", json={"account_id": "a", "name": "D", "owner_email": "o@us.example"}
        ).status_code
        == 201
    )
    for sid in ("s1", "s2"):
        assert (
            client.put(f"/v1/stakeholders/{sid}", json={"account_id": "a", "name": sid}).status_code
            == 201
        )
    assert (
        client.put(
            "/v1/interactions/t1",
            json={
                "deal_id": "d",
                "at": "2026-02-01T10:00:00Z",
                "channel": "call",
                "stakeholder_ids": ["s1", "s2"],
            },
        ).status_code
        == 201
    )
    assert (
        client.put(
            "/v1/interactions/t2",
            json={"deal_id": "d", "at": "2026-02-02T10:00:00Z", "channel": "email"},
        ).status_code
        == 201
    )


def _pull(
    client: httpx.Client, since: str | None, limit: int = 2
) -> tuple[list[dict[str, Any]], str]:
    """Every entry after ``since``, following the Link header page by page."""
    entries: list[dict[str, Any]] = []
    url: str | None = "/v1/changes"
    params: dict[str, Any] | None = {"limit": limit, **({"since": since} if since else {})}
    cursor = since or ""
    while url is not None:
        r = client.get(url, params=params)
        assert r.status_code == 200, r.text
        body = r.json()
        assert len(body["items"]) <= limit
        entries.extend(body["items"])
        cursor = body["next_cursor"]
        link = r.headers.get("link")
        assert (link is not None) == body["has_more"]
        match = LINK.match(link) if link else None
        url, params = (match.group(1), None) if match else (None, None)
    return entries, cursor


def test_feed_lists_every_write_and_delete_in_order(client: httpx.Client) -> None:
    _seed(client)
    entries, cursor = _pull(client, None)
    assert [(e["entity"], e["id"], e["deleted"]) for e in entries] == [
        ("account", "a", False),
        ("deal", "d", False),
        ("stakeholder", "s1", False),
        ("stakeholder", "s2", False),
        ("interaction", "t1", False),
        ("interaction", "t2", False),
    ]
    revisions = [e["revision"] for e in entries]
    assert revisions == sorted(revisions)
    assert all(datetime.fromisoformat(e["changed_at"]).tzinfo for e in entries)

    # Nothing new: an empty page, and the cursor stays.
    r = client.get("/v1/changes", params={"since": cursor})
    assert r.json() == {"items": [], "next_cursor": cursor, "has_more": False}
    # A write that changes nothing is not a change.
    assert client.put("/v1/accounts/a", json={"name": "A"}).status_code == 200
    assert client.get("/v1/changes", params={"since": cursor}).json()["items"] == []

    assert client.patch("/v1/deals/d", json={"stage": "Proposal"}).status_code == 200
    assert client.delete("/v1/interactions/t2").status_code == 204
    assert client.delete("/v1/stakeholders/s2").status_code == 204  # edits t1
    later, _ = _pull(client, cursor, limit=1)
    assert [(e["entity"], e["id"], e["deleted"]) for e in later] == [
        ("deal", "d", False),
        ("interaction", "t2", True),
        ("interaction", "t1", False),
        ("stakeholder", "s2", True),
    ]

    assert client.delete("/v1/deals/d").status_code == 204  # takes t1 with it
    gone, _ = _pull(client, cursor, limit=10)
    assert [(e["entity"], e["id"], e["deleted"]) for e in gone[-2:]] == [
        ("deal", "d", True),
        ("interaction", "t1", True),
    ]

    bad = client.get("/v1/changes", params={"since": "nope"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "since"]


def test_updated_since_and_link_on_lists(client: httpx.Client) -> None:
    _seed(client)
    for n in range(3):
        assert (
            client.put(
                f"/v1/deals/x{n}",
                json={"account_id": "a", "name": f"X{n}", "owner_email": "o@us.example"},
            ).status_code
            == 201
        )
    written = {
        e["id"]: e["changed_at"] for e in _pull(client, None, limit=50)[0] if e["entity"] == "deal"
    }
    since = written["x1"]
    expected = sorted(i for i, at in written.items() if at >= since)
    assert "x1" in expected and "x2" in expected and "d" not in expected
    r = client.get("/v1/deals", params={"updated_since": since})
    assert [d["id"] for d in r.json()["items"]] == expected

    first = client.get("/v1/deals", params={"limit": 2})
    link = LINK.match(first.headers["link"])
    assert link is not None
    second = client.get(link.group(1))
    assert second.status_code == 200
    assert [d["id"] for d in second.json()["items"]] == ["x1", "x2"]
    assert "link" not in second.headers
    listed = client.get(
        "/v1/deals/d/interactions", params={"updated_since": "2000-01-01T00:00:00Z", "limit": 1}
    )
    assert [i["id"] for i in listed.json()["items"]] == ["t1"]
    assert "cursor=" in listed.headers["link"]
    assert (
        client.get(
            "/v1/deals/d/interactions", params={"updated_since": "2999-01-01T00:00:00Z"}
        ).json()["items"]
        == []
    )


def test_feed_lists_notes_written_withdrawn_blanked_and_deleted(client: httpx.Client) -> None:
    _seed(client)
    _, cursor = _pull(client, None, limit=50)
    notes = "/v1/deals/d/notes"
    first = client.post(notes, json={"stakeholder_id": "s1", "text": "Owns the budget"})
    second = client.post(notes, json={"stakeholder_id": "s2", "text": "Prefers e-mail"})
    assert first.status_code == second.status_code == 201
    first_id, second_id = first.json()["id"], second.json()["id"]
    assert client.delete(f"{notes}/{first_id}").status_code == 204
    entries, cursor = _pull(client, cursor, limit=1)
    assert [(e["entity"], e["id"], e["deleted"]) for e in entries] == [
        ("note", second_id, False),  # the first one is withdrawn: told by its tombstone
        ("note", first_id, True),
    ]
    written, withdrawn = entries
    assert written["revision"] < withdrawn["revision"]
    assert (written["parent_id"], withdrawn["parent_id"]) == ("d", None)  # where to read it
    assert all(datetime.fromisoformat(e["changed_at"]).tzinfo for e in entries)

    # The erasure of a person blanks the notes about them: listed again, so a CRM that
    # pulled the text replaces it.
    assert client.delete("/v1/stakeholders/s2", params={"erase": "true"}).status_code == 204
    erased, cursor = _pull(client, cursor, limit=10)
    assert ("note", second_id, False) in [(e["entity"], e["id"], e["deleted"]) for e in erased]
    assert client.get(f"{notes}/{second_id}").json()["text"] == "[erased]"

    # A deleted deal takes its notes in effect with it (the withdrawn one's tombstone
    # was written when it was withdrawn).
    assert client.delete("/v1/deals/d").status_code == 204
    gone, _ = _pull(client, cursor, limit=10)
    assert [(e["entity"], e["id"], e["deleted"]) for e in gone if e["entity"] == "note"] == [
        ("note", second_id, True)
    ]
