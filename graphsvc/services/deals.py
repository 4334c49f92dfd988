"""Deals: create or update, read, delete, list a page at a time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from graphsvc.config import Settings
from graphsvc.domain.models import Deal, DealFields, DealStatus
from graphsvc.services.versioned import (
    NO_CONDITION,
    Condition,
    Written,
    check_deletable,
    patch_record,
    write_one,
)
from graphsvc.store.codecs import content_tag
from graphsvc.store.core import Page
from graphsvc.store.repository import GraphStore


class DealService:
    def __init__(self, *, store: GraphStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    def get(self, *, workspace: str, deal_id: str) -> Deal:
        """The deal; 404 when the workspace has none by that id."""
        return self.store.deals.get(workspace=workspace, deal_id=deal_id)

    def get_tagged(self, *, workspace: str, deal_id: str) -> tuple[Deal, str]:
        """The deal and its content tag (the API's ETag); 404 when none."""
        return self.store.deals.get_tagged(workspace=workspace, natural_id=deal_id)

    def upsert(self, *, workspace: str, deal_id: str, fields: DealFields) -> Deal:
        """Create or replace the deal; its account must exist in the workspace (404)."""
        return self.put(workspace=workspace, deal_id=deal_id, fields=fields).record

    def put(
        self,
        *,
        workspace: str,
        deal_id: str,
        fields: DealFields,
        condition: Condition = NO_CONDITION,
    ) -> Written[Deal]:
        """Create or replace the deal if ``condition`` holds (412 otherwise); its account
        must exist in the workspace (404)."""
        record = Deal(id=deal_id, **fields.model_dump())
        self.store.accounts.get(workspace=workspace, account_id=record.account_id)
        return write_one(
            record,
            record_id=deal_id,
            condition=condition,
            what=f"deal {deal_id!r}",
            read_tagged=lambda: self.get_tagged(workspace=workspace, deal_id=deal_id),
            upsert=lambda records, expect: self.store.deals.upsert(
                workspace=workspace, deals=records, expect=expect
            ),
            tag=lambda written: content_tag(written.model_dump(mode="json")),
        )

    def patch(
        self,
        *,
        workspace: str,
        deal_id: str,
        patch: dict[str, Any],
        condition: Condition = NO_CONDITION,
    ) -> Written[Deal]:
        """Apply a JSON merge patch to the deal (404 when none)."""
        return patch_record(
            read_tagged=lambda: self.get_tagged(workspace=workspace, deal_id=deal_id),
            fields_model=DealFields,
            patch=patch,
            condition=condition,
            write=lambda fields, guard: self.put(
                workspace=workspace, deal_id=deal_id, fields=fields, condition=guard
            ),
        )

    def delete(self, *, workspace: str, deal_id: str, condition: Condition = NO_CONDITION) -> None:
        """Delete the deal with its committee facts and interactions; 404 when none,
        412 when ``condition`` fails."""
        check_deletable(
            condition,
            lambda: self.get_tagged(workspace=workspace, deal_id=deal_id),
            f"deal {deal_id!r}",
        )
        self.store.deals.delete(workspace=workspace, deal_id=deal_id)

    def list(
        self,
        *,
        workspace: str,
        owner: str | None = None,
        status: DealStatus | None = None,
        account_id: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        updated_since: datetime | None = None,
    ) -> Page[Deal]:
        """One page of deals in id order; ``limit`` defaults to the configured page size
        and is capped at the configured maximum."""
        size = min(limit or self.settings.page_limit_default, self.settings.page_limit_max)
        return self.store.deals.list_page(
            workspace=workspace,
            owner=owner.strip().lower() if owner else None,
            status=status,
            account_id=account_id,
            limit=size,
            cursor=cursor,
            updated_since=updated_since,
        )
