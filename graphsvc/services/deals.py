"""Deals: create or update, read, delete, list a page at a time."""

from __future__ import annotations

from graphsvc.config import Settings
from graphsvc.domain.models import Deal, DealFields, DealStatus
from graphsvc.store.core import Page
from graphsvc.store.repository import GraphStore


class DealService:
    def __init__(self, *, store: GraphStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    def get(self, *, workspace: str, deal_id: str) -> Deal:
        """The deal; 404 when the workspace has none by that id."""
        return self.store.deals.get(workspace=workspace, deal_id=deal_id)

    def upsert(self, *, workspace: str, deal_id: str, fields: DealFields) -> Deal:
        """Create or replace the deal; its account must exist in the workspace (404)."""
        deal = Deal(id=deal_id, **fields.model_dump())
        self.store.accounts.get(workspace=workspace, account_id=deal.account_id)
        self.store.deals.upsert(workspace=workspace, deals=[deal])
        return deal

    def delete(self, *, workspace: str, deal_id: str) -> None:
        """Delete the deal with its committee facts and interactions; 404 when none."""
        self.get(workspace=workspace, deal_id=deal_id)
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
        )
