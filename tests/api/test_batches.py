"""``POST /v1/<entity>/batch`` over the real stack, on both backends: per-item results,
errors in the one shape, ``all_or_none``, and the 1,000-item limit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.api.conftest import Api


@pytest.fixture
def client(api: Api, workspace: str) -> Iterator[httpx.Client]:
    with api.client(api.key(workspace)) as c:
        assert c.put("/v1/accounts/acc", json={"name": "Acme"}).status_code == 201
        yield c


def _statuses(response: httpx.Response) -> list[str]:
    assert response.status_code == 207, response.text
    return [item["status"] for item in response.json()["items"]]


def test_account_batch_answers_each_item(client: httpx.Client) -> None:
    items: list[Any] = [
        {"id": "acc", "name": "Acme"},
        {"id": "b", "name": "Beta"},
        {"id": "c", "name": ""},
        {"name": "no id"},
        {"id": "b", "name": "Beta again"},
    ]
    r = client.post("/v1/accounts/batch", json={"items": items})
    assert _statuses(r) == ["unchanged", "created", "error", "error", "error"]
    body = r.json()
    assert body["written"] is True
    assert body["counts"] == {
        "created": 1,
        "updated": 0,
        "unchanged": 1,
        "error": 3,
        "not_written": 0,
    }
    errors = [item["error"] for item in body["items"] if item["error"]]
    assert all(e["error"] == "validation_error" for e in errors)
    assert errors[0]["detail"][0]["loc"] == ["name"]
    assert errors[1]["detail"][0]["loc"] == ["id"]
    assert "item 1" in errors[2]["detail"][0]["msg"]
    # The ETag of a written item is the one a GET gives.
    assert body["items"][1]["etag"] == client.get("/v1/accounts/b").headers["etag"]
    assert _statuses(
        client.post("/v1/accounts/batch", json={"items": [{"id": "b", "name": "Beta 2"}]})
    ) == ["updated"]


def test_references_and_all_or_none(client: httpx.Client) -> None:
    deals = [
        {"id": "d1", "account_id": "acc", "name": "One", "owner_email": "o@us.example"},
        {"id": "d2", "account_id": "nowhere", "name": "Two", "owner_email": "o@us.example"},
    ]
    refused = client.post("/v1/deals/batch", json={"items": deals, "all_or_none": True})
    assert _statuses(refused) == ["not_written", "error"]
    assert refused.json()["written"] is False
    assert refused.json()["items"][1]["error"]["detail"] == [
        {"loc": ["account_id"], "msg": "unknown account 'nowhere'"}
    ]
    assert client.get("/v1/deals/d1").status_code == 404
    assert _statuses(client.post("/v1/deals/batch", json={"items": deals})) == ["created", "error"]
    assert client.get("/v1/deals/d1").status_code == 200

    people = [{"id": f"s{i}", "account_id": "acc", "name": f"P{i}"} for i in range(3)]
    assert (
        _statuses(client.post("/v1/stakeholders/batch", json={"items": people})) == ["created"] * 3
    )
    activities = [
        {
            "id": "crm-task-1",
            "deal_id": "d1",
            "at": "2026-02-01T10:00:00Z",
            "channel": "call",
            "stakeholder_ids": ["s0", "s1"],
        },
        {
            "id": "crm-task-2",
            "deal_id": "d1",
            "at": "2026-02-02T10:00:00Z",
            "channel": "meeting",
            "stakeholder_ids": ["s9"],
        },
    ]
    r = client.post("/v1/interactions/batch", json={"items": activities})
    assert _statuses(r) == ["created", "error"]
    assert r.json()["items"][1]["error"]["detail"][0]["loc"] == ["stakeholder_ids", 0]
    again = client.post("/v1/interactions/batch", json={"items": activities[:1]})
    assert _statuses(again) == ["unchanged"]
    ids = [i["id"] for i in client.get("/v1/deals/d1/interactions").json()["items"]]
    assert ids == ["crm-task-1"]


def test_limits_and_envelope(client: httpx.Client) -> None:
    thousand = [{"id": f"a{i:04d}", "name": f"A {i}"} for i in range(1000)]
    r = client.post("/v1/accounts/batch", json={"items": thousand})
    assert _statuses(r) == ["created"] * 1000
    too_many = client.post("/v1/accounts/batch", json={"items": [*thousand, {"id": "x"}]})
    assert too_many.status_code == 422 and too_many.json()["error"] == "validation_error"
    assert client.post("/v1/accounts/batch", json={"items": []}).status_code == 422
    # Items are objects (the schema says so): anything else refuses the request.
    assert client.post("/v1/accounts/batch", json={"items": ["x"]}).status_code == 422
    assert client.post("/v1/accounts/batch", json={"items": [], "extra": 1}).status_code == 422
    assert (
        client.post(
            "/v1/accounts/batch", content=b"{", headers={"content-type": "application/json"}
        ).status_code
        == 400
    )
