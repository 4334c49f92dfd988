"""Interactions: recorded contacts between our team and stakeholders on a deal, each
by the caller's own id (the CRM activity id) or, without one, an id from its content."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from graphsvc.config import Settings
from graphsvc.domain.models import Interaction, InteractionFields
from graphsvc.domain.snapshot import InteractionRecord
from graphsvc.services.versioned import (
    NO_CONDITION,
    Condition,
    Written,
    check_deletable,
    patch_record,
    write_one,
)
from graphsvc.store.core import Page
from graphsvc.store.repository import GraphStore


class InteractionService:
    def __init__(self, *, store: GraphStore, settings: Settings | None = None) -> None:
        self.store = store
        self.settings = settings or store.core.settings

    def record(
        self,
        *,
        workspace: str,
        fields: InteractionFields,
        actor: str,
        interaction_id: str | None = None,
    ) -> Interaction:
        """Record an interaction made known by ``actor`` and return it with its id
        (``interaction_id``, or one derived from its content); its deal must exist (404),
        every stakeholder it names too (422 naming the index)."""
        self.store.deals.get(workspace=workspace, deal_id=fields.deal_id)
        values = fields.model_dump()
        if interaction_id is not None:
            values["id"] = interaction_id
        interaction = Interaction(**values)
        return self.store.interactions.record(
            workspace=workspace, interactions=[interaction], by=actor
        )[0]

    def get_tagged(self, *, workspace: str, interaction_id: str) -> tuple[Interaction, str]:
        """The interaction and its content tag (the API's ETag); 404 when none."""
        return self.store.interactions.get_tagged(
            workspace=workspace, interaction_id=interaction_id
        )

    def put(
        self,
        *,
        workspace: str,
        interaction_id: str,
        fields: InteractionFields,
        actor: str,
        condition: Condition = NO_CONDITION,
    ) -> Written[Interaction]:
        """Create or replace the interaction ``interaction_id`` if ``condition`` holds
        (412 otherwise), by ``actor``; its deal (404) and stakeholders (422) must exist."""
        self.store.deals.get(workspace=workspace, deal_id=fields.deal_id)
        interaction = Interaction(id=interaction_id, **fields.model_dump())
        repository = self.store.interactions
        repository.check_references(workspace, [interaction], "interaction")
        return write_one(
            interaction,
            record_id=interaction_id,
            condition=condition,
            what=f"interaction {interaction_id!r}",
            read_tagged=lambda: self.get_tagged(workspace=workspace, interaction_id=interaction_id),
            upsert=lambda records, expect: repository.write(
                workspace, records, expect=expect, by=actor
            ),
            tag=lambda written: repository.content_tag(workspace, written),
        )

    def patch(
        self,
        *,
        workspace: str,
        interaction_id: str,
        patch: dict[str, Any],
        actor: str,
        condition: Condition = NO_CONDITION,
    ) -> Written[Interaction]:
        """Apply a JSON merge patch to the interaction (404 when none)."""
        return patch_record(
            read_tagged=lambda: self.get_tagged(workspace=workspace, interaction_id=interaction_id),
            fields_model=InteractionFields,
            patch=patch,
            condition=condition,
            write=lambda fields, guard: self.put(
                workspace=workspace,
                interaction_id=interaction_id,
                fields=fields,
                actor=actor,
                condition=guard,
            ),
        )

    def delete(
        self, *, workspace: str, interaction_id: str, condition: Condition = NO_CONDITION
    ) -> None:
        """Delete the interaction; 404 when none, 412 when ``condition`` fails."""
        check_deletable(
            condition,
            lambda: self.get_tagged(workspace=workspace, interaction_id=interaction_id),
            f"interaction {interaction_id!r}",
        )
        self.store.interactions.delete(workspace=workspace, interaction_id=interaction_id)

    def page(
        self,
        *,
        workspace: str,
        deal_id: str,
        as_of: datetime | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        updated_since: datetime | None = None,
    ) -> Page[Interaction]:
        """One page of the deal's interactions up to ``as_of``, oldest first; 404 when
        there is no such deal."""
        size = min(limit or self.settings.page_limit_default, self.settings.page_limit_max)
        return self.store.interactions.page_of_deal(
            workspace=workspace,
            deal_id=deal_id,
            as_of=as_of,
            limit=size,
            cursor=cursor,
            updated_since=updated_since,
        )

    def list(
        self, *, workspace: str, deal_id: str, as_of: datetime | None = None
    ) -> list[InteractionRecord]:
        """The deal's interactions up to ``as_of`` (all when None), oldest first; 404
        when there is no such deal."""
        return self.store.interactions.of_deal(workspace=workspace, deal_id=deal_id, as_of=as_of)
