"""Deals: one opportunity on an account, listed a page at a time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graphsvc.domain.cursor import decode_cursor, encode_cursor
from graphsvc.domain.models import Deal, DealStatus, to_ms
from graphsvc.errors import NotFound, ValidationFailed
from graphsvc.store.codecs import KEY_SEPARATOR, deal_from_props, node_key, node_props
from graphsvc.store.core import (
    Authors,
    NodeRepository,
    Page,
    Pending,
    UpsertCounts,
    check_workspace,
    signed,
    validate_batch,
    with_expectations,
)


@dataclass(frozen=True)
class DealFilter:
    """Which deals a list shows (every condition given must hold): the owner's e-mail
    (any case), the status, the account, written since an instant. The one declaration
    of these conditions, for the repository, the store's façade, the service and the API.
    """

    owner: str | None = None
    status: DealStatus | None = None
    account_id: str | None = None
    updated_since: datetime | None = None


ALL_DEALS = DealFilter()


class DealRepository(NodeRepository[Deal]):
    kind = "deal"
    model = Deal

    def upsert(
        self,
        *,
        workspace: str,
        deals: Sequence[Deal],
        expect: Mapping[str, str] | None = None,
        by: str | None = None,
    ) -> UpsertCounts:
        """Create or replace deals. ``expect`` makes the write of an id conditional,
        checked inside the writing statement: the stored content tag must equal it (``""``:
        the deal must not exist yet); rows whose condition fails are counted
        ``precondition_failed`` and not written."""
        ws = check_workspace(workspace)
        models = validate_batch(Deal, deals)
        self.check_references(ws, models, "deal batch")
        return self.write(ws, models, expect=expect, by=by)

    def check_references(
        self, ws: str, models: Sequence[Deal], what: str, pending: Pending | None = None
    ) -> None:
        """Every deal's account exists (or is ``pending``)."""
        self.core.check_refs(
            ws,
            [(i, ("account_id",), "account", d.account_id) for i, d in enumerate(models)],
            what,
            pending,
        )

    def rows(
        self, ws: str, models: list[Deal], expect: Mapping[str, str] | None = None
    ) -> list[dict[str, Any]]:
        """The statement rows of validated deals (see the upsert query)."""
        latest = {d.id: d for d in models}
        rows = []
        for d in latest.values():
            account_key = node_key(ws, d.account_id)
            rows.append(
                {
                    "key": node_key(ws, d.id),
                    "account_key": account_key,
                    "props": node_props(
                        ws, d.model_dump(mode="json"), d.id, account_key=account_key
                    ),
                }
            )
        return with_expectations(rows, expect)

    def write(
        self,
        ws: str,
        models: list[Deal],
        expect: Mapping[str, str] | None = None,
        *,
        by: str | None = None,
    ) -> UpsertCounts:
        """Write validated deals whose references were checked."""
        return self._upsert_rows(ws, signed(self.rows(ws, models, expect), by))

    def write_each(self, ws: str, models: list[Deal], *, by: str | None = None) -> dict[str, str]:
        """Write validated deals whose references were checked; each one's outcome."""
        return self.core.upsert_each(f"{self.kind}_upsert", ws, signed(self.rows(ws, models), by))

    def get(self, *, workspace: str, deal_id: str) -> Deal:
        return self._get(check_workspace(workspace), deal_id)

    def delete(self, *, workspace: str, deal_id: str) -> None:
        """Delete a deal with its membership facts and interactions."""
        ws = check_workspace(workspace)
        rows = self.runner.write(
            "deal_delete", {"ws": ws, "key": node_key(ws, deal_id), "sep": KEY_SEPARATOR}
        )
        if not rows or not rows[0]["deleted"]:
            raise NotFound(f"no deal {deal_id!r}")

    def list_page(
        self,
        *,
        workspace: str,
        matching: DealFilter = ALL_DEALS,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page[Deal]:
        """Deals ordered by id; ``next_cursor`` (opaque) continues after the last one."""
        ws = check_workspace(workspace)
        if limit < 1:
            raise ValidationFailed(
                "limit must be >= 1", detail=[{"loc": ["limit"], "msg": "must be >= 1"}]
            )
        owner, status, updated_since = matching.owner, matching.status, matching.updated_since
        try:
            status_value = DealStatus(status).value if status else None
        except ValueError as exc:
            raise ValidationFailed(
                "unknown deal status",
                detail=[{"loc": ["status"], "msg": f"not one of {[s.value for s in DealStatus]}"}],
            ) from exc
        params = {
            "ws": ws,
            "owner": owner.strip().lower() if owner else None,
            "status": status_value,
            "account_id": matching.account_id,
            "after": decode_cursor(cursor) if cursor else None,
            "limit": limit + 1,
            "updated_since": to_ms(updated_since) if updated_since is not None else None,
        }
        rows = self.runner.read("deal_list", params)
        items = [deal_from_props(row["props"]) for row in rows[:limit]]
        next_cursor = encode_cursor(items[-1].id) if len(rows) > limit else None
        authors = {row["props"]["id"]: Authors.of(row["props"]) for row in rows[:limit]}
        return Page(items=items, next_cursor=next_cursor, authors=authors)
