"""Delivery on the real store (both backends) to a real HTTP receiver on loopback:
signed events, retries in order per deal, restarts, the lease, disabling and the
owner's e-mail (a real SMTP server)."""

from __future__ import annotations

from datetime import timedelta

from graphsvc.config import Settings
from graphsvc.domain.models import (
    Membership,
    MembershipEnd,
    Role,
    Stance,
    utcnow,
)
from graphsvc.services.versioned import NO_CONDITION
from graphsvc.store.repository import GraphStore
from graphsvc.webhooks.events import deal_events
from graphsvc.webhooks.repository import WebhookRepository
from graphsvc.webhooks.service import WebhookService
from tests.alerts.conftest import SmtpServer
from tests.webhooks.conftest import (
    OWNER,
    Clock,
    Receiver,
    cfo_cleared,
    meet_cfo,
    seed_deals,
    subscribe,
)
from tests.webhooks.conftest import worker_for as _worker


def test_a_change_is_delivered_once_and_signed(
    store: GraphStore, hook_settings: Settings, workspace: str, receiver: Receiver, clock: Clock
) -> None:
    seed_deals(store, workspace, ["d1"])
    hook = subscribe(store, hook_settings, workspace, receiver.url)
    worker = _worker(store, hook_settings, workspace)
    first = worker.tick(now=clock.now())
    assert first.leader and first.events == 0  # the baseline: old news is no event
    assert receiver.requests == []
    meet_cfo(store, workspace, "d1")
    report = worker.tick(now=clock.now())
    assert report.delivered >= 1
    cleared = cfo_cleared(receiver.accepted, "d1")
    assert len(cleared) == 1
    event = cleared[0]
    assert event["id"].startswith("evt_") and event["workspace"] == workspace
    assert event["data"]["deal"] == {"id": "d1", "name": "Deal d1", "owner_email": OWNER}
    receiver.verify_all(hook.secret)
    headers = receiver.requests[0].headers
    assert headers["x-graphsvc-event"] == receiver.requests[0].event["type"]
    # Nothing changed since: nothing more.
    again = worker.tick(now=clock.now())
    assert again.events == 0 and again.delivered == 0
    ids = [e["id"] for e in receiver.accepted]
    assert len(ids) == len(set(ids))


def _flag_events(events: list[dict[str, object]], deal_id: str) -> list[tuple[str, str]]:
    return [
        (str(e["type"]), e["data"]["flag"]["code"])  # type: ignore[index]
        for e in events
        if str(e["type"]).startswith("deal.risk_")
        and e["data"]["deal"]["id"] == deal_id  # type: ignore[index]
        and e["data"]["flag"]["code"] == "DM_NEVER_CONTACTED"  # type: ignore[index]
    ]


def test_a_failing_receiver_that_recovers_gets_every_event_once_in_order(
    store: GraphStore, hook_settings: Settings, workspace: str, receiver: Receiver, clock: Clock
) -> None:
    seed_deals(store, workspace, ["d1", "d2"])
    hook = subscribe(store, hook_settings, workspace, receiver.url)
    worker = _worker(store, hook_settings, workspace)
    worker.tick(now=clock.now())
    receiver.status = 503
    met = meet_cfo(store, workspace, "d1")
    first = worker.tick(now=clock.now())
    assert first.events >= 1 and first.delivered == 0 and first.failed_attempts >= 1
    # A later change of the same deal waits behind the first one.
    store.interactions.delete(workspace=workspace, interaction_id=met)
    meet_cfo(store, workspace, "d2")
    second = worker.tick(now=clock.now())
    assert second.events >= 2
    d1_requests = [r for r in receiver.requests if r.event["data"]["deal"]["id"] == "d1"]
    assert {r.event["id"] for r in d1_requests} == {d1_requests[0].event["id"]}
    # Retries back off: nothing is due a minute later.
    assert worker.tick(now=clock.advance(timedelta(seconds=20))).failed_attempts == 0
    receiver.status = 200
    recovered = worker.tick(now=clock.advance(timedelta(hours=3)))
    assert recovered.delivered >= 3
    assert _flag_events(receiver.accepted, "d1") == [
        ("deal.risk_cleared", "DM_NEVER_CONTACTED"),
        ("deal.risk_raised", "DM_NEVER_CONTACTED"),
    ]
    assert _flag_events(receiver.accepted, "d2") == [("deal.risk_cleared", "DM_NEVER_CONTACTED")]
    ids = [e["id"] for e in receiver.accepted]
    assert len(ids) == len(set(ids))
    assert worker.tick(now=clock.advance(timedelta(hours=1))).delivered == 0
    receiver.verify_all(hook.secret)
    log = WebhookService(store=store, settings=hook_settings).deliveries(
        workspace=workspace, webhook_id=hook.id, limit=100, cursor=None
    )
    assert {a.status_code for a in log.items} == {503, 200}
    assert all(a.delivery_status.value == "delivered" for a in log.items)


