"""``/v1/webhooks``: a workspace's webhook subscriptions, their delivery log and
redelivery, with an ``admin`` key (rules: :class:`~graphsvc.webhooks.service.WebhookService`;
delivery: :mod:`graphsvc.webhooks.worker`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from graphsvc.api.conditional import (
    IfNoneMatchRead,
    JsonBodyOnly,
    MergePatch,
    WriteCondition,
    etag,
    location,
    render_read,
    render_written,
)
from graphsvc.api.deps import AdminKey, get_settings, get_store
from graphsvc.api.links import add_next_link
from graphsvc.api.params import Cursor, Limit
from graphsvc.api.schemas import render
from graphsvc.webhooks.schemas import (
    DeliveryLog,
    RedeliveryRead,
    SecretRotation,
    WebhookCreate,
    WebhookCreated,
    WebhookList,
    WebhookRead,
    WebhookSecretRotated,
)
from graphsvc.webhooks.service import WebhookService

router = APIRouter(
    prefix="/v1/webhooks",
    tags=["webhooks"],
)

WebhookId = Annotated[
    str, Path(min_length=1, max_length=64, pattern=r"^wh_[0-9a-f]+$", description="The webhook id.")
]
DeliveryId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=64,
        pattern=r"^evt_[0-9a-f]+$",
        description="The delivery's event id (`delivery_id` in the delivery log).",
    ),
]


async def get_webhooks(request: Request) -> WebhookService:
    return WebhookService(store=await get_store(request), settings=await get_settings(request))


Webhooks = Annotated[WebhookService, Depends(get_webhooks)]


def _at(webhook_id: str) -> str:
    return location("v1", "webhooks", webhook_id)


@router.post(
    "",
    dependencies=[JsonBodyOnly],
    response_model=WebhookCreated,
    status_code=201,
    summary="Subscribe a URL to events; the signing secret is shown once",
)
def create_webhook(body: WebhookCreate, principal: AdminKey, webhooks: Webhooks) -> Response:
    """Subscribe a URL (http or https; a loopback, private or link-local address is
    refused unless the server allows private targets) to event types. The answer holds
    the signing secret, this once: every delivery carries `X-Graphsvc-Signature`, the
    HMAC-SHA256 of `<t>.<body>` with it."""
    created, tag = webhooks.create(
        workspace=principal.workspace, fields=body, created_by=principal.key_id
    )
    response = render(created, status_code=201)
    response.headers.update({"Location": _at(created.id), "ETag": etag(tag)})
    return response


@router.get("", response_model=WebhookList, summary="The workspace's webhook subscriptions")
def list_webhooks(principal: AdminKey, webhooks: Webhooks) -> Response:
    return render(WebhookList(items=webhooks.list_all(workspace=principal.workspace)))


@router.get(
    "/{webhook_id}",
    response_model=WebhookRead,
    summary="Read a webhook subscription (never its secret)",
    responses={304: {"description": "Not modified (If-None-Match)"}},
)
def get_webhook(
    webhook_id: WebhookId,
    principal: AdminKey,
    webhooks: Webhooks,
    if_none_match: IfNoneMatchRead = None,
) -> Response:
    webhook, tag = webhooks.get_tagged(workspace=principal.workspace, webhook_id=webhook_id)
    return render_read(webhook, tag, if_none_match)


@router.patch(
    "/{webhook_id}",
    dependencies=[JsonBodyOnly],
    response_model=WebhookRead,
    summary="Change a webhook subscription (JSON merge patch); `active: true` re-enables it",
)
def update_webhook(
    webhook_id: WebhookId,
    patch: MergePatch,
    principal: AdminKey,
    webhooks: Webhooks,
    condition: WriteCondition,
) -> Response:
    written = webhooks.update(
        workspace=principal.workspace, webhook_id=webhook_id, patch=patch, condition=condition
    )
    return render_written(written.record, written, at=_at(webhook_id))


@router.delete(
    "/{webhook_id}",
    status_code=204,
    response_class=Response,
    summary="Delete a webhook subscription (nothing more is delivered to it)",
)
def delete_webhook(
    webhook_id: WebhookId, principal: AdminKey, webhooks: Webhooks, condition: WriteCondition
) -> Response:
    webhooks.delete(workspace=principal.workspace, webhook_id=webhook_id, condition=condition)
    return Response(status_code=204)


@router.post(
    "/{webhook_id}/rotate-secret",
    dependencies=[JsonBodyOnly],
    response_model=WebhookSecretRotated,
    summary="Replace the signing secret; the old one signs too for a while",
)
def rotate_webhook_secret(
    webhook_id: WebhookId,
    principal: AdminKey,
    webhooks: Webhooks,
    condition: WriteCondition,
    body: SecretRotation | None = None,
) -> Response:
    """A new signing secret, shown this once. Until `old_secret_expires_at` (the body's
    `expires_in` seconds, default 24 h) every delivery's `X-Graphsvc-Signature` carries
    two `v1=` signatures, with the new and the old secret, so receivers can switch at
    their pace; a receiver accepts a delivery when any `v1=` verifies."""
    rotated, tag = webhooks.rotate_secret(
        workspace=principal.workspace,
        webhook_id=webhook_id,
        rotation=body or SecretRotation(),
        condition=condition,
    )
    response = render(rotated)
    response.headers["ETag"] = etag(tag)
    return response


@router.get(
    "/{webhook_id}/deliveries",
    response_model=DeliveryLog,
    summary="A webhook's delivery log, newest attempt first, a page at a time",
)
def list_webhook_deliveries(
    request: Request,
    webhook_id: WebhookId,
    principal: AdminKey,
    webhooks: Webhooks,
    limit: Limit = None,
    cursor: Cursor = None,
) -> Response:
    """Every attempt to deliver an event: when, the receiver's status code (none when
    it did not answer), how long it took, the error, and where the delivery stands."""
    log = webhooks.deliveries(
        workspace=principal.workspace, webhook_id=webhook_id, limit=limit, cursor=cursor
    )
    return add_next_link(render(log), request, log.next_cursor)


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redeliver",
    response_model=RedeliveryRead,
    status_code=202,
    summary="Deliver an event to the webhook again",
)
def redeliver_webhook_delivery(
    webhook_id: WebhookId, delivery_id: DeliveryId, principal: AdminKey, webhooks: Webhooks
) -> Response:
    """Queue the event for delivery again, from now, with a new retry window (also
    after it was delivered or given up). The delivery worker sends it."""
    queued = webhooks.redeliver(
        workspace=principal.workspace, webhook_id=webhook_id, delivery_id=delivery_id
    )
    return render(queued, status_code=202)
