"""The deal page's edits, each through the same service as the REST API
(:mod:`graphsvc.services`): the same rules ("the person must exist", no self-influence,
ending a line that is not in effect is a 404) and the same validation, and every fact
signed with its author (``actor``).

An edit answers what the change log keeps of it: its action, a sentence, and the
*undo operations* that take it back. Undo records the earlier state anew as facts made
now (history is never erased): a seat or a line gets its earlier state back, and a note
or an interaction logged by mistake is withdrawn from now on (as the API's ``DELETE``
does): as of any earlier instant it still counts.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from graphsvc.domain.models import CommitteePart, InteractionFields, StakeholderFields, utcnow
from graphsvc.domain.snapshot import DealSnapshot, Member
from graphsvc.errors import NotFound, ValidationFailed
from graphsvc.services import (
    CommitteeService,
    InteractionService,
    LineService,
    StakeholderService,
)
from graphsvc.services.notes import NoteService
from graphsvc.store.repository import GraphStore
from graphsvc.web.schemas import (
    AddNote,
    AddPerson,
    Edit,
    EndInfluence,
    EndReporting,
    LogInteraction,
    RemoveMember,
    SetInfluence,
    SetMember,
    SetReporting,
)

UndoOps = list[dict[str, Any]]


@dataclass(frozen=True)
class Applied:
    """What the change log keeps of an edit."""

    action: str
    summary: str
    undo: UndoOps | None


@dataclass(frozen=True)
class EditContext:
    """One edit's world: the deal as the editor saw it, who edits, and the one instant
    every fact of the edit takes."""

    workspace: str
    snapshot: DealSnapshot
    names: dict[str, str]
    actor: str
    now: datetime

    def member(self, stakeholder_id: str) -> Member:
        member = self.snapshot.member(stakeholder_id)
        if member is None:
            raise NotFound(f"{stakeholder_id!r} is not on the committee of this deal")
        return member


def interaction_instant(day: date) -> datetime:
    """Noon UTC of the day (inside it in every time zone near UTC), but never later
    than now: an interaction logged for today counts at once."""
    return min(datetime.combine(day, time(12, 0), tzinfo=UTC), utcnow())


def member_state(member: Member | None) -> dict[str, Any] | None:
    if member is None:
        return None
    return {
        "role": member.role.value,
        "stance": member.stance.value,
        "ally": member.ally,
        "influence_rating": member.influence_rating,
        "self_weight": member.self_weight,
    }


def _member_changes(before: Member, part: CommitteePart) -> str:
    parts = []
    if before.role != part.role:
        parts.append(f"role to {part.role.value}")
    if before.stance != part.stance:
        parts.append(f"stance to {part.stance.value}")
    if before.ally != part.ally:
        parts.append("ally" if part.ally else "not an ally")
    if before.influence_rating != part.influence_rating:
        parts.append(f"influence rating to {part.influence_rating or 'none'}")
    if before.self_weight != part.self_weight:
        weight = part.self_weight if part.self_weight is not None else "default"
        parts.append(f"self-weight to {weight}")
    return ", ".join(parts) or "details unchanged"


class DealEditor:
    """Applies the deal page's edits through the services (keyword-only verbs)."""

    def __init__(self, *, store: GraphStore) -> None:
        self.committee = CommitteeService(store=store)
        self.lines = LineService(store=store)
        self.interactions = InteractionService(store=store)
        self.stakeholders = StakeholderService(store=store)
        self.notes = NoteService(store=store)

    def apply(self, *, context: EditContext, edit: Edit) -> Applied:
        if isinstance(edit, SetMember | AddPerson):
            return self._set_member(context, edit)
        if isinstance(edit, RemoveMember):
            return self._remove_member(context, edit)
        if isinstance(edit, SetInfluence | EndInfluence):
            return self._influence(context, edit)
        if isinstance(edit, SetReporting | EndReporting):
            return self._reporting(context, edit)
        if isinstance(edit, LogInteraction):
            return self._log_interaction(context, edit)
        if isinstance(edit, AddNote):
            return self._note(context, edit)
        raise ValidationFailed("unknown edit")  # pragma: no cover - the union is closed

    # -- the committee

    def _new_person(self, context: EditContext, edit: AddPerson) -> tuple[str, str]:
        if edit.stakeholder_id is not None:
            known = self.stakeholders.get(
                workspace=context.workspace, stakeholder_id=edit.stakeholder_id
            )
            return known.id, known.name
        if not edit.name:
            raise ValidationFailed(
                "name a new person or choose a known one",
                detail=[{"loc": ["name"], "msg": "required when no stakeholder_id is given"}],
            )
        sid = "p-" + uuid.uuid4().hex[:16]
        self.stakeholders.upsert(
            workspace=context.workspace,
            actor=context.actor,
            stakeholder_id=sid,
            fields=StakeholderFields(
                account_id=context.snapshot.deal.account_id,
                name=edit.name,
                title=edit.title,
                email=edit.email,
            ),
        )
        return sid, edit.name

    def _set_member(self, context: EditContext, edit: SetMember | AddPerson) -> Applied:
        if isinstance(edit, AddPerson):
            sid, name = self._new_person(context, edit)
        else:
            sid = context.member(edit.stakeholder_id).id
            name = context.names.get(sid, sid)
        before = context.snapshot.member(sid)
        part = CommitteePart.model_validate(
            edit.model_dump(include=set(CommitteePart.model_fields))
        )
        self.committee.record(
            workspace=context.workspace,
            deal_id=context.snapshot.deal.id,
            stakeholder_id=sid,
            part=part,
            actor=context.actor,
            at=context.now,
        )
        undo = [{"op": "member", "stakeholder_id": sid, "state": member_state(before)}]
        if before is None:
            return Applied(
                "add_person", f"added {name} as {part.role.value} ({part.stance.value})", undo
            )
        return Applied("set_member", f"set {name}'s " + _member_changes(before, part), undo)

    def _remove_member(self, context: EditContext, edit: RemoveMember) -> Applied:
        member = context.member(edit.stakeholder_id)
        self.committee.end(
            workspace=context.workspace,
            deal_id=context.snapshot.deal.id,
            stakeholder_id=member.id,
            actor=context.actor,
            at=context.now,
        )
        return Applied(
            "remove_member",
            f"removed {member.stakeholder.name} from the committee",
            [{"op": "member", "stakeholder_id": member.id, "state": member_state(member)}],
        )

    # -- lines

    def _influence(self, context: EditContext, edit: SetInfluence | EndInfluence) -> Applied:
        source = context.member(edit.source_id)
        target = context.member(edit.target_id)
        before = next(
            (
                line.strength
                for line in context.snapshot.influences
                if (line.source_id, line.target_id) == (source.id, target.id)
            ),
            None,
        )
        undo = [
            {"op": "influence", "source_id": source.id, "target_id": target.id, "strength": before}
        ]
        pair = f"{source.stakeholder.name} → {target.stakeholder.name}"
        ws, actor, at = context.workspace, context.actor, context.now
        if isinstance(edit, SetInfluence):
            self.lines.record_influence(
                workspace=ws,
                source_id=source.id,
                target_id=target.id,
                strength=edit.strength,
                actor=actor,
                at=at,
            )
            return Applied(
                "set_influence", f"drew an influence line {pair} ({edit.strength:.2f})", undo
            )
        if before is None:
            raise NotFound(f"there is no influence line {pair}")
        self.lines.end_influence(
            workspace=ws, source_id=source.id, target_id=target.id, actor=actor, at=at
        )
        return Applied("end_influence", f"deleted the influence line {pair}", undo)

    def _reporting(self, context: EditContext, edit: SetReporting | EndReporting) -> Applied:
        person = context.member(edit.stakeholder_id)
        manager = context.member(edit.manager_id)
        current = [
            line.target_id for line in context.snapshot.reporting if line.source_id == person.id
        ]
        pair = f"{person.stakeholder.name} reports to {manager.stakeholder.name}"

        def line_op(manager_id: str, active: bool) -> dict[str, Any]:
            return {
                "op": "reporting",
                "stakeholder_id": person.id,
                "manager_id": manager_id,
                "active": active,
            }

        if isinstance(edit, EndReporting):
            if manager.id not in current:
                raise NotFound(f"there is no reporting line: {pair}")
            self._set_reporting(context, person.id, manager.id, active=False)
            return Applied(
                "end_reporting", f"deleted the reporting line: {pair}", [line_op(manager.id, True)]
            )
        # One manager at a time on the page: drawing a new one ends the old line.
        ended = [m for m in current if m != manager.id]
        for old in ended:
            self._set_reporting(context, person.id, old, active=False)
        self._set_reporting(context, person.id, manager.id, active=True)
        undo = [line_op(manager.id, manager.id in current)] + [line_op(m, True) for m in ended]
        return Applied("set_reporting", f"set a reporting line: {pair}", undo)

    def _set_reporting(
        self, context: EditContext, stakeholder_id: str, manager_id: str, *, active: bool
    ) -> None:
        verb = self.lines.record_reporting if active else self.lines.end_reporting
        verb(
            workspace=context.workspace,
            stakeholder_id=stakeholder_id,
            manager_id=manager_id,
            actor=context.actor,
            at=context.now,
        )

    # -- interactions and notes

    def _log_interaction(self, context: EditContext, edit: LogInteraction) -> Applied:
        for sid in edit.stakeholder_ids:
            context.member(sid)
        interaction_id = "web-" + uuid.uuid4().hex
        # A next step is due by the end of its day.
        next_step = (
            datetime.combine(edit.next_step_on, time(23, 59), tzinfo=UTC)
            if edit.next_step_on
            else None
        )
        self.interactions.record(
            workspace=context.workspace,
            fields=InteractionFields(
                deal_id=context.snapshot.deal.id,
                at=interaction_instant(edit.on),
                channel=edit.channel,
                stakeholder_ids=list(edit.stakeholder_ids),
                team_member_emails=list(edit.team_member_emails) or [context.actor],
                summary=edit.summary or None,
                next_step_at=next_step,
            ),
            actor=context.actor,
            interaction_id=interaction_id,
        )
        who = ", ".join(context.names.get(s, s) for s in edit.stakeholder_ids)
        return Applied(
            "log_interaction",
            f"logged a {edit.channel.value} on {edit.on.isoformat()} with {who}",
            [{"op": "interaction", "id": interaction_id}],
        )

    def _note(self, context: EditContext, edit: AddNote) -> Applied:
        member = context.member(edit.stakeholder_id)
        note = self.notes.record(
            workspace=context.workspace,
            deal_id=context.snapshot.deal.id,
            stakeholder_id=member.id,
            text=edit.text,
            actor=context.actor,
            at=context.now,
        )
        # The change log says a note was added; the note itself is a fact of its own.
        return Applied(
            "note", f"added a note on {member.stakeholder.name}", [{"op": "note", "id": note.id}]
        )

    # -- undo

    def undo(self, *, context: EditContext, ops: UndoOps) -> None:
        """Take an edit back: each operation records the earlier state anew, made now.
        An end that finds nothing in effect (someone ended it meanwhile) is no error."""
        deal_id = context.snapshot.deal.id
        ws, actor, now = context.workspace, context.actor, context.now
        for op in ops:
            try:
                if op["op"] == "member" and op["state"] is None:
                    self.committee.end(
                        workspace=ws,
                        deal_id=deal_id,
                        stakeholder_id=op["stakeholder_id"],
                        actor=actor,
                        at=now,
                    )
                elif op["op"] == "member":
                    self.committee.record(
                        workspace=ws,
                        deal_id=deal_id,
                        stakeholder_id=op["stakeholder_id"],
                        part=CommitteePart.model_validate(op["state"]),
                        actor=actor,
                        at=now,
                    )
                elif op["op"] == "influence" and op["strength"] is None:
                    self.lines.end_influence(
                        workspace=ws,
                        source_id=op["source_id"],
                        target_id=op["target_id"],
                        actor=actor,
                        at=now,
                    )
                elif op["op"] == "influence":
                    self.lines.record_influence(
                        workspace=ws,
                        source_id=op["source_id"],
                        target_id=op["target_id"],
                        strength=op["strength"],
                        actor=actor,
                        at=now,
                    )
                elif op["op"] == "reporting":
                    self._set_reporting(
                        context, op["stakeholder_id"], op["manager_id"], active=op["active"]
                    )
                elif op["op"] == "interaction":
                    self.interactions.delete(workspace=ws, interaction_id=op["id"], actor=actor)
                elif op["op"] == "note":
                    self.notes.withdraw(
                        workspace=ws, deal_id=deal_id, note_id=op["id"], actor=actor, at=now
                    )
            except NotFound:
                continue
