"""Notes on the people of a deal: dated facts with their author, taken back by
withdrawal (never erased)."""

from __future__ import annotations

import uuid
from datetime import datetime

from graphsvc.domain.models import to_ms, utcnow
from graphsvc.errors import NotFound, ValidationFailed
from graphsvc.store.notes import Note, NoteRepository
from graphsvc.store.repository import GraphStore

NOTE_MAX_CHARS = 2000


class NoteService:
    def __init__(self, *, store: GraphStore) -> None:
        self.store = store
        self.notes = NoteRepository(store.core)

    def record(
        self,
        *,
        workspace: str,
        deal_id: str,
        stakeholder_id: str,
        text: str,
        actor: str,
        at: datetime | None = None,
    ) -> Note:
        """Write a note by ``actor`` on a person of the deal, dated ``at`` (now); the deal
        and the person must exist (404), the text must not be blank (422)."""
        if not text.strip() or len(text) > NOTE_MAX_CHARS:
            raise ValidationFailed(
                "a note is 1 to 2,000 characters",
                detail=[{"loc": ["text"], "msg": "1 to 2,000 characters, not only spaces"}],
            )
        self.store.deals.get(workspace=workspace, deal_id=deal_id)
        self.store.stakeholders.get(workspace=workspace, stakeholder_id=stakeholder_id)
        return self.notes.record(
            workspace=workspace,
            note_id=uuid.uuid4().hex,
            deal_id=deal_id,
            stakeholder_id=stakeholder_id,
            text=text,
            at=to_ms(at or utcnow()),
            by=actor,
        )

    def get(self, *, workspace: str, deal_id: str, note_id: str) -> Note:
        """The deal's note in effect now; 404 when none (or withdrawn)."""
        return self.notes.get(workspace=workspace, deal_id=deal_id, note_id=note_id)

    def withdraw(
        self,
        *,
        workspace: str,
        deal_id: str,
        note_id: str,
        actor: str,
        at: datetime | None = None,
    ) -> None:
        """Withdraw the deal's note from ``at`` (now) on, signed by ``actor``; 404 when
        there is none in effect (withdrawn already, or on another deal)."""
        if not self.notes.withdraw(
            workspace=workspace,
            deal_id=deal_id,
            note_id=note_id,
            at=to_ms(at or utcnow()),
            by=actor,
        ):
            raise NotFound(f"no note {note_id!r} on deal {deal_id!r}")

    def revision(self, *, workspace: str, deal_id: str) -> tuple[int, int]:
        """How many notes the deal has and the latest workspace revision that wrote one
        (the deal page's revision takes it in: a note written elsewhere moves it)."""
        return self.notes.deal_revision(workspace=workspace, deal_id=deal_id)

    def list(
        self,
        *,
        workspace: str,
        deal_id: str,
        as_of: datetime | None = None,
        limit: int = 100,
        stakeholder_id: str | None = None,
    ) -> list[Note]:
        """The deal's notes in effect as of ``as_of`` (now), newest first, on
        ``stakeholder_id`` only when given; 404 when there is no such deal."""
        self.store.deals.get(workspace=workspace, deal_id=deal_id)
        return self.notes.of_deal(
            workspace=workspace,
            deal_id=deal_id,
            as_of=None if as_of is None else to_ms(as_of),
            limit=limit,
            stakeholder_id=stakeholder_id,
        )
