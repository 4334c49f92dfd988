"""CLI command: ``graphsvc import FILE`` (a JSON bundle or a Salesforce contact-role CSV)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from graphsvc.config import get_settings
from graphsvc.errors import ValidationFailed
from graphsvc.imports.service import (
    ImportSummary,
    bundle_from_csv,
    bundle_from_json,
    import_bundle,
)
from graphsvc.store.repository import GraphStore

console = Console(stderr=True)


class ImportFormat(StrEnum):
    csv = "csv"
    json = "json"


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
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                                help="A JSON bundle or a Salesforce contact-role CSV."),
    workspace: str = typer.Option("default", "--workspace", "-w", help="Target workspace."),
    fmt: ImportFormat | None = typer.Option(None, "--format", "-f",
                                            help="csv or json (default: by file extension)."),
) -> None:
    """Import a file all or nothing: any bad item or row is listed and nothing is written;
    importing the same file again changes nothing.

    Example: graphsvc import contact_roles.csv --workspace acme
    """
    kind = fmt or (ImportFormat.json if file.suffix.lower() == ".json" else ImportFormat.csv)
    settings = get_settings()
    store = GraphStore.open(settings)
    try:
        with Progress(TextColumn("{task.description:<10}"), BarColumn(),
                      TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn(),
                      console=console, transient=False) as progress:
            raw = _read(file, progress)
            check = progress.add_task("validating", total=1)
            if kind is ImportFormat.json:
                try:
                    data = json.loads(raw)
                except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                    raise ValidationFailed(f"{file} is not valid JSON: {exc}") from None
                bundle = bundle_from_json(data)
            else:
                text = raw.decode("utf-8-sig", errors="strict")
                bundle = bundle_from_csv(store=store, workspace=workspace, text=text)
            progress.update(check, completed=1)
            write = progress.add_task("writing", total=1)
            summary = import_bundle(store=store, workspace=workspace, bundle=bundle)
            progress.update(write, completed=1)
    except ValidationFailed as exc:
        _print_errors(exc)
        raise
    finally:
        store.close()
    _print_summary(summary, workspace)


def _print_errors(exc: ValidationFailed) -> None:
    if not isinstance(exc.detail, list):
        return
    table = Table(title="errors (nothing was imported)")
    table.add_column("where")
    table.add_column("problem")
    for item in exc.detail:
        loc = item.get("loc", []) if isinstance(item, dict) else []
        where = f"row {item['row']}: {loc[-1]}" if isinstance(item, dict) and "row" in item \
            and len(loc) > 2 else ".".join(map(str, loc))
        table.add_row(where, str(item.get("msg", "")) if isinstance(item, dict) else str(item))
    console.print(table)


def _print_summary(summary: ImportSummary, workspace: str) -> None:
    table = Table(title=f"imported into workspace {workspace}")
    for column in ("kind", "created", "updated", "unchanged"):
        table.add_column(column, justify="right" if column != "kind" else "left")
    for kind, counts in summary.by_kind.items():
        if counts.created or counts.updated or counts.unchanged:
            table.add_row(kind, str(counts.created), str(counts.updated), str(counts.unchanged))
    table.add_row("[bold]total[/]", str(summary.created), str(summary.updated),
                  str(summary.unchanged))
    Console().print(table)
    typer.echo(f"created {summary.created}, updated {summary.updated}, "
               f"unchanged {summary.unchanged}, errors 0")


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root app."""
    app.command("import")(import_command)
