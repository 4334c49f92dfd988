"""The changes feed: what changed in a workspace since a cursor, so a CRM pulls deltas."""

from __future__ import annotations

import json
from dataclasses import dataclass

from graphsvc.config import Settings
from graphsvc.domain.cursor import decode_cursor, encode_cursor
from graphsvc.errors import ValidationFailed
from graphsvc.store.changes import START, Change, ChangeRepository
from graphsvc.store.repository import GraphStore


@dataclass(frozen=True)
class ChangePage:
    """Entries after the cursor; ``next_cursor`` continues after the last one (or stays
    where it was when there is nothing new): keep it and ask again later."""

    items: list[Change]
    next_cursor: str
    has_more: bool


def encode_position(position: tuple[int, str, str]) -> str:
    return encode_cursor(json.dumps(list(position), separators=(",", ":")))


def decode_position(cursor: str) -> tuple[int, str, str]:
    """The feed position of a cursor; 422 naming ``since`` when it is not one."""
    try:
        rev, entity, natural_id = json.loads(decode_cursor(cursor))
        if isinstance(rev, int) and isinstance(entity, str) and isinstance(natural_id, str):
            return rev, entity, natural_id
    except (ValueError, TypeError, ValidationFailed):
        pass
    raise ValidationFailed(
        "invalid cursor", detail=[{"loc": ["query", "since"], "msg": "not a cursor of this feed"}]
    )


class ChangeService:
    def __init__(self, *, store: GraphStore, settings: Settings) -> None:
        self.changes = ChangeRepository(store.core)
        self.settings = settings

    def since(
        self, *, workspace: str, cursor: str | None = None, limit: int | None = None
    ) -> ChangePage:
        """The entries after ``cursor`` (from the beginning without one), oldest first."""
        position = decode_position(cursor) if cursor else START
        size = min(limit or self.settings.page_limit_default, self.settings.page_limit_max)
        found = self.changes.after(workspace=workspace, position=position, limit=size + 1)
        items = found[:size]
        last = items[-1].position if items else position
        return ChangePage(
            items=items, next_cursor=encode_position(last), has_more=len(found) > size
        )
