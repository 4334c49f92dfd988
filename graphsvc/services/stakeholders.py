"""Stakeholders: create or update, read, delete, and the deals they sit on."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from graphsvc.domain.models import Deal, Stakeholder, StakeholderFields
from graphsvc.services.accounts import dump_tag
from graphsvc.services.records import RecordVerbs
from graphsvc.services.versioned import NO_CONDITION, Condition, Written, check_deletable
from graphsvc.store.core import Authors
from graphsvc.store.notes import NoteRepository
from graphsvc.store.repository import GraphStore

# What an erased person's name becomes, everywhere.
ERASED_NAME = "[erased]"


class StakeholderService:
    def __init__(self, *, store: GraphStore) -> None:
        self.store = store
        repository = store.stakeholders
        self.records = RecordVerbs(
            kind="stakeholder",
            model=Stakeholder,
            fields_model=StakeholderFields,
            read_tagged=lambda ws, record_id: repository.get_tagged(
                workspace=ws, natural_id=record_id
            ),
            write=lambda ws, records, expect, actor: repository.upsert(
                workspace=ws, stakeholders=records, expect=expect, by=actor
            ),
            tag=dump_tag,
            remove=lambda ws, record_id, actor: repository.delete(
                workspace=ws, stakeholder_id=record_id, keep_committee_members=True
            ),
            # Their account must exist in the workspace (404).
            check=lambda ws, person: store.accounts.get(workspace=ws, account_id=person.account_id),
        )

    def get(self, *, workspace: str, stakeholder_id: str) -> Stakeholder:
        """The stakeholder; 404 when the workspace has none by that id."""
        return self.store.stakeholders.get(workspace=workspace, stakeholder_id=stakeholder_id)

    def get_tagged(self, *, workspace: str, stakeholder_id: str) -> tuple[Stakeholder, str]:
        """The stakeholder and its content tag (the API's ETag); 404 when none."""
        return self.records.read_tagged(workspace, stakeholder_id)

    def get_authored(
        self, *, workspace: str, stakeholder_id: str
    ) -> tuple[Stakeholder, str, Authors]:
        """The stakeholder, its content tag and who created and last changed it; 404
        when none."""
        return self.store.stakeholders.get_authored(workspace=workspace, natural_id=stakeholder_id)

    def upsert(
        self,
        *,
        workspace: str,
        stakeholder_id: str,
        fields: StakeholderFields,
        actor: str | None = None,
    ) -> Stakeholder:
        """Create or replace the stakeholder, by ``actor``; their account must exist
        (404)."""
        return self.put(
            workspace=workspace, stakeholder_id=stakeholder_id, fields=fields, actor=actor
        ).record

    def put(
        self,
        *,
        workspace: str,
        stakeholder_id: str,
        fields: StakeholderFields,
        condition: Condition = NO_CONDITION,
        actor: str | None = None,
    ) -> Written[Stakeholder]:
        """Create or replace the stakeholder if ``condition`` holds (412 otherwise); their
        account must exist (404)."""
        return self.records.put(
            workspace=workspace,
            record_id=stakeholder_id,
            fields=fields,
            condition=condition,
            actor=actor,
        )

    def patch(
        self,
        *,
        workspace: str,
        stakeholder_id: str,
        patch: dict[str, Any],
        condition: Condition = NO_CONDITION,
        actor: str | None = None,
    ) -> Written[Stakeholder]:
        """Apply a JSON merge patch to the stakeholder (404 when none)."""
        return self.records.patch(
            workspace=workspace,
            record_id=stakeholder_id,
            patch=patch,
            condition=condition,
            actor=actor,
        )

    def delete(
        self,
        *,
        workspace: str,
        stakeholder_id: str,
        condition: Condition = NO_CONDITION,
        erase: bool = False,
        actor: str | None = None,
    ) -> None:
        """Delete the person with all their facts; 404 when there is none, 412 when
        ``condition`` fails, 409 when they ever sat on a committee (deleting them would
        change past support shares).

        ``erase``: the data-protection erasure instead. Their name, title and e-mail are
        replaced by a tombstone on the one record every view reads them from, so they
        are gone from the past too; the anonymous facts (roles, stances, lines) stay, so
        past support shares do not change. Kept analysis results that could name them are
        deleted. Free text that mentions them (interaction summaries) is the caller's to
        edit. The text of every note about them is replaced (the note stays, dated and
        signed)."""
        if not erase:
            self.records.delete(workspace=workspace, record_id=stakeholder_id, condition=condition)
            return
        check_deletable(
            condition,
            lambda: self.get_tagged(workspace=workspace, stakeholder_id=stakeholder_id),
            f"stakeholder {stakeholder_id!r}",
        )
        current = self.get(workspace=workspace, stakeholder_id=stakeholder_id)
        erased = current.model_copy(update={"name": ERASED_NAME, "title": None, "email": None})
        self.store.stakeholders.upsert(workspace=workspace, stakeholders=[erased], by=actor)
        # Kept analysis results computed before hold the old name: they go too (the
        # upsert marked those deals stale; they are analysed again when next read).
        self.store.stakeholders.forget_kept_results(
            workspace=workspace, stakeholder_id=stakeholder_id
        )
        NoteRepository(self.store.core).erase_text(
            workspace=workspace, stakeholder_id=stakeholder_id, erased=ERASED_NAME
        )

    def export(self, *, workspace: str, stakeholder_id: str) -> dict[str, Any]:
        """Everything held about the person (a subject-access export), the notes about
        them included; 404 when none."""
        held = self.store.stakeholders.export(workspace=workspace, stakeholder_id=stakeholder_id)
        held["notes"] = NoteRepository(self.store.core).of_stakeholder(
            workspace=workspace, stakeholder_id=stakeholder_id
        )
        return held

    def deals(
        self, *, workspace: str, stakeholder_id: str, as_of: datetime | None = None
    ) -> list[Deal]:
        """The deals whose committee the stakeholder sits on as of ``as_of`` (now)."""
        return self.store.stakeholders.deals(
            workspace=workspace, stakeholder_id=stakeholder_id, as_of=as_of
        )
