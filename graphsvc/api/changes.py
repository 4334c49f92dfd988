"""``GET /v1/changes``: the changes feed (rules: ChangeService)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import Field

from graphsvc.api.deps import ReadKey, get_store, services_of
from graphsvc.api.links import add_next_link
from graphsvc.api.params import Limit
from graphsvc.api.schemas import IsoTime, _Out, render
from graphsvc.domain.models import from_ms
from graphsvc.services.changes import ChangeService

router = APIRouter(tags=["changes"])


class Entity(StrEnum):
    account = "account"
    deal = "deal"
    influence = "influence"
    interaction = "interaction"
    membership = "membership"
    note = "note"
    reporting_line = "reporting_line"
    stakeholder = "stakeholder"


class ChangeOut(_Out):
    entity: Entity = Field(
        description="The kind of record; `membership`, `influence` and `reporting_line` "
        "entries are facts between two records (each recorded fact is one entry)"
    )
    id: str = Field(
        description="The record's id; for a fact, its second end: the member, the "
        "influenced stakeholder, the manager"
    )
    parent_id: str | None = Field(
        default=None,
        description="For a fact, its first end: the deal of a membership, the "
        "stakeholder an influence or reporting line starts from; for a note written or "
        "blanked, its deal (read it at `/v1/deals/{parent_id}/notes/{id}`)",
    )
    revision: int = Field(description="The workspace revision of the write")
    changed_at: IsoTime | None = Field(default=None, description="When it was written")
    deleted: bool = Field(
        description="The write deleted the record (for a fact: ended the membership or line)"
    )


class ChangePageOut(_Out):
    items: list[ChangeOut]
    next_cursor: str = Field(
        description="Pass as `since` to continue; kept when nothing is "
        "new, so it is also where to poll from next time"
    )
    has_more: bool


async def get_changes(request: Request) -> ChangeService:
    return ChangeService(store=await get_store(request), settings=services_of(request).settings)


Changes = Annotated[ChangeService, Depends(get_changes)]


@router.get(
    "/v1/changes",
    response_model=ChangePageOut,
    summary="What changed in the workspace since a cursor, oldest first",
)
def list_changes(
    request: Request,
    principal: ReadKey,
    changes: Changes,
    since: Annotated[
        str | None,
        Query(
            max_length=1024,
            description="`next_cursor` of the previous call; from the beginning without",
        ),
    ] = None,
    limit: Limit = None,
) -> Response:
    page = changes.since(workspace=principal.workspace, cursor=since, limit=limit)
    items = [
        ChangeOut(
            entity=c.entity,
            id=c.id,
            revision=c.revision,
            changed_at=from_ms(c.at) if c.at is not None else None,
            deleted=c.deleted,
            parent_id=c.parent_id,
        )
        for c in page.items
    ]
    response = render(
        ChangePageOut(items=items, next_cursor=page.next_cursor, has_more=page.has_more)
    )
    return add_next_link(
        response, request, page.next_cursor if page.has_more else None, param="since"
    )
