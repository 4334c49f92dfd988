"""Interactions: recorded contacts between our team and stakeholders on a deal."""

from __future__ import annotations

from datetime import datetime

from graphsvc.domain.models import Interaction, InteractionFields
from graphsvc.domain.snapshot import InteractionRecord
from graphsvc.store.repository import GraphStore


class InteractionService:
    def __init__(self, *, store: GraphStore) -> None:
        self.store = store

    def record(self, *, workspace: str, fields: InteractionFields) -> Interaction:
        """Record an interaction and return it with its id; its deal must exist (404),
        every stakeholder it names too (422 naming the index)."""
        self.store.deals.get(workspace=workspace, deal_id=fields.deal_id)
        interaction = Interaction(**fields.model_dump())
        return self.store.interactions.record(workspace=workspace, interactions=[interaction])[0]

    def list(
        self, *, workspace: str, deal_id: str, as_of: datetime | None = None
    ) -> list[InteractionRecord]:
        """The deal's interactions up to ``as_of`` (all when None), oldest first; 404
        when there is no such deal."""
        return self.store.interactions.of_deal(workspace=workspace, deal_id=deal_id, as_of=as_of)
