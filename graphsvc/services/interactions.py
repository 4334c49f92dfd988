"""Interactions: recorded contacts between our team and stakeholders on a deal, each
by the caller's own id (the CRM activity id) or, without one, an id from its content."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from graphsvc.config import Settings
from graphsvc.domain.models import Interaction, InteractionFields
from graphsvc.domain.snapshot import InteractionRecord
from graphsvc.services.records import RecordVerbs
from graphsvc.services.versioned import NO_CONDITION, Condition, Written
from graphsvc.store.core import Page
from graphsvc.store.repository import GraphStore


class InteractionService:
    def __init__(self, *, store: GraphStore, settings: Settings | None = None) -> None:
        self.store = store
        self.settings = settings or store.core.settings
        repository = store.interactions

        def check(ws: str, interaction: Interaction) -> None:
            # Its deal must exist (404), and every stakeholder it names (422).
            store.deals.get(workspace=ws, deal_id=interaction.deal_id)
            repository.check_references(ws, [interaction], "interaction")

        self.records = RecordVerbs(
            kind="interaction",
            model=Interaction,
            fields_model=InteractionFields,
            read_tagged=lambda ws, record_id: repository.get_tagged(
                workspace=ws, interaction_id=record_id
            ),
            write=lambda ws, records, expect, actor: repository.write(
                ws, records, expect=expect, by=actor
            ),
            tag=repository.content_tag,
            # History is never erased: a deleted interaction is withdrawn, dated and signed.
            remove=lambda ws, record_id, actor: repository.delete(
                workspace=ws, interaction_id=record_id, by=actor
            ),
            check=check,
        )

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
        return self.records.read_tagged(workspace, interaction_id)

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
        return self.records.put(
            workspace=workspace,
            record_id=interaction_id,
            fields=fields,
            condition=condition,
            actor=actor,
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
        return self.records.patch(
            workspace=workspace,
            record_id=interaction_id,
            patch=patch,
            condition=condition,
            actor=actor,
        )

    def delete(
        self,
        *,
        workspace: str,
        interaction_id: str,
        actor: str,
        condition: Condition = NO_CONDITION,
    ) -> None:
        """Withdraw the interaction from now on, signed by ``actor`` (history keeps it
        as of earlier instants; the id is free to be written again); 404 when none is in
        effect, 412 when ``condition`` fails."""
        self.records.delete(
            workspace=workspace, record_id=interaction_id, condition=condition, actor=actor
        )

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
