"""CLI commands: ``graphsvc alerts send`` and ``graphsvc alerts schedule``."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from graphsvc.alerts.schemas import DeliveryStatus, IsoWeek, RunReport
from graphsvc.config import Settings, get_settings
from graphsvc.errors import NotFound
from graphsvc.store.repository import GraphStore
from graphsvc.store.workspaces import list_workspaces, unknown_workspace

alerts_app = typer.Typer(
    name="alerts",
    help="Weekly risk-alert e-mails to deal owners (and digests for their managers).\n\n"
    "Example: graphsvc alerts send --dry-run --out ./outbox",
    no_args_is_help=True,
)
console = Console()
WORKSPACE_HELP = "Workspace (repeatable; default GRAPHSVC_ALERTS_WORKSPACES)."

SEND_HELP = """Send this week's risk e-mails: one per owner with open deals at risk, plus
the manager digests. E-mails the ledger already holds for the week are not sent again,
so a rerun after a failure sends only the missing ones.

\b
Exit status: 0 all sent; 1 some e-mails failed (rerun later); 2 some recipients were
refused permanently (recorded, not retried).

\b
Examples:
  graphsvc alerts send
  graphsvc alerts send --week 2026-W48 --workspace acme
  graphsvc alerts send --dry-run --out ./outbox      # .eml files only, nothing sent
"""

SCHEDULE_HELP = """Run until stopped (SIGTERM or Ctrl-C) and send the e-mails every week at
GRAPHSVC_ALERTS_WEEKDAY/GRAPHSVC_ALERTS_HOUR (default Monday 07:00) in
GRAPHSVC_ALERTS_TIMEZONE.

\b
Examples:
  GRAPHSVC_ALERTS_TIMEZONE=Europe/Berlin graphsvc alerts schedule
  graphsvc alerts schedule --workspace acme --workspace globex
\b
Cron alternative (Monday 07:00 in the cron daemon's time zone):
  0 7 * * 1  graphsvc alerts send
"""


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def _print_report(report: RunReport) -> None:
    done = {DeliveryStatus.sent, DeliveryStatus.written}
    trouble = [d for d in report.deliveries if d.status not in done | {DeliveryStatus.already_sent}]
    if trouble:
        table = Table(title=f"{report.workspace} {report.week}: not delivered")
        for column in ("kind", "recipient", "status", "detail"):
            table.add_column(column)
        for d in trouble:
            table.add_row(d.kind.value, d.recipient, d.status.value, d.detail)
        console.print(table)
    verb = "written" if report.dry_run else "sent"
    console.print(
        f"{report.workspace} {report.week}: {report.at_risk_deals} deals at risk; "
        f"{sum(1 for d in report.deliveries if d.status in done)} e-mails {verb}, "
        f"{report.count(DeliveryStatus.already_sent)} already sent, "
        f"{report.count(DeliveryStatus.rejected)} rejected, "
        f"{len(report.failures)} failed "
        f"({report.timings.get('total_s', 0.0):.1f}s)",
        highlight=False,
    )


def _workspaces_of_the_run(
    store: GraphStore, *, named: list[str] | None, settings: Settings
) -> list[str]:
    """The workspaces named with ``--workspace``, else those of the settings; each must
    exist before anything is sent, so a typo is an error (with a "did you mean"), never
    a quiet week with no e-mail or a report of "0 deals at risk"."""
    workspaces = list(named or settings.alerts_workspaces)
    known = list_workspaces(store.runner)
    for ws in workspaces:
        if ws not in known:
            error = unknown_workspace(ws, known)
            if named:
                raise error
            raise NotFound(f"{error.message} (named in GRAPHSVC_ALERTS_WORKSPACES)")
    return workspaces


def send_command(
    week: str | None = typer.Option(
        None, "--week", help="ISO week, e.g. 2026-W48 (default: the current week)."
    ),
    workspace: list[str] | None = typer.Option(None, "--workspace", "-w", help=WORKSPACE_HELP),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Write .eml files to --out instead of sending."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Folder for the .eml files of --dry-run.", file_okay=False
    ),
) -> None:
    from graphsvc.alerts.service import AlertService

    if dry_run and out is None:
        raise typer.BadParameter("--dry-run needs --out DIR", param_hint="--out")
    if out is not None and not dry_run:
        raise typer.BadParameter("--out only goes with --dry-run", param_hint="--out")
    settings = get_settings()
    _configure_logging(settings)
    parsed = IsoWeek.parse(week) if week else None
    store = GraphStore.open(settings)
    codes: list[int] = []
    try:
        workspaces = _workspaces_of_the_run(store, named=workspace, settings=settings)
        service = AlertService(store=store, settings=settings)
        for ws in workspaces:
            folder = out / ws if out is not None and len(workspaces) > 1 else out
            report = service.send(workspace=ws, week=parsed, dry_run=dry_run, out_dir=folder)
            _print_report(report)
            codes.append(report.exit_code)
    finally:
        store.close()
    # 1 (rerun needed) outranks 2 (refused recipients): it is the one a retry fixes.
    worst = 1 if 1 in codes else max(codes, default=0)
    if worst:
        raise typer.Exit(worst)


def schedule_command(
    workspace: list[str] | None = typer.Option(None, "--workspace", "-w", help=WORKSPACE_HELP),
) -> None:
    from graphsvc.alerts.scheduler import WeeklyScheduler, WeeklySlot
    from graphsvc.alerts.service import AlertService

    settings = get_settings()
    _configure_logging(settings)
    slot = WeeklySlot.from_settings(settings)
    store = GraphStore.open(settings)
    try:  # checked at start: a typo must not go unnoticed until the first Monday
        workspaces = _workspaces_of_the_run(store, named=workspace, settings=settings)
    finally:
        store.close()

    def job(week: IsoWeek) -> None:
        # A fresh store per run: the process idles for a week between runs.
        store = GraphStore.open(settings)
        try:
            service = AlertService(store=store, settings=settings)
            for ws in workspaces:
                _print_report(service.send(workspace=ws, week=week))
        finally:
            store.close()

    scheduler = WeeklyScheduler(slot=slot, job=job, catchup_hours=settings.alerts_catchup_hours)
    scheduler.install_signal_handlers()

    def ready(next_at: datetime) -> None:
        console.print(
            f"alerts scheduler started: next run {next_at.astimezone(slot.tz).isoformat()} "
            f"({settings.alerts_timezone}) for {', '.join(workspaces)}",
            highlight=False,
        )

    scheduler.run_forever(on_ready=ready)
    console.print("alerts scheduler stopped", highlight=False)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root app."""
    alerts_app.command("send", help=SEND_HELP)(send_command)
    alerts_app.command("schedule", help=SCHEDULE_HELP)(schedule_command)
    app.add_typer(alerts_app, name="alerts")
