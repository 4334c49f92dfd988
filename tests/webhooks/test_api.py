"""``/v1/webhooks`` over the real HTTP stack on both stores: the subscription's life
(secret shown once, ETag and If-Match, merge patch, delete), refused URLs, the delivery
log a page at a time, and redelivery."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

import pytest

from graphsvc.alerts.sender import SmtpSender
from graphsvc.webhooks.worker import DeliveryWorker
from tests.api.conftest import Api
from tests.webhooks.conftest import OWNER, Clock, Receiver, meet_cfo, seed_deals

BODY = {"events": ["deal.risk_raised", "deal.risk_cleared"], "owner_email": OWNER}


def test_a_subscription_from_creation_to_deletion(
    api_factory: Callable[..., Api], workspace: str, receiver: Receiver
) -> None:
    api = api_factory(webhook_allow_private_targets=True)
    with api.client(api.key(workspace, "admin")) as client:
        created = client.post("/v1/webhooks", json={**BODY, "url": receiver.url})
        assert created.status_code == 201, created.text
        hook = created.json()
        assert hook["secret"].startswith("whsec_") and hook["active"] is True
        assert created.headers["Location"] == f"/v1/webhooks/{hook['id']}"
        tag = created.headers["ETag"]
        read = client.get(f"/v1/webhooks/{hook['id']}")
        assert read.status_code == 200 and read.headers["ETag"] == tag
        assert "secret" not in read.json() and read.json()["url"] == receiver.url
        assert (
            client.get(f"/v1/webhooks/{hook['id']}", headers={"If-None-Match": tag}).status_code
            == 304
        )
        listed = client.get("/v1/webhooks").json()["items"]
        assert [h["id"] for h in listed] == [hook["id"]] and "secret" not in listed[0]
        patch = {"events": ["deal.support_changed"], "description": "CRM"}
        stale = client.patch(
            f"/v1/webhooks/{hook['id']}", json=patch, headers={"If-Match": '"999"'}
        )
        assert stale.status_code == 412
        changed = client.patch(f"/v1/webhooks/{hook['id']}", json=patch, headers={"If-Match": tag})
        assert changed.status_code == 200, changed.text
        assert changed.json()["events"] == ["deal.support_changed"]
        assert changed.headers["ETag"] != tag
        for bad in ({"secret": "mine"}, {"id": "wh_1"}, {"events": []}, {"url": "ftp://x/"}):
            assert client.patch(f"/v1/webhooks/{hook['id']}", json=bad).status_code == 422, bad
        assert (
            client.delete(f"/v1/webhooks/{hook['id']}", headers={"If-Match": tag}).status_code
            == 412
        )
        assert client.delete(f"/v1/webhooks/{hook['id']}").status_code == 204
        assert client.get(f"/v1/webhooks/{hook['id']}").status_code == 404
        assert client.get("/v1/webhooks").json()["items"] == []
    with api.client(api.key(workspace, "write")) as writer:
        assert writer.get("/v1/webhooks").status_code == 403
    # Another workspace sees nothing of it.
    with api.client(api.key(workspace + "-other", "admin")) as other:
        assert other.get(f"/v1/webhooks/{hook['id']}").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "ftp://hooks.example.com/in",
        "file:///etc/passwd",
        "http://127.0.0.1:8080/in",
        "http://localhost/in",
        "http://10.1.2.3/in",
        "http://192.168.0.10/in",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/in",
        "http://[::ffff:127.0.0.1]/in",
        "http://[fe80::1]/in",
        "http://0.0.0.0/in",
        "https://user:pw@hooks.example.com/in",
        "not a url",
    ],
)
def test_urls_that_are_not_http_or_point_inside_are_refused(
    api_factory: Callable[..., Api], workspace: str, url: str
) -> None:
    api = api_factory(webhook_allow_private_targets=False)
    with api.client(api.key(workspace, "admin")) as client:
        refused = client.post("/v1/webhooks", json={**BODY, "url": url})
        assert refused.status_code == 422, refused.text
        assert refused.json()["detail"][0]["loc"] == ["body", "url"]


def test_the_delivery_log_pages_and_redelivery(
    api_factory: Callable[..., Api], workspace: str, receiver: Receiver, clock: Clock
) -> None:
    api = api_factory(webhook_allow_private_targets=True, webhook_retry_base_seconds=60.0)
    settings = api.app.state.services.settings
    seed_deals(api.store, workspace, ["d1"])
    worker = DeliveryWorker(
        store=api.store,
        settings=settings,
        mailer=lambda: SmtpSender(settings),
        workspaces=[workspace],
        lease_name=f"test-{workspace}",
        rng=random.Random(3),
    )
    with api.client(api.key(workspace, "admin")) as client:
        hook = client.post("/v1/webhooks", json={**BODY, "url": receiver.url}).json()
        worker.tick(now=clock.now())
        receiver.status = 500
        meet_cfo(api.store, workspace, "d1", channel="call")
        for _ in range(4):  # four failed attempts, each after the previous one's wait
            worker.tick(now=clock.advance(timedelta(hours=1, minutes=1)))
        receiver.status = 200
        worker.tick(now=clock.advance(timedelta(hours=1, minutes=1)))
        pages, cursor = [], None
        while True:
            params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
            page = client.get(f"/v1/webhooks/{hook['id']}/deliveries", params=params)
            assert page.status_code == 200, page.text
            pages.append(page.json()["items"])
            cursor = page.json()["next_cursor"]
            if cursor is None:
                assert "Link" not in page.headers
                break
            assert 'rel="next"' in page.headers["Link"]
        attempts = [a for items in pages for a in items]
        assert [len(items) for items in pages] == [2, 2, 1]
        assert [a["attempt"] for a in attempts] == [5, 4, 3, 2, 1]  # newest first
        assert [a["status_code"] for a in attempts] == [200, 500, 500, 500, 500]
        assert all(a["duration_ms"] >= 0 and a["delivery_status"] == "delivered" for a in attempts)
        assert attempts[1]["error"].startswith("HTTP 500")
        delivery_id = attempts[0]["delivery_id"]
        assert len({a["delivery_id"] for a in attempts}) == 1
        assert (
            client.get(
                f"/v1/webhooks/{hook['id']}/deliveries", params={"cursor": "%%%"}
            ).status_code
            == 422
        )
        again = client.post(f"/v1/webhooks/{hook['id']}/deliveries/{delivery_id}/redeliver")
        assert again.status_code == 202, again.text
        assert again.json() == {
            "delivery_id": delivery_id,
            "event_type": "deal.risk_cleared",
            "status": "pending",
        }
        missing = client.post(f"/v1/webhooks/{hook['id']}/deliveries/evt_0123/redeliver")
        assert missing.status_code == 404
        assert worker.tick(now=clock.advance(timedelta(seconds=1))).delivered == 1
        copies = [e for e in receiver.accepted if e["id"] == delivery_id]
        assert len(copies) == 2 and copies[0] == copies[1]  # the same event, the same id
        newest = client.get(f"/v1/webhooks/{hook['id']}/deliveries", params={"limit": 1})
        assert newest.json()["items"][0]["attempt"] == 6