def test_a_restart_in_the_middle_loses_no_event(
    store: GraphStore, hook_settings: Settings, workspace: str, receiver: Receiver, clock: Clock
) -> None:
    seed_deals(store, workspace, ["d1"])
    subscribe(store, hook_settings, workspace, receiver.url)
    crashed = _worker(store, hook_settings, workspace, holder="process-a")
    crashed.tick(now=clock.now())
    receiver.status = 500
    meet_cfo(store, workspace, "d1")
    assert crashed.tick(now=clock.now()).events >= 1
    # The process dies without giving the lease up; the next one waits for it to expire.
    restarted = _worker(store, hook_settings, workspace, holder="process-b")
    assert not restarted.tick(now=clock.advance(timedelta(seconds=1))).leader
    receiver.status = 200
    later = clock.advance(timedelta(seconds=hook_settings.webhook_lease_seconds + 5, hours=1))
    report = restarted.tick(now=later)
    assert report.leader and report.events == 0 and report.delivered >= 1
    assert len(cfo_cleared(receiver.accepted, "d1")) == 1
    ids = [e["id"] for e in receiver.accepted]
    assert len(ids) == len(set(ids))


def test_raising_the_same_events_twice_writes_them_once(
    store: GraphStore, hook_settings: Settings, workspace: str, receiver: Receiver, clock: Clock
) -> None:
    """The crash window between computing events and advancing the deal's state: the
    same rows written again (a repeat after a crash) change nothing."""
    seed_deals(store, workspace, ["d1"])
    subscribe(store, hook_settings, workspace, receiver.url)
    worker = _worker(store, hook_settings, workspace)
    worker.tick(now=clock.now())
    meet_cfo(store, workspace, "d1")
    repository = WebhookRepository(store.runner)
    now = clock.now()
    risk = next(r for r in worker.kept.risks(workspace=workspace, at=now) if r.deal_id == "d1")
    before = repository.deal_states(workspace=workspace)["d1"]
    found = deal_events(
        workspace=workspace,
        risk=risk,
        before=before,
        rev=0,
        step=hook_settings.webhook_support_step,
        created_ms=int(now.timestamp() * 1000),
    )
    assert found is not None and found.events
    for _ in range(2):
        repository.emit(workspace=workspace, rows=[found.row(workspace)], now=0)
    pending = repository.pending(workspace=workspace, now=0, limit=100)
    assert sorted(p.event_id for p in pending) == sorted(e["id"] for e in found.events)
    assert repository.deal_states(workspace=workspace)["d1"].gen == before.gen + 1
    # The worker sees the state already advanced: no second copy.
    report = worker.tick(now=clock.now())
    assert report.events == 0 and report.delivered == len(found.events)


def test_two_workers_only_one_holds_the_lease(
    store: GraphStore, hook_settings: Settings, workspace: str, receiver: Receiver
) -> None:
    seed_deals(store, workspace, ["d1"])
    subscribe(store, hook_settings, workspace, receiver.url)
    first = _worker(store, hook_settings, workspace, holder="first")
    second = _worker(store, hook_settings, workspace, holder="second")
    now = utcnow()
    assert first.tick(now=now).leader
    assert not second.tick(now=now).leader
    assert first.tick(now=now + timedelta(seconds=30)).leader  # renewed
    assert not second.tick(now=now + timedelta(seconds=75)).leader
    first.release()
    assert second.tick(now=now + timedelta(seconds=76)).leader
    assert not first.tick(now=now + timedelta(seconds=77)).leader
    expired = now + timedelta(seconds=77 + hook_settings.webhook_lease_seconds + 1)
    assert first.tick(now=expired).leader


def test_a_subscription_failing_for_three_days_is_disabled_and_its_owner_told(
    store: GraphStore,
    hook_settings: Settings,
    workspace: str,
    receiver: Receiver,
    smtp_server: SmtpServer,
    clock: Clock,
) -> None:
    settings = hook_settings.model_copy(
        update={"smtp_host": smtp_server.host, "smtp_port": smtp_server.port}
    )
    seed_deals(store, workspace, ["d1"])
    hook = subscribe(store, settings, workspace, receiver.url)
    worker = _worker(store, settings, workspace)
    worker.tick(now=clock.now())
    receiver.status = 500
    meet_cfo(store, workspace, "d1")
    first_failure = clock.now()
    worker.tick(now=first_failure)
    for hours in (1, 24, 48, 71):
        report = worker.tick(now=first_failure + timedelta(hours=hours))
        assert report.disabled == []
    clock.advance(timedelta(hours=72))
    given_up = worker.tick(now=first_failure + timedelta(hours=72, seconds=1))
    assert given_up.disabled == [hook.id] and given_up.notified == [hook.id]
    [mail] = smtp_server.received
    assert mail.rcpt_tos == [OWNER]
    assert hook.id in str(mail.message["Subject"])
    assert receiver.url in mail.message.get_content()
    service = WebhookService(store=store, settings=settings)
    read, _ = service.get_tagged(workspace=workspace, webhook_id=hook.id)
    assert not read.active and read.disabled_at is not None
    # Told once; nothing is delivered to a disabled subscription.
    requests = len(receiver.requests)
    later = worker.tick(now=first_failure + timedelta(hours=80))
    assert later.notified == [] and len(receiver.requests) == requests
    assert len(smtp_server.received) == 1
    # Its owner re-enables it once the receiver works: it starts afresh.
    written = service.update(
        workspace=workspace, webhook_id=hook.id, patch={"active": True}, condition=NO_CONDITION
    )
    assert written.record.active and written.record.failing_since is None
    assert written.record.disabled_at is None


