"""Stakeholders: create or update, read, delete, and the deals they sit on."""

from __future__ import annotations

from datetime import datetime

from graphsvc.domain.models import Deal, Stakeholder, StakeholderFields
from graphsvc.store.repository import GraphStore


class StakeholderService:
    def __init__(self, *, store: GraphStore) -> None:
        self.store = store

    def get(self, *, workspace: str, stakeholder_id: str) -> Stakeholder:
        """The stakeholder; 404 when the workspace has none by that id."""
        return self.store.stakeholders.get(workspace=workspace, stakeholder_id=stakeholder_id)

    def upsert(
        self, *, workspace: str, stakeholder_id: str, fields: StakeholderFields
    ) -> Stakeholder:
        """Create or replace the stakeholder; their account must exist (404)."""
        stakeholder = Stakeholder(id=stakeholder_id, **fields.model_dump())
        self.store.accounts.get(workspace=workspace, account_id=stakeholder.account_id)
        self.store.stakeholders.upsert(workspace=workspace, stakeholders=[stakeholder])
        return stakeholder

    def delete(self, *, workspace: str, stakeholder_id: str) -> None:
        """Delete the person with all their facts; 404 when there is none."""
        self.get(workspace=workspace, stakeholder_id=stakeholder_id)
        self.store.stakeholders.delete(workspace=workspace, stakeholder_id=stakeholder_id)

    def deals(
        self, *, workspace: str, stakeholder_id: str, as_of: datetime | None = None
    ) -> list[Deal]:
        """The deals whose committee the stakeholder sits on as of ``as_of`` (now)."""
        return self.store.stakeholders.deals(
            workspace=workspace, stakeholder_id=stakeholder_id, as_of=as_of
        )
