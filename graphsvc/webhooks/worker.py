"""The delivery worker: raises deal events from the kept analysis results into the
store's outbox, delivers them signed, retries with backoff, logs every attempt and
disables subscriptions that keep failing (telling their owners).

``graphsvc serve`` runs one in a background thread of every API process; a lease kept
in the store (one conditional statement: taken when free, expired or already ours,
renewed at every tick, given up at shutdown) lets exactly one of them work at a time.
Tests drive it with :meth:`DeliveryWorker.tick` and an explicit ``now``.

Order: the outbox is read oldest event first, and per subscription and deal (a *lane*;
import events share one lane) only the oldest pending delivery is sent; the next waits
until it is delivered or given up. At least once: a delivery is marked only after the
receiver's 2xx, so a crash in between sends it again (the event id lets the receiver
de-duplicate).

Concurrency: each subscription's due deliveries are sent by one task of a small pool
(``webhook_concurrency``), so a slow receiver holds up only its own deliveries.

Fencing: the lease has a generation, bumped when another process takes it. Each attempt
is claimed just before it is sent, in one conditional statement that checks the lease
is still ours at that generation and unexpired (and renews it): a process whose lease
was taken over mid-tick sends nothing more. Only a send already under way when its
claim (the lease period) ran out can reach the receiver twice.

Retention: each tick purges one bounded batch of what ended more than
``webhook_retention_days`` ago (see :meth:`DeliveryWorker.purge`).
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from typing import Protocol

from graphsvc.analysis.params import AnalysisParams
from graphsvc.analysis.results import KeptResults
from graphsvc.config import Settings
from graphsvc.domain.models import to_ms, utcnow
from graphsvc.store.repository import GraphStore
from graphsvc.webhooks.notify import disabled_notice
from graphsvc.webhooks.raising import EventRaiser
from graphsvc.webhooks.repository import (
    LEASE_NAME,
    AttemptRecord,
    DeliveryClaim,
    PendingDelivery,
    WebhookRepository,
)
from graphsvc.webhooks.sending import SendResult, post, tls_context
from graphsvc.webhooks.signing import SIGNATURE_HEADER, signature_header
from graphsvc.webhooks.targets import Resolver, TargetRefused, resolve_target, system_resolve

log = logging.getLogger("graphsvc.webhooks")

_PENDING_READ = 1000
_USER_AGENT = "graphsvc-webhooks/1"


class MailOutcome(Protocol):
    @property
    def status(self) -> str:  # "sent", "rejected" or "failed" (to be tried again)
        ...


class MailSender(Protocol):
    """What sends the owners' e-mails: the alerts' ``SmtpSender`` (handed in by the
    entry points, which sit above both packages)."""

    def send(self, message: EmailMessage) -> MailOutcome: ...


Mailer = Callable[[], AbstractContextManager[MailSender]]


@dataclass
class TickReport:
    """What one tick did (``leader``: it held the lease; else it did nothing)."""

    leader: bool
    events: int = 0
    delivered: int = 0
    failed_attempts: int = 0
    given_up: int = 0
    disabled: list[str] = field(default_factory=list)
    notified: list[str] = field(default_factory=list)
    purged: int = 0  # deliveries and events let go by retention


@dataclass(frozen=True)
class _Fence:
    """The lease generation a tick holds and the clock its claims are dated by: the
    tick's instant plus the time the tick has taken so far."""

    gen: int
    now_ms: int
    started: float  # time.monotonic() at the tick's start

    def at_ms(self) -> int:
        return self.now_ms + round((time.monotonic() - self.started) * 1000)


