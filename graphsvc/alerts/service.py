"""One run of the weekly risk alerts: scan, compose, send once, record.

:meth:`AlertService.send` (the ``graphsvc alerts send`` verb) runs the fleet scan as of
the week, keeps the open deals at risk, groups them by owner and sends each owner one
e-mail for the ISO week (and each configured manager one digest of their team). What
to send is planned by ``planning.py``; ``delivery.py`` sends it exactly once through the
ledger (``repository.py``): an e-mail already sent or rejected for that week is
skipped, so a rerun after a part-way failure sends only the missing ones. Every message
is composed by the pure functions of ``compose.py``; only
:class:`~graphsvc.alerts.sender.SmtpSender` touches the network. The scan adapter
(:class:`AnalysisInputs`) is the one place the alerts read analysis results.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graphsvc.alerts.delivery import Outgoing, Sender, WeeklyDelivery
from graphsvc.alerts.planning import AlertInputs, AlertPlanner, DealExtras, week_as_of
from graphsvc.alerts.repository import AlertLedger
from graphsvc.alerts.scheduler import WeeklySlot
from graphsvc.alerts.schemas import (
    AlertKind,
    IsoWeek,
    ManagerDigest,
    OwnerAlert,
    RunReport,
)
from graphsvc.alerts.sender import SmtpSender
from graphsvc.analysis.schemas import DealRisk
from graphsvc.config import Settings
from graphsvc.errors import ValidationFailed


class AlertService:
    """Weekly risk alerts for one workspace at a time (see the module docstring)."""

    def __init__(
        self,
        *,
        store: Any,
        settings: Settings,
        inputs: AlertInputs | None = None,
        sender_factory: Callable[[], Sender] | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.ledger = AlertLedger(store.runner)
        self.inputs = inputs or AnalysisInputs(store=store, settings=settings)
        self.sender_factory = sender_factory or (lambda: SmtpSender(settings))
        self.clock = clock or (lambda: datetime.now(UTC))
        self.slot = WeeklySlot.from_settings(settings)
        self.run_id = uuid.uuid4().hex
        self.planner = AlertPlanner(settings=settings, ledger=self.ledger, inputs=self.inputs)
        self.delivery = WeeklyDelivery(
            settings=settings, ledger=self.ledger, clock=self.clock, run_id=self.run_id
        )

    # -- the verb ------------------------------------------------------------------------

    def send(
        self,
        *,
        workspace: str,
        week: IsoWeek | None = None,
        dry_run: bool = False,
        out_dir: Path | None = None,
    ) -> RunReport:
        """Send (or with ``dry_run`` write to ``out_dir`` as ``.eml``) this week's e-mails
        that the ledger does not already hold."""
        if dry_run and out_dir is None:
            raise ValidationFailed("a dry run needs an output directory (--out DIR)")
        now = self.clock()
        week = week or self.slot.week_of(now)
        as_of = week_as_of(week, slot=self.slot, now=now)
        report = RunReport(workspace=workspace, week=str(week), dry_run=dry_run)
        started = time.perf_counter()

        alerts, digests, at_risk = self.plan(workspace=workspace, week=week, as_of=as_of, now=now)
        report.at_risk_deals = at_risk
        report.timings["plan_s"] = time.perf_counter() - started

        outgoing: list[Outgoing] = [
            *((AlertKind.owner, a.owner, a) for a in alerts),
            *((AlertKind.digest, d.manager, d) for d in digests),
        ]
        self.delivery.deliver(
            outgoing,
            workspace=workspace,
            week=week,
            date=now,
            report=report,
            sender_factory=self.sender_factory,
            out_dir=out_dir,
        )
        report.timings["total_s"] = time.perf_counter() - started
        return report

    # -- what to send --------------------------------------------------------------------

    def plan(
        self, *, workspace: str, week: IsoWeek, as_of: datetime, now: datetime
    ) -> tuple[list[OwnerAlert], list[ManagerDigest], int]:
        """The week's owner e-mails and manager digests, and the number of deals at
        risk (see :meth:`AlertPlanner.plan`)."""
        return self.planner.plan(workspace=workspace, week=week, as_of=as_of, now=now)


class AnalysisInputs:
    """The kept per-deal results, plus the history and next best contact of the deals
    with flags (batched), as the alerts need them."""

    def __init__(self, *, store: Any, settings: Settings) -> None:
        from graphsvc.analysis.service import AnalysisService

        self.analysis = AnalysisService(store=store, settings=settings)

    def scan(
        self, *, workspace: str, as_of: datetime, weeks: int
    ) -> Iterator[tuple[DealRisk, DealExtras]]:
        # The kept per-deal results (graphsvc.analysis.results) say which deals have
        # flags; only those are read again for the chart's history and whom to call
        # (a deal without flags is never in an e-mail).
        risks = self.analysis.kept.risks(workspace=workspace, at=as_of)
        flagged = [r.deal_id for r in risks if r.flags]
        extras: dict[str, DealExtras] = {}
        for details in self.analysis.details_of(
            workspace=workspace,
            deal_ids=flagged,
            as_of=as_of,
            history_weeks=weeks,
            next_best=1,
        ):
            best = details.next_best_contacts
            extras[details.analysis.deal_id] = DealExtras(
                history=details.support_history, next_best=best[0] if best else None
            )
        for risk in risks:
            yield risk, extras.get(risk.deal_id, DealExtras(history=[], next_best=None))
