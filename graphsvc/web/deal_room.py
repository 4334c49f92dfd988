"""The deal page's state and its edits.

State: one store read of the deal's history gives the committee and its revision; the
analysis service gives the ranking, support, flags, forecast, next best contacts and
warm paths (the same engine the API answers with); ``visual.render.frame_payload``
draws the map exactly like the deal-map page, plus the org-chart levels.

Edits go through the store's own write functions (``record_memberships``,
``record_influences``, ``record_interactions``, ...), which validate like the REST API,
and each is logged with its author and the facts that take it back (undo records those
facts anew: history is never erased).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from pydantic import ValidationError

from graphsvc.analysis import engine
from graphsvc.analysis.schemas import DealAnalysis, Forecast, NextBestContact, WarmPath
from graphsvc.analysis.service import AnalysisService
from graphsvc.domain.models import (
    Influence,
    InfluenceEnd,
    Interaction,
    Membership,
    MembershipEnd,
    ReportingEnd,
    ReportingLine,
    Stakeholder,
    to_ms,
    utcnow,
)
from graphsvc.domain.snapshot import DealHistory, DealSnapshot, Member
from graphsvc.errors import Conflict, NotFound, ValidationFailed
from graphsvc.maps.frames import map_frame
from graphsvc.store.repository import GraphStore
from graphsvc.visual.network import frame_payload
from graphsvc.web.deal_shape import history_revision, orgchart_levels
from graphsvc.web.repository import ChangeEntry, WebRepository
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
    Undo,
)


@dataclass
class DealAdvice:
    """The slower advice beside the map (the Friedkin-Johnsen forecast, the next best
    contacts, the warm paths, whose search reads the team's acquaintances): the page
    loads it right after the state, so an edit's answer is not held up by it."""

    forecast: Forecast
    next_best: list[NextBestContact]
    warm_paths: list[WarmPath]
    names: dict[str, str]


@dataclass
class DealState:
    revision: str
    snapshot: DealSnapshot
    analysis: DealAnalysis
    changes: list[ChangeEntry]
    frame: dict[str, Any]
    layout: str
    positions: dict[str, Any]
    is_now: bool
    names: dict[str, str] = field(default_factory=dict)


def _interaction_instant(day: date) -> datetime:
    """Noon UTC of the day (inside it in every time zone near UTC), but never later
    than now: an interaction logged for today counts at once."""
    return min(datetime.combine(day, time(12, 0), tzinfo=UTC), utcnow())


def _member_state(member: Member | None) -> dict[str, Any] | None:
    if member is None:
        return None
    return {
        "role": member.role.value,
        "stance": member.stance.value,
        "ally": member.ally,
        "influence_rating": member.influence_rating,
        "self_weight": member.self_weight,
    }


class DealRoomService:
    """The deal page: state and edits (keyword-only verbs)."""

    def __init__(
        self, *, store: GraphStore, analysis: AnalysisService, repository: WebRepository
    ) -> None:
        self.store = store
        self.analysis = analysis
        self.repository = repository

    # -- reads

    def _history(self, workspace: str, deal_id: str, as_of: datetime | None = None) -> DealHistory:
        return self.store.deal_history(workspace=workspace, deal_id=deal_id, as_of=as_of)

    def revision(self, *, workspace: str, deal_id: str) -> str:
        history = self._history(workspace, deal_id)
        changes = self.repository.changes(workspace=workspace, deal_id=deal_id, limit=1)
        return history_revision(history, changes[0].seq if changes else 0)

    def get(self, *, workspace: str, deal_id: str, as_of: datetime | None = None) -> DealState:
        is_now = as_of is None or as_of >= utcnow()
        history = self._history(workspace, deal_id, None if is_now else as_of)
        changes = self.repository.changes(workspace=workspace, deal_id=deal_id, limit=30)
        latest = self._history(workspace, deal_id) if not is_now else history
        revision = history_revision(latest, changes[0].seq if changes else 0)
        # The analysis service's own engine, on the history already read (the service's
        # analyze() would read it a second time).
        analysis = engine.analyze([history], params=self.analysis.params)[0]
        snapshot = history.snapshot()
        frame = frame_payload(map_frame(snapshot, analysis))
        top = analysis.top_decision_maker
        frame["levels"] = orgchart_levels(snapshot, top.stakeholder_id if top else None)
        layout, positions = self.repository.layout(workspace=workspace, deal_id=deal_id)
        names = {sid: info.name for sid, info in history.stakeholders.items()}
        return DealState(
            revision=revision,
            snapshot=snapshot,
            analysis=analysis,
            changes=changes,
            frame=frame,
            layout=layout,
            positions=positions,
            is_now=is_now,
            names=names,
        )

    def advice(self, *, workspace: str, deal_id: str, as_of: datetime | None = None) -> DealAdvice:
        when = None if as_of is None or as_of >= utcnow() else as_of
        history = self._history(workspace, deal_id, when)
        return DealAdvice(
            forecast=self.analysis.forecast(workspace=workspace, deal_id=deal_id, as_of=when),
            next_best=self.analysis.next_best_contacts(
                workspace=workspace, deal_id=deal_id, as_of=when, limit=5
            ).items,
            warm_paths=self.analysis.warm_paths(
                workspace=workspace, deal_id=deal_id, as_of=when
            ).paths,
            names={sid: info.name for sid, info in history.stakeholders.items()},
        )

    # -- edits

    def apply(self, *, workspace: str, deal_id: str, edit: Edit, actor: str) -> ChangeEntry:
        """Apply one edit made on ``edit.revision``; :class:`Conflict` when the deal
        changed since (the caller answers with the fresh state)."""
        history = self._history(workspace, deal_id)
        changes = self.repository.changes(workspace=workspace, deal_id=deal_id, limit=50)
        current = history_revision(history, changes[0].seq if changes else 0)
        if edit.revision != current:
            raise Conflict(
                "someone else changed this deal since you opened it; the map "
                "now shows the latest state, check it and make your change again"
            )
        snapshot = history.snapshot()
        names = {sid: info.name for sid, info in history.stakeholders.items()}
        # One instant for every fact of the edit, so they can be signed with the author.
        now = utcnow()
        interaction_id = "web-" + uuid.uuid4().hex
        try:
            action, summary, undo = self._apply(
                workspace, snapshot, names, edit, changes, actor, now, interaction_id
            )
        except ValidationError as exc:  # a domain model refused the values
            raise ValidationFailed(
                "the change breaks a rule of the data",
                detail=[{"loc": [str(p) for p in e["loc"]], "msg": e["msg"]} for e in exc.errors()],
            ) from exc
        self.repository.sign_facts(
            workspace=workspace,
            deal_id=deal_id,
            stakeholder_ids=sorted(history.stakeholders),
            at=to_ms(now),
            by=actor,
            interaction_id=interaction_id if action == "log_interaction" else None,
        )
        return self.repository.record_change(
            workspace=workspace,
            deal_id=deal_id,
            at=to_ms(now),
            actor=actor,
            action=action,
            summary=summary,
            undo=undo,
        )

    def _member(self, snapshot: DealSnapshot, sid: str) -> Member:
        member = snapshot.member(sid)
        if member is None:
            raise NotFound(f"{sid!r} is not on the committee of this deal")
        return member

    def _apply(
        self,
        ws: str,
        snapshot: DealSnapshot,
        names: dict[str, str],
        edit: Edit,
        changes: list[ChangeEntry],
        actor: str,
        now: datetime,
        interaction_id: str,
    ) -> tuple[str, str, list[dict[str, Any]] | None]:
        deal = snapshot.deal
        if isinstance(edit, SetMember | AddPerson):
            return self._set_member(ws, snapshot, names, edit, now)
        if isinstance(edit, RemoveMember):
            member = self._member(snapshot, edit.stakeholder_id)
            self.store.end_memberships(
                workspace=ws,
                ends=[MembershipEnd(deal_id=deal.id, stakeholder_id=member.id, at=now)],
            )
            return (
                "remove_member",
                f"removed {member.stakeholder.name} from the committee",
                [{"op": "member", "stakeholder_id": member.id, "state": _member_state(member)}],
            )
        if isinstance(edit, SetInfluence | EndInfluence):
            return self._influence(ws, snapshot, edit, now)
        if isinstance(edit, SetReporting | EndReporting):
            return self._reporting(ws, snapshot, edit, now)
        if isinstance(edit, LogInteraction):
            for sid in edit.stakeholder_ids:
                self._member(snapshot, sid)
            emails = list(edit.team_member_emails) or [actor]
            at = _interaction_instant(edit.on)
            self.store.record_interactions(
                workspace=ws,
                interactions=[
                    Interaction(
                        id=interaction_id,
                        deal_id=deal.id,
                        at=at,
                        channel=edit.channel,
                        stakeholder_ids=list(edit.stakeholder_ids),
                        team_member_emails=emails,
                        summary=edit.summary or None,
                        # A next step is due by the end of its day.
                        next_step_at=datetime.combine(edit.next_step_on, time(23, 59), tzinfo=UTC)
                        if edit.next_step_on
                        else None,
                    )
                ],
            )
            who = ", ".join(names.get(s, s) for s in edit.stakeholder_ids)
            return (
                "log_interaction",
                f"logged a {edit.channel.value} on {edit.on.isoformat()} with {who}",
                None,
            )
        if isinstance(edit, AddNote):
            member = self._member(snapshot, edit.stakeholder_id)
            return ("note", f"note on {member.stakeholder.name}: {edit.text}", None)
        if isinstance(edit, Undo):
            return self._undo(ws, snapshot, names, changes, actor, now)
        raise ValidationFailed("unknown edit")  # pragma: no cover - the union is closed

    def _set_member(
        self,
        ws: str,
        snapshot: DealSnapshot,
        names: dict[str, str],
        edit: SetMember | AddPerson,
        now: datetime,
    ) -> tuple[str, str, list[dict[str, Any]] | None]:
        deal = snapshot.deal
        if isinstance(edit, AddPerson):
            if edit.stakeholder_id is not None:
                sid = edit.stakeholder_id
                name = self.store.get_stakeholder(workspace=ws, stakeholder_id=sid).name
            elif edit.name:
                sid = "p-" + uuid.uuid4().hex[:16]
                name = edit.name
                self.store.upsert_stakeholders(
                    workspace=ws,
                    stakeholders=[
                        Stakeholder(
                            id=sid,
                            account_id=deal.account_id,
                            name=edit.name,
                            title=edit.title,
                            email=edit.email,
                        )
                    ],
                )
            else:
                raise ValidationFailed(
                    "name a new person or choose a known one",
                    detail=[{"loc": ["name"], "msg": "required when no stakeholder_id is given"}],
                )
        else:
            sid = edit.stakeholder_id
            name = names.get(sid, sid)
            self._member(snapshot, sid)
        before = snapshot.member(sid)
        self.store.record_memberships(
            workspace=ws,
            memberships=[
                Membership(
                    deal_id=deal.id,
                    stakeholder_id=sid,
                    role=edit.role,
                    stance=edit.stance,
                    ally=edit.ally,
                    influence_rating=edit.influence_rating,
                    self_weight=edit.self_weight,
                    at=now,
                )
            ],
        )
        undo = [{"op": "member", "stakeholder_id": sid, "state": _member_state(before)}]
        if before is None:
            return ("add_person", f"added {name} as {edit.role.value} ({edit.stance.value})", undo)
        parts = []
        if before.role != edit.role:
            parts.append(f"role to {edit.role.value}")
        if before.stance != edit.stance:
            parts.append(f"stance to {edit.stance.value}")
        if before.ally != edit.ally:
            parts.append("ally" if edit.ally else "not an ally")
        if before.influence_rating != edit.influence_rating:
            parts.append(f"influence rating to {edit.influence_rating or 'none'}")
        if before.self_weight != edit.self_weight:
            weight = edit.self_weight if edit.self_weight is not None else "default"
            parts.append(f"self-weight to {weight}")
        return ("set_member", f"set {name}'s " + (", ".join(parts) or "details unchanged"), undo)

    def _influence(
        self, ws: str, snapshot: DealSnapshot, edit: SetInfluence | EndInfluence, now: datetime
    ) -> tuple[str, str, list[dict[str, Any]] | None]:
        source = self._member(snapshot, edit.source_id)
        target = self._member(snapshot, edit.target_id)
        before = next(
            (
                line.strength
                for line in snapshot.influences
                if (line.source_id, line.target_id) == (source.id, target.id)
            ),
            None,
        )
        undo = [
            {"op": "influence", "source_id": source.id, "target_id": target.id, "strength": before}
        ]
        pair = f"{source.stakeholder.name} → {target.stakeholder.name}"
        if isinstance(edit, SetInfluence):
            self.store.record_influences(
                workspace=ws,
                influences=[
                    Influence(
                        source_id=source.id, target_id=target.id, strength=edit.strength, at=now
                    )
                ],
            )
            return ("set_influence", f"drew an influence line {pair} ({edit.strength:.2f})", undo)
        if before is None:
            raise NotFound(f"there is no influence line {pair}")
        self.store.end_influences(
            workspace=ws, ends=[InfluenceEnd(source_id=source.id, target_id=target.id, at=now)]
        )
        return ("end_influence", f"deleted the influence line {pair}", undo)

    def _reporting(
        self, ws: str, snapshot: DealSnapshot, edit: SetReporting | EndReporting, now: datetime
    ) -> tuple[str, str, list[dict[str, Any]] | None]:
        person = self._member(snapshot, edit.stakeholder_id)
        manager = self._member(snapshot, edit.manager_id)
        current = [line.target_id for line in snapshot.reporting if line.source_id == person.id]
        pair = f"{person.stakeholder.name} reports to {manager.stakeholder.name}"
        if isinstance(edit, EndReporting):
            if manager.id not in current:
                raise NotFound(f"there is no reporting line: {pair}")
            self.store.end_reporting_lines(
                workspace=ws,
                ends=[ReportingEnd(stakeholder_id=person.id, manager_id=manager.id, at=now)],
            )
            return (
                "end_reporting",
                f"deleted the reporting line: {pair}",
                [
                    {
                        "op": "reporting",
                        "stakeholder_id": person.id,
                        "manager_id": manager.id,
                        "active": True,
                    }
                ],
            )
        # One manager at a time on the page: drawing a new one ends the old line.
        ended = [m for m in current if m != manager.id]
        if ended:
            self.store.end_reporting_lines(
                workspace=ws,
                ends=[ReportingEnd(stakeholder_id=person.id, manager_id=m, at=now) for m in ended],
            )
        self.store.record_reporting_lines(
            workspace=ws,
            lines=[ReportingLine(stakeholder_id=person.id, manager_id=manager.id, at=now)],
        )
        undo = [
            {
                "op": "reporting",
                "stakeholder_id": person.id,
                "manager_id": manager.id,
                "active": manager.id in current,
            }
        ]
        undo += [
            {"op": "reporting", "stakeholder_id": person.id, "manager_id": m, "active": True}
            for m in ended
        ]
        return ("set_reporting", f"set a reporting line: {pair}", undo)

    def _undo(
        self,
        ws: str,
        snapshot: DealSnapshot,
        names: dict[str, str],
        changes: list[ChangeEntry],
        actor: str,
        now: datetime,
    ) -> tuple[str, str, list[dict[str, Any]] | None]:
        target = next(
            (c for c in changes if c.actor == actor and c.action != "undo" and c.undone_by is None),
            None,
        )
        if target is None:
            raise Conflict("you have no change on this deal left to undo")
        if target.undo is None:
            raise Conflict(f"the last change ({target.summary}) cannot be undone here")
        deal = snapshot.deal
        for op in target.undo:
            if op["op"] == "member":
                state = op["state"]
                if state is None:
                    self.store.end_memberships(
                        workspace=ws,
                        ends=[
                            MembershipEnd(
                                deal_id=deal.id, stakeholder_id=op["stakeholder_id"], at=now
                            )
                        ],
                    )
                else:
                    self.store.record_memberships(
                        workspace=ws,
                        memberships=[
                            Membership(
                                deal_id=deal.id,
                                stakeholder_id=op["stakeholder_id"],
                                at=now,
                                **state,
                            )
                        ],
                    )
            elif op["op"] == "influence":
                if op["strength"] is None:
                    self.store.end_influences(
                        workspace=ws,
                        ends=[
                            InfluenceEnd(
                                source_id=op["source_id"], target_id=op["target_id"], at=now
                            )
                        ],
                    )
                else:
                    self.store.record_influences(
                        workspace=ws,
                        influences=[
                            Influence(
                                source_id=op["source_id"],
                                target_id=op["target_id"],
                                strength=op["strength"],
                                at=now,
                            )
                        ],
                    )
            elif op["active"]:
                self.store.record_reporting_lines(
                    workspace=ws,
                    lines=[
                        ReportingLine(
                            stakeholder_id=op["stakeholder_id"], manager_id=op["manager_id"], at=now
                        )
                    ],
                )
            else:
                self.store.end_reporting_lines(
                    workspace=ws,
                    ends=[
                        ReportingEnd(
                            stakeholder_id=op["stakeholder_id"], manager_id=op["manager_id"], at=now
                        )
                    ],
                )
        self.repository.mark_undone(key=target.key, actor=actor)
        return ("undo", f"undid: {target.summary}", None)
