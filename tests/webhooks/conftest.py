"""Webhook test fixtures: a real HTTP receiver on loopback, a deal whose decision-maker
was never contacted, a subscription, and a worker driven tick by tick.

The receiver answers in the worker's own call (the worker waits for the answer), so
what it recorded is complete when ``tick`` returns: no waiting or polling.
"""

from __future__ import annotations

import json
import queue
import random
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from graphsvc.alerts.sender import SmtpSender
from graphsvc.config import Settings
from graphsvc.domain.models import Bundle, Interaction, Role, Stance, utcnow
from graphsvc.examples import ExampleBuilder
from graphsvc.store.repository import GraphStore
from graphsvc.webhooks.schemas import EventType, WebhookCreate, WebhookCreated
from graphsvc.webhooks.service import WebhookService
from graphsvc.webhooks.signing import SIGNATURE_HEADER, verify_signature
from graphsvc.webhooks.worker import DeliveryWorker
from tests.alerts.conftest import (
    smtp_server,  # noqa: F401 - a fixture for these tests
    tls_files,  # noqa: F401 - a fixture for these tests
)
from tests.api.conftest import api_factory  # noqa: F401 - a fixture for these tests

OWNER = "owner@example.com"
REP = "rep@example.com"
ALL_EVENTS = list(EventType)


@dataclass
class Delivery:
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict[str, Any]:
        return dict(json.loads(self.body))


@dataclass
class Receiver:
    """Records every POST; answers ``status`` (settable: fail, then recover)."""

    url: str
    requests: list[Delivery] = field(default_factory=list)
    status: int = 200
    # Called with each request before it is answered (in the server's thread): a slow
    # receiver, or one that lets something happen while a delivery is in flight.
    on_request: Callable[[Delivery], None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    arrived: queue.Queue[Delivery] = field(default_factory=queue.Queue)

    def wait_until(
        self, done: Callable[[list[dict[str, Any]]], bool], timeout: float = 120
    ) -> None:
        """Block until ``done(accepted events)`` holds, woken by each request as it
        arrives (for a receiver fed by another process; no polling)."""
        while not done(self.accepted):
            self.arrived.get(timeout=timeout)

    @property
    def accepted(self) -> list[dict[str, Any]]:
        """The events of the requests answered 2xx, in the order received."""
        return [d.event for d in self.requests if d.headers.get("x-answered", "") == "2xx"]

    def verify_all(self, secret: str) -> None:
        for delivery in self.requests:
            header = delivery.headers[SIGNATURE_HEADER.lower()]
            timestamp = int(header.split(",")[0].removeprefix("t="))
            assert verify_signature(
                secret=secret, body=delivery.body, header=header, now=timestamp
            ), header


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with receiver.lock:
                status = receiver.status
                headers = {k.lower(): v for k, v in self.headers.items()}
                headers["x-answered"] = "2xx" if 200 <= status < 300 else str(status)
                delivery = Delivery(headers, body)
                receiver.requests.append(delivery)
            receiver.arrived.put(delivery)
            if receiver.on_request is not None:
                receiver.on_request(delivery)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@pytest.fixture
def receivers() -> Iterator[Callable[..., Receiver]]:
    """Start receivers on loopback: ``receivers()`` an http one; ``receivers(tls=ctx)``
    an https one serving with the server context ``ctx``."""
    servers: list[ThreadingHTTPServer] = []

    def start(*, tls: ssl.SSLContext | None = None) -> Receiver:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(Receiver(url="")))
        if tls is not None:
            server.socket = tls.wrap_socket(server.socket, server_side=True)
        scheme = "https" if tls is not None else "http"
        receiver = Receiver(url=f"{scheme}://127.0.0.1:{server.server_address[1]}/hooks")
        server.RequestHandlerClass = _handler(receiver)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return receiver

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def receiver(receivers: Callable[..., Receiver]) -> Receiver:
    return receivers()


