"""Notes on the people of a deal: dated facts with their author.

A note is written once and never edited. Taking one back (an undo on the deal page)
withdraws it from an instant on: as of any earlier instant it is still there, so the
as-of replay shows what the team knew then.

    (:Note {ws, key, id, deal_key, stakeholder_id, at, by, text, recorded,
            withdrawn_at, withdrawn_by})
"""

from __future__ import annotations

from dataclasses import dataclass

from graphsvc.errors import NotFound
from graphsvc.store.codecs import FAR_FUTURE_MS, node_key
from graphsvc.store.core import RepositoryBase, check_workspace


@dataclass(frozen=True)
class Note:
    id: str
    stakeholder_id: str
    at: int
    by: str
    text: str


class NoteRepository(RepositoryBase):
    def record(
        self,
        *,
        workspace: str,
        note_id: str,
        deal_id: str,
        stakeholder_id: str,
        text: str,
        at: int,
        by: str,
    ) -> Note:
        """Record the note; 404 when the deal or the person is gone meanwhile."""
        ws = check_workspace(workspace)
        rows = self.runner.write(
            "note_record",
            {
                "ws": ws,
                "key": node_key(ws, "note:" + note_id),
                "id": note_id,
                "deal_key": node_key(ws, deal_id),
                "stakeholder_key": node_key(ws, stakeholder_id),
                "at": at,
                "by": by,
                "text": text,
            },
        )
        if not rows:
            raise NotFound(f"no deal {deal_id!r} with a person {stakeholder_id!r}")
        return Note(id=note_id, stakeholder_id=stakeholder_id, at=at, by=by, text=text)

    def withdraw(self, *, workspace: str, note_id: str, at: int, by: str) -> bool:
        """Withdraw the note from ``at`` on; False when there is none in effect."""
        ws = check_workspace(workspace)
        rows = self.runner.write(
            "note_withdraw", {"key": node_key(ws, "note:" + note_id), "at": at, "by": by}
        )
        return bool(rows and rows[0]["withdrawn"])

    def of_deal(
        self, *, workspace: str, deal_id: str, as_of: int | None = None, limit: int = 100
    ) -> list[Note]:
        """The deal's notes in effect as of ``as_of`` (now), newest first."""
        ws = check_workspace(workspace)
        rows = self.runner.read(
            "note_list",
            {
                "deal_key": node_key(ws, deal_id),
                "as_of": FAR_FUTURE_MS if as_of is None else as_of,
                "limit": limit,
            },
        )
        return [
            Note(
                id=r["id"],
                stakeholder_id=r["stakeholder_id"],
                at=int(r["at"]),
                by=r["by"],
                text=r["text"],
            )
            for r in rows
        ]
