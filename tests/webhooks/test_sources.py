"""A change raises its events exactly once whichever way it is made: through the API,
the CLI (``graphsvc import`` in a process of its own), an import through the API, and
the deal page's service layer; imports add ``import.completed``. On both stores."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from graphsvc.alerts.sender import SmtpSender
from graphsvc.analysis.service import AnalysisService
from graphsvc.config import Settings
from graphsvc.domain.models import utcnow
from graphsvc.store.repository import GraphStore
from graphsvc.web.deal_room import DealRoomService
from graphsvc.web.repository import WebRepository
from graphsvc.web.schemas import EditRequest
from graphsvc.webhooks.worker import DeliveryWorker
from tests.api.conftest import Api
from tests.webhooks.conftest import (
    REP,
    Clock,
    Receiver,
    cfo_cleared,
    meeting,
    seed_deals,
    subscribe,
)

GRAPHSVC = str(Path(sys.executable).with_name("graphsvc"))


def _cli_env(store: GraphStore, backend: str, request: pytest.FixtureRequest) -> dict[str, str]:
    """What a fresh graphsvc process reads to open the test's store."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRAPHSVC_", "NEO4J_"))}
    env["GRAPHSVC_DATA_DIR"] = str(store.settings.data_dir)
    env["GRAPHSVC_ENVIRONMENT"] = "test"
    if backend == "neo4j":
        env.update(request.getfixturevalue("neo4j_connection").env())
    return env


def test_api_cli_import_and_web_changes_each_raise_their_event_once(
    api_factory: Callable[..., Api],
    hook_settings: Settings,
    workspace: str,
    receiver: Receiver,
    clock: Clock,
    backend: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> None:
    api = api_factory(webhook_allow_private_targets=True)
    store = api.store
    deals = ["d-api", "d-cli", "d-import", "d-web"]
    seed_deals(store, workspace, deals)
    hook = subscribe(store, hook_settings, workspace, receiver.url)
    worker = DeliveryWorker(
        store=store,
        settings=hook_settings,
        mailer=lambda: SmtpSender(hook_settings),
        workspaces=[workspace],
        lease_name=f"test-{workspace}",
        rng=random.Random(11),
    )
    worker.tick(now=clock.now())
    with api.client(api.key(workspace, "write")) as client:
        recorded = client.post("/v1/interactions", json=meeting("d-api"))
        assert recorded.status_code == 201, recorded.text
        imported = client.post("/v1/import", json={"interactions": [meeting("d-import")]})
        assert imported.status_code == 200, imported.text
    bundle_file = tmp_path / "meeting.json"
    bundle_file.write_text(json.dumps({"interactions": [meeting("d-cli")]}), encoding="utf-8")
    cli = subprocess.run(
        [GRAPHSVC, "import", str(bundle_file), "--workspace", workspace],
        env=_cli_env(store, backend, request),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cli.returncode == 0, cli.stderr
    room = DealRoomService(
        store=store,
        analysis=AnalysisService(store=store, settings=hook_settings),
        repository=WebRepository(store.runner),
    )
    state = room.get(workspace=workspace, deal_id="d-web")
    edit = EditRequest.model_validate(
        {
            "edit": {
                "action": "log_interaction",
                "revision": state.revision,
                "on": utcnow().date().isoformat(),
                "channel": "meeting",
                "stakeholder_ids": ["d-web-cfo"],
                "team_member_emails": [REP],
            }
        }
    ).edit
    room.apply(workspace=workspace, deal_id="d-web", edit=edit, actor=REP)

    report = worker.tick(now=clock.now())
    assert report.leader and report.delivered == len(receiver.accepted)
    for deal_id in deals:
        assert len(cfo_cleared(receiver.accepted, deal_id)) == 1, deal_id
    imports = [e for e in receiver.accepted if e["type"] == "import.completed"]
    assert len(imports) == 2  # the API's import and the CLI's
    assert all(e["data"]["import"]["items"] == 1 for e in imports)
    ids = [e["id"] for e in receiver.accepted]
    assert len(ids) == len(set(ids))
    receiver.verify_all(hook.secret)
    # Read again, nothing new: each change was evented once.
    assert worker.tick(now=clock.now()).delivered == 0