def test_support_and_decision_maker_changes_and_a_flag_time_raises(
    store: GraphStore, hook_settings: Settings, workspace: str, receiver: Receiver, clock: Clock
) -> None:
    seed_deals(store, workspace, ["d1"])
    subscribe(store, hook_settings, workspace, receiver.url)
    worker = _worker(store, hook_settings, workspace)
    worker.tick(now=clock.now())
    # The champion turns against us: support falls through at least one step.
    store.record_memberships(
        workspace=workspace,
        memberships=[
            Membership(
                deal_id="d1",
                stakeholder_id="d1-champ",
                role=Role.champion,
                stance=Stance.blocker,
                at=utcnow(),
            )
        ],
    )
    worker.tick(now=clock.now())
    [support] = [e for e in receiver.accepted if e["type"] == "deal.support_changed"]
    assert support["data"]["support"]["direction"] == "down"
    assert support["data"]["support"]["level"] < support["data"]["support"]["previous_level"]
    # The decision-maker leaves the committee: the engine's best guess (unconfirmed) is
    # the champion now.
    store.end_memberships(
        workspace=workspace,
        ends=[MembershipEnd(deal_id="d1", stakeholder_id="d1-cfo", at=utcnow())],
    )
    worker.tick(now=clock.now())
    [changed] = [e for e in receiver.accepted if e["type"] == "deal.decision_maker_changed"]
    assert changed["data"]["previous_decision_maker_id"] == "d1-cfo"
    assert changed["data"]["decision_maker"]["stakeholder_id"] == "d1-champ"
    assert changed["data"]["decision_maker"]["confirmed"] is False
    # No write for 40 days: STALE is raised by time alone, once.
    before = len(receiver.accepted)
    worker.tick(now=clock.advance(timedelta(days=40)))
    stale = [
        e
        for e in receiver.accepted[before:]
        if e["type"] == "deal.risk_raised" and e["data"]["flag"]["code"] == "STALE"
    ]
    assert len(stale) == 1
    for _ in range(2):  # later rounds (other flags may move with time) raise it no more
        worker.tick(now=clock.advance(timedelta(days=1)))
    assert [
        e
        for e in receiver.accepted
        if e["type"] == "deal.risk_raised" and e["data"]["flag"]["code"] == "STALE"
    ] == stale
    ids = [e["id"] for e in receiver.accepted]
    assert len(ids) == len(set(ids))


def test_after_a_time_without_subscriptions_events_start_afresh(
    store: GraphStore, hook_settings: Settings, workspace: str, receiver: Receiver, clock: Clock
) -> None:
    seed_deals(store, workspace, ["d1", "d2"])
    first = subscribe(store, hook_settings, workspace, receiver.url)
    worker = _worker(store, hook_settings, workspace)
    worker.tick(now=clock.now())
    service = WebhookService(store=store, settings=hook_settings)
    service.delete(workspace=workspace, webhook_id=first.id, condition=NO_CONDITION)
    worker.tick(now=clock.now())
    meet_cfo(store, workspace, "d1")  # nobody listens: no news for the next subscriber
    subscribe(store, hook_settings, workspace, receiver.url)
    assert worker.tick(now=clock.now()).events == 0
    meet_cfo(store, workspace, "d2")
    worker.tick(now=clock.now())
    assert cfo_cleared(receiver.accepted, "d1") == []
    assert len(cfo_cleared(receiver.accepted, "d2")) == 1


def test_an_owner_not_reachable_when_disabled_is_told_at_a_later_tick(
    store: GraphStore,
    hook_settings: Settings,
    workspace: str,
    receiver: Receiver,
    smtp_server: SmtpServer,
    clock: Clock,
) -> None:
    mail_down = hook_settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": 9, "alerts_send_attempts": 1}
    )
    seed_deals(store, workspace, ["d1"])
    hook = subscribe(store, mail_down, workspace, receiver.url)
    worker = _worker(store, mail_down, workspace, holder="this-process")
    worker.tick(now=clock.now())
    receiver.status = 500
    meet_cfo(store, workspace, "d1")
    first_failure = clock.now()
    worker.tick(now=first_failure)
    disabled = worker.tick(now=first_failure + timedelta(days=3, seconds=1))
    assert disabled.disabled == [hook.id] and disabled.notified == []
    # The mail server is back; the workspace has no active subscription any more.
    mail_up = mail_down.model_copy(
        update={"smtp_host": smtp_server.host, "smtp_port": smtp_server.port}
    )
    worker = _worker(store, mail_up, workspace, holder="this-process")
    told = worker.tick(now=first_failure + timedelta(days=3, minutes=1))
    assert told.notified == [hook.id]
    assert [m.rcpt_tos for m in smtp_server.received] == [[OWNER]]
    assert worker.tick(now=first_failure + timedelta(days=3, minutes=2)).notified == []
