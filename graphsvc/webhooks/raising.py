"""Raising webhook events: deal events from the kept analysis results compared with
what was last evented of each deal (``deal.closed`` for a deal that closed), written
with their deliveries in one compare-and-set statement per batch; and the
``import.completed`` events of imports whose process died before recording them.

An idle round reads no deal: when the workspace's revision is the one last evented and
no kept result's due time has passed since, nothing can differ.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from graphsvc.analysis.results import KeptResults
from graphsvc.analysis.schemas import DealRisk
from graphsvc.config import Settings
from graphsvc.domain.models import from_ms, to_ms
from graphsvc.store.repository import GraphStore
from graphsvc.store.webhook_outbox import abandoned_imports, end_import
from graphsvc.webhooks.events import (
    OPEN,
    DealEvents,
    EventedState,
    baseline,
    closing_events,
    deal_events,
)
from graphsvc.webhooks.repository import WebhookRepository

_NEVER_EVENTED = EventedState(flags=(), bucket=None, dm=None)
_EMIT_BATCH = 200


@dataclass(frozen=True)
class _Quiet:
    revision: int
    until: int  # epoch ms: the earliest due time of the results the round read


class EventRaiser:
    def __init__(
        self,
        *,
        store: GraphStore,
        settings: Settings,
        repository: WebhookRepository,
        kept: KeptResults,
        workspaces: list[str] | None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.repository = repository
        self.kept = kept
        self.workspaces = workspaces
        # Per workspace, what the last round evented: the revision and until when the
        # results it read hold (this process's memory; a restart reads once more).
        self._quiet: dict[str, _Quiet] = {}
        self.full_rounds = 0  # rounds that read every open deal (not idle): for benchmarks

    def forget(self) -> None:
        """Forget what the last rounds evented: the next round reads every deal."""
        self._quiet.clear()

    def raise_events(self, *, workspace: str, now: datetime) -> int:
        """Compare each open deal's current result with what was last evented of it and
        write the differences as events (with their deliveries), and ``deal.closed`` for
        a deal evented open that has closed; returns how many.

        An idle round reads no deal: when the workspace's revision is the one last
        evented and no kept result's due time has passed since, nothing can differ."""
        now_ms = to_ms(now)
        # The revision first: every write the results below may miss has a later one.
        revision = self.store.workspace_revision(workspace=workspace)
        started = self.repository.has_baseline(workspace=workspace)
        quiet = self._quiet.get(workspace)
        if started and quiet is not None and quiet.revision == revision and now_ms < quiet.until:
            return 0
        self.full_rounds += 1
        step = self.settings.webhook_support_step
        risks = self.kept.risks(workspace=workspace, at=now)
        states = self.repository.deal_states(workspace=workspace)
        rows: list[dict[str, object]] = []
        count = 0
        if not started:
            # What is true when the first subscription starts is no news: record it
            # silently (also over states kept from an earlier run of subscriptions).
            rows = [d.row(workspace) for d in baseline(risks, states, step=step)]
        else:
            for risk in risks:
                found = deal_events(
                    workspace=workspace,
                    risk=risk,
                    before=states.get(risk.deal_id, _NEVER_EVENTED),
                    rev=revision,
                    step=step,
                    created_ms=now_ms,
                )
                if found is not None:
                    rows.append(found.row(workspace))
                    count += len(found.events)
        for closing in self._closings(workspace, risks, states, revision, now_ms, started):
            rows.append(closing.row(workspace))
            count += len(closing.events)
        self._emit(workspace, rows, now_ms)
        if not started:
            self.repository.set_baseline(workspace=workspace, now=now_ms)
            count = 0
        self._quiet[workspace] = _Quiet(
            revision=revision, until=self.repository.results_until(workspace=workspace)
        )
        return count

    def _closings(
        self,
        workspace: str,
        risks: Sequence[DealRisk],
        states: dict[str, EventedState],
        revision: int,
        now_ms: int,
        started: bool,
    ) -> list[DealEvents]:
        """The deals evented open that are open no more (closed or deleted)."""
        open_ids = {risk.deal_id for risk in risks}
        gone = sorted(
            deal_id
            for deal_id, state in states.items()
            if state.status == OPEN and deal_id not in open_ids
        )
        if not gone:
            return []
        found = []
        for start in range(0, len(gone), _EMIT_BATCH):
            batch = gone[start : start + _EMIT_BATCH]
            deals = self.repository.deals_now(workspace=workspace, deal_ids=batch)
            for deal_id in batch:
                closing = closing_events(
                    workspace=workspace,
                    deal_id=deal_id,
                    deal=deals.get(deal_id),
                    before=states[deal_id],
                    rev=revision,
                    created_ms=now_ms,
                    silent=not started,
                )
                if closing is not None:
                    found.append(closing)
        return found

    def _emit(self, workspace: str, rows: list[dict[str, object]], now_ms: int) -> None:
        for start in range(0, len(rows), _EMIT_BATCH):
            self.repository.emit(
                workspace=workspace, rows=rows[start : start + _EMIT_BATCH], now=now_ms
            )

    def raise_abandoned_imports(self, *, now_ms: int) -> int:
        """The ``import.completed`` events of imports whose process died after it
        recorded them and before it recorded their event (same event id: once). The
        import may or may not have written everything: ``status`` says unconfirmed."""
        cutoff = now_ms - round(self.settings.webhook_import_abandoned_minutes * 60_000)
        raised = 0
        for run in abandoned_imports(
            self.store.runner, cutoff_ms=cutoff, workspaces=self.workspaces, limit=_EMIT_BATCH
        ):
            report = {
                "format": run.format,
                "status": "unconfirmed",
                "started_at": from_ms(run.started_ms).isoformat(),
            }
            end_import(self.store.runner, run, report=report, now_ms=now_ms)
            raised += 1
        return raised
