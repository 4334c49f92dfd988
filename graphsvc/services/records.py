"""The verbs every record found by its id shares (accounts, deals, stakeholders,
interactions): read with its tag, create or replace under a condition, merge-patch,
delete. Written once here; each resource's service names its own id (``account_id``,
``deal_id``, ...) and adds its rules (``check``: "the account must exist").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from graphsvc.services.versioned import (
    NO_CONDITION,
    Condition,
    Written,
    check_deletable,
    patch_record,
    write_one,
)
from graphsvc.store.core import UpsertCounts

M = TypeVar("M", bound=BaseModel)
F = TypeVar("F", bound=BaseModel)


def _no_check(workspace: str, record: Any) -> None:
    return None


@dataclass(frozen=True)
class RecordVerbs(Generic[M, F]):
    """``kind``: how errors name the record; ``read_tagged(workspace, id)``: the record
    and its tag (404 when none); ``write(workspace, records, expect, actor)``: the
    store's conditional upsert; ``tag(workspace, record)``: the tag it is stored with;
    ``remove(workspace, id, actor)``: the store's delete (or withdrawal) by ``actor``;
    ``check(workspace, record)``: the resource's rules before a write."""

    kind: str
    model: type[M]
    fields_model: type[F]
    read_tagged: Callable[[str, str], tuple[M, str]]
    write: Callable[[str, list[M], dict[str, str] | None, str | None], UpsertCounts]
    tag: Callable[[str, M], str]
    remove: Callable[[str, str, str | None], None]
    check: Callable[[str, M], object] = _no_check

    def put(
        self,
        *,
        workspace: str,
        record_id: str,
        fields: F,
        condition: Condition = NO_CONDITION,
        actor: str | None = None,
    ) -> Written[M]:
        """Create or replace the record if ``condition`` holds (412 otherwise)."""
        record = self.model(id=record_id, **fields.model_dump())
        self.check(workspace, record)
        return write_one(
            record,
            record_id=record_id,
            condition=condition,
            what=f"{self.kind} {record_id!r}",
            read_tagged=lambda: self.read_tagged(workspace, record_id),
            upsert=lambda records, expect: self.write(workspace, records, expect, actor),
            tag=lambda written: self.tag(workspace, written),
        )

    def patch(
        self,
        *,
        workspace: str,
        record_id: str,
        patch: dict[str, Any],
        condition: Condition = NO_CONDITION,
        actor: str | None = None,
    ) -> Written[M]:
        """Apply a JSON merge patch to the record (404 when none)."""
        return patch_record(
            read_tagged=lambda: self.read_tagged(workspace, record_id),
            fields_model=self.fields_model,
            patch=patch,
            condition=condition,
            write=lambda fields, guard: self.put(
                workspace=workspace,
                record_id=record_id,
                fields=fields,
                condition=guard,
                actor=actor,
            ),
        )

    def delete(
        self,
        *,
        workspace: str,
        record_id: str,
        condition: Condition = NO_CONDITION,
        actor: str | None = None,
    ) -> None:
        """Delete the record (by ``actor``); 404 when there is none, 412 when
        ``condition`` fails."""
        # Checked first: a delete statement bumps the workspace revision even when it misses.
        check_deletable(
            condition, lambda: self.read_tagged(workspace, record_id), f"{self.kind} {record_id!r}"
        )
        self.remove(workspace, record_id, actor)
