"""``POST /v1/<entity>/batch``: per-record batch upserts (rules: BatchService).

Up to 1,000 records of one kind per request, answered ``207 Multi-Status`` with one
result per item, in order: ``created``, ``updated``, ``unchanged`` (with the record's
``etag``), ``error`` (with the error in the API's one shape) or, when ``all_or_none``
refused the batch because of another item's error, ``not_written``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema
from starlette.concurrency import run_in_threadpool

from graphsvc.api.conditional import JsonBodyOnly, etag
from graphsvc.api.deps import Principal, WriteKey, get_store
from graphsvc.api.errors import BODY_ERRORS, ErrorBody, error_responses
from graphsvc.api.schemas import _Out, render
from graphsvc.domain.models import Account, Deal, Interaction, Stakeholder
from graphsvc.services.batches import BATCH_LIMIT, BatchKind, BatchResult, BatchService, ItemStatus

router = APIRouter(
    dependencies=[JsonBodyOnly], responses={**error_responses(401, 403, 413, 422), **BODY_ERRORS}
)

_ITEM_MODELS: dict[BatchKind, type[BaseModel]] = {
    BatchKind.accounts: Account,
    BatchKind.deals: Deal,
    BatchKind.stakeholders: Stakeholder,
    BatchKind.interactions: Interaction,
}


def _items(model: type[BaseModel]) -> Any:
    # Items are validated one by one (an invalid one is that item's error, not the
    # request's), so the body takes them as objects and documents their schema.
    return Annotated[
        list[dict[str, Any]],
        Field(min_length=1, max_length=BATCH_LIMIT),
        WithJsonSchema(
            {
                "type": "array",
                "minItems": 1,
                "maxItems": BATCH_LIMIT,
                "items": {"$ref": f"#/components/schemas/{model.__name__}"},
            }
        ),
    ]


class _BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    all_or_none: bool = Field(default=False, description="One invalid item and nothing is written")


class AccountBatchIn(_BatchIn):
    items: _items(Account)  # type: ignore[valid-type]


class DealBatchIn(_BatchIn):
    items: _items(Deal)  # type: ignore[valid-type]


class StakeholderBatchIn(_BatchIn):
    items: _items(Stakeholder)  # type: ignore[valid-type]


class InteractionBatchIn(_BatchIn):
    items: _items(Interaction)  # type: ignore[valid-type]


class BatchItemOut(_Out):
    index: int = Field(description="The item's position in the request")
    id: str | None = None
    status: ItemStatus
    etag: str | None = Field(default=None, description="The record's ETag once written")
    error: ErrorBody | None = None


class BatchOut(_Out):
    written: bool = Field(description="Whether anything was written")
    counts: dict[str, int]
    items: list[BatchItemOut]


async def get_batches(request: Request) -> BatchService:
    return BatchService(store=await get_store(request))


Batches = Annotated[BatchService, Depends(get_batches)]


def _render(result: BatchResult) -> Response:
    items = [
        BatchItemOut(
            index=i.index,
            id=i.id,
            status=i.status,
            etag=etag(i.tag) if i.tag else None,
            error=ErrorBody(**i.error) if i.error else None,
        )
        for i in result.items
    ]
    return render(
        BatchOut(written=result.written, counts=result.counts(), items=items), status_code=207
    )


_RESPONSES: dict[int | str, dict[str, Any]] = {
    207: {"model": BatchOut, "description": "One result per item"}
}


async def _run(
    batches: BatchService,
    principal: Principal,
    kind: BatchKind,
    items: list[Any],
    all_or_none: bool,
) -> Response:
    result = await run_in_threadpool(
        batches.upsert,
        workspace=principal.workspace,
        kind=kind,
        items=items,
        actor=principal.actor,
        all_or_none=all_or_none,
    )
    return _render(result)


@router.post(
    "/v1/accounts/batch",
    tags=["accounts"],
    status_code=207,
    response_model=BatchOut,
    responses=_RESPONSES,
    summary="Create or update up to 1,000 accounts",
)
async def batch_accounts(body: AccountBatchIn, principal: WriteKey, batches: Batches) -> Response:
    return await _run(batches, principal, BatchKind.accounts, body.items, body.all_or_none)


@router.post(
    "/v1/deals/batch",
    tags=["deals"],
    status_code=207,
    response_model=BatchOut,
    responses=_RESPONSES,
    summary="Create or update up to 1,000 deals",
)
async def batch_deals(body: DealBatchIn, principal: WriteKey, batches: Batches) -> Response:
    return await _run(batches, principal, BatchKind.deals, body.items, body.all_or_none)


@router.post(
    "/v1/stakeholders/batch",
    tags=["stakeholders"],
    status_code=207,
    response_model=BatchOut,
    responses=_RESPONSES,
    summary="Create or update up to 1,000 stakeholders",
)
async def batch_stakeholders(
    body: StakeholderBatchIn, principal: WriteKey, batches: Batches
) -> Response:
    return await _run(batches, principal, BatchKind.stakeholders, body.items, body.all_or_none)


@router.post(
    "/v1/interactions/batch",
    tags=["interactions"],
    status_code=207,
    response_model=BatchOut,
    responses=_RESPONSES,
    summary="Record or update up to 1,000 interactions by their own ids",
)
async def batch_interactions(
    body: InteractionBatchIn, principal: WriteKey, batches: Batches
) -> Response:
    return await _run(batches, principal, BatchKind.interactions, body.items, body.all_or_none)


def document_batches(schema: dict[str, Any]) -> None:
    """Put the record schemas the batch bodies refer to into the OpenAPI components."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in _ITEM_MODELS.values():
        definition = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, nested in definition.pop("$defs", {}).items():
            components.setdefault(name, nested)
        components.setdefault(model.__name__, definition)
