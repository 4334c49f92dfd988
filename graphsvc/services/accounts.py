"""Accounts: create or update, read, delete."""

from __future__ import annotations

from graphsvc.domain.models import Account, AccountFields
from graphsvc.store.repository import GraphStore


class AccountService:
    def __init__(self, *, store: GraphStore) -> None:
        self.store = store

    def get(self, *, workspace: str, account_id: str) -> Account:
        """The account; 404 when the workspace has none by that id."""
        return self.store.accounts.get(workspace=workspace, account_id=account_id)

    def upsert(self, *, workspace: str, account_id: str, fields: AccountFields) -> Account:
        """Create or replace the account ``account_id`` with ``fields``."""
        account = Account(id=account_id, **fields.model_dump())
        self.store.accounts.upsert(workspace=workspace, accounts=[account])
        return account

    def delete(self, *, workspace: str, account_id: str) -> None:
        """Delete the account with its stakeholders; 404 when there is none, 409 while
        deals or committee seats still use it."""
        # Checked first: a delete statement bumps the workspace revision even when it misses.
        self.get(workspace=workspace, account_id=account_id)
        self.store.accounts.delete(workspace=workspace, account_id=account_id)
