"""The delivery worker's limits, on the real store (both backends) with real HTTP
receivers on loopback: retention purges what ended long ago (never what is pending), a
slow receiver does not hold up the others, and a worker whose lease is taken over
mid-tick sends nothing the new holder sends."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

from graphsvc.config import Settings
from graphsvc.domain.models import to_ms
from graphsvc.errors import NotFound
from graphsvc.store.repository import GraphStore
from graphsvc.webhooks.repository import WebhookRepository
from graphsvc.webhooks.service import WebhookService
from tests.webhooks.conftest import (
    Clock,
    Delivery,
    Receiver,
    cfo_cleared,
    meet_cfo,
    seed_deals,
    subscribe,
    worker_for,
)


def test_retention_purges_ended_deliveries_in_batches_and_keeps_pending_ones(
    store: GraphStore, hook_settings: Settings, workspace: str, receiver: Receiver, clock: Clock
) -> None:
    settings = hook_settings.model_copy(update={"webhook_purge_batch": 1})
    seed_deals(store, workspace, ["d1", "d2"])
    hook = subscribe(store, settings, workspace, receiver.url)
    worker = worker_for(store, settings, workspace)
    worker.tick(now=clock.now())
    meet_cfo(store, workspace, "d1")
    assert worker.tick(now=clock.now()).delivered >= 1
    delivered = [e["id"] for e in receiver.accepted]
    receiver.status = 503
    meet_cfo(store, workspace, "d2")
    assert worker.tick(now=clock.now()).failed_attempts >= 1
    service = WebhookService(store=store, settings=settings)
    log_before = service.deliveries(workspace=workspace, webhook_id=hook.id, limit=100, cursor=None)
    repository = WebhookRepository(store.runner)
    pending_before = repository.pending(workspace=workspace, now=0, limit=100)
    assert pending_before and {p.event_id for p in pending_before}.isdisjoint(delivered)

    # 29 days on, nothing is old enough.
    assert worker.purge(now_ms=to_ms(clock.now() + timedelta(days=29))) == 0
    # 32 days on: one delivery (and one event) per call, until nothing is left to purge.
    later = to_ms(clock.now() + timedelta(days=32))
    counts = []
    while (purged := worker.purge(now_ms=later)) > 0:
        assert purged <= 2
        counts.append(purged)
    assert sum(counts) >= 2 * len(delivered)

    log_after = service.deliveries(workspace=workspace, webhook_id=hook.id, limit=100, cursor=None)
    assert {a.delivery_id for a in log_after.items} == {p.event_id for p in pending_before}
    assert len(log_after.items) < len(log_before.items)
    for event_id in delivered:
        try:
            service.redeliver(workspace=workspace, webhook_id=hook.id, delivery_id=event_id)
        except NotFound:
            continue
        raise AssertionError(f"{event_id} was delivered 32 days ago and should be purged")
    # The pending delivery and its event are kept: it is still sent when the receiver
    # recovers.
    assert repository.pending(workspace=workspace, now=0, limit=100) == pending_before
    receiver.status = 200
    worker.tick(now=clock.advance(timedelta(hours=2)))
    assert len(cfo_cleared(receiver.accepted, "d2")) == 1


def test_a_slow_receiver_does_not_hold_up_the_others(
    store: GraphStore,
    hook_settings: Settings,
    workspace: str,
    receivers: Callable[..., Receiver],
    clock: Clock,
) -> None:
    settings = hook_settings.model_copy(update={"webhook_concurrency": 2})
    slow, fast = receivers(), receivers()
    fast_arrived = threading.Event()
    waited: list[bool] = []
    # The slow receiver answers only once the fast one has had its request (or after
    # 5 s, within the 10 s timeout): delivered one after the other, it would wait in vain.
    slow.on_request = lambda delivery: waited.append(fast_arrived.wait(timeout=5))
    fast.on_request = lambda delivery: fast_arrived.set()
    seed_deals(store, workspace, ["d1"])
    subscribe(store, settings, workspace, slow.url)
    subscribe(store, settings, workspace, fast.url)
    worker = worker_for(store, settings, workspace)
    worker.tick(now=clock.now())
    meet_cfo(store, workspace, "d1")
    report = worker.tick(now=clock.now())
    assert waited and waited[0] is True
    assert len(cfo_cleared(slow.accepted, "d1")) == 1
    assert len(cfo_cleared(fast.accepted, "d1")) == 1
    assert report.failed_attempts == 0
    # Each receiver got the deal's events once, in the order they were raised.
    assert [e["id"] for e in slow.accepted] == [e["id"] for e in fast.accepted]


def test_a_worker_whose_lease_is_taken_over_mid_tick_sends_no_more(
    store: GraphStore, hook_settings: Settings, workspace: str, receiver: Receiver, clock: Clock
) -> None:
    deals = ["d1", "d2", "d3"]
    seed_deals(store, workspace, deals)
    subscribe(store, hook_settings, workspace, receiver.url)
    first = worker_for(store, hook_settings, workspace, holder="first")
    second = worker_for(store, hook_settings, workspace, holder="second")
    first.tick(now=clock.now())
    for deal_id in deals:
        meet_cfo(store, workspace, deal_id)
    start = clock.now()
    took_over: list[bool] = []
    in_flight: list[str] = []
    lease_over = start + timedelta(seconds=hook_settings.webhook_lease_seconds + 30)

    def take_over(delivery: Delivery) -> None:
        # While the first worker's first delivery is in flight, its lease (and the
        # delivery's claim) runs out; the second worker takes the lease over and
        # delivers everything pending.
        if not in_flight:
            in_flight.append(delivery.event["id"])
            took_over.append(second.tick(now=lease_over).leader)

    receiver.on_request = take_over
    report = first.tick(now=start)
    assert took_over == [True] and report.leader
    # The first worker sent only the delivery it had claimed before it lost the lease;
    # that one (its claim ran out while in flight) is the only one sent twice.
    assert report.delivered == 1
    sent = Counter(e["id"] for e in receiver.accepted)
    assert {event_id for event_id, n in sent.items() if n > 1} == {in_flight[0]}
    assert len(receiver.requests) == len(sent) + 1
    for deal_id in deals:
        assert len({e["id"] for e in cfo_cleared(receiver.accepted, deal_id)}) == 1
    # Nothing is left: the new holder delivered it all.
    assert second.tick(now=lease_over + timedelta(seconds=1)).delivered == 0