def retry_wait_ms(
    attempt: int, *, base_seconds: float, max_seconds: float, rng: random.Random
) -> int:
    """The wait after failed attempt ``attempt``: exponential backoff (base * 2^(n-1),
    capped) times a random factor in [0.5, 1), so failing receivers are not all
    retried at once.

    >>> waits = [retry_wait_ms(n, base_seconds=30, max_seconds=3600, rng=random.Random(1))
    ...          for n in (1, 2, 8)]
    >>> 15_000 <= waits[0] < 30_000, 30_000 <= waits[1] < 60_000, 1_800_000 <= waits[2] < 3_600_000
    (True, True, True)
    """
    wait = min(base_seconds * 2 ** min(attempt - 1, 30), max_seconds)
    return round(wait * (0.5 + 0.5 * rng.random()) * 1000)


def lease_name(workspaces: Sequence[str]) -> str:
    """The lease of the processes delivering ``workspaces`` (empty: all of them).

    >>> lease_name([]), lease_name(["b", "a"])
    ('delivery', 'delivery:a,b')
    """
    return LEASE_NAME + (":" + ",".join(sorted(workspaces)) if workspaces else "")


class DeliveryWorker:
    def __init__(
        self,
        *,
        store: GraphStore,
        settings: Settings,
        mailer: Mailer,
        holder: str | None = None,
        workspaces: Sequence[str] | None = None,
        lease_name: str = LEASE_NAME,
        rng: random.Random | None = None,
        resolve: Resolver = system_resolve,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.settings = settings
        self.repository = WebhookRepository(store.runner)
        self.kept = KeptResults(store=store, params=AnalysisParams.from_settings(settings))
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        # The jitter of retry waits; tests pass a seeded one.
        self.rng = rng or random.Random()  # jitter, not a secret
        self.resolve = resolve
        self.clock = clock
        self.mailer = mailer
        # Only these workspaces (None: every one with an active subscription), under a
        # lease of this name: the processes sharing a lease deliver one at a time.
        self.workspaces = sorted(workspaces) if workspaces else None
        self.lease_name = lease_name
        # Certificates of https receivers are always verified, against the configured
        # authorities when there are (an on-premises CA), else the system's.
        self.tls = tls_context(settings.webhook_ca_bundle)
        self.raiser = EventRaiser(
            store=store,
            settings=settings,
            repository=self.repository,
            kept=self.kept,
            workspaces=self.workspaces,
        )
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lease_gen: int | None = None  # the lease generation of this worker's last tick

    # -- one tick

    def tick(self, *, now: datetime | None = None) -> TickReport:
        """Take (or renew) the lease; if ours: raise new events, deliver what is due,
        disable subscriptions failing for too long and purge what retention lets go."""
        moment = now or self.clock()
        now_ms = to_ms(moment)
        gen = self._take_lease(now_ms)
        if gen is None:
            return TickReport(leader=False)
        if gen != self._lease_gen:
            # Another process held the lease since this one's last round and may have
            # evented meanwhile: read every deal once more rather than only the changed.
            self.raiser.forget()
            self._lease_gen = gen
        report = TickReport(leader=True)
        active = self.repository.active_workspaces()
        if self.workspaces is not None:
            active = [w for w in active if w in self.workspaces]
        for workspace in self.repository.baseline_workspaces():
            if workspace not in active and (
                self.workspaces is None or workspace in self.workspaces
            ):
                self.repository.clear_baseline(workspace=workspace)
        report.events += self.raiser.raise_abandoned_imports(now_ms=now_ms)
        started = time.monotonic()
        for workspace in active:
            report.events += self.raiser.raise_events(workspace=workspace, now=moment)
            # Raising a large workspace's first events can take a while: renew the
            # lease before delivering (a lease another process took meanwhile ends the
            # round; its new holder delivers).
            fence = _Fence(gen, now_ms, started)
            renewed = self._take_lease(fence.at_ms())
            if renewed is None:
                return report
            gen = renewed
            self._deliver(workspace, _Fence(gen, now_ms, started), report)
            self._disable_failing(workspace, now_ms, report)
        report.purged = self.purge(now_ms=now_ms)
        self._tell_owners(now_ms, report)
        return report

    run_once = tick

    def _lease_ms(self) -> int:
        return round(self.settings.webhook_lease_seconds * 1000)

    def _take_lease(self, now_ms: int) -> int | None:
        return self.repository.take_lease(
            name=self.lease_name,
            holder=self.holder,
            now=now_ms,
            expires_at=now_ms + self._lease_ms(),
        )

    def release(self) -> None:
        """Give the lease up (another process takes it at its next tick)."""
        self.repository.release_lease(name=self.lease_name, holder=self.holder)

    # -- retention

    def purge(self, *, now_ms: int) -> int:
        """Delete one batch of deliveries that ended more than the retention period ago
        (with their delivery log) and one batch of events nothing refers to any more;
        pending deliveries and their events are kept. Events are kept a retry window
        longer than deliveries, the longest a delivery can run after its event."""
        cutoff = now_ms - round(self.settings.webhook_retention_days * 86_400_000)
        window_ms = round(self.settings.webhook_retry_hours * 3_600_000)
        return self.repository.purge(
            cutoff=cutoff,
            event_cutoff=cutoff - window_ms,
            workspaces=self.workspaces,
            limit=self.settings.webhook_purge_batch,
        )

    def raise_events(self, *, workspace: str, now: datetime) -> int:
        """See :meth:`EventRaiser.raise_events`."""
        return self.raiser.raise_events(workspace=workspace, now=now)

    # -- delivery

    def _deliver(self, workspace: str, fence: _Fence, report: TickReport) -> None:
        """Send what is due, each subscription's deliveries in a task of a small pool
        (a slow receiver holds up only its own), each lane of it in order."""
        by_hook: dict[str, dict[str, list[PendingDelivery]]] = {}
        for pending in self.repository.pending(
            workspace=workspace, now=fence.now_ms, limit=_PENDING_READ
        ):
            by_hook.setdefault(pending.webhook_key, {}).setdefault(pending.lane, []).append(pending)
        if not by_hook:
            return
        lock = threading.Lock()
        hooks = [list(lanes.values()) for lanes in by_hook.values()]
        size = min(self.settings.webhook_concurrency, len(hooks))
        if size == 1:
            for lanes in hooks:
                self._deliver_to_one(lanes, fence, report, lock)
            return
        with ThreadPoolExecutor(max_workers=size, thread_name_prefix="graphsvc-hook") as pool:
            for done in [
                pool.submit(self._deliver_to_one, lanes, fence, report, lock) for lanes in hooks
            ]:
                done.result()

    def _deliver_to_one(
        self,
        lanes: list[list[PendingDelivery]],
        fence: _Fence,
        report: TickReport,
        lock: threading.Lock,
    ) -> None:
        """One subscription's due deliveries, lane by lane, oldest first in each. After
        a failed attempt the subscription waits for the next tick (its receiver is down
        or slow: every other attempt would likely wait out the timeout too)."""
        for queue in lanes:
            for pending in queue:
                if pending.next_at > fence.now_ms:
                    break  # the lane's oldest is not due: the later ones wait behind it
                at_ms = fence.at_ms()
                claim = DeliveryClaim(
                    lease_name=self.lease_name,
                    holder=self.holder,
                    gen=fence.gen,
                    delivery_key=pending.key,
                    attempts=pending.attempts,
                    now=at_ms,
                    expires_at=at_ms + self._lease_ms(),
                )
                if not self.repository.claim(claim):
                    # The lease was taken over (or another holder's claim runs): what
                    # is left is the new holder's to send.
                    break
                outcome = self._attempt(pending, fence.now_ms, report, lock)
                if outcome == "failed_attempt":
                    return
                if outcome == "pending":
                    break

    def _attempt(
        self, pending: PendingDelivery, now_ms: int, report: TickReport, lock: threading.Lock
    ) -> str:
        """Send one delivery and record the attempt; the delivery's status after it
        ("delivered", "failed": given up, "pending"), or "failed_attempt" when this
        attempt failed and the delivery is retried later."""
        result = self._send(pending, now_ms)
        attempt = pending.attempts + 1
        window_ms = round(self.settings.webhook_retry_hours * 3600 * 1000)
        with lock:
            if result.ok:
                status, next_at = "delivered", now_ms
                report.delivered += 1
            elif now_ms - pending.first_at >= window_ms:
                status, next_at = "failed", now_ms
                report.given_up += 1
            else:
                status, next_at = "pending", now_ms + self._backoff_ms(attempt)
            if not result.ok:
                report.failed_attempts += 1
        self.repository.record_attempt(
            AttemptRecord(
                delivery_key=pending.key,
                attempt=attempt,
                at=now_ms,
                status=status,
                next_at=next_at,
                ok=result.ok,
                status_code=result.status_code,
                duration_ms=result.duration_ms,
                error=result.error,
            )
        )
        if not result.ok:
            return "failed_attempt" if status == "pending" else status
        return status

    def _backoff_ms(self, attempt: int) -> int:
        return retry_wait_ms(
            attempt,
            base_seconds=self.settings.webhook_retry_base_seconds,
            max_seconds=self.settings.webhook_retry_max_seconds,
            rng=self.rng,
        )

    def _send(self, pending: PendingDelivery, now_ms: int) -> SendResult:
        try:
            target = resolve_target(
                pending.url,
                allow_private=self.settings.webhook_allow_private_targets,
                resolve=self.resolve,
            )
        except TargetRefused as exc:
            return SendResult(False, None, 0, f"refused target: {exc.message}")
        body = pending.body.encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            "User-Agent": _USER_AGENT,
            "X-Graphsvc-Event": pending.event_type,
            "X-Graphsvc-Event-Id": pending.event_id,
            SIGNATURE_HEADER: signature_header(
                secret=pending.secret,
                body=body,
                timestamp=now_ms // 1000,
                old_secret=pending.old_secret,
            ),
        }
        return post(
            target,
            body=body,
            headers=headers,
            timeout=self.settings.webhook_timeout_seconds,
            tls=self.tls,
        )

    # -- failing subscriptions

    def _disable_failing(self, workspace: str, now_ms: int, report: TickReport) -> None:
        cutoff = now_ms - round(self.settings.webhook_disable_after_days * 86_400_000)
        report.disabled += self.repository.disable_failing(
            workspace=workspace,
            cutoff=cutoff,
            now=now_ms,
            reason=f"deliveries failed for {self.settings.webhook_disable_after_days:g} days",
        )

    def _tell_owners(self, now_ms: int, report: TickReport) -> None:
        """E-mail the owners of disabled subscriptions not told yet (a failed send is
        tried again at the next tick, also once the workspace has no active one)."""
        waiting = [
            webhook
            for webhook in self.repository.unnotified()
            if self.workspaces is None or webhook["ws"] in self.workspaces
        ]
        if not waiting:
            return
        try:
            with self.mailer() as sender:
                for webhook in waiting:
                    outcome = sender.send(disabled_notice(webhook, settings=self.settings))
                    if outcome.status == "failed":
                        continue  # told at a later tick
                    self.repository.mark_notified(
                        key=webhook["key"], disabled_at=webhook["disabled_at"], now=now_ms
                    )
                    report.notified.append(webhook["id"])
        except Exception:  # the mail server is down or refuses us: tell them next tick
            log.exception("could not tell the owners of disabled webhooks")

    # -- the background thread of `graphsvc serve`

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="graphsvc-webhooks", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # a store hiccup must not end the worker: try again later
                log.exception("webhook delivery tick failed")
            self._stop.wait(self.settings.webhook_poll_seconds)

    def stop(self) -> None:
        """Finish the current tick, stop, and give the lease up."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.settings.webhook_timeout_seconds * 3 + 30)
        try:
            self.release()
        except Exception:  # the store may be closing already: the lease expires anyway
            log.warning("could not release the webhook delivery lease", exc_info=True)
