"""The webhooks' store access: subscriptions, evented deal states, the outbox's
deliveries, the delivery log and the delivery lease (``queries/webhook_*.cypher``, one
idempotent statement each, through the store's runner)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graphsvc.domain.models import Deal
from graphsvc.store.codecs import KEY_SEPARATOR, deal_from_props, node_key
from graphsvc.webhooks.events import OPEN, EventedState

LEASE_NAME = "delivery"


@dataclass(frozen=True)
class PendingDelivery:
    key: str
    webhook_key: str
    lane: str
    event_id: str
    event_type: str
    next_at: int
    attempts: int
    first_at: int
    url: str
    secret: str
    body: str
    old_secret: str | None = None  # a rotated-out secret that still signs


@dataclass(frozen=True)
class DeliveryClaim:
    """One attempt about to be sent, fenced by the lease it is sent under."""

    lease_name: str
    holder: str
    gen: int
    delivery_key: str
    attempts: int  # the attempts recorded before this one
    now: int
    expires_at: int  # the lease's renewal, and how long the claim holds


@dataclass(frozen=True)
class AttemptRecord:
    delivery_key: str
    attempt: int
    at: int
    status: str  # the delivery's status after it: delivered, pending or failed
    next_at: int
    ok: bool
    status_code: int | None
    duration_ms: int
    error: str | None


def webhook_key(workspace: str, webhook_id: str) -> str:
    return node_key(workspace, webhook_id)


def delivery_key(workspace: str, webhook_id: str, event_id: str) -> str:
    return webhook_key(workspace, webhook_id) + KEY_SEPARATOR + event_id


class WebhookRepository:
    def __init__(self, runner: Any) -> None:
        self.runner = runner

    # -- subscriptions

    def create(self, *, workspace: str, webhook_id: str, fields: dict[str, Any]) -> dict[str, Any]:
        rows = self.runner.write(
            "webhook_create",
            {
                "key": webhook_key(workspace, webhook_id),
                "ws": workspace,
                "id": webhook_id,
                **fields,
            },
        )
        return dict(rows[0]["props"])

    def get(self, *, workspace: str, webhook_id: str) -> dict[str, Any] | None:
        rows = self.runner.read("webhook_get", {"key": webhook_key(workspace, webhook_id)})
        return dict(rows[0]["props"]) if rows else None

    def in_workspace(self, *, workspace: str) -> list[dict[str, Any]]:
        return [dict(r["props"]) for r in self.runner.read("webhook_list", {"ws": workspace})]

    def update(
        self, *, workspace: str, webhook_id: str, expect: int | None, fields: dict[str, Any]
    ) -> tuple[bool, dict[str, Any]] | None:
        rows = self.runner.write(
            "webhook_update",
            {"key": webhook_key(workspace, webhook_id), "expect": expect, **fields},
        )
        return (bool(rows[0]["ok"]), dict(rows[0]["props"])) if rows else None

    def delete(
        self, *, workspace: str, webhook_id: str, expect: int | None, now: int
    ) -> bool | None:
        rows = self.runner.write(
            "webhook_delete",
            {"key": webhook_key(workspace, webhook_id), "expect": expect, "now": now},
        )
        return bool(rows[0]["ok"]) if rows else None

    def rotate_secret(
        self, *, workspace: str, webhook_id: str, expect: int | None, fields: dict[str, Any]
    ) -> tuple[bool, dict[str, Any]] | None:
        rows = self.runner.write(
            "webhook_rotate_secret",
            {"key": webhook_key(workspace, webhook_id), "expect": expect, **fields},
        )
        return (bool(rows[0]["ok"]), dict(rows[0]["props"])) if rows else None

    def active_workspaces(self) -> list[str]:
        return sorted(r["ws"] for r in self.runner.read("webhook_active_workspaces", {}))

    # -- evented deal states and the outbox

    def deal_states(
        self, *, workspace: str, deal_ids: Sequence[str] | None = None
    ) -> dict[str, EventedState]:
        """What was last evented of each deal (of ``deal_ids`` only, when given)."""
        if deal_ids is None:
            rows = self.runner.read("webhook_deal_states", {"ws": workspace})
        else:
            keys = [node_key(workspace, deal_id) for deal_id in deal_ids]
            rows = self.runner.read("webhook_deal_states_of", {"keys": keys})
        return {
            row["deal_id"]: EventedState(
                flags=tuple(row.get("flags") or ()),
                bucket=row.get("bucket"),
                dm=row.get("dm"),
                gen=int(row.get("gen") or 0),
                status=row.get("status") or OPEN,
            )
            for row in rows
        }

    def deals_changed(self, *, workspace: str, since: int) -> list[str]:
        """The deals written (analysis inputs, columns or status) or deleted after
        revision ``since``."""
        rows = self.runner.read("webhook_deals_changed", {"ws": workspace, "since": since})
        return [row["id"] for row in rows]

    def deals_now(self, *, workspace: str, deal_ids: Sequence[str]) -> dict[str, Deal]:
        """The deals of ``deal_ids`` that still exist, as stored now."""
        rows = self.runner.read(
            "webhook_deals_closed", {"keys": [node_key(workspace, d) for d in deal_ids]}
        )
        return {row["id"]: deal_from_props(dict(row["props"])) for row in rows}

    def has_baseline(self, *, workspace: str) -> bool:
        return bool(self.runner.read("webhook_baseline_get", {"ws": workspace}))

    def baseline_workspaces(self) -> list[str]:
        return sorted(r["ws"] for r in self.runner.read("webhook_baseline_list", {}))

    def clear_baseline(self, *, workspace: str) -> None:
        self.runner.write("webhook_baseline_clear", {"ws": workspace})

    def set_baseline(self, *, workspace: str, now: int) -> None:
        self.runner.write("webhook_baseline_set", {"ws": workspace, "now": now})

    def emit(self, *, workspace: str, rows: Sequence[dict[str, Any]], now: int) -> None:
        self.runner.write(
            "webhook_emit", {"ws": workspace, "sep": KEY_SEPARATOR, "now": now, "deals": rows}
        )

    def pending(self, *, workspace: str, now: int, limit: int) -> list[PendingDelivery]:
        rows = self.runner.read(
            "webhook_deliveries_pending", {"ws": workspace, "now": now, "limit": limit}
        )
        return [
            PendingDelivery(
                key=r["key"],
                webhook_key=r["webhook_key"],
                lane=r["lane"],
                event_id=r["event_id"],
                event_type=r["type"],
                next_at=int(r["next_at"]),
                attempts=int(r["attempts"]),
                first_at=int(r["first_at"]),
                url=r["url"],
                secret=r["secret"],
                body=r["body"],
                old_secret=r.get("old_secret"),
            )
            for r in rows
        ]

    def record_attempt(self, record: AttemptRecord) -> bool:
        rows = self.runner.write(
            "webhook_attempt_record",
            {
                "key": record.delivery_key,
                "sep": KEY_SEPARATOR,
                "attempt": record.attempt,
                "at": record.at,
                "status": record.status,
                "next_at": record.next_at,
                "ok": record.ok,
                "status_code": record.status_code,
                "duration_ms": record.duration_ms,
                "error": record.error,
            },
        )
        return bool(rows) and int(rows[0]["recorded"]) > 0

    def attempts_page(
        self, *, key: str, after: tuple[int, str] | None, limit: int
    ) -> list[tuple[dict[str, Any], str | None]]:
        rows = self.runner.read(
            "webhook_attempts_page",
            {
                "webhook_key": key,
                "after_at": after[0] if after else None,
                "after_key": after[1] if after else None,
                "limit": limit,
            },
        )
        return [(dict(r["props"]), r.get("delivery_status")) for r in rows]

    # -- retention

    def purge(
        self, *, cutoff: int, event_cutoff: int, workspaces: list[str] | None, limit: int
    ) -> int:
        """Delete a batch of ended deliveries (with their log) older than ``cutoff``, then
        a batch of events older than ``event_cutoff`` nothing refers to; how many of
        both."""
        deliveries = self.runner.write(
            "webhook_purge_deliveries",
            {"cutoff": cutoff, "wss": workspaces, "limit": limit, "sep": KEY_SEPARATOR},
        )
        events = self.runner.write(
            "webhook_purge_events",
            {"cutoff": event_cutoff, "wss": workspaces, "limit": limit},
        )
        return int(deliveries[0]["purged"]) + int(events[0]["purged"])

    def redeliver(self, *, key: str, now: int) -> dict[str, Any] | None:
        rows = self.runner.write("webhook_redeliver", {"key": key, "now": now})
        return dict(rows[0]) if rows else None

    # -- failing subscriptions

    def disable_failing(self, *, workspace: str, cutoff: int, now: int, reason: str) -> list[str]:
        rows = self.runner.write(
            "webhook_disable_failing",
            {"ws": workspace, "cutoff": cutoff, "now": now, "reason": reason},
        )
        return [r["id"] for r in rows]

    def unnotified(self) -> list[dict[str, Any]]:
        return [dict(r["props"]) for r in self.runner.read("webhook_unnotified", {})]

    def mark_notified(self, *, key: str, disabled_at: int, now: int) -> None:
        self.runner.write(
            "webhook_mark_notified", {"key": key, "disabled_at": disabled_at, "now": now}
        )

    # -- the delivery lease

    def take_lease(self, *, name: str, holder: str, now: int, expires_at: int) -> int | None:
        """The lease's generation (the fencing token) when it is ours, else None."""
        rows = self.runner.write(
            "webhook_lease_take",
            {"name": name, "holder": holder, "now": now, "expires_at": expires_at},
        )
        return int(rows[0]["gen"]) if rows and rows[0]["ours"] else None

    def claim(self, claim: DeliveryClaim) -> bool:
        """Whether the attempt may be sent (see ``webhook_delivery_claim.cypher``)."""
        rows = self.runner.write(
            "webhook_delivery_claim",
            {
                "name": claim.lease_name,
                "holder": claim.holder,
                "gen": claim.gen,
                "token": f"{claim.holder}#{claim.gen}",
                "key": claim.delivery_key,
                "attempts": claim.attempts,
                "now": claim.now,
                "expires_at": claim.expires_at,
            },
        )
        return bool(rows)

    def release_lease(self, *, name: str, holder: str) -> None:
        self.runner.write("webhook_lease_release", {"name": name, "holder": holder})
