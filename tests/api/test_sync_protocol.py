"""HTTP protocol of a sync-grade API over the real stack, on both backends: ETag,
If-Match / If-None-Match, merge-patch PATCH, Location on creation, Allow on 405, 415
for a body that is not JSON and 400 for malformed JSON, all in the one error shape."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.api.conftest import Api

MERGE_PATCH = {"content-type": "application/merge-patch+json"}

# (resource, a body, a change, what clearing the changed field with null leaves)
RESOURCES: list[tuple[str, dict[str, Any], dict[str, Any], Any]] = [
    ("accounts", {"name": "Acme", "tier": "strategic"}, {"tier": "partner"}, "standard"),
    (
        "deals",
        {"account_id": "acc", "name": "Renewal", "owner_email": "o@us.example", "amount": 1000},
        {"stage": "Proposal"},
        None,
    ),
    (
        "stakeholders",
        {"account_id": "acc", "name": "Ada", "title": "CFO"},
        {"email": "ada@acme.example"},
        None,
    ),
]


def _error(response: httpx.Response, status: int, kind: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == kind and "detail" in body, body
    return body


@pytest.fixture
def client(api: Api, workspace: str) -> Iterator[httpx.Client]:
    with api.client(api.key(workspace)) as c:
        assert c.put("/v1/accounts/acc", json={"name": "Acme"}).status_code == 201
        yield c


@pytest.mark.parametrize(
    ("resource", "body", "change", "cleared"), RESOURCES, ids=[r[0] for r in RESOURCES]
)
def test_etag_if_match_and_location(
    client: httpx.Client, resource: str, body: dict[str, Any], change: dict[str, Any], cleared: Any
) -> None:
    path = f"/v1/{resource}/r-1"
    created = client.put(path, json=body)
    assert created.status_code == 201, created.text
    assert created.headers["location"] == path
    tag = created.headers["etag"]
    assert tag.startswith('"') and tag.endswith('"')

    read = client.get(path)
    assert read.status_code == 200 and read.headers["etag"] == tag
    assert client.get(path, headers={"If-None-Match": tag}).status_code == 304

    # The same content again: 200, no Location, the same tag.
    again = client.put(path, json=body)
    assert again.status_code == 200 and "location" not in again.headers
    assert again.headers["etag"] == tag

    # A stale tag loses: 412 and nothing written.
    changed = client.put(path, json={**body, **change}, headers={"If-Match": tag})
    assert changed.status_code == 200, changed.text
    new_tag = changed.headers["etag"]
    assert new_tag != tag
    stale = client.put(path, json=body, headers={"If-Match": tag})
    body_412 = _error(stale, 412, "precondition_failed")
    assert body_412["detail"]["etag"] == new_tag
    assert client.get(path).json() | change == client.get(path).json()
    assert client.delete(path, headers={"If-Match": tag}).status_code == 412
    assert client.put(path, json=body, headers={"If-Match": "*"}).status_code == 200

    # Create-only.
    _error(client.put(path, json=body, headers={"If-None-Match": "*"}), 412, "precondition_failed")
    fresh = client.put(f"/v1/{resource}/r-2", json=body, headers={"If-None-Match": "*"})
    assert fresh.status_code == 201
    # If-Match on a record that does not exist: 412, and nothing is created.
    _error(
        client.put(f"/v1/{resource}/r-3", json=body, headers={"If-Match": tag}),
        412,
        "precondition_failed",
    )
    _error(
        client.put(f"/v1/{resource}/r-3", json=body, headers={"If-Match": "*"}),
        412,
        "precondition_failed",
    )
    _error(client.get(f"/v1/{resource}/r-3"), 404, "not_found")

    current = client.get(path).headers["etag"]
    assert client.delete(path, headers={"If-Match": current}).status_code == 204
    _error(client.get(path), 404, "not_found")


@pytest.mark.parametrize(
    ("resource", "body", "change", "cleared"), RESOURCES, ids=[r[0] for r in RESOURCES]
)
def test_merge_patch(
    client: httpx.Client, resource: str, body: dict[str, Any], change: dict[str, Any], cleared: Any
) -> None:
    path = f"/v1/{resource}/p-1"
    put = client.put(path, json=body)
    patched = client.patch(path, json=change, headers=MERGE_PATCH)
    assert patched.status_code == 200, patched.text
    assert patched.json() == {**put.json(), **change}
    assert patched.headers["etag"] == client.get(path).headers["etag"]
    # Plain JSON is accepted as a merge patch too; null clears an optional field.
    optional = next(iter(change))
    clear = client.patch(path, json={optional: None})
    assert clear.status_code == 200 and clear.json()[optional] == cleared
    # A stale If-Match loses; invalid results are 422 naming the field.
    stale = {**MERGE_PATCH, "If-Match": patched.headers["etag"]}
    _error(client.patch(path, json=change, headers=stale), 412, "precondition_failed")
    assert client.get(path).json()[optional] == cleared
    invalid = _error(
        client.patch(path, json={"name": ""}, headers=MERGE_PATCH), 422, "validation_error"
    )
    assert invalid["detail"][0]["loc"] == ["name"]
    _error(client.patch(path, json={"id": "other"}, headers=MERGE_PATCH), 422, "validation_error")
    _error(
        client.patch(f"/v1/{resource}/nobody", json=change, headers=MERGE_PATCH), 404, "not_found"
    )


def test_concurrent_if_match_writers_one_wins(
    client: httpx.Client, api: Api, workspace: str
) -> None:
    tag = client.put("/v1/accounts/race", json={"name": "Zero"}).headers["etag"]
    key = client.headers["authorization"]
    barrier = threading.Barrier(8)
    statuses: list[int] = []

    def write(n: int) -> None:
        with httpx.Client(base_url=api.url, headers={"Authorization": key}, timeout=60) as c:
            barrier.wait()
            r = c.put("/v1/accounts/race", json={"name": f"Writer {n}"}, headers={"If-Match": tag})
            statuses.append(r.status_code)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200] + [412] * 7


def test_media_types_malformed_json_and_allow(client: httpx.Client) -> None:
    form = client.put(
        "/v1/accounts/m",
        content=b"name=x",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert _error(form, 415, "unsupported_media_type")["detail"][0]["loc"] == [
        "header",
        "content-type",
    ]
    _error(
        client.post(
            "/v1/interactions", content=b"<x/>", headers={"content-type": "application/xml"}
        ),
        415,
        "unsupported_media_type",
    )
    _error(
        client.put(
            "/v1/accounts/m",
            content=b'{"name": "x"}',
            headers={"content-type": "application/merge-patch+json"},
        ),
        415,
        "unsupported_media_type",
    )
    _error(
        client.put(
            "/v1/accounts/m", content=b'{"name": ', headers={"content-type": "application/json"}
        ),
        400,
        "bad_request",
    )
    _error(
        client.patch("/v1/accounts/acc", content=b"{nope", headers=MERGE_PATCH), 400, "bad_request"
    )
    _error(
        client.put("/v1/accounts/m", json={"name": "x"}, headers={"If-Match": "no-quotes"}),
        400,
        "bad_request",
    )

    not_allowed = _error(client.post("/v1/accounts/acc", json={}), 405, "method_not_allowed")
    assert not_allowed.keys() == {"error", "detail"}
    response = client.post("/v1/accounts/acc", json={})
    assert set(response.headers["allow"].split(", ")) == {"GET", "PUT", "PATCH", "DELETE"}
    response = client.put("/v1/deals", json={})
    assert set(response.headers["allow"].split(", ")) == {"GET"}
