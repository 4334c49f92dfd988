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
from datetime import timedelta
from pathlib import Path

import pytest

from graphsvc.alerts.sender import SmtpSender
from graphsvc.analysis.service import AnalysisService
from graphsvc.config import Settings
from graphsvc.domain.models import Bundle, to_ms, utcnow
from graphsvc.errors import ValidationFailed
from graphsvc.imports.service import import_json
from graphsvc.store.repository import GraphStore
from graphsvc.store.webhook_outbox import begin_import, end_import, import_event_id
from graphsvc.web.deal_room import DealRoomService
from graphsvc.web.repository import WebRepository
from graphsvc.web.schemas import EditRequest
from graphsvc.webhooks.schemas import EventType
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
    worker_for,
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


def test_an_import_whose_process_died_before_its_event_still_raises_it_once(
    store: GraphStore, hook_settings: Settings, workspace: str, receiver: Receiver, clock: Clock
) -> None:
    seed_deals(store, workspace, ["d1", "d2"])
    subscribe(store, hook_settings, workspace, receiver.url, events=[EventType.import_completed])
    worker = worker_for(store, hook_settings, workspace)
    worker.tick(now=clock.now())
    # What `import_bundle` does up to its writes; then its process dies (nothing after).
    run = begin_import(store.runner, workspace=workspace, format="bundle", now_ms=to_ms(utcnow()))
    assert run.event_id == import_event_id(run.key)  # derived, not random
    store.import_bundle(
        workspace=workspace, bundle=Bundle.model_validate({"interactions": [meeting("d1")]})
    )
    worker.tick(now=clock.now())
    assert receiver.accepted == []  # it may still be under way
    late = timedelta(minutes=hook_settings.webhook_import_abandoned_minutes + 1)
    assert worker.tick(now=clock.advance(late)).events == 1
    [event] = receiver.accepted
    assert event["type"] == "import.completed" and event["id"] == run.event_id
    assert event["data"]["import"]["status"] == "unconfirmed"
    assert event["data"]["import"]["format"] == "bundle"
    # The process was only slow after all: its own record of the event is the same one.
    end_import(store.runner, run, report={"format": "bundle"}, now_ms=to_ms(utcnow()))
    assert worker.tick(now=clock.advance(late)).delivered == 0

    # An import refused before writing leaves nothing; one that completes, one event.
    with pytest.raises(ValidationFailed):
        import_json(store=store, workspace=workspace, data={"interactions": [meeting("nope")]})
    import_json(store=store, workspace=workspace, data={"interactions": [meeting("d2")]})
    worker.tick(now=clock.now())
    assert worker.tick(now=clock.advance(late)).events == 0
    assert [e["data"]["import"]["status"] for e in receiver.accepted] == [
        "unconfirmed",
        "completed",
    ]
