"""Interactions: recorded contacts between our team and stakeholders on a deal (rules:
InteractionService)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from graphsvc.api.deps import Interactions, ReadKey, WriteKey
from graphsvc.api.errors import error_responses
from graphsvc.api.params import AsOf, DealId
from graphsvc.api.schemas import (
    InteractionIn,
    InteractionList,
    InteractionOut,
    interaction_out,
    render,
)

router = APIRouter(tags=["interactions"], responses=error_responses(401, 403, 404, 413, 422))


@router.post("/v1/interactions", response_model=InteractionOut, status_code=201,
             summary="Record an interaction; returns it with its id")
def post_interaction(body: InteractionIn, principal: WriteKey,
                     interactions: Interactions) -> Response:
    stored = interactions.record(workspace=principal.workspace, fields=body)
    return render(InteractionOut.of(stored), status_code=201)


@router.get("/v1/deals/{deal_id}/interactions", response_model=InteractionList,
            summary="A deal's interactions up to `as_of`, oldest first")
def list_interactions(deal_id: DealId, principal: ReadKey, interactions: Interactions,
                      as_of: AsOf = None) -> Response:
    records = interactions.list(workspace=principal.workspace, deal_id=deal_id, as_of=as_of)
    return render(InteractionList(items=[interaction_out(r, deal_id=deal_id) for r in records]))