@pytest.fixture
def hook_settings(settings: Settings) -> Settings:
    """Loopback receivers allowed; fast, deterministic retries."""
    return settings.model_copy(
        update={
            "webhook_allow_private_targets": True,
            "webhook_retry_base_seconds": 60.0,
            "webhook_retry_max_seconds": 3600.0,
            "webhook_timeout_seconds": 10.0,
        }
    )


class Clock:
    """The worker's clock in a test: real time plus an offset that only grows, so the
    facts a test writes (dated now) are never after the instant the worker analyses,
    and hours of retries pass at once."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return utcnow() + self.offset

    def advance(self, delta: timedelta) -> datetime:
        self.offset += delta
        return self.now()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def seed_bundle(workspace: str, deal_ids: list[str], *, start: datetime) -> Bundle:
    """Deals with a champion and a CFO (the decision-maker) nobody has met."""
    book = ExampleBuilder(workspace=workspace)
    book.account("acc", "Acme")
    book.team_member(REP, "Rep")
    for deal_id in deal_ids:
        deal = book.deal(deal_id, name=f"Deal {deal_id}", owner_email=OWNER)
        deal.seat(f"{deal_id}-cfo", Role.economic_decision_maker, at=start, rating=5, name="Cy Fo")
        deal.seat(
            f"{deal_id}-champ",
            Role.champion,
            at=start,
            stance=Stance.champion,
            ally=True,
            name="Cham Pion",
        )
        book.influences(f"{deal_id}-champ", f"{deal_id}-cfo", 0.8, at=start)
        deal.met(f"{deal_id}-champ", at=start + timedelta(days=1), team=[REP])
    return book.bundle()


def seed_deals(store: GraphStore, workspace: str, deal_ids: list[str]) -> None:
    """:func:`seed_bundle`'s deals, from five days ago, written to the store."""
    bundle = seed_bundle(workspace, deal_ids, start=utcnow() - timedelta(days=5))
    store.import_bundle(workspace=workspace, bundle=bundle)


def subscribe(
    store: GraphStore,
    settings: Settings,
    workspace: str,
    url: str,
    events: list[EventType] | None = None,
) -> WebhookCreated:
    service = WebhookService(store=store, settings=settings)
    created, _ = service.create(
        workspace=workspace,
        fields=WebhookCreate(url=url, events=events or ALL_EVENTS, owner_email=OWNER),
        created_by="test",
    )
    return created


def meeting(deal_id: str, channel: str = "meeting") -> dict[str, Any]:
    """The rep meets the deal's CFO now (an interaction as the API takes it)."""
    return {
        "id": f"{deal_id}-met-cfo",
        "deal_id": deal_id,
        "at": utcnow().isoformat(),
        "channel": channel,
        "stakeholder_ids": [f"{deal_id}-cfo"],
        "team_member_emails": [REP],
    }


def meet_cfo(store: GraphStore, workspace: str, deal_id: str, channel: str = "meeting") -> str:
    """Record :func:`meeting` in the store; returns the interaction's id."""
    interaction = Interaction.model_validate(meeting(deal_id, channel))
    store.interactions.record(workspace=workspace, interactions=[interaction])
    return interaction.id


def cfo_cleared(events: list[dict[str, Any]], deal_id: str) -> list[dict[str, Any]]:
    """The ``deal.risk_cleared`` events of DM_NEVER_CONTACTED for ``deal_id``."""
    return [
        e
        for e in events
        if e["type"] == "deal.risk_cleared"
        and e["data"]["deal"]["id"] == deal_id
        and e["data"]["flag"]["code"] == "DM_NEVER_CONTACTED"
    ]


def worker_for(
    store: GraphStore,
    settings: Settings,
    workspace: str,
    holder: str | None = None,
) -> DeliveryWorker:
    """A worker of the test's workspace only, under a lease of its own (the store is
    shared with other tests, running at the same time)."""
    return DeliveryWorker(
        store=store,
        settings=settings,
        mailer=lambda: SmtpSender(settings),
        holder=holder,
        workspaces=[workspace],
        lease_name=f"test-{workspace}",
        rng=random.Random(7),
    )
