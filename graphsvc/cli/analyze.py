"""CLI commands: ``graphsvc analyze DEAL``, ``graphsvc risks`` and ``graphsvc analysis
rebuild``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from graphsvc.analysis.schemas import DealAnalysis, DealRisk, Severity
from graphsvc.config import get_settings
from graphsvc.errors import ValidationFailed
from graphsvc.store.repository import GraphStore
from graphsvc.store.workspaces import require_workspace

if TYPE_CHECKING:
    from graphsvc.analysis.service import AnalysisService

_SEVERITY_STYLE = {Severity.high: "bold red", Severity.medium: "yellow", Severity.low: "cyan"}


def parse_instant(text: str | None) -> datetime | None:
    """``2026-03-01`` (midnight UTC) or a full ISO-8601 instant (naive = UTC)."""
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValidationFailed(
            f"--as-of: not a date or ISO-8601 instant: {text!r}",
            detail=[{"loc": ["as_of"], "msg": "not a date or ISO-8601 instant"}],
        ) from exc
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _service() -> tuple[GraphStore, AnalysisService]:
    # Imported here: networkx and scipy load only for the commands that need them.
    from graphsvc.analysis.service import AnalysisService

    settings = get_settings()
    store = GraphStore.open(settings)
    return store, AnalysisService(store=store, settings=settings)


def _pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def print_analysis(result: DealAnalysis, out: Console | None = None) -> None:
    """Ranking, support and flags of one deal as rich tables."""
    # Built per call so the terminal width (COLUMNS) is read when printing, not at import.
    out = out or Console()
    out.print(
        f"[bold]{result.deal_name}[/] ({result.deal_id}) · owner {result.owner_email} · "
        f"{result.status} · as of {result.as_of:%Y-%m-%d %H:%M} UTC",
        highlight=False,
    )
    dm = result.top_decision_maker
    if dm is None:
        out.print("Top decision-maker: [red]none (empty committee)[/]")
    else:
        contact = (
            f"last contact {dm.last_contact_at:%Y-%m-%d}"
            if dm.last_contact_at
            else "[bold red]never contacted[/]"
        )
        out.print(
            f"Top decision-maker: [bold]{dm.name}[/] ({dm.stakeholder_id}), "
            f"{'confirmed' if dm.confirmed else 'unconfirmed'}, {contact}",
            highlight=False,
        )

    ranking = Table(title="Influence ranking", title_justify="left")
    for column in (
        "#",
        "Stakeholder",
        "Role",
        "Stance",
        "Ally",
        "Score",
        "Authority",
        "Network",
        "Rating",
        "Coverage",
    ):
        ranking.add_column(column, justify="right" if column in {"#", "Score"} else "left")
    for row in result.ranking:
        c = row.components
        ranking.add_row(
            str(row.rank),
            f"{row.name} ({row.stakeholder_id})",
            row.role.value,
            row.stance.value,
            "yes" if row.ally else "",
            f"{row.score:.1f}",
            f"{c.authority:.2f}",
            f"{c.network:.2f}",
            f"{c.rating:.2f}",
            row.coverage.value,
        )
    out.print(ranking)

    s = result.support
    support = Table(title="Support base", title_justify="left")
    for column in ("Support", "Opposition", "Neutral", "Allies", "Completeness", "Trend"):
        support.add_column(column)
    trend = f"{s.trend.value} ({s.trend_delta * 100:+.1f} pts / {s.trend_weeks} wk)"
    support.add_row(
        _pct(s.share),
        _pct(s.opposition),
        _pct(s.neutral),
        str(s.allies),
        _pct(s.completeness)
        + (f" (missing {', '.join(s.missing_roles)})" if s.missing_roles else ""),
        trend,
    )
    out.print(support)
    if s.movers:
        out.print(
            "Moved it most: " + ", ".join(f"{m.name} {m.delta * 100:+.1f} pts" for m in s.movers),
            highlight=False,
        )

    flags = Table(title="Risk flags", title_justify="left")
    for column in ("Severity", "Code", "Message"):
        flags.add_column(column)
    for flag in result.flags:
        flags.add_row(
            f"[{_SEVERITY_STYLE[flag.severity]}]{flag.severity.value}[/]",
            flag.code.value,
            flag.message,
        )
    if result.flags:
        out.print(flags)
    else:
        out.print("Risk flags: none")


def print_risks(results: list[DealRisk], out: Console | None = None) -> None:
    """The fleet table: open deals with flags, worst severity first, then amount."""
    out = out or Console()
    at_risk = [r for r in results if r.flags]
    at_risk.sort(
        key=lambda r: (
            -(r.worst_severity.weight if r.worst_severity else 0),
            -(r.amount or 0.0),
            r.deal_id,
        )
    )
    table = Table(
        title=f"Open deals at risk: {len(at_risk)} of {len(results)}", title_justify="left"
    )
    for column in ("Deal", "Owner", "Amount", "Support", "Trend", "Worst", "Flags"):
        table.add_column(column, justify="right" if column == "Amount" else "left")
    for r in at_risk:
        worst = r.worst_severity
        table.add_row(
            f"{r.deal_name} ({r.deal_id})",
            r.owner_email,
            f"{r.amount:,.0f}" if r.amount is not None else "",
            _pct(r.support.share),
            r.support.trend.value,
            f"[{_SEVERITY_STYLE[worst]}]{worst.value}[/]" if worst else "",
            ", ".join(f.code.value for f in r.flags),
        )
    out.print(table)


def analyze_command(
    deal: str = typer.Argument(..., help="The deal id."),
    as_of: str | None = typer.Option(None, "--as-of", help="Date or ISO instant (default: now)."),
    as_json: bool = typer.Option(False, "--json", help="Print the analysis as JSON."),
    workspace: str = typer.Option("default", "--workspace", "-w", help="Workspace."),
) -> None:
    """Who matters on a deal, its top decision-maker, support base and risk flags.

    Example: graphsvc analyze opp-0042 --as-of 2026-03-01 --workspace acme
    """
    instant = parse_instant(as_of)
    store, service = _service()
    try:
        require_workspace(store.runner, workspace)
        result = service.analyze(workspace=workspace, deal_id=deal, as_of=instant)
    finally:
        store.close()
    if as_json:
        typer.echo(json.dumps(result.model_dump(mode="json"), indent=2))
    else:
        print_analysis(result)


def risks_command(
    as_json: bool = typer.Option(False, "--json", help="Print the scan as JSON."),
    workspace: str = typer.Option("default", "--workspace", "-w", help="Workspace."),
) -> None:
    """List the open deals of the workspace at risk (from the kept per-deal results;
    deals changed since are re-analysed first).

    Example: graphsvc risks --workspace acme
    """
    store, service = _service()
    try:
        require_workspace(store.runner, workspace)  # "0 of 0" would read as "all clear"
        results = service.kept.risks(workspace=workspace)
    finally:
        store.close()
    if as_json:
        items = [
            {
                "deal_id": r.deal_id,
                "deal_name": r.deal_name,
                "owner_email": r.owner_email,
                "amount": r.amount,
                "share": r.support.share,
                "trend": r.support.trend.value,
                "flags": [f.model_dump(mode="json") for f in r.flags],
            }
            for r in results
        ]
        typer.echo(json.dumps(items, indent=2))
    else:
        print_risks(results)


analysis_app = typer.Typer(
    help=(
        "Kept per-deal analysis results (what `graphsvc risks` and the API read).\n\n"
        "Example: graphsvc analysis rebuild --workspace acme"
    ),
    no_args_is_help=True,
    add_completion=False,
)


@analysis_app.command("rebuild")
def rebuild_command(
    workspace: str = typer.Option("default", "--workspace", "-w", help="Workspace."),
) -> None:
    """Re-analyse every open deal of the workspace and keep the results (after an
    engine upgrade, or to check; reads never need it). One rebuild at a time per
    workspace across processes (the API's background one included); its progress shows
    at GET /v1/analysis/rebuild too.

    Example: graphsvc analysis rebuild --workspace acme
    """
    from rich.progress import Progress

    store, service = _service()
    try:
        require_workspace(store.runner, workspace)
        with Progress(transient=True) as bar:
            task = bar.add_task("re-analysing", total=None)

            def step(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            report = service.kept.rebuild_stale(workspace=workspace, force=True, progress=step)
        if report is None:
            running = service.kept.lease.status(workspace=workspace)
            typer.echo(
                f"another process is rebuilding workspace {workspace!r} "
                f"({running.done} of {running.total} deals); try again when it ends",
                err=True,
            )
            raise typer.Exit(1)
    finally:
        store.close()
    typer.echo(f"{report.refreshed} of {report.open_deals} open deals re-analysed and kept")


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root app."""
    app.command("analyze")(analyze_command)
    app.command("risks")(risks_command)
    app.add_typer(analysis_app, name="analysis")
