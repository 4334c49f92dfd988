"""CLI command: ``graphsvc import PATH``: a JSON bundle, a Salesforce contact-role CSV, or a
CRM export (a Salesforce data export or a HubSpot export, as a zip or a folder)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from graphsvc.config import get_settings
from graphsvc.errors import ValidationFailed
from graphsvc.imports.exports import ExportFiles
from graphsvc.imports.service import (
    ImportFormat,
    ImportSummary,
    bundle_from_csv,
    bundle_from_json,
    export_format,
    import_bundle,
    import_export_files,
    sniff,
)
from graphsvc.imports.sync import ExportImportReport
from graphsvc.store.repository import GraphStore

console = Console(stderr=True)


def _read(path: Path, progress: Progress) -> bytes:
    size = path.stat().st_size
    task = progress.add_task("reading", total=max(size, 1))
    chunks = []
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            chunks.append(chunk)
            progress.advance(task, len(chunk))
    progress.update(task, completed=max(size, 1))
    return b"".join(chunks)


def import_command(
    path: Path = typer.Argument(
        ...,
        exists=True,
        readable=True,
        help="A JSON bundle, a Salesforce contact-role CSV, or a "
        "Salesforce / HubSpot export (zip or folder).",
    ),
    workspace: str = typer.Option("default", "--workspace", "-w", help="Target workspace."),
    fmt: ImportFormat | None = typer.Option(
        None,
        "--format",
        "-f",
        help="csv, json, salesforce or hubspot (default: detected from the content).",
    ),
) -> None:
    """Import a file, zip or folder all or nothing: any bad item or row is listed (file,
    row, column) and nothing is written; importing the same input again changes nothing,
    and a newer CRM export records only what changed, dated at the export's instant.

    Example: graphsvc import WE_00D000000000001_1.zip --workspace acme
    """
    settings = get_settings()
    store = GraphStore.open(settings)
    try:
        with Progress(
            TextColumn("{task.description:<10}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as progress:
            if path.is_dir():
                files: ExportFiles | None = ExportFiles.from_folder(path)
                raw = b""
            else:
                raw = _read(path, progress)
                kind = fmt or sniff(raw, path.name)
                files = (
                    ExportFiles.from_zip(raw, origin=str(path))
                    if kind in (None, ImportFormat.salesforce, ImportFormat.hubspot)
                    else None
                )
            if files is not None:
                report = _import_export(store, workspace, files, progress, path)
                _print_report(report, workspace)
                return
            summary = _import_file(store, workspace, raw, kind, path, progress)
    except ValidationFailed as exc:
        _print_errors(exc)
        raise
    finally:
        store.close()
    _print_summary(summary, workspace)


def _import_export(
    store: GraphStore, workspace: str, files: ExportFiles, progress: Progress, path: Path
) -> ExportImportReport:
    export_format(files)  # a clear error before any work when it is neither
    stages = ("reading", "comparing", "writing")
    tasks = {name: progress.add_task(name, total=1, start=False) for name in stages}
    current: list[str] = []

    def step(name: str) -> None:
        if current:
            progress.update(tasks[current[-1]], completed=1)
        progress.start_task(tasks[name])
        current.append(name)

    report = import_export_files(
        store=store, workspace=workspace, files=files, step=step, actor=import_actor(path)
    )
    progress.update(tasks[current[-1]], completed=1)
    return report


def import_actor(path: Path) -> str:
    """Who the facts of a command-line import are signed with: the file it read."""
    return f"import:{path.name}"


def _import_file(
    store: GraphStore,
    workspace: str,
    raw: bytes,
    kind: ImportFormat | None,
    path: Path,
    progress: Progress,
) -> ImportSummary:
    check = progress.add_task("validating", total=1)
    if kind is ImportFormat.json:
        try:
            data = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ValidationFailed(f"{path} is not valid JSON: {exc}") from None
        bundle = bundle_from_json(data)
    else:
        text = raw.decode("utf-8-sig", errors="strict")
        bundle = bundle_from_csv(store=store, workspace=workspace, text=text)
    progress.update(check, completed=1)
    write = progress.add_task("writing", total=1)
    summary = import_bundle(
        store=store, workspace=workspace, bundle=bundle, actor=import_actor(path)
    )
    progress.update(write, completed=1)
    return summary


def _print_errors(exc: ValidationFailed) -> None:
    if not isinstance(exc.detail, list):
        return
    by_file: dict[str, int] = {}
    for item in exc.detail:
        if isinstance(item, dict) and "file" in item:
            by_file[item["file"]] = by_file.get(item["file"], 0) + 1
    if by_file:
        console.print(
            "errors per file: " + ", ".join(f"{name} {count}" for name, count in by_file.items())
        )
    table = Table(title="errors (nothing was imported)")
    table.add_column("where")
    table.add_column("problem")
    for item in exc.detail:
        loc = item.get("loc", []) if isinstance(item, dict) else []
        if isinstance(item, dict) and "file" in item:
            parts = [item["file"]]
            parts += [f"row {item['row']}"] if item.get("row") is not None else []
            parts += [str(item["column"])] if item.get("column") else []
            where = ", ".join(parts)
        elif isinstance(item, dict) and "row" in item and len(loc) > 2:
            where = f"row {item['row']}: {loc[-1]}"
        else:
            where = ".".join(map(str, loc))
        table.add_row(where, str(item.get("msg", "")) if isinstance(item, dict) else str(item))
    console.print(table)


def _print_summary(summary: ImportSummary, workspace: str) -> None:
    table = Table(title=f"imported into workspace {workspace}")
    for column in ("kind", "created", "updated", "unchanged"):
        table.add_column(column, justify="right" if column != "kind" else "left")
    for kind, counts in summary.by_kind.items():
        if counts.created or counts.updated or counts.unchanged:
            table.add_row(kind, str(counts.created), str(counts.updated), str(counts.unchanged))
    table.add_row(
        "[bold]total[/]", str(summary.created), str(summary.updated), str(summary.unchanged)
    )
    Console().print(table)
    typer.echo(
        f"created {summary.created}, updated {summary.updated}, "
        f"unchanged {summary.unchanged}, errors 0"
    )


def _print_report(report: ExportImportReport, workspace: str) -> None:
    table = Table(
        title=f"{report.source} export of {report.exported_at.isoformat()} "
        f"imported into workspace {workspace}"
    )
    columns = ("created", "updated", "unchanged", "ended", "warnings", "errors")
    table.add_column("object type")
    for column in columns:
        table.add_column(column, justify="right")
    for kind, counts in report.by_kind.items():
        table.add_row(kind, *(str(getattr(counts, c)) for c in columns))
    table.add_row("[bold]total[/]", *(str(report.total(c)) for c in columns))
    Console().print(table)
    for warning in report.warnings[:50]:
        row = f", row {warning['row']}" if warning.get("row") else ""
        column = f", {warning['column']}" if warning.get("column") else ""
        console.print(f"warning: {warning['file']}{row}{column}: {warning['msg']}")
    if len(report.warnings) > 50:
        console.print(f"... and {len(report.warnings) - 50} more warnings")
    for what, count in sorted(report.ignored.items()):
        console.print(f"ignored: {count} {what}")
    typer.echo(
        f"export instant {report.exported_at.isoformat()} ({report.exported_at_from}); "
        f"created {report.total('created')}, updated {report.total('updated')}, "
        f"unchanged {report.total('unchanged')}, ended {report.total('ended')}, "
        f"warnings {report.total('warnings')}, errors 0"
    )


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root app."""
    app.command("import")(import_command)
