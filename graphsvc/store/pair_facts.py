"""A pair's dated facts as one resource: a committee seat (stakeholder on a deal), an
influence line or a reporting line (stakeholder to stakeholder).

The resource's *version tag* is the greatest ``seq`` of the pair's facts, as text:
``seq`` grows with the workspace revision, so every fact recorded about the pair gives
a new tag, and re-recording a fact that changes nothing keeps it. It "exists" when its
fact of the latest instant is active (a seat or a line in effect as last recorded). A
conditional write hands the tag it expects to the writing statement, which compares it
with the pair's facts before recording (``expect`` in ``queries/*_record.cypher``), so
two writers holding the same tag cannot both win.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from graphsvc.errors import NotFound
from graphsvc.store.codecs import KEY_SEPARATOR, node_key
from graphsvc.store.core import (
    RepositoryBase,
    StoreCore,
    UpsertCounts,
    check_workspace,
    outcome_counts,
)


class PairKind(StrEnum):
    """The kinds of pair resources; the value names their queries (``<value>_fact_version``)."""

    member = "member"
    influence = "influence"
    reporting = "reporting"


@dataclass(frozen=True)
class PairVersion:
    """A pair's version tag and its fact of the latest instant (epoch ms, decoded state;
    the state's first value tells whether it is active)."""

    tag: str
    at: int
    state: list[Any]

    @property
    def active(self) -> bool:
        return bool(self.state[0])


@dataclass(frozen=True)
class PairWrite:
    """One fact's write: its counts (one outcome) and the pair's tag afterwards."""

    counts: UpsertCounts
    tag: str


class PairFactRepository(RepositoryBase):
    def version(
        self, *, workspace: str, kind: PairKind, source_id: str, target_id: str
    ) -> PairVersion | None:
        """The pair's version, or None when no fact was ever recorded about it."""
        ws = check_workspace(workspace)
        rows = self.runner.read(
            f"{kind.value}_fact_version",
            {"source_key": node_key(ws, source_id), "target_key": node_key(ws, target_id)},
        )
        if not rows:
            return None
        latest = max(rows, key=lambda r: (int(r["at"]), int(r["seq"])))
        top = max(int(r["seq"]) for r in rows)
        return PairVersion(tag=str(top), at=int(latest["at"]), state=json.loads(latest["state"]))

    def in_effect(
        self, *, workspace: str, kind: PairKind, source_id: str, target_id: str, what: str
    ) -> PairVersion:
        """The pair's version when it is in effect as last recorded; else 404."""
        found = self.version(
            workspace=workspace, kind=kind, source_id=source_id, target_id=target_id
        )
        if found is None or not found.active:
            raise NotFound(f"no {what}")
        return found


def write_pair_fact(
    core: StoreCore, query: str, ws: str, row: dict[str, Any], expect: str | None
) -> PairWrite:
    """Record one fact row with ``query`` (a ``*_record`` statement) under ``expect``
    (the tag that must be current, ``""`` for "not in effect", None for no
    condition)."""
    params_row = {**row, "i": 0, **({} if expect is None else {"expect": expect})}
    rows = core.runner.write(query, {"ws": ws, "rows": [params_row], "sep": KEY_SEPARATOR})
    tags = [tag for r in rows for tag in r.get("tags", [])]
    return PairWrite(outcome_counts(rows), str(tags[0]) if tags else "")
