"""Accounts: create or update, read, delete."""

from __future__ import annotations

from typing import Any

from graphsvc.domain.models import Account, AccountFields
from graphsvc.services.versioned import (
    NO_CONDITION,
    Condition,
    Written,
    check_deletable,
    patch_record,
    write_one,
)
from graphsvc.store.codecs import content_tag
from graphsvc.store.repository import GraphStore


class AccountService:
    def __init__(self, *, store: GraphStore) -> None:
        self.store = store

    def get(self, *, workspace: str, account_id: str) -> Account:
        """The account; 404 when the workspace has none by that id."""
        return self.store.accounts.get(workspace=workspace, account_id=account_id)

    def get_tagged(self, *, workspace: str, account_id: str) -> tuple[Account, str]:
        """The account and its content tag (the API's ETag); 404 when none."""
        return self.store.accounts.get_tagged(workspace=workspace, natural_id=account_id)

    def upsert(self, *, workspace: str, account_id: str, fields: AccountFields) -> Account:
        """Create or replace the account ``account_id`` with ``fields``."""
        return self.put(workspace=workspace, account_id=account_id, fields=fields).record

    def put(
        self,
        *,
        workspace: str,
        account_id: str,
        fields: AccountFields,
        condition: Condition = NO_CONDITION,
    ) -> Written[Account]:
        """Create or replace the account if ``condition`` holds (412 otherwise)."""
        account = Account(id=account_id, **fields.model_dump())
        return write_one(
            account,
            record_id=account_id,
            condition=condition,
            what=f"account {account_id!r}",
            read_tagged=lambda: self.get_tagged(workspace=workspace, account_id=account_id),
            upsert=lambda records, expect: self.store.accounts.upsert(
                workspace=workspace, accounts=records, expect=expect
            ),
            tag=lambda record: content_tag(record.model_dump(mode="json")),
        )

    def patch(
        self,
        *,
        workspace: str,
        account_id: str,
        patch: dict[str, Any],
        condition: Condition = NO_CONDITION,
    ) -> Written[Account]:
        """Apply a JSON merge patch to the account (404 when none)."""
        return patch_record(
            read_tagged=lambda: self.get_tagged(workspace=workspace, account_id=account_id),
            fields_model=AccountFields,
            patch=patch,
            condition=condition,
            write=lambda fields, guard: self.put(
                workspace=workspace, account_id=account_id, fields=fields, condition=guard
            ),
        )

    def delete(
        self, *, workspace: str, account_id: str, condition: Condition = NO_CONDITION
    ) -> None:
        """Delete the account with its stakeholders; 404 when there is none, 409 while
        deals or committee seats still use it, 412 when ``condition`` fails."""
        # Checked first: a delete statement bumps the workspace revision even when it misses.
        check_deletable(
            condition,
            lambda: self.get_tagged(workspace=workspace, account_id=account_id),
            f"account {account_id!r}",
        )
        self.store.accounts.delete(workspace=workspace, account_id=account_id)
