"""Secret rotation over the real HTTP stack (the old secret signs next to the new one
until it expires) and delivery over https to a loopback receiver whose self-signed
certificate is trusted only through ``GRAPHSVC_WEBHOOK_CA_BUNDLE``; both stores."""

from __future__ import annotations

import ssl
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from graphsvc.config import Settings
from graphsvc.domain.models import utcnow
from graphsvc.store.repository import GraphStore
from graphsvc.webhooks.service import WebhookService
from graphsvc.webhooks.signing import SIGNATURE_HEADER, verify_signature
from tests.api.conftest import Api
from tests.webhooks.conftest import (
    OWNER,
    Clock,
    Receiver,
    cfo_cleared,
    meet_cfo,
    seed_deals,
    subscribe,
    worker_for,
)


def _signatures(delivery_header: str) -> list[str]:
    return [part for part in delivery_header.split(",") if part.startswith("v1=")]


def _verifies(receiver: Receiver, index: int, secret: str) -> bool:
    request = receiver.requests[index]
    header = request.headers[SIGNATURE_HEADER.lower()]
    timestamp = int(header.split(",")[0].removeprefix("t="))
    return verify_signature(secret=secret, body=request.body, header=header, now=timestamp)


def test_a_rotated_secret_signs_next_to_the_new_one_until_it_expires(
    api_factory: Callable[..., Api], workspace: str, receiver: Receiver, clock: Clock
) -> None:
    api = api_factory(webhook_allow_private_targets=True)
    settings = api.app.state.services.settings
    seed_deals(api.store, workspace, ["d1", "d2"])
    worker = worker_for(api.store, settings, workspace)
    body = {"events": ["deal.risk_cleared"], "owner_email": OWNER, "url": receiver.url}
    with api.client(api.key(workspace, "admin")) as client:
        created = client.post("/v1/webhooks", json=body)
        hook, tag = created.json(), created.headers["ETag"]
        worker.tick(now=clock.now())
        path = f"/v1/webhooks/{hook['id']}/rotate-secret"
        assert client.post(path, headers={"If-Match": '"999"'}).status_code == 412
        assert client.post(path, json={"expires_in": -1}).status_code == 422
        rotated = client.post(path, json={"expires_in": 3600}, headers={"If-Match": tag})
        assert rotated.status_code == 200, rotated.text
        new_secret = rotated.json()["secret"]
        assert new_secret.startswith("whsec_") and new_secret != hook["secret"]
        assert rotated.headers["ETag"] != tag
        read = client.get(f"/v1/webhooks/{hook['id']}").json()
        assert "secret" not in read and "old_secret" not in str(read)

        # During the overlap: two signatures, either secret verifies.
        meet_cfo(api.store, workspace, "d1")
        worker.tick(now=clock.now())
        assert len(cfo_cleared(receiver.accepted, "d1")) == 1
        header = receiver.requests[0].headers[SIGNATURE_HEADER.lower()]
        assert len(_signatures(header)) == 2
        assert _verifies(receiver, 0, hook["secret"]) and _verifies(receiver, 0, new_secret)

        # After it: the new secret alone.
        meet_cfo(api.store, workspace, "d2")
        worker.tick(now=clock.advance(timedelta(hours=1, minutes=1)))
        assert len(cfo_cleared(receiver.accepted, "d2")) == 1
        last = len(receiver.requests) - 1
        assert len(_signatures(receiver.requests[last].headers[SIGNATURE_HEADER.lower()])) == 1
        assert _verifies(receiver, last, new_secret)
        assert not _verifies(receiver, last, hook["secret"])

        # No body: the old secret runs for the default 24 hours.
        again = client.post(path)
        assert again.status_code == 200, again.text
        expires = datetime.fromisoformat(again.json()["old_secret_expires_at"])
        assert timedelta(hours=23) < expires - utcnow() <= timedelta(hours=24)
    with api.client(api.key(workspace, "write")) as writer:
        assert writer.post(path).status_code == 403


@pytest.fixture
def https_receiver(
    receivers: Callable[..., Receiver], tls_files: tuple[Path, Path]
) -> tuple[Receiver, Path]:
    """An https receiver on loopback with a self-signed certificate (openssl's)."""
    cert, key = tls_files
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return receivers(tls=context), cert


def test_https_delivery_trusts_the_configured_authority_only(
    store: GraphStore,
    hook_settings: Settings,
    workspace: str,
    https_receiver: tuple[Receiver, Path],
    clock: Clock,
) -> None:
    receiver, cert = https_receiver
    assert receiver.url.startswith("https://127.0.0.1:")
    seed_deals(store, workspace, ["d1"])
    hook = subscribe(store, hook_settings, workspace, receiver.url)
    # The system's authorities do not know the receiver's certificate: refused, and
    # retried (verification is never turned off).
    untrusting = worker_for(store, hook_settings, workspace)
    untrusting.tick(now=clock.now())
    meet_cfo(store, workspace, "d1")
    refused = untrusting.tick(now=clock.now())
    assert refused.failed_attempts >= 1 and refused.delivered == 0
    assert receiver.requests == []
    log = WebhookService(store=store, settings=hook_settings).deliveries(
        workspace=workspace, webhook_id=hook.id, limit=10, cursor=None
    )
    assert "CERTIFICATE_VERIFY_FAILED" in (log.items[0].error or "")
    # Trusted through the setting: delivered over TLS, signed.
    trusting = worker_for(
        store, hook_settings.model_copy(update={"webhook_ca_bundle": cert}), workspace
    )
    delivered = trusting.tick(now=clock.advance(timedelta(hours=2)))
    assert delivered.delivered >= 1
    assert len(cfo_cleared(receiver.accepted, "d1")) == 1
    receiver.verify_all(hook.secret)
