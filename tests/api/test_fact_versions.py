"""Committee seats and lines as sync resources, over the real stack on both backends:
their ``ETag`` (the pair's version), ``If-Match`` (412 on a stale version, checked in
the writing statement), ``If-None-Match: *`` (create only), and their facts in the
changes feed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.api.conftest import Api

# (what, path, a body, a changed body). Each body names its instant: a fact sent again
# at the same instant is a repeat (nothing recorded, the version stays).
PAIRS: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
    (
        "seat",
        "/v1/deals/d/committee/s1",
        {"role": "Economic Buyer", "stance": "neutral", "at": "2026-01-05T00:00:00Z"},
        {"role": "Economic Buyer", "stance": "supporter", "at": "2026-01-06T00:00:00Z"},
    ),
    (
        "influence",
        "/v1/stakeholders/s1/influences/s2",
        {"strength": 0.5, "at": "2026-01-05T00:00:00Z"},
        {"strength": 0.9, "at": "2026-01-06T00:00:00Z"},
    ),
    (
        "reporting",
        "/v1/stakeholders/s1/reports-to/s2",
        {"at": "2026-01-05T00:00:00Z"},
        {"at": "2026-01-06T00:00:00Z"},
    ),
]


@pytest.fixture
def client(api: Api, workspace: str) -> Iterator[httpx.Client]:
    with api.client(api.key(workspace)) as c:
        assert c.put("/v1/accounts/a", json={"name": "A"}).status_code == 201
        deal = {"account_id": "a", "name": "D", "owner_email": "o@us.example"}
        assert c.put("/v1/deals/d", json=deal).status_code == 201
        for sid in ("s1", "s2"):
            person = {"account_id": "a", "name": sid}
            assert c.put(f"/v1/stakeholders/{sid}", json=person).status_code == 201
        yield c


def _precondition_failed(response: httpx.Response) -> None:
    assert response.status_code == 412, response.text
    assert response.json()["error"] == "precondition_failed"


@pytest.mark.parametrize(("what", "path", "body", "change"), PAIRS, ids=[p[0] for p in PAIRS])
def test_fact_etag_if_match_if_none_match(
    client: httpx.Client, what: str, path: str, body: dict[str, Any], change: dict[str, Any]
) -> None:
    # If-Match on a pair that was never recorded: nothing to match.
    _precondition_failed(client.put(path, json=body, headers={"If-Match": "*"}))
    created = client.put(path, json=body, headers={"If-None-Match": "*"})
    assert created.status_code == 200 and created.json()["outcome"] == "created", created.text
    tag = created.headers["etag"]
    assert tag.startswith('"') and tag.endswith('"')
    # Create-only again: it exists now.
    _precondition_failed(client.put(path, json=body, headers={"If-None-Match": "*"}))
    # The same fact again changes nothing and keeps the version.
    same = client.put(path, json=body, headers={"If-Match": tag})
    assert same.status_code == 200 and same.headers["etag"] == tag, same.text
    changed = client.put(path, json=change, headers={"If-Match": tag})
    assert changed.status_code == 200, changed.text
    new_tag = changed.headers["etag"]
    assert new_tag != tag
    # The old version no longer matches, for a change nor for an end.
    _precondition_failed(client.put(path, json=body, headers={"If-Match": tag}))
    _precondition_failed(client.delete(path, headers={"If-Match": tag}))
    ended = client.delete(path, headers={"If-Match": new_tag})
    assert ended.status_code == 200 and ended.json()["ended"] == 1, ended.text
    # Ended: If-Match * fails, If-None-Match * may put it back.
    _precondition_failed(client.put(path, json=body, headers={"If-Match": "*"}))
    now = {key: value for key, value in body.items() if key != "at"}
    again = client.put(path, json=now, headers={"If-None-Match": "*"})
    assert again.status_code == 200 and again.json()["outcome"] == "created", again.text
    assert client.put(path, json=body, headers={"If-Match": "W/" + tag}).status_code == 412
    bad = client.put(path, json=body, headers={"If-Match": "no-quotes"})
    assert bad.status_code == 400, bad.text


def test_concurrent_conditional_fact_writes_one_wins(client: httpx.Client, api: Api) -> None:
    """Eight writers holding the same version: exactly one write succeeds (the version
    is compared inside the writing statement, not only before it)."""
    path = "/v1/deals/d/committee/s1"
    tag = client.put(path, json={"role": "Champion"}).headers["etag"]
    barrier = threading.Barrier(8)
    statuses: list[int] = []
    lock = threading.Lock()

    def write(i: int) -> None:
        body = {"role": "Champion", "influence_rating": 1 + i % 5, "ally": i % 2 == 0}
        barrier.wait()
        r = client.put(path, json=body, headers={"If-Match": tag})
        with lock:
            statuses.append(r.status_code)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200] + [412] * 7, statuses


def test_changes_feed_lists_committee_and_line_facts(client: httpx.Client) -> None:
    start = client.get("/v1/changes", params={"limit": 1000}).json()["next_cursor"]
    client.put("/v1/deals/d/committee/s1", json={"role": "Champion"})
    line = {"strength": 0.4, "at": "2026-01-05T00:00:00Z"}
    client.put("/v1/stakeholders/s1/influences/s2", json=line)
    client.put("/v1/stakeholders/s2/reports-to/s1", json={})
    client.delete("/v1/deals/d/committee/s1")
    # A repeat (same state at the same instant) records nothing: not in the feed.
    client.put("/v1/stakeholders/s1/influences/s2", json=line)
    entries: list[dict[str, Any]] = []
    cursor = start
    while True:
        page = client.get("/v1/changes", params={"since": cursor, "limit": 2}).json()
        entries.extend(page["items"])
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    seen = [(e["entity"], e.get("parent_id"), e["id"], e["deleted"]) for e in entries]
    assert seen == [
        ("membership", "d", "s1", False),
        ("influence", "s1", "s2", False),
        ("reporting_line", "s2", "s1", False),
        ("membership", "d", "s1", True),
    ], seen
    revisions = [e["revision"] for e in entries]
    assert revisions == sorted(revisions) and len(set(revisions)) == 4
    assert all(e["changed_at"] for e in entries)
    # Nothing new: the cursor stays and the feed is empty.
    after = client.get("/v1/changes", params={"since": cursor}).json()
    assert after["items"] == [] and after["next_cursor"] == cursor
