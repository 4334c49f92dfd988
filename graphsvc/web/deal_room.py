"""The deal page's state and its edits.

State: one store read of the deal's history gives the committee and its revision; the
analysis engine gives the ranking, support and flags (the same engine the API answers
with), the advice (forecast, next best contacts, warm paths) comes from the analysis
service right after; ``visual.network.frame_payload`` draws the map exactly like the
deal-map page, plus the org-chart levels. The change log merges the page's own entries
with the signed facts others wrote (an API key, an import): see :mod:`.change_log`.

Edits go through the services, as the REST API's do (:mod:`.deal_edits`); each is
logged with its author and the operations that take it back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from graphsvc.analysis import engine
from graphsvc.analysis.folding import trend_snapshots
from graphsvc.analysis.schemas import DealAnalysis, Forecast, NextBestContact, WarmPath
from graphsvc.analysis.service import AnalysisService
from graphsvc.domain.models import to_ms, utcnow
from graphsvc.domain.snapshot import DealHistory, DealSnapshot
from graphsvc.errors import Conflict, ValidationFailed
from graphsvc.maps.frames import map_frame
from graphsvc.store.notes import Note
from graphsvc.store.repository import GraphStore
from graphsvc.visual.network import frame_payload
from graphsvc.web.change_log import LogEntry, merged_log
from graphsvc.web.deal_edits import Applied, DealEditor, EditContext
from graphsvc.web.deal_shape import history_revision, network_positions, orgchart_levels
from graphsvc.web.repository import ChangeEntry, WebRepository
from graphsvc.web.schemas import Edit, Undo

CHANGE_LOG_LENGTH = 30
NEXT_BEST_SHOWN = 5
# Deals whose map layout a process remembers (a few kB each).
PLACED_DEALS_KEPT = 500


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
    changes: list[LogEntry]
    frame: dict[str, Any]
    layout: str
    positions: dict[str, Any]
    is_now: bool
    names: dict[str, str] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)


class DealRoomService:
    """The deal page: state and edits (keyword-only verbs)."""

    def __init__(
        self, *, store: GraphStore, analysis: AnalysisService, repository: WebRepository
    ) -> None:
        self.store = store
        self.analysis = analysis
        self.repository = repository
        self.editor = DealEditor(store=store)
        # (workspace, deal) -> the last layout's inputs and its positions, oldest first: a
        # cache of a pure function, so every process shows the same positions.
        self._placed: dict[tuple[str, str], tuple[Any, dict[str, tuple[float, float]]]] = {}

    # -- reads

    def _history(self, workspace: str, deal_id: str, as_of: datetime | None = None) -> DealHistory:
        return self.store.deal_history(workspace=workspace, deal_id=deal_id, as_of=as_of)

    def _revision(
        self, workspace: str, deal_id: str, history: DealHistory, changes: list[ChangeEntry]
    ) -> str:
        """The revision of the deal as the page shows it now; notes are not in the deal's
        history, and one written elsewhere (the API) must move it too."""
        notes = self.editor.notes.revision(workspace=workspace, deal_id=deal_id)
        return history_revision(history, changes[0].seq if changes else 0, notes)

    def revision(self, *, workspace: str, deal_id: str) -> str:
        history = self._history(workspace, deal_id)
        changes = self.repository.changes(workspace=workspace, deal_id=deal_id, limit=1)
        return self._revision(workspace, deal_id, history, changes)

    def get(self, *, workspace: str, deal_id: str, as_of: datetime | None = None) -> DealState:
        is_now = as_of is None or as_of >= utcnow()
        history = self._history(workspace, deal_id, None if is_now else as_of)
        changes = self.repository.changes(
            workspace=workspace, deal_id=deal_id, limit=CHANGE_LOG_LENGTH
        )
        latest = self._history(workspace, deal_id) if not is_now else history
        revision = self._revision(workspace, deal_id, latest, changes)
        # The analysis service's own engine, on the history already read (the service's
        # analyze() would read it a second time), folded once for the map and the engine.
        params = self.analysis.params
        snapshot, previous = trend_snapshots(history, params=params)
        analysis = engine.analyze_snapshots([snapshot], [previous], params=params)[0]
        frame = frame_payload(map_frame(snapshot, analysis))
        top = analysis.top_decision_maker
        frame["levels"] = orgchart_levels(snapshot, top.stakeholder_id if top else None)
        layout, positions = self.repository.layout(workspace=workspace, deal_id=deal_id)
        frame["positions"] = self._network_positions(workspace, deal_id, frame, positions)
        names = {sid: info.name for sid, info in history.stakeholders.items()}
        log = merged_log(
            changes,
            self.repository.fact_log(workspace=workspace, deal_id=deal_id),
            names=names,
            limit=CHANGE_LOG_LENGTH,
        )
        return DealState(
            revision=revision,
            snapshot=snapshot,
            analysis=analysis,
            changes=log,
            frame=frame,
            layout=layout,
            positions=positions,
            is_now=is_now,
            names=names,
            notes=self.editor.notes.list(
                workspace=workspace, deal_id=deal_id, as_of=None if is_now else as_of
            ),
        )

    def _network_positions(
        self, workspace: str, deal_id: str, frame: dict[str, Any], kept: dict[str, Any]
    ) -> dict[str, tuple[float, float]]:
        """Where each node of the influence network is drawn: where it was dragged (kept
        in the store), else where the seeded layout of the deal's current people and
        lines puts it around those (:func:`network_positions`, a pure function: each
        process computes the same, and keeps its last answer while the inputs hold)."""
        key = (workspace, deal_id)
        placed: dict[str, tuple[float, float]] = {}
        dragged = kept.get("network")
        if isinstance(dragged, dict):
            placed.update({node: (float(x), float(y)) for node, (x, y) in dragged.items()})
        inputs = (
            frozenset(node["id"] for node in frame["nodes"]),
            frozenset(frozenset((e["from"], e["to"])) for e in frame["edges"]),
            frozenset(placed.items()),
        )
        held = self._placed.pop(key, None)
        found = held[1] if held is not None and held[0] == inputs else None
        if found is None:
            found = network_positions(frame, placed)
        self._placed[key] = (inputs, found)
        while len(self._placed) > PLACED_DEALS_KEPT:
            self._placed.pop(next(iter(self._placed)))
        return found

    def advice(self, *, workspace: str, deal_id: str, as_of: datetime | None = None) -> DealAdvice:
        """The advice as of now is the one kept in the store (shared by every process,
        computed once per change, from one read); as of an earlier instant, computed."""
        now = utcnow()
        if as_of is None or as_of >= now:
            found, _ = self.analysis.advice_now(workspace=workspace, deal_id=deal_id, at=now)
        else:
            found = self.analysis.advice(workspace=workspace, deal_id=deal_id, as_of=as_of)
        return DealAdvice(
            forecast=found.forecast,
            next_best=found.next_best_contacts.items[:NEXT_BEST_SHOWN],
            warm_paths=found.warm_paths.paths,
            names=found.names,
        )

    # -- edits

    def apply(self, *, workspace: str, deal_id: str, edit: Edit, actor: str) -> ChangeEntry:
        """Apply one edit made on ``edit.revision``; :class:`Conflict` when the deal
        changed since (the caller answers with the fresh state)."""
        history = self._history(workspace, deal_id)
        changes = self.repository.changes(workspace=workspace, deal_id=deal_id, limit=50)
        current = self._revision(workspace, deal_id, history, changes)
        if edit.revision != current:
            raise Conflict(
                "someone else changed this deal since you opened it; the map "
                "now shows the latest state, check it and make your change again"
            )
        context = EditContext(
            workspace=workspace,
            snapshot=history.snapshot(),
            names={sid: info.name for sid, info in history.stakeholders.items()},
            actor=actor,
            # One instant for every fact of the edit: the change log entry has it too.
            now=utcnow(),
        )
        try:
            if isinstance(edit, Undo):
                applied = self._undo(context, changes)
            else:
                applied = self.editor.apply(context=context, edit=edit)
        except ValidationError as exc:  # a domain model refused the values
            raise ValidationFailed(
                "the change breaks a rule of the data",
                detail=[{"loc": [str(p) for p in e["loc"]], "msg": e["msg"]} for e in exc.errors()],
            ) from exc
        return self.repository.record_change(
            workspace=workspace,
            deal_id=deal_id,
            at=to_ms(context.now),
            actor=actor,
            action=applied.action,
            summary=applied.summary,
            undo=applied.undo,
        )

    def _undo(self, context: EditContext, changes: list[ChangeEntry]) -> Applied:
        """Take back the actor's own latest change not undone yet."""
        target = next(
            (
                c
                for c in changes
                if c.actor == context.actor and c.action != "undo" and c.undone_by is None
            ),
            None,
        )
        if target is None:
            raise Conflict("you have no change on this deal left to undo")
        if target.undo is None:
            raise Conflict(f"the last change ({target.summary}) cannot be undone here")
        self.editor.undo(context=context, ops=target.undo)
        self.repository.mark_undone(key=target.key, actor=context.actor)
        return Applied("undo", f"undid: {target.summary}", None)
