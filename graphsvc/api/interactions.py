"""Interactions: recorded contacts between our team and stakeholders on a deal, by the
caller's own id (the CRM activity id) (rules: InteractionService)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

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
from graphsvc.api.deps import Interactions, ReadKey, WriteKey
from graphsvc.api.errors import error_responses
from graphsvc.api.links import add_next_link
from graphsvc.api.params import AsOf, Cursor, DealId, InteractionId, Limit, UpdatedSince
from graphsvc.api.schemas import (
    InteractionCreate,
    InteractionIn,
    InteractionList,
    InteractionOut,
    render,
)

router = APIRouter(
    tags=["interactions"],
    dependencies=[JsonBodyOnly],
)


def _at(interaction_id: str) -> str:
    return location("v1", "interactions", interaction_id)


@router.post(
    "/v1/interactions",
    response_model=InteractionOut,
    status_code=201,
    summary="Record an interaction; returns it with its id",
    responses=error_responses(404),  # the deal it names does not exist
)
def post_interaction(
    body: InteractionCreate, principal: WriteKey, interactions: Interactions
) -> Response:
    stored = interactions.record(
        workspace=principal.workspace,
        fields=InteractionIn(**body.model_dump(exclude={"id"})),
        actor=principal.actor,
        interaction_id=body.id,
    )
    _, tag = interactions.get_tagged(workspace=principal.workspace, interaction_id=stored.id)
    response = render(InteractionOut.of(stored), status_code=201)
    response.headers.update({"Location": _at(stored.id), "ETag": etag(tag)})
    return response


@router.put(
    "/v1/interactions/{interaction_id}",
    response_model=InteractionOut,
    summary="Record or replace an interaction by the caller's own id",
    responses={201: {"model": InteractionOut, "description": "Created"}},
)
def put_interaction(
    interaction_id: InteractionId,
    body: InteractionIn,
    principal: WriteKey,
    interactions: Interactions,
    condition: WriteCondition,
) -> Response:
    written = interactions.put(
        workspace=principal.workspace,
        interaction_id=interaction_id,
        fields=body,
        actor=principal.actor,
        condition=condition,
    )
    return render_written(InteractionOut.of(written.record), written, at=_at(interaction_id))


@router.patch(
    "/v1/interactions/{interaction_id}",
    response_model=InteractionOut,
    summary="Change some fields of an interaction (JSON merge patch)",
)
def patch_interaction(
    interaction_id: InteractionId,
    patch: MergePatch,
    principal: WriteKey,
    interactions: Interactions,
    condition: WriteCondition,
) -> Response:
    written = interactions.patch(
        workspace=principal.workspace,
        interaction_id=interaction_id,
        patch=patch,
        actor=principal.actor,
        condition=condition,
    )
    return render_written(InteractionOut.of(written.record), written, at=_at(interaction_id))


@router.get(
    "/v1/interactions/{interaction_id}",
    response_model=InteractionOut,
    summary="Read an interaction by the caller's own id",
    responses={304: {"description": "Not modified (If-None-Match)"}},
)
def get_interaction(
    interaction_id: InteractionId,
    principal: ReadKey,
    interactions: Interactions,
    if_none_match: IfNoneMatchRead = None,
) -> Response:
    interaction, tag = interactions.get_tagged(
        workspace=principal.workspace, interaction_id=interaction_id
    )
    return render_read(InteractionOut.of(interaction), tag, if_none_match)


@router.delete(
    "/v1/interactions/{interaction_id}",
    status_code=204,
    response_class=Response,
    summary="Withdraw an interaction by the caller's own id (kept in the as-of history)",
)
def delete_interaction(
    interaction_id: InteractionId,
    principal: WriteKey,
    interactions: Interactions,
    condition: WriteCondition,
) -> Response:
    interactions.delete(
        workspace=principal.workspace,
        interaction_id=interaction_id,
        actor=principal.actor,
        condition=condition,
    )
    return Response(status_code=204)


@router.get(
    "/v1/deals/{deal_id}/interactions",
    response_model=InteractionList,
    summary="A deal's interactions up to `as_of`, oldest first, a page at a time",
)
def list_interactions(
    request: Request,
    deal_id: DealId,
    principal: ReadKey,
    interactions: Interactions,
    as_of: AsOf = None,
    limit: Limit = None,
    cursor: Cursor = None,
    updated_since: UpdatedSince = None,
) -> Response:
    page = interactions.page(
        workspace=principal.workspace,
        deal_id=deal_id,
        as_of=as_of,
        limit=limit,
        cursor=cursor,
        updated_since=updated_since,
    )
    response = render(
        InteractionList(
            items=[InteractionOut.of(i) for i in page.items], next_cursor=page.next_cursor
        )
    )
    return add_next_link(response, request, page.next_cursor)
