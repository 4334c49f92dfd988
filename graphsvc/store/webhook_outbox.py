"""The webhook outbox: events waiting to be delivered, kept in the store.

An event is a ``:WebhookEvent`` node (its id, type, time and the JSON body every
subscriber receives); each active subscription of the event's type gets a
``:WebhookDelivery`` node for it, written in the same statement, which the delivery
worker (``graphsvc.webhooks``) sends. It lives in the store layer because the services
that finish a piece of work (an import) record their event here, below the webhooks
package that delivers it.

An import cannot write its data and its event in one statement (an import is many), so
it is recorded before its first write (:func:`begin_import`) under a derived event id;
:func:`end_import` records the event and removes the record; the worker raises the
event of a record whose process died in between (:func:`abandoned_imports`).
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import threading
from dataclasses import dataclass
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


@dataclass(frozen=True)
class ImportUnderWay:
    """An import recorded before its first write (``webhook_import_begin``): its
    ``import.completed`` event has this id whatever records it, the import or, if its
    process dies first, the delivery worker, so the event is raised exactly once."""

    key: str
    workspace: str
    event_id: str
    format: str
    started_ms: int


def import_event_id(key: str) -> str:
    """The event id of the import recorded under ``key`` (derived, not random).

    >>> import_event_id("ws\x1fimport-1") == import_event_id("ws\x1fimport-1")
    True
    """
    return (
        "evt_"
        + hashlib.sha256(("import.completed" + KEY_SEPARATOR + key).encode()).hexdigest()[:32]
    )


def begin_import(
    runner: Any, *, workspace: str, format: str, now_ms: int, holder: str | None = None
) -> ImportUnderWay:
    """Record an import before it writes (its key: the workspace, the instant and the
    process, so two imports never share one)."""
    who = holder or f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
    key = KEY_SEPARATOR.join((workspace, "import", str(now_ms), who))
    event_id = import_event_id(key)
    runner.write(
        "webhook_import_begin",
        {
            "key": key,
            "ws": workspace,
            "event_id": event_id,
            "format": format,
            "now": now_ms,
            "holder": who,
        },
    )
    return ImportUnderWay(
        key=key, workspace=workspace, event_id=event_id, format=format, started_ms=now_ms
    )


def end_import(
    runner: Any, run: ImportUnderWay, *, report: dict[str, Any] | None, now_ms: int
) -> None:
    """Record the import's ``import.completed`` event with ``report`` (None: the import
    failed, no event), then remove its record. Both statements are idempotent and the
    event id is the run's, so a crash between them (the worker ends the run) or a
    repeat records one event."""
    if report is not None:
        record_workspace_event(
            runner,
            workspace=run.workspace,
            event_id=run.event_id,
            event_type="import.completed",
            created_ms=now_ms,
            data={"import": report},
        )
    runner.write("webhook_import_end", {"key": run.key})


def abandoned_imports(
    runner: Any, *, cutoff_ms: int, workspaces: list[str] | None, limit: int
) -> list[ImportUnderWay]:
    """Imports recorded before ``cutoff_ms`` and never ended: their process died."""
    rows = runner.read(
        "webhook_imports_abandoned", {"cutoff": cutoff_ms, "wss": workspaces, "limit": limit}
    )
    return [
        ImportUnderWay(
            key=r["key"],
            workspace=r["ws"],
            event_id=r["event_id"],
            format=r["format"],
            started_ms=int(r["started_at"]),
        )
        for r in rows
    ]


def record_workspace_event(
    runner: Any,
    *,
    workspace: str,
    event_id: str,
    event_type: str,
    created_ms: int,
    data: dict[str, Any],
) -> str | None:
    """Record one event that belongs to no deal (``import.completed``) and its
    deliveries, in one statement; nothing is kept when no active subscription wants it,
    and nothing new when the event is recorded already. Returns the event id, or
    ``None`` when nobody subscribed."""
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
