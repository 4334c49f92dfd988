"""``POST /v1/<entity>/batch``: per-record batch upserts (rules: BatchService).

Up to 1,000 records of one kind per request, answered ``207 Multi-Status`` with one
result per item, in order: ``created``, ``updated``, ``unchanged`` (with the record's
``etag``), ``error`` (with the error in the API's one shape) or, when ``all_or_none``
refused the batch because of another item's error, ``not_written``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, create_model
from starlette.concurrency import run_in_threadpool

from graphsvc.api.conditional import JsonBodyOnly, etag
from graphsvc.api.deps import WriteKey, get_store
from graphsvc.api.errors import ErrorBody
from graphsvc.api.schemas import _Out, render
from graphsvc.domain.models import Account, Deal, Interaction, Stakeholder
from graphsvc.services.batches import BATCH_LIMIT, BatchKind, BatchResult, BatchService, ItemStatus

router = APIRouter(dependencies=[JsonBodyOnly])


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


@dataclass(frozen=True)
class _BatchRoute:
    """One batch route: ``POST /v1/<kind>/batch`` of ``model`` records."""

    kind: BatchKind
    model: type[BaseModel]
    summary: str

    @property
    def body(self) -> type[_BatchIn]:
        # Named like the record (``DealBatchIn``): the name is a generated client's class.
        return create_model(
            f"{self.model.__name__}BatchIn", __base__=_BatchIn, items=(_items(self.model), ...)
        )

    def endpoint(self) -> Callable[..., Awaitable[Response]]:
        kind = self.kind

        async def batch(body: _BatchIn, principal: WriteKey, batches: Batches) -> Response:
            result = await run_in_threadpool(
                batches.upsert,
                workspace=principal.workspace,
                kind=kind,
                items=body.items,  # type: ignore[attr-defined]
                actor=principal.actor,
                all_or_none=body.all_or_none,
            )
            return _render(result)

        # The body's model is this route's own; FastAPI reads it from the annotation.
        batch.__annotations__["body"] = self.body
        return batch


_ROUTES = (
    _BatchRoute(BatchKind.accounts, Account, "Create or update up to 1,000 accounts"),
    _BatchRoute(BatchKind.deals, Deal, "Create or update up to 1,000 deals"),
    _BatchRoute(BatchKind.stakeholders, Stakeholder, "Create or update up to 1,000 stakeholders"),
    _BatchRoute(
        BatchKind.interactions,
        Interaction,
        "Record or update up to 1,000 interactions by their own ids",
    ),
)

for _route in _ROUTES:
    router.add_api_route(
        f"/v1/{_route.kind.value}/batch",
        _route.endpoint(),
        methods=["POST"],
        name=f"batch_{_route.kind.value}",
        tags=[_route.kind.value],
        status_code=207,
        response_model=BatchOut,
        responses=_RESPONSES,
        summary=_route.summary,
    )


def document_batches(schema: dict[str, Any]) -> None:
    """Put the record schemas the batch bodies refer to into the OpenAPI components."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (route.model for route in _ROUTES):
        definition = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, nested in definition.pop("$defs", {}).items():
            components.setdefault(name, nested)
        components.setdefault(model.__name__, definition)
