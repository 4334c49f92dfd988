"""The changes feed: what was written or deleted in a workspace, in write order.

Every created or updated account, deal, stakeholder, interaction and note carries
``changed_rev`` (the workspace revision of the write that changed it) and
``changed_at``; a deleted one (an interaction or note withdrawn) leaves a
``(:Tombstone {entity, id, changed_rev, changed_at})``. Every recorded committee or
line fact is an entry of its own (its revision is in its ``seq``), named by its pair:
``parent_id`` (the deal of a membership, the stakeholder a line starts from) and ``id``
(the member, the line's other end); a fact that ends the membership or line is marked
deleted. The feed orders entries by ``(revision, entity, id)`` (for a fact, ``id`` is
``parent<sep>id``); a position in it is such a triple. A note's entry names its deal in
``parent_id`` (where a client reads it); its position is by its id alone. The workspace
revision is taken under the workspace's write lock, so a reader never sees a revision
before the ones below it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphsvc.store.codecs import KEY_SEPARATOR
from graphsvc.store.core import RepositoryBase, check_workspace

ENTITIES = ("account", "deal", "interaction", "stakeholder")
# Records named by their id that come with the id of the record they hang on
# (``parent_id``: a note's deal), where a client reads them.
CHILD_ENTITIES = ("note",)
# Entries for facts between two records (queries ``changes_<entity>``).
PAIR_ENTITIES = ("influence", "membership", "reporting_line")
# Before every entry of the feed.
START: tuple[int, str, str] = (-1, "", "")


@dataclass(frozen=True)
class Change:
    """One entry: the record's kind and id, the revision and time (epoch ms) of the
    write, and whether it deleted the record."""

    entity: str
    id: str
    revision: int
    at: int | None
    deleted: bool
    parent_id: str | None = None

    @property
    def position(self) -> tuple[int, str, str]:
        if self.entity not in PAIR_ENTITIES or self.parent_id is None:
            return (self.revision, self.entity, self.id)
        return (self.revision, self.entity, self.parent_id + KEY_SEPARATOR + self.id)


class ChangeRepository(RepositoryBase):
    def after(
        self, *, workspace: str, position: tuple[int, str, str] = START, limit: int = 100
    ) -> list[Change]:
        """Up to ``limit`` entries after ``position``, in feed order."""
        ws = check_workspace(workspace)
        rev, entity, natural_id = position
        params: dict[str, Any] = {
            "ws": ws,
            "rev": rev,
            "entity": entity,
            "id": natural_id,
            "limit": limit,
            "sep": KEY_SEPARATOR,
        }
        changes = [
            Change(kind, row["id"], int(row["rev"]), _ms(row["at"]), False)
            for kind in ENTITIES
            for row in self.runner.read(f"changes_{kind}", params)
        ]
        changes.extend(
            Change(kind, row["id"], int(row["rev"]), _ms(row["at"]), False, row["parent"])
            for kind in CHILD_ENTITIES
            for row in self.runner.read(f"changes_{kind}", params)
        )
        changes.extend(
            Change(
                kind,
                row["id"],
                int(row["rev"]),
                _ms(row["at"]),
                bool(row["deleted"]),
                row["parent"],
            )
            for kind in PAIR_ENTITIES
            for row in self.runner.read(f"changes_{kind}", params)
        )
        changes.extend(
            Change(row["entity"], row["id"], int(row["rev"]), _ms(row["at"]), True)
            for row in self.runner.read("changes_tombstone", params)
        )
        changes.sort(key=lambda change: change.position)
        return changes[:limit]


def _ms(value: Any) -> int | None:
    return int(value) if value is not None else None
