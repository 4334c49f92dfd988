"""Deals: create or update, read, delete, list a page at a time."""

from __future__ import annotations

from typing import Any

from graphsvc.config import Settings
from graphsvc.domain.models import Deal, DealFields
from graphsvc.services.accounts import dump_tag
from graphsvc.services.records import RecordVerbs
from graphsvc.services.versioned import NO_CONDITION, Condition, Written
from graphsvc.store.core import Authors, Page
from graphsvc.store.deals import ALL_DEALS, DealFilter
from graphsvc.store.repository import GraphStore


class DealService:
    def __init__(self, *, store: GraphStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        repository = store.deals
        self.records = RecordVerbs(
            kind="deal",
            model=Deal,
            fields_model=DealFields,
            read_tagged=lambda ws, record_id: repository.get_tagged(
                workspace=ws, natural_id=record_id
            ),
            write=lambda ws, records, expect, actor: repository.upsert(
                workspace=ws, deals=records, expect=expect, by=actor
            ),
            tag=dump_tag,
            remove=lambda ws, record_id, actor: repository.delete(workspace=ws, deal_id=record_id),
            # The deal's account must exist in the workspace (404).
            check=lambda ws, deal: store.accounts.get(workspace=ws, account_id=deal.account_id),
        )

    def get(self, *, workspace: str, deal_id: str) -> Deal:
        """The deal; 404 when the workspace has none by that id."""
        return self.store.deals.get(workspace=workspace, deal_id=deal_id)

    def get_tagged(self, *, workspace: str, deal_id: str) -> tuple[Deal, str]:
        """The deal and its content tag (the API's ETag); 404 when none."""
        return self.records.read_tagged(workspace, deal_id)

    def get_authored(self, *, workspace: str, deal_id: str) -> tuple[Deal, str, Authors]:
        """The deal, its content tag and who created and last changed it; 404
        when none."""
        return self.store.deals.get_authored(workspace=workspace, natural_id=deal_id)

    def upsert(
        self, *, workspace: str, deal_id: str, fields: DealFields, actor: str | None = None
    ) -> Deal:
        """Create or replace the deal, by ``actor``; its account must exist in the
        workspace (404)."""
        return self.put(workspace=workspace, deal_id=deal_id, fields=fields, actor=actor).record

    def put(
        self,
        *,
        workspace: str,
        deal_id: str,
        fields: DealFields,
        condition: Condition = NO_CONDITION,
        actor: str | None = None,
    ) -> Written[Deal]:
        """Create or replace the deal if ``condition`` holds (412 otherwise); its account
        must exist in the workspace (404)."""
        return self.records.put(
            workspace=workspace,
            record_id=deal_id,
            fields=fields,
            condition=condition,
            actor=actor,
        )

    def patch(
        self,
        *,
        workspace: str,
        deal_id: str,
        patch: dict[str, Any],
        condition: Condition = NO_CONDITION,
        actor: str | None = None,
    ) -> Written[Deal]:
        """Apply a JSON merge patch to the deal (404 when none)."""
        return self.records.patch(
            workspace=workspace,
            record_id=deal_id,
            patch=patch,
            condition=condition,
            actor=actor,
        )

    def delete(self, *, workspace: str, deal_id: str, condition: Condition = NO_CONDITION) -> None:
        """Delete the deal with its committee facts and interactions; 404 when none,
        412 when ``condition`` fails."""
        self.records.delete(workspace=workspace, record_id=deal_id, condition=condition)

    def list(
        self,
        *,
        workspace: str,
        matching: DealFilter = ALL_DEALS,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[Deal]:
        """One page of the deals ``matching`` in id order; ``limit`` defaults to the
        configured page size and is capped at the configured maximum."""
        size = min(limit or self.settings.page_limit_default, self.settings.page_limit_max)
        return self.store.deals.list_page(
            workspace=workspace, matching=matching, limit=size, cursor=cursor
        )
