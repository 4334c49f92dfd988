"""Webhook subscriptions and their delivery log, as the API reads and writes them
(Base -> Create/Update/Read, as the other domains)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from graphsvc.domain.models import from_ms


class EventType(StrEnum):
    deal_risk_raised = "deal.risk_raised"
    deal_risk_cleared = "deal.risk_cleared"
    deal_support_changed = "deal.support_changed"
    deal_decision_maker_changed = "deal.decision_maker_changed"
    deal_closed = "deal.closed"
    import_completed = "import.completed"


class DeliveryStatus(StrEnum):
    pending = "pending"  # not delivered yet; retried until the retry window is over
    delivered = "delivered"  # the receiver answered 2xx
    failed = "failed"  # given up after the retry window (redeliver sends it again)


_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class WebhookBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(
        min_length=1,
        max_length=2048,
        description="Where events are POSTed: http(s), not a loopback, private or "
        "link-local address.",
    )
    events: list[EventType] = Field(
        min_length=1, description="The event types this subscription receives."
    )
    owner_email: str = Field(
        pattern=_EMAIL,
        max_length=320,
        description="Who is told (by e-mail) when the subscription is disabled for failing.",
    )
    description: str | None = Field(default=None, max_length=500)

    @field_validator("events")
    @classmethod
    def _distinct(cls, value: list[EventType]) -> list[EventType]:
        return sorted(set(value))


class WebhookCreate(WebhookBase):
    """A new subscription: it starts active; its signing secret is answered once."""


class WebhookUpdate(WebhookBase):
    """A subscription's settings as a merge patch leaves them; ``active: true``
    re-enables one that was disabled for failing."""

    active: bool = True


class WebhookRead(WebhookBase):
    id: str
    active: bool
    created_at: datetime
    updated_at: datetime
    failing_since: datetime | None = Field(
        default=None, description="The first failed delivery since the last success."
    )
    disabled_at: datetime | None = None
    disabled_reason: str | None = None

    @classmethod
    def of(cls, props: dict[str, Any]) -> WebhookRead:
        def instant(name: str) -> datetime | None:
            value = props.get(name)
            return from_ms(value) if value is not None else None

        return cls(
            id=props["id"],
            url=props["url"],
            events=list(props.get("events") or []),
            owner_email=props["owner_email"],
            description=props.get("description"),
            active=bool(props.get("active")),
            created_at=from_ms(props["created_at"]),
            updated_at=from_ms(props["updated_at"]),
            failing_since=instant("failing_since"),
            disabled_at=instant("disabled_at"),
            disabled_reason=props.get("disabled_reason"),
        )


class WebhookCreated(WebhookRead):
    secret: str = Field(
        description="The signing secret (`whsec_...`): shown this once, in this answer only."
    )


class SecretRotation(BaseModel):
    """How long the secret being replaced still signs deliveries."""

    model_config = ConfigDict(extra="forbid")

    expires_in: int | None = Field(
        default=None,
        ge=0,
        le=7 * 86_400,
        description="Seconds the old secret still signs deliveries next to the new one "
        "(default: the server's `webhook_secret_overlap_hours`, 24 h); 0 ends it now.",
    )


class WebhookSecretRotated(WebhookRead):
    secret: str = Field(
        description="The new signing secret (`whsec_...`): shown this once, in this answer only."
    )
    old_secret_expires_at: datetime = Field(
        description="Until when deliveries also carry a `v1=` signature with the old secret."
    )


class WebhookList(BaseModel):
    items: list[WebhookRead]


class DeliveryAttempt(BaseModel):
    """One try to deliver one event to the subscription: the delivery log's row."""

    delivery_id: str = Field(description="The event id: redeliver names it.")
    event_type: EventType
    attempt: int = Field(ge=1)
    at: datetime
    status_code: int | None = Field(default=None, description="None: no HTTP answer.")
    duration_ms: int = Field(ge=0)
    error: str | None = None
    delivery_status: DeliveryStatus = Field(description="Where the delivery stands now.")


class DeliveryLog(BaseModel):
    items: list[DeliveryAttempt]
    next_cursor: str | None = None


class RedeliveryRead(BaseModel):
    delivery_id: str
    event_type: EventType
    status: DeliveryStatus
