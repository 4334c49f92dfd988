"""The round after a write on the real store (both backends): it compares only the deals
written or deleted since the revision last evented and those whose due time passed, and
raises exactly what a round comparing every deal would."""

from __future__ import annotations

import random
from datetime import timedelta

from graphsvc.analysis.params import AnalysisParams
from graphsvc.analysis.results import KeptResults
from graphsvc.config import Settings
from graphsvc.domain.models import DealStatus, Influence, Membership, Role, Stance, utcnow
from graphsvc.store.codecs import node_key
from graphsvc.store.repository import GraphStore
from graphsvc.webhooks.raising import EventRaiser
from graphsvc.webhooks.repository import WebhookRepository
from tests.webhooks.conftest import (
    Clock,
    Receiver,
    cfo_cleared,
    meet_cfo,
    seed_deals,
    subscribe,
    worker_for,
)

DEALS = [f"d{i}" for i in range(1, 7)]


def test_the_round_after_a_write_reads_only_the_written_deals(
    store: GraphStore, hook_settings: Settings, workspace: str, receiver: Receiver, clock: Clock
) -> None:
    seed_deals(store, workspace, DEALS)
    subscribe(store, hook_settings, workspace, receiver.url)
    worker = worker_for(store, hook_settings, workspace)
    worker.tick(now=clock.now())
    read: list[tuple[str, dict[str, object]]] = []
    original = store.runner.read

    def counting(name: str, params: dict[str, object]) -> object:
        read.append((name, params))
        return original(name, params)

    meet_cfo(store, workspace, "d2")
    store.runner.read = counting  # type: ignore[method-assign]
    try:
        assert worker.tick(now=clock.now()).events == 1
    finally:
        store.runner.read = original  # type: ignore[method-assign]
    assert len(cfo_cleared(receiver.accepted, "d2")) == 1
    names = [name for name, _ in read]
    # No read of every open deal's result or evented state: only d2's.
    assert "deal_result_status" not in names and "webhook_deal_states" not in names
    [status] = [params for name, params in read if name == "deal_result_status_of"]
    [states] = [params for name, params in read if name == "webhook_deal_states_of"]
    assert status["keys"] == states["keys"] == [node_key(workspace, "d2")]
    assert (worker.raiser.full_rounds, worker.raiser.changed_rounds) == (1, 1)


def _write_something(store: GraphStore, workspace: str, rng: random.Random, live: list[str]) -> str:
    """One seeded write (or none: time passes) on the deals still there; what it was."""
    deal_id = rng.choice(live)
    kind = rng.choice(["meet", "stance", "line", "close", "reopen", "delete", "time"])
    if kind == "meet":
        meet_cfo(store, workspace, deal_id, channel=rng.choice(["meeting", "call"]))
    elif kind == "stance":
        membership = Membership(
            deal_id=deal_id,
            stakeholder_id=f"{deal_id}-champ",
            role=Role.champion,
            stance=rng.choice(list(Stance)),
            at=utcnow(),
        )
        store.record_memberships(workspace=workspace, memberships=[membership])
    elif kind == "line":  # a line between two deals' people touches both deals
        other = rng.choice(live)
        if other != deal_id:
            line = Influence(
                source_id=f"{other}-cfo",
                target_id=f"{deal_id}-cfo",
                strength=rng.choice([0.2, 0.9]),
                at=utcnow(),
            )
            store.record_influences(workspace=workspace, influences=[line])
    elif kind in ("close", "reopen"):
        deal = store.get_deal(workspace=workspace, deal_id=deal_id)
        status = DealStatus.won if kind == "close" else DealStatus.open
        store.upsert_deals(workspace=workspace, deals=[deal.model_copy(update={"status": status})])
    elif kind == "delete" and len(live) > 3:
        store.delete_deal(workspace=workspace, deal_id=deal_id)
        live.remove(deal_id)
    return f"{kind} {deal_id}"


def test_rounds_after_writes_leave_nothing_a_full_round_would_raise(
    store: GraphStore, hook_settings: Settings, workspace: str, receiver: Receiver, clock: Clock
) -> None:
    """After every round that compared only the changed deals, a raiser that remembers
    nothing (it compares every open deal and every evented state) finds no event left
    to raise: nothing was missed, time-raised flags included; and none came twice."""
    # A lease longer than the days this test lets pass: one process holds it throughout
    # (another one taking it over makes the next round read every deal).
    settings = hook_settings.model_copy(update={"webhook_lease_seconds": 400 * 86_400.0})
    seed_deals(store, workspace, DEALS)
    subscribe(store, settings, workspace, receiver.url)
    worker = worker_for(store, settings, workspace)
    worker.tick(now=clock.now())
    rng = random.Random(20261129)
    live = list(DEALS)
    for step in range(24):
        done = _write_something(store, workspace, rng, live)
        now = clock.advance(timedelta(days=rng.choice([0, 0, 3, 20])))
        worker.tick(now=now)
        checker = EventRaiser(
            store=store,
            settings=hook_settings,
            repository=WebhookRepository(store.runner),
            kept=KeptResults(store=store, params=AnalysisParams.from_settings(hook_settings)),
            workspaces=[workspace],
        )
        assert checker.raise_events(workspace=workspace, now=now) == 0, (step, done)
    assert worker.raiser.full_rounds == 1 and worker.raiser.changed_rounds > 0
    ids = [e["id"] for e in receiver.accepted]
    assert len(ids) == len(set(ids)) and len(ids) > 0


def test_after_another_process_held_the_lease_every_deal_is_read_again(
    store: GraphStore, hook_settings: Settings, workspace: str, receiver: Receiver, clock: Clock
) -> None:
    seed_deals(store, workspace, ["d1", "d2"])
    subscribe(store, hook_settings, workspace, receiver.url)
    first = worker_for(store, hook_settings, workspace, holder="first")
    second = worker_for(store, hook_settings, workspace, holder="second")
    now = clock.now()
    assert first.tick(now=now).leader
    first.release()
    meet_cfo(store, workspace, "d1")
    assert second.tick(now=now + timedelta(seconds=1)).leader
    second.release()
    meet_cfo(store, workspace, "d2")
    # The first process's memory is from before the second one evented: it reads all.
    assert first.tick(now=now + timedelta(seconds=2)).leader
    assert first.raiser.full_rounds == 2 and first.raiser.changed_rounds == 0
    assert len(cfo_cleared(receiver.accepted, "d1")) == 1
    assert len(cfo_cleared(receiver.accepted, "d2")) == 1
