"""``deal.closed`` on the real store (both backends): raised once when a deal evented
open is won or lost, from the same evented-state path as the other deal events; a
reopened deal starts again, a deleted one raises nothing; and an idle round reads no
deal."""

from __future__ import annotations

from datetime import date

from graphsvc.config import Settings
from graphsvc.domain.models import DealStatus
from graphsvc.store.repository import GraphStore
from graphsvc.webhooks.repository import WebhookRepository
from tests.webhooks.conftest import (
    OWNER,
    Clock,
    Receiver,
    seed_deals,
    subscribe,
    worker_for,
)


def _closed(receiver: Receiver) -> list[dict[str, object]]:
    return [e for e in receiver.accepted if e["type"] == "deal.closed"]


def test_a_deal_closing_raises_deal_closed_once(
    store: GraphStore, hook_settings: Settings, workspace: str, receiver: Receiver, clock: Clock
) -> None:
    seed_deals(store, workspace, ["d1", "d2", "d3"])
    subscribe(store, hook_settings, workspace, receiver.url)
    worker = worker_for(store, hook_settings, workspace)
    worker.tick(now=clock.now())
    won = store.get_deal(workspace=workspace, deal_id="d1").model_copy(
        update={
            "status": DealStatus.won,
            "amount": 125000.0,
            "currency": "EUR",
            "close_date": date(2026, 11, 27),
        }
    )
    lost = store.get_deal(workspace=workspace, deal_id="d2").model_copy(
        update={"status": DealStatus.lost}
    )
    store.upsert_deals(workspace=workspace, deals=[won, lost])
    store.delete_deal(workspace=workspace, deal_id="d3")
    report = worker.tick(now=clock.now())
    assert report.events == 2
    events = {e["data"]["deal"]["id"]: e for e in _closed(receiver)}  # type: ignore[index]
    assert sorted(events) == ["d1", "d2"]
    assert events["d1"]["data"] == {
        "deal": {"id": "d1", "name": "Deal d1", "owner_email": OWNER},
        "outcome": "won",
        "amount": 125000.0,
        "currency": "EUR",
        "close_date": "2026-11-27",
        "stage": None,
        "flags": events["d1"]["data"]["flags"],  # type: ignore[index]
    }
    assert "DM_NEVER_CONTACTED" in events["d1"]["data"]["flags"]  # type: ignore[index]
    assert events["d2"]["data"]["outcome"] == "lost"  # type: ignore[index]
    assert events["d2"]["data"]["amount"] is None  # type: ignore[index]
    states = WebhookRepository(store.runner).deal_states(workspace=workspace)
    assert (states["d1"].status, states["d2"].status, states["d3"].status) == (
        "won",
        "lost",
        "deleted",
    )
    # Once: later rounds raise it no more.
    assert worker.tick(now=clock.now()).events == 0
    assert len(_closed(receiver)) == 2
    # Reopened, the deal raises its flags again, like a new one.
    store.upsert_deals(
        workspace=workspace, deals=[won.model_copy(update={"status": DealStatus.open})]
    )
    worker.tick(now=clock.now())
    raised = [
        e
        for e in receiver.accepted
        if e["type"] == "deal.risk_raised" and e["data"]["deal"]["id"] == "d1"
    ]
    assert "DM_NEVER_CONTACTED" in [e["data"]["flag"]["code"] for e in raised]
    assert len(_closed(receiver)) == 2


def test_an_idle_round_reads_no_deal(
    store: GraphStore, hook_settings: Settings, workspace: str, receiver: Receiver, clock: Clock
) -> None:
    seed_deals(store, workspace, ["d1", "d2"])
    subscribe(store, hook_settings, workspace, receiver.url)
    worker = worker_for(store, hook_settings, workspace)
    worker.tick(now=clock.now())
    read: list[str] = []
    original = store.runner.read

    def counting(name: str, params: dict[str, object]) -> object:
        read.append(name)
        return original(name, params)

    store.runner.read = counting  # type: ignore[method-assign]
    try:
        assert worker.tick(now=clock.now()).events == 0
    finally:
        store.runner.read = original  # type: ignore[method-assign]
    assert "deal_result_status" not in read and "webhook_deal_states" not in read
    # A write ends the quiet: the next round reads again and raises the change.
    store.upsert_deals(
        workspace=workspace,
        deals=[
            store.get_deal(workspace=workspace, deal_id="d1").model_copy(
                update={"status": DealStatus.won}
            )
        ],
    )
    assert worker.tick(now=clock.now()).events == 1
