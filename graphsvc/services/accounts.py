"""Accounts: create or update, read, delete."""

from __future__ import annotations

from typing import Any

from graphsvc.domain.models import Account, AccountFields
from graphsvc.services.records import RecordVerbs
from graphsvc.services.versioned import NO_CONDITION, Condition, Written
from graphsvc.store.codecs import content_tag
from graphsvc.store.core import Authors
from graphsvc.store.repository import GraphStore


def dump_tag(workspace: str, record: Any) -> str:
    """The content tag of an account, deal or stakeholder: its stored values' fingerprint."""
    return content_tag(record.model_dump(mode="json"))


class AccountService:
    def __init__(self, *, store: GraphStore) -> None:
        self.store = store
        repository = store.accounts
        self.records = RecordVerbs(
            kind="account",
            model=Account,
            fields_model=AccountFields,
            read_tagged=lambda ws, record_id: repository.get_tagged(
                workspace=ws, natural_id=record_id
            ),
            write=lambda ws, records, expect, actor: repository.upsert(
                workspace=ws, accounts=records, expect=expect, by=actor
            ),
            tag=dump_tag,
            remove=lambda ws, record_id, actor: repository.delete(
                workspace=ws, account_id=record_id
            ),
        )

    def get(self, *, workspace: str, account_id: str) -> Account:
        """The account; 404 when the workspace has none by that id."""
        return self.store.accounts.get(workspace=workspace, account_id=account_id)

    def get_tagged(self, *, workspace: str, account_id: str) -> tuple[Account, str]:
        """The account and its content tag (the API's ETag); 404 when none."""
        return self.records.read_tagged(workspace, account_id)

    def get_authored(self, *, workspace: str, account_id: str) -> tuple[Account, str, Authors]:
        """The account, its content tag and who created and last changed it; 404
        when none."""
        return self.store.accounts.get_authored(workspace=workspace, natural_id=account_id)

    def upsert(
        self, *, workspace: str, account_id: str, fields: AccountFields, actor: str | None = None
    ) -> Account:
        """Create or replace the account ``account_id`` with ``fields``, by ``actor``."""
        return self.put(
            workspace=workspace, account_id=account_id, fields=fields, actor=actor
        ).record

    def put(
        self,
        *,
        workspace: str,
        account_id: str,
        fields: AccountFields,
        condition: Condition = NO_CONDITION,
        actor: str | None = None,
    ) -> Written[Account]:
        """Create or replace the account if ``condition`` holds (412 otherwise)."""
        return self.records.put(
            workspace=workspace,
            record_id=account_id,
            fields=fields,
            condition=condition,
            actor=actor,
        )

    def patch(
        self,
        *,
        workspace: str,
        account_id: str,
        patch: dict[str, Any],
        condition: Condition = NO_CONDITION,
        actor: str | None = None,
    ) -> Written[Account]:
        """Apply a JSON merge patch to the account (404 when none)."""
        return self.records.patch(
            workspace=workspace,
            record_id=account_id,
            patch=patch,
            condition=condition,
            actor=actor,
        )

    def delete(
        self, *, workspace: str, account_id: str, condition: Condition = NO_CONDITION
    ) -> None:
        """Delete the account with its stakeholders; 404 when there is none, 409 while
        deals or committee seats still use it, 412 when ``condition`` fails."""
        self.records.delete(workspace=workspace, record_id=account_id, condition=condition)
