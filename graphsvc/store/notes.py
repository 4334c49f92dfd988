"""Notes on the people of a deal: dated facts with their author.

A note is written once and never edited. Taking one back (an undo on the deal page, a
DELETE on the API) withdraws it from an instant on: as of any earlier instant it is
still there, so the as-of replay shows what the team knew then. The data-protection
erasure of a person replaces the text of every note about them (the note stays, dated
and signed, as a tombstone); deleting a deal deletes its notes with its other facts.

Every write (record, withdrawal, erasure) takes the next workspace revision and keeps it
as ``changed_rev``: the changes feed lists notes by it (a withdrawn one by its
tombstone), and the deal page's revision moves with it.

    (:Note {ws, key, id, deal_key, stakeholder_id, at, by, text, recorded,
            withdrawn_at, withdrawn_by, erased_at, changed_rev, changed_at})
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphsvc.errors import NotFound
from graphsvc.store.codecs import FAR_FUTURE_MS, KEY_SEPARATOR, node_key
from graphsvc.store.core import RepositoryBase, check_workspace


@dataclass(frozen=True)
class Note:
    id: str
    stakeholder_id: str
    at: int
    by: str
    text: str
    withdrawn_at: int | None = None
    withdrawn_by: str | None = None


def _note(row: dict[str, Any]) -> Note:
    withdrawn = row.get("withdrawn_at")
    return Note(
        id=row["id"],
        stakeholder_id=row["stakeholder_id"],
        at=int(row["at"]),
        by=row["by"],
        text=row["text"],
        withdrawn_at=int(withdrawn) if withdrawn is not None else None,
        withdrawn_by=row.get("withdrawn_by"),
    )


def _key(ws: str, note_id: str) -> str:
    return node_key(ws, "note:" + note_id)


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
                "key": _key(ws, note_id),
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

    def get(self, *, workspace: str, deal_id: str, note_id: str) -> Note:
        """The deal's note ``note_id`` in effect now; 404 when none (or withdrawn)."""
        ws = check_workspace(workspace)
        rows = self.runner.read(
            "note_get", {"key": _key(ws, note_id), "deal_key": node_key(ws, deal_id)}
        )
        if not rows:
            raise NotFound(f"no note {note_id!r} on deal {deal_id!r}")
        return _note(rows[0])

    def withdraw(self, *, workspace: str, deal_id: str, note_id: str, at: int, by: str) -> bool:
        """Withdraw the deal's note from ``at`` on; False when there is none in effect."""
        ws = check_workspace(workspace)
        rows = self.runner.write(
            "note_withdraw",
            {
                "ws": ws,
                "id": note_id,
                "key": _key(ws, note_id),
                "deal_key": node_key(ws, deal_id),
                "at": at,
                "by": by,
                "sep": KEY_SEPARATOR,
            },
        )
        return bool(rows and rows[0]["withdrawn"])

    def deal_revision(self, *, workspace: str, deal_id: str) -> tuple[int, int]:
        """How many notes the deal has (withdrawn ones too) and the latest workspace
        revision that wrote one: any note write on the deal changes the pair."""
        ws = check_workspace(workspace)
        rows = self.runner.read("note_deal_revision", {"deal_key": node_key(ws, deal_id)})
        if not rows:
            return 0, 0
        return int(rows[0]["notes"] or 0), int(rows[0]["rev"] or 0)

    def of_deal(
        self,
        *,
        workspace: str,
        deal_id: str,
        as_of: int | None = None,
        limit: int = 100,
        stakeholder_id: str | None = None,
    ) -> list[Note]:
        """The deal's notes in effect as of ``as_of`` (now), newest first; only those
        on ``stakeholder_id`` when given."""
        ws = check_workspace(workspace)
        rows = self.runner.read(
            "note_list",
            {
                "deal_key": node_key(ws, deal_id),
                "as_of": FAR_FUTURE_MS if as_of is None else as_of,
                "limit": limit,
                "stakeholder_id": stakeholder_id,
            },
        )
        return [_note(r) for r in rows]

    def of_stakeholder(self, *, workspace: str, stakeholder_id: str) -> list[tuple[str, Note]]:
        """Every note about the person on any deal, withdrawn ones included, oldest
        first, each with its deal's id (the subject-access export)."""
        ws = check_workspace(workspace)
        rows = self.runner.read("note_of_stakeholder", {"ws": ws, "id": stakeholder_id})
        return [(r["deal_id"], _note(r)) for r in rows]

    def erase_text(self, *, workspace: str, stakeholder_id: str, erased: str) -> int:
        """Replace the text of every note about the person by ``erased`` (the
        data-protection erasure); how many notes."""
        ws = check_workspace(workspace)
        rows = self.runner.write(
            "note_erase_text", {"ws": ws, "id": stakeholder_id, "erased": erased}
        )
        return int(rows[0]["erased"]) if rows else 0
