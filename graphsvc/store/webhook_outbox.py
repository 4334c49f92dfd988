"""The webhook outbox: events waiting to be delivered, kept in the store.

An event is a ``:WebhookEvent`` node (its id, type, time and the JSON body every
subscriber receives); each active subscription of the event's type gets a
``:WebhookDelivery`` node for it, written in the same statement, which the delivery
worker (``graphsvc.webhooks``) sends. It lives in the store layer because the services
that finish a piece of work (an import) record their event here, below the webhooks
package that delivers it.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from graphsvc.store.codecs import KEY_SEPARATOR

IMPORT_LANE = "import"  # import events are delivered in the order they happened


def event_body(
    *, event_id: str, event_type: str, created_ms: int, workspace: str, data: dict[str, Any]
) -> str:
    """The body every subscriber receives for an event (``created``: epoch seconds,
    as Stripe's; the signature covers these bytes exactly)."""
    return json.dumps(
        {
            "id": event_id,
            "type": event_type,
            "created": created_ms // 1000,
            "workspace": workspace,
            "data": data,
        },
        separators=(",", ":"),
        sort_keys=True,
    )


def record_workspace_event(
    runner: Any, *, workspace: str, event_type: str, created_ms: int, data: dict[str, Any]
) -> str | None:
    """Record one event that belongs to no deal (``import.completed``) and its
    deliveries, in one statement; nothing is kept when no active subscription wants it.
    Returns the event id, or ``None`` when nobody subscribed."""
    event_id = "evt_" + uuid.uuid4().hex
    rows = runner.write(
        "webhook_event_record",
        {
            "ws": workspace,
            "sep": KEY_SEPARATOR,
            "event": {
                "id": event_id,
                "type": event_type,
                "created": created_ms,
                "pos": 0,
                "lane": IMPORT_LANE,
                "deal_id": None,
                "body": event_body(
                    event_id=event_id,
                    event_type=event_type,
                    created_ms=created_ms,
                    workspace=workspace,
                    data=data,
                ),
            },
        },
    )
    return event_id if rows and int(rows[0]["deliveries"]) > 0 else None
