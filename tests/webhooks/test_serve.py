"""``graphsvc serve`` delivers webhooks itself, and a serve killed in the middle of a
delivery (SIGKILL: no clean shutdown, the lease left held) and started again loses no
event: the new process takes the lease once it expires and delivers what was pending.
Real processes on each store, a real receiver on loopback."""

from __future__ import annotations

import json
import os
import signal
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from graphsvc.domain.models import utcnow
from tests.api.test_processes import ServeProcess, create_key
from tests.webhooks.conftest import OWNER, Receiver, cfo_cleared, meeting, seed_bundle

pytestmark = pytest.mark.slow


@pytest.fixture
def serve_env(
    tmp_path: Path, backend: str, workspace: str, request: pytest.FixtureRequest
) -> dict[str, str]:
    values = {k: v for k, v in os.environ.items() if not k.startswith(("GRAPHSVC_", "NEO4J_"))}
    values.update(
        {
            "GRAPHSVC_DATA_DIR": str(tmp_path / "data"),
            "GRAPHSVC_ENVIRONMENT": "test",
            "GRAPHSVC_EMBEDDED_IDLE_SECONDS": "5",
            "GRAPHSVC_WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
            # This test's workspace only (the Neo4j store is shared with other tests).
            "GRAPHSVC_WEBHOOK_WORKSPACES": json.dumps([workspace]),
            "GRAPHSVC_WEBHOOK_POLL_SECONDS": "0.2",
            "GRAPHSVC_WEBHOOK_LEASE_SECONDS": "2",
            "GRAPHSVC_WEBHOOK_RETRY_BASE_SECONDS": "0.2",
            "GRAPHSVC_WEBHOOK_RETRY_MAX_SECONDS": "0.5",
        }
    )
    if backend == "neo4j":
        values.update(request.getfixturevalue("neo4j_connection").env())
    return values


def test_a_killed_and_restarted_serve_loses_no_event(
    serve_env: dict[str, str], workspace: str, receiver: Receiver
) -> None:
    key = create_key(serve_env, workspace, "admin")
    headers = {"Authorization": f"Bearer {key}"}
    server = ServeProcess(serve_env)
    try:
        server.wait_ready()
        with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
            bundle = seed_bundle(workspace, ["d1", "d2"], start=utcnow() - timedelta(days=5))
            seeded = client.post("/v1/import", json=bundle.model_dump(mode="json"))
            assert seeded.status_code == 200, seeded.text
            hook = client.post(
                "/v1/webhooks",
                json={
                    "url": receiver.url,
                    "owner_email": OWNER,
                    "events": ["deal.risk_cleared", "import.completed"],
                },
            )
            assert hook.status_code == 201, hook.text
            # An import after subscribing: its event, once delivered, shows the worker
            # has made a round since (and recorded the deals' states as they were).
            assert client.post("/v1/import", json={"team_members": []}).status_code == 200
            receiver.wait_until(lambda events: any(e["type"] == "import.completed" for e in events))
            receiver.status = 503
            assert client.post("/v1/interactions", json=meeting("d1")).status_code == 201
            receiver.wait_until(
                lambda _: any(r.event["type"] == "deal.risk_cleared" for r in receiver.requests)
            )
        server.proc.send_signal(signal.SIGKILL)
        server.proc.wait(timeout=30)
    finally:
        server.stop()
    assert cfo_cleared(receiver.accepted, "d1") == []
    receiver.status = 200
    restarted = ServeProcess(serve_env)
    try:
        restarted.wait_ready()
        receiver.wait_until(lambda events: len(cfo_cleared(events, "d1")) == 1)
        with httpx.Client(base_url=restarted.url, headers=headers, timeout=60) as client:
            assert client.post("/v1/interactions", json=meeting("d2")).status_code == 201
        receiver.wait_until(lambda events: len(cfo_cleared(events, "d2")) == 1)
    finally:
        restarted.stop()
    receiver.verify_all(hook.json()["secret"])
    ids = [e["id"] for e in receiver.accepted]
    assert len(ids) == len(set(ids))
    assert len(cfo_cleared(receiver.accepted, "d1")) == 1
