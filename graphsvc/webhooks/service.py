"""Webhook subscriptions of a workspace: create (the signing secret answered once),
read, change (merge patch, ``If-Match``), delete; the delivery log and redelivery.

A subscription's ETag is its version (the number of writes of its settings), compared
inside the writing statement.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from graphsvc.config import Settings
from graphsvc.domain.cursor import decode_cursor, encode_cursor
from graphsvc.domain.models import from_ms, to_ms, utcnow
from graphsvc.errors import NotFound, PreconditionFailed, ValidationFailed
from graphsvc.services.versioned import (
    Condition,
    Written,
    check_deletable,
    patch_record,
)
from graphsvc.store.repository import GraphStore
from graphsvc.webhooks.repository import WebhookRepository, delivery_key, webhook_key
from graphsvc.webhooks.schemas import (
    DeliveryAttempt,
    DeliveryLog,
    DeliveryStatus,
    EventType,
    RedeliveryRead,
    SecretRotation,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookSecretRotated,
    WebhookUpdate,
)
from graphsvc.webhooks.targets import Resolver, resolve_target, system_resolve

_WHAT = "webhook"


class WebhookService:
    def __init__(
        self, *, store: GraphStore, settings: Settings, resolve: Resolver = system_resolve
    ) -> None:
        self.repository = WebhookRepository(store.runner)
        self.settings = settings
        self.resolve = resolve

    def _check_url(self, url: str) -> None:
        resolve_target(
            url, allow_private=self.settings.webhook_allow_private_targets, resolve=self.resolve
        )

    def create(
        self, *, workspace: str, fields: WebhookCreate, created_by: str
    ) -> tuple[WebhookCreated, str]:
        """The new subscription with its secret (answered this once), and its tag."""
        self._check_url(fields.url)
        webhook_id = "wh_" + secrets.token_hex(12)
        secret = new_secret()
        props = self.repository.create(
            workspace=workspace,
            webhook_id=webhook_id,
            fields={
                "url": fields.url,
                "events": [event.value for event in fields.events],
                "secret": secret,
                "owner_email": fields.owner_email,
                "description": fields.description,
                "created_by": created_by,
                "now": to_ms(utcnow()),
            },
        )
        read = WebhookRead.of(props)
        return WebhookCreated(secret=secret, **read.model_dump()), str(props["version"])

    def list_all(self, *, workspace: str) -> list[WebhookRead]:
        return [
            WebhookRead.of(props) for props in self.repository.in_workspace(workspace=workspace)
        ]

    def get_tagged(self, *, workspace: str, webhook_id: str) -> tuple[WebhookRead, str]:
        props = self.repository.get(workspace=workspace, webhook_id=webhook_id)
        if props is None:
            raise NotFound(f"no webhook {webhook_id!r} in this workspace")
        return WebhookRead.of(props), str(props["version"])

    def update(
        self,
        *,
        workspace: str,
        webhook_id: str,
        patch: dict[str, object],
        condition: Condition,
    ) -> Written[WebhookRead]:
        """Apply a merge patch (``secret`` and ``id`` cannot be patched)."""
        if "secret" in patch:
            raise ValidationFailed(
                "the secret cannot be patched; rotate it (POST .../rotate-secret)",
                detail=[{"loc": ["body", "secret"], "msg": "the secret cannot be patched"}],
            )

        read_version: list[str] = []  # the version the patch was applied to

        def read_settings() -> tuple[WebhookUpdate, str]:
            read, tag = self.get_tagged(workspace=workspace, webhook_id=webhook_id)
            read_version[:] = [tag]
            settings = WebhookUpdate(
                url=read.url,
                events=read.events,
                owner_email=read.owner_email,
                description=read.description,
                active=read.active,
            )
            return settings, tag

        written: list[Written[WebhookRead]] = []

        def write(fields: WebhookUpdate, guard: Condition) -> Written[WebhookUpdate]:
            self._check_url(fields.url)
            seen = read_version[0]
            allowed = guard.if_match or frozenset()
            if "*" not in allowed and seen not in allowed:
                raise PreconditionFailed(
                    "If-Match: the webhook has changed (its ETag is not the given one)",
                    detail={"etag": f'"{seen}"'},
                )
            found = self.repository.update(
                workspace=workspace,
                webhook_id=webhook_id,
                expect=int(seen),
                fields={
                    "url": fields.url,
                    "events": [event.value for event in fields.events],
                    "owner_email": fields.owner_email,
                    "description": fields.description,
                    "active": fields.active,
                    "now": to_ms(utcnow()),
                },
            )
            if found is None:
                raise NotFound(f"no webhook {webhook_id!r} in this workspace")
            ok, props = found
            if not ok:
                raise PreconditionFailed("If-Match: the webhook changed while it was being written")
            written[:] = [Written(WebhookRead.of(props), str(props["version"]), "updated")]
            return Written(fields, str(props["version"]), "updated")

        patch_record(
            read_tagged=read_settings,
            fields_model=WebhookUpdate,
            patch=dict(patch),
            condition=condition,
            write=write,
        )
        return written[0]

    def delete(self, *, workspace: str, webhook_id: str, condition: Condition) -> None:
        def read_tagged() -> tuple[WebhookRead, str]:
            return self.get_tagged(workspace=workspace, webhook_id=webhook_id)

        check_deletable(condition, read_tagged, _WHAT)
        expect = None
        if condition.if_match is not None and "*" not in condition.if_match:
            _, tag = read_tagged()
            expect = int(tag)
        ok = self.repository.delete(
            workspace=workspace, webhook_id=webhook_id, expect=expect, now=to_ms(utcnow())
        )
        if ok is None:
            raise NotFound(f"no webhook {webhook_id!r} in this workspace")
        if not ok:
            raise PreconditionFailed("If-Match: the webhook changed while it was being deleted")

    def rotate_secret(
        self,
        *,
        workspace: str,
        webhook_id: str,
        rotation: SecretRotation,
        condition: Condition,
        at: datetime | None = None,
    ) -> tuple[WebhookSecretRotated, str]:
        """A new signing secret (answered this once); the old one keeps signing, next to
        it, for ``rotation.expires_in`` seconds (as Stripe's rolled secrets)."""
        expect = None
        if condition.if_match is not None and "*" not in condition.if_match:
            _, tag = self.get_tagged(workspace=workspace, webhook_id=webhook_id)
            if tag not in condition.if_match:
                raise PreconditionFailed(
                    "If-Match: the webhook has changed (its ETag is not the given one)",
                    detail={"etag": f'"{tag}"'},
                )
            expect = int(tag)
        now = to_ms(at or utcnow())
        overlap_s = rotation.expires_in
        if overlap_s is None:
            overlap_s = round(self.settings.webhook_secret_overlap_hours * 3600)
        secret = new_secret()
        found = self.repository.rotate_secret(
            workspace=workspace,
            webhook_id=webhook_id,
            expect=expect,
            fields={"secret": secret, "now": now, "old_expires_at": now + overlap_s * 1000},
        )
        if found is None:
            raise NotFound(f"no webhook {webhook_id!r} in this workspace")
        ok, props = found
        if not ok:
            raise PreconditionFailed("If-Match: the webhook changed while it was being written")
        read = WebhookRead.of(props)
        rotated = WebhookSecretRotated(
            secret=secret,
            old_secret_expires_at=from_ms(props["old_secret_expires_at"]),
            **read.model_dump(),
        )
        return rotated, str(props["version"])

    def deliveries(
        self, *, workspace: str, webhook_id: str, limit: int | None, cursor: str | None
    ) -> DeliveryLog:
        """The subscription's delivery log, newest attempt first, a page at a time."""
        self.get_tagged(workspace=workspace, webhook_id=webhook_id)
        size = min(limit or self.settings.page_limit_default, self.settings.page_limit_max)
        after = _position(cursor) if cursor is not None else None
        rows = self.repository.attempts_page(
            key=webhook_key(workspace, webhook_id), after=after, limit=size + 1
        )
        items = [
            DeliveryAttempt(
                delivery_id=props["event_id"],
                event_type=EventType(props["type"]),
                attempt=int(props["attempt"]),
                at=from_ms(props["at"]),
                status_code=props.get("status_code"),
                duration_ms=int(props.get("duration_ms") or 0),
                error=props.get("error"),
                delivery_status=DeliveryStatus(status or DeliveryStatus.pending),
            )
            for props, status in rows[:size]
        ]
        next_cursor = None
        if len(rows) > size:
            last = rows[size - 1][0]
            next_cursor = encode_cursor(f"{int(last['at'])}|{last['key']}")
        return DeliveryLog(items=items, next_cursor=next_cursor)

    def redeliver(
        self, *, workspace: str, webhook_id: str, delivery_id: str, at: datetime | None = None
    ) -> RedeliveryRead:
        """Send an event to the subscription again, from now, with a new retry window."""
        self.get_tagged(workspace=workspace, webhook_id=webhook_id)
        row = self.repository.redeliver(
            key=delivery_key(workspace, webhook_id, delivery_id), now=to_ms(at or utcnow())
        )
        if row is None:
            raise NotFound(f"no delivery {delivery_id!r} for this webhook")
        return RedeliveryRead(
            delivery_id=delivery_id,
            event_type=EventType(row["type"]),
            status=DeliveryStatus.pending,
        )


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def _position(cursor: str) -> tuple[int, str]:
    at, _, key = decode_cursor(cursor).partition("|")
    if not at.isdecimal() or not key:
        raise ValidationFailed(
            "invalid cursor",
            detail=[{"loc": ["query", "cursor"], "msg": "not a cursor of this API"}],
        )
    return int(at), key
