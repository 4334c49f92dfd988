"""API test fixtures: the app on the session's real FalkorDB, served by a real uvicorn.

The server's listening socket is bound before the server thread starts, so a client can
connect at once (the kernel queues the connection): no waiting or polling.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from graphsvc.api.server import uvicorn_options
from graphsvc.app import create_app
from graphsvc.config import Settings
from graphsvc.keys import KeyRepository
from graphsvc.store.repository import GraphStore


class LiveServer:
    """uvicorn serving ``app`` on 127.0.0.1 in a thread, on an already-listening socket."""

    def __init__(self, app: FastAPI) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(256)
        port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(app, **uvicorn_options(log_level="warning", lifespan="on"))
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )
        self.thread.start()

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.sock.close()


@dataclass
class Api:
    """A running API with helpers to make keys and clients."""

    app: FastAPI
    store: GraphStore
    url: str
    keys: KeyRepository

    def key(self, workspace: str, scope: str = "write") -> str:
        key, _ = self.keys.create(workspace=workspace, scope=scope)
        return key

    def client(self, key: str | None = None, **headers: str) -> httpx.Client:
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)


@pytest.fixture
def api_factory(store: GraphStore, settings: Settings) -> Iterator[Callable[..., Api]]:
    servers: list[LiveServer] = []

    def make(**overrides: Any) -> Api:
        app_settings = settings.model_copy(update=overrides)
        app = create_app(settings=app_settings, store=store)
        server = LiveServer(app)
        servers.append(server)
        return Api(app=app, store=store, url=server.url, keys=KeyRepository(store.runner))

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def api(api_factory: Callable[..., Api]) -> Api:
    # Rate limits off: these suites send hundreds of requests a second from one address
    # with one key; tests/api/test_ratelimit.py covers the limits.
    return api_factory(rate_limit_per_minute=0, auth_failure_limit_per_minute=0)


def seed_deal(client: httpx.Client, *, prefix: str = "", members: int = 4) -> dict[str, Any]:
    """One account, one deal, ``members`` stakeholders on its committee, influence and
    reporting lines, an interaction and a note, all through the API. Returns the ids."""
    acc, deal = f"{prefix}acc-1", f"{prefix}deal-1"
    people = [f"{prefix}s-{i}" for i in range(1, members + 1)]
    assert (
        client.put(f"/v1/accounts/{acc}", json={"name": "Acme", "tier": "strategic"}).status_code
        == 201
    )
    r = client.put(
        f"/v1/deals/{deal}",
        json={
            "account_id": acc,
            "name": "Acme renewal",
            "owner_email": "Owner@Us.example",
            "amount": 120000,
            "currency": "EUR",
            "stage": "Negotiation",
            "status": "open",
            "close_date": "2027-03-31",
        },
    )
    assert r.status_code == 201, r.text
    roles = ["Decision Maker", "Champion", "Evaluator", "Gatekeeper"]
    stances = ["neutral", "champion", "skeptic", "unknown"]
    for i, sid in enumerate(people):
        r = client.put(
            f"/v1/stakeholders/{sid}",
            json={
                "account_id": acc,
                "name": f"Person {i}",
                "title": "VP",
                "email": f"p{i}@acme.example",
            },
        )
        assert r.status_code == 201, r.text
        r = client.put(
            f"/v1/deals/{deal}/committee/{sid}",
            json={
                "role": roles[i % 4],
                "stance": stances[i % 4],
                "ally": i == 1,
                "influence_rating": 1 + i % 5,
                "at": "2026-01-05T09:00:00+00:00",
            },
        )
        assert r.status_code == 200, r.text
    r = client.put(
        f"/v1/stakeholders/{people[1]}/influences/{people[0]}",
        json={"strength": 0.8, "at": "2026-01-06T00:00:00Z"},
    )
    assert r.status_code == 200, r.text
    r = client.put(
        f"/v1/stakeholders/{people[2]}/reports-to/{people[0]}", json={"at": "2026-01-06T00:00:00Z"}
    )
    assert r.status_code == 200, r.text
    r = client.post(
        "/v1/interactions",
        json={
            "deal_id": deal,
            "at": "2026-02-01T10:00:00+01:00",
            "channel": "meeting",
            "stakeholder_ids": [people[1]],
            "team_member_emails": ["ae@us.example"],
            "summary": "Kick-off",
            "next_step_at": "2026-02-15T10:00:00Z",
        },
    )
    assert r.status_code == 201, r.text
    interaction = r.json()["id"]
    r = client.post(
        f"/v1/deals/{deal}/notes",
        json={"stakeholder_id": people[1], "text": "Person 1 prefers short calls"},
    )
    assert r.status_code == 201, r.text
    return {
        "account": acc,
        "deal": deal,
        "people": people,
        "interaction": interaction,
        "note": r.json()["id"],
    }
