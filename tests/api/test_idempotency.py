"""``Idempotency-Key`` on POST over the real stack, on both backends: one execution,
the same answer on replay, 409 on reuse for another request, and one winner among
concurrent identical requests."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from graphsvc.store.idempotency import IdempotencyRepository
from graphsvc.store.repository import GraphStore
from tests.api.conftest import Api

INTERACTION = {
    "deal_id": "d",
    "at": "2026-02-01T10:00:00Z",
    "channel": "call",
    "stakeholder_ids": ["s"],
    "summary": "first call",
}


@pytest.fixture
def client(api: Api, workspace: str) -> Iterator[httpx.Client]:
    with api.client(api.key(workspace, "admin")) as c:
        assert c.put("/v1/accounts/a", json={"name": "A"}).status_code == 201
        assert (
            c.put(
                "/v1/deals/d", json={"account_id": "a", "name": "D", "owner_email": "o@us.example"}
            ).status_code
            == 201
        )
        assert c.put("/v1/stakeholders/s", json={"account_id": "a", "name": "S"}).status_code == 201
        yield c


def _interactions(client: httpx.Client) -> list[dict[str, Any]]:
    return list(client.get("/v1/deals/d/interactions").json()["items"])


def test_replay_gives_the_same_answer_once(client: httpx.Client) -> None:
    key = {"Idempotency-Key": "call-1"}
    first = client.post("/v1/interactions", json=INTERACTION, headers=key)
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    # The same request with its JSON spelled differently is the same request.
    again = client.post(
        "/v1/interactions",
        headers={**key, "content-type": "application/json"},
        content=b'{"summary": "first call", "channel": "call", "deal_id": "d",'
        b' "stakeholder_ids": ["s"], "at": "2026-02-01T10:00:00Z"}',
    )
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.content == first.content
    assert again.headers["content-type"] == first.headers["content-type"]
    assert len(_interactions(client)) == 1

    reused = client.post("/v1/interactions", json={**INTERACTION, "summary": "other"}, headers=key)
    assert reused.status_code == 409, reused.text
    assert reused.json()["error"] == "idempotency_key_reused"
    assert len(_interactions(client)) == 1
    # Another path with the same key is another request too.
    other_path = client.post("/v1/keys", json={"scope": "read"}, headers=key)
    assert other_path.status_code == 409


def test_errors_are_replayed_and_5xx_free_the_key(client: httpx.Client) -> None:
    key = {"Idempotency-Key": "bad-1"}
    bad = {**INTERACTION, "stakeholder_ids": ["nobody"]}
    first = client.post("/v1/interactions", json=bad, headers=key)
    assert first.status_code == 422
    second = client.post("/v1/interactions", json=bad, headers=key)
    assert second.status_code == 422 and second.headers["idempotent-replayed"] == "true"
    assert second.json() == first.json()
    assert (
        client.post(
            "/v1/interactions", json=bad, headers={"Idempotency-Key": "x" * 256}
        ).status_code
        == 400
    )


def test_unauthenticated_requests_are_not_remembered(api: Api, workspace: str) -> None:
    with api.client("not-a-key") as anonymous:
        r = anonymous.post("/v1/interactions", json=INTERACTION, headers={"Idempotency-Key": "k"})
        assert r.status_code == 401


def test_keys_are_per_workspace_and_secrets_are_not_kept(
    client: httpx.Client, api: Api, workspace: str
) -> None:
    key = {"Idempotency-Key": "shared"}
    created = client.post("/v1/keys", json={"scope": "read"}, headers=key)
    assert created.status_code == 201 and created.json()["key"]
    replay = client.post("/v1/keys", json={"scope": "read"}, headers=key)
    assert replay.status_code == 409 and replay.json()["error"] == "idempotency_key_used"
    assert replay.json()["detail"]["location"] == created.headers["location"]
    assert created.json()["key"] not in replay.text
    keys = client.get("/v1/keys").json()["items"]
    assert len(keys) == 2  # the admin key and the one created once

    with api.client(api.key(f"{workspace}-other", "admin")) as other:
        elsewhere = other.post("/v1/keys", json={"scope": "read"}, headers=key)
        assert elsewhere.status_code == 201 and "idempotent-replayed" not in elsewhere.headers


def test_concurrent_identical_requests_run_once(client: httpx.Client, api: Api) -> None:
    auth = client.headers["authorization"]
    barrier = threading.Barrier(8)
    results: list[httpx.Response] = []

    def post() -> None:
        with httpx.Client(base_url=api.url, headers={"Authorization": auth}, timeout=60) as c:
            barrier.wait()
            results.append(
                c.post(
                    "/v1/keys",
                    json={"scope": "read", "name": "once"},
                    headers={"Idempotency-Key": "race"},
                )
            )

    threads = [threading.Thread(target=post) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # One ran; the others were refused while it ran (409) or, arriving after it ended
    # (a loaded machine), got its answer replayed: also 201, marked and with its id.
    executed = [
        r for r in results if r.status_code == 201 and "idempotent-replayed" not in r.headers
    ]
    assert len(executed) == 1, [(r.status_code, dict(r.headers)) for r in results]
    for other in results:
        if other is not executed[0]:
            replayed = other.status_code == 201 and "idempotent-replayed" in other.headers
            assert other.status_code == 409 or replayed, other.status_code
            if replayed:
                assert other.json()["id"] == executed[0].json()["id"]
    assert [k["name"] for k in client.get("/v1/keys").json()["items"]].count("once") == 1


def test_expired_keys_run_again(api_factory: Callable[..., Api], workspace: str) -> None:
    api = api_factory(idempotency_ttl_seconds=0)
    with api.client(api.key(workspace, "admin")) as c:
        first = c.post("/v1/keys", json={"scope": "read"}, headers={"Idempotency-Key": "k"})
        second = c.post("/v1/keys", json={"scope": "read"}, headers={"Idempotency-Key": "k"})
        assert first.status_code == second.status_code == 201
        assert first.json()["id"] != second.json()["id"]


def test_store_claims_take_over_stale_and_purge(store: GraphStore, workspace: str) -> None:
    repo = IdempotencyRepository(store.core)
    claim = dict(workspace=workspace, idempotency_key="k", fingerprint="f", ttl_seconds=3600)
    first = repo.claim(**claim, stale_seconds=3600)
    assert first.ours
    busy = repo.claim(**claim, stale_seconds=3600)
    assert not busy.ours and busy.state == "running"
    # The first claimant died: after the stale time another run takes the key over, and
    # the dead run can no longer record its answer.
    taken = repo.claim(**claim, stale_seconds=-1)
    assert taken.ours and taken.run_id != first.run_id
    assert not repo.record(
        workspace=workspace,
        idempotency_key="k",
        run_id=first.run_id,
        status=200,
        headers=[],
        body="",
    )
    assert repo.record(
        workspace=workspace,
        idempotency_key="k",
        run_id=taken.run_id,
        status=201,
        headers=[("location", "/x")],
        body="e30=",
    )
    done = repo.claim(**claim, stale_seconds=3600)
    assert (done.ours, done.state, done.status, done.headers, done.body) == (
        False,
        "done",
        201,
        [("location", "/x")],
        "e30=",
    )
    # Released claims and purged keys are free again.
    repo.release(workspace=workspace, idempotency_key="k", run_id=taken.run_id)  # done: kept
    assert not repo.claim(**claim, stale_seconds=3600).ours
    assert repo.purge(now=2**60) >= 1
    fresh = repo.claim(**claim, stale_seconds=3600)
    assert fresh.ours
    repo.release(workspace=workspace, idempotency_key="k", run_id=fresh.run_id)
    assert repo.claim(**claim, stale_seconds=3600).ours
