"""Interactions by the caller's own id (the CRM activity id), over the real stack on
both backends: create, read, replace, patch and delete by it, and the paginated list."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from tests.api.conftest import Api

CALL = {
    "deal_id": "d",
    "at": "2026-02-01T10:00:00Z",
    "channel": "call",
    "stakeholder_ids": ["s"],
    "summary": "Discovery call",
}


@pytest.fixture
def client(api: Api, workspace: str) -> Iterator[httpx.Client]:
    with api.client(api.key(workspace)) as c:
        assert c.put("/v1/accounts/a", json={"name": "A"}).status_code == 201
        for deal in ("d", "e"):
            assert (
                c.put(
                    f"/v1/deals/{deal}",
                    json={"account_id": "a", "name": deal, "owner_email": "o@us.example"},
                ).status_code
                == 201
            )
        assert c.put("/v1/stakeholders/s", json={"account_id": "a", "name": "S"}).status_code == 201
        yield c


def test_crm_id_round_trip(client: httpx.Client) -> None:
    posted = client.post("/v1/interactions", json={**CALL, "id": "00T5e00000AbCdE"})
    assert posted.status_code == 201, posted.text
    assert posted.json()["id"] == "00T5e00000AbCdE"
    assert posted.headers["location"] == "/v1/interactions/00T5e00000AbCdE"
    read = client.get(posted.headers["location"])
    assert read.status_code == 200 and read.json() == posted.json()
    assert read.headers["etag"] == posted.headers["etag"]

    # PUT by id: create (201), then replace under If-Match; a stale tag is 412.
    created = client.put("/v1/interactions/crm-2", json={**CALL, "channel": "email"})
    assert created.status_code == 201 and created.headers["location"] == "/v1/interactions/crm-2"
    tag = created.headers["etag"]
    moved = client.put(
        "/v1/interactions/crm-2", json={**CALL, "deal_id": "e"}, headers={"If-Match": tag}
    )
    assert moved.status_code == 200 and moved.json()["deal_id"] == "e"
    assert (
        client.put("/v1/interactions/crm-2", json=CALL, headers={"If-Match": tag}).status_code
        == 412
    )
    assert [i["id"] for i in client.get("/v1/deals/e/interactions").json()["items"]] == ["crm-2"]

    patched = client.patch(
        "/v1/interactions/crm-2",
        json={"summary": "Sent the proposal"},
        headers={"content-type": "application/merge-patch+json"},
    )
    assert patched.status_code == 200
    assert patched.json()["summary"] == "Sent the proposal"
    assert patched.json()["deal_id"] == "e"
    assert (
        client.put(
            "/v1/interactions/crm-3", json={**CALL, "stakeholder_ids": ["nobody"]}
        ).status_code
        == 422
    )
    assert (
        client.put("/v1/interactions/crm-3", json={**CALL, "deal_id": "nodeal"}).status_code == 404
    )

    assert client.delete("/v1/interactions/crm-2", headers={"If-Match": tag}).status_code == 412
    # A delete withdraws it (history is never erased): gone now, listed as of before.
    before = datetime.now(UTC).isoformat()
    assert client.delete("/v1/interactions/crm-2").status_code == 204
    assert client.get("/v1/interactions/crm-2").status_code == 404
    assert client.delete("/v1/interactions/crm-2").status_code == 404
    assert client.get("/v1/deals/e/interactions").json()["items"] == []
    then = client.get("/v1/deals/e/interactions", params={"as_of": before}).json()["items"]
    assert [(i["id"], i["summary"]) for i in then] == [("crm-2", "Sent the proposal")]
    # The same CRM id written again is a new interaction.
    again = client.put("/v1/interactions/crm-2", json=CALL)
    assert again.status_code == 201 and again.json()["deal_id"] == "d"
    assert client.get("/v1/interactions/crm-2").json()["summary"] == "Discovery call"
    assert [i["id"] for i in client.get("/v1/deals/d/interactions").json()["items"]] == [
        "00T5e00000AbCdE",
        "crm-2",
    ]
    # The subject-access export shows the withdrawn one too, and says so.
    held = client.get("/v1/stakeholders/s/export").json()["interactions"]
    assert sorted((i["id"], i["withdrawn_at"] is not None) for i in held) == [
        ("00T5e00000AbCdE", False),
        ("crm-2", False),
        ("crm-2", True),
    ]


def test_list_is_paginated_oldest_first(client: httpx.Client) -> None:
    # Two at the same instant: the id breaks the tie.
    instants = ["2026-01-03", "2026-01-01", "2026-01-02", "2026-01-02", "2026-01-05"]
    for n, day in enumerate(instants):
        r = client.put(f"/v1/interactions/i{n}", json={**CALL, "at": f"{day}T09:00:00Z"})
        assert r.status_code == 201
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/deals/d/interactions", params=params).json()
        assert len(page["items"]) <= 2
        seen.extend(item["id"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["i1", "i2", "i3", "i0", "i4"]
    bounded = client.get(
        "/v1/deals/d/interactions", params={"as_of": "2026-01-02T12:00:00Z"}
    ).json()["items"]
    assert [i["id"] for i in bounded] == ["i1", "i2", "i3"]
    bad = client.get("/v1/deals/d/interactions", params={"cursor": "bm90LWpzb24"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "cursor"]
