"""Accounts: the customer companies deals and stakeholders belong to."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from graphsvc.domain.models import Account
from graphsvc.errors import Conflict, NotFound
from graphsvc.store.codecs import KEY_SEPARATOR, node_key, node_props
from graphsvc.store.core import (
    NodeRepository,
    UpsertCounts,
    check_workspace,
    signed,
    validate_batch,
    with_expectations,
)


class AccountRepository(NodeRepository[Account]):
    kind = "account"
    model = Account

    def upsert(
        self,
        *,
        workspace: str,
        accounts: Sequence[Account],
        expect: Mapping[str, str] | None = None,
        by: str | None = None,
    ) -> UpsertCounts:
        """Create or replace accounts. ``expect`` makes the write of an id conditional,
        checked inside the writing statement: the stored content tag must equal it (``""``:
        the account must not exist yet); rows whose condition fails are counted
        ``precondition_failed`` and not written."""
        ws = check_workspace(workspace)
        return self.write(ws, validate_batch(Account, accounts), expect=expect, by=by)

    def rows(
        self, ws: str, models: list[Account], expect: Mapping[str, str] | None = None
    ) -> list[dict[str, Any]]:
        """The statement rows of validated accounts (see the upsert query)."""
        latest = {a.id: a for a in models}  # of duplicate ids the last wins
        rows = [
            {"key": node_key(ws, a.id), "props": node_props(ws, a.model_dump(mode="json"), a.id)}
            for a in latest.values()
        ]
        return with_expectations(rows, expect)

    def write(
        self,
        ws: str,
        models: list[Account],
        expect: Mapping[str, str] | None = None,
        *,
        by: str | None = None,
    ) -> UpsertCounts:
        """Write validated accounts whose references were checked."""
        return self._upsert_rows(ws, signed(self.rows(ws, models, expect), by))

    def write_each(
        self, ws: str, models: list[Account], *, by: str | None = None
    ) -> dict[str, str]:
        """Write validated accounts whose references were checked; each one's outcome."""
        return self.core.upsert_each(f"{self.kind}_upsert", ws, signed(self.rows(ws, models), by))

    def get(self, *, workspace: str, account_id: str) -> Account:
        return self._get(check_workspace(workspace), account_id)

    def delete(self, *, workspace: str, account_id: str) -> None:
        """Delete an account and its stakeholders; 409 Conflict (nothing deleted) while a
        deal is on the account or one of its stakeholders sits on a deal."""
        ws = check_workspace(workspace)
        rows = self.runner.write(
            "account_delete", {"ws": ws, "key": node_key(ws, account_id), "sep": KEY_SEPARATOR}
        )
        if not rows:
            raise NotFound(f"no account {account_id!r}")
        deals, seats = int(rows[0]["deals"]), int(rows[0]["seats"])
        if deals or seats:
            raise Conflict(
                f"account {account_id!r} still has {deals} deal(s), and its stakeholders "
                f"{seats} committee fact(s); delete those deals first",
                detail={"deals": deals, "membership_facts": seats},
            )
