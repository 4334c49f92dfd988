"""Raising webhook events: deal events from the kept analysis results compared with
what was last evented of each deal (``deal.closed`` for a deal that closed), written
with their deliveries in one compare-and-set statement per batch; and the
``import.completed`` events of imports whose process died before recording them.

An idle round reads no deal: when the workspace's revision is the one last evented and
no kept result's due time has passed since, nothing can differ. The round after a write
compares only the deals that may have changed since the revision last evented: those
written or deleted since (``arev``, tombstones) and those whose result's due time has
passed (a flag time alone raises, such as ``STALE``). The other deals' results are the
ones last compared, so their evented states still match them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from graphsvc.analysis.horizon import NEVER
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
class _Evented:
    """What the last round of this process evented of a workspace: the revision it read
    first, its instant, and the due time of each open deal's result it compared (the
    results hold, without a write, until then)."""

    revision: int
    moment: int  # epoch ms
    dues: dict[str, int]

    @property
    def until(self) -> int:
        """The earliest due time: before it, and without a write, nothing can differ."""
        return min(self.dues.values(), default=NEVER)


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
        # Per workspace, what the last round evented (this process's memory; a restart,
        # or another process holding the lease meanwhile, reads every deal once more).
        self._evented: dict[str, _Evented] = {}
        # Rounds that read every open deal, and rounds that read only the deals that may
        # have changed (neither idle): for benchmarks and tests.
        self.full_rounds = 0
        self.changed_rounds = 0
        self.deals_compared = 0  # open deals' results compared, over every round

    def forget(self) -> None:
        """Forget what the last rounds evented: the next round reads every deal."""
        self._evented.clear()

    def raise_events(self, *, workspace: str, now: datetime) -> int:
        """Compare each open deal's current result with what was last evented of it and
        write the differences as events (with their deliveries), and ``deal.closed`` for
        a deal evented open that has closed; returns how many.

        An idle round reads no deal: when the workspace's revision is the one last
        evented and no kept result's due time has passed since, nothing can differ. After
        a write, or once a due time passed, only the deals that may have changed are
        compared (see the module docstring)."""
        now_ms = to_ms(now)
        # The revision first: every write the results below may miss has a later one.
        revision = self.store.workspace_revision(workspace=workspace)
        started = self.repository.has_baseline(workspace=workspace)
        last = self._evented.get(workspace)
        if started and last is not None and last.revision <= revision and now_ms >= last.moment:
            if last.revision == revision and now_ms < last.until:
                return 0
            return self._raise_changed(workspace, last, revision, now, now_ms)
        self.full_rounds += 1
        risks = self.kept.risks(workspace=workspace, at=now)
        states = self.repository.deal_states(workspace=workspace)
        if started:
            count = self._compare(workspace, risks, states, revision, now_ms)
        else:
            # What is true when the first subscription starts is no news: record it
            # silently (also over states kept from an earlier run of subscriptions).
            step = self.settings.webhook_support_step
            rows = [d.row(workspace) for d in baseline(risks, states, step=step)]
            rows += [
                closing.row(workspace)
                for closing in self._closings(workspace, risks, states, revision, now_ms, False)
            ]
            self._emit(workspace, rows, now_ms)
            self.repository.set_baseline(workspace=workspace, now=now_ms)
            count = 0
        self._remember(workspace, revision, now_ms, {}, risks)
        return count

    def _raise_changed(
        self, workspace: str, last: _Evented, revision: int, now: datetime, now_ms: int
    ) -> int:
        """The round after a write (or a due time): compare only the deals written or
        deleted since the revision last evented and those whose due time has passed;
        every other deal's result is the one compared then, and its evented state was
        made to match it. Same events, same compare-and-set statement as a full round."""
        self.changed_rounds += 1
        ids = set(self.repository.deals_changed(workspace=workspace, since=last.revision))
        ids.update(deal_id for deal_id, due in last.dues.items() if due <= now_ms)
        dues = {deal_id: due for deal_id, due in last.dues.items() if deal_id not in ids}
        risks: list[DealRisk] = []
        count = 0
        if ids:
            chosen = sorted(ids)
            risks = self.kept.risks(workspace=workspace, at=now, deal_ids=chosen)
            states = self.repository.deal_states(workspace=workspace, deal_ids=chosen)
            count = self._compare(workspace, risks, states, revision, now_ms)
        self._remember(workspace, revision, now_ms, dues, risks)
        return count

    def _compare(
        self,
        workspace: str,
        risks: Sequence[DealRisk],
        states: dict[str, EventedState],
        revision: int,
        now_ms: int,
    ) -> int:
        """Raise the events between each deal's evented state and its current result
        (and ``deal.closed`` of those of ``states`` evented open that are open no more),
        written with the states in compare-and-set statements; returns how many."""
        rows: list[dict[str, object]] = []
        count = 0
        self.deals_compared += len(risks)
        for risk in risks:
            found = deal_events(
                workspace=workspace,
                risk=risk,
                before=states.get(risk.deal_id, _NEVER_EVENTED),
                rev=revision,
                step=self.settings.webhook_support_step,
                created_ms=now_ms,
            )
            if found is not None:
                rows.append(found.row(workspace))
                count += len(found.events)
        for closing in self._closings(workspace, risks, states, revision, now_ms, True):
            rows.append(closing.row(workspace))
            count += len(closing.events)
        self._emit(workspace, rows, now_ms)
        return count

    def _remember(
        self,
        workspace: str,
        revision: int,
        now_ms: int,
        dues: dict[str, int],
        risks: Sequence[DealRisk],
    ) -> None:
        """Keep what this round evented: ``dues`` of the deals it did not read, and the
        due time of each result it compared (one without: compared again next round)."""
        for risk in risks:
            dues[risk.deal_id] = self.kept.due_of(risk.deal_id) or now_ms
        self._evented[workspace] = _Evented(revision=revision, moment=now_ms, dues=dues)

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
