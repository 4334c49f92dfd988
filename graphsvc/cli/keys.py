"""CLI commands: ``graphsvc keys create|list|revoke`` (API keys, stored hashed)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.table import Table

from graphsvc.config import get_settings
from graphsvc.keys import KeyRepository, Scope
from graphsvc.store.repository import GraphStore
from graphsvc.store.workspaces import require_workspace

console = Console()

keys_app = typer.Typer(
    name="keys",
    help="Manage API keys: create (shown once), list, revoke.\n\n"
    "Example: graphsvc keys create --workspace acme --scope write",
    no_args_is_help=True,
)


@contextmanager
def _repository() -> Iterator[KeyRepository]:
    store = GraphStore.open(get_settings())
    try:
        yield KeyRepository(store.runner)
    finally:
        store.close()


@keys_app.command("create")
def create_command(
    workspace: str = typer.Option(..., "--workspace", "-w", help="The key's workspace."),
    scope: Scope = typer.Option(..., "--scope", "-s", help="read, write or admin."),
    name: str | None = typer.Option(None, "--name", help="A label to recognise the key by."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead."),
) -> None:
    """Create an API key and print it as the last line (it is stored hashed, shown once).

    Example: graphsvc keys create --workspace acme --scope write --name "CRM sync"
    """
    with _repository() as keys:
        key, record = keys.create(workspace=workspace, scope=scope, name=name)
    if as_json:
        typer.echo(json.dumps({**record.public(), "key": key}))
        return
    console.print(
        f"Created API key [bold]{record.id}[/] (scope {record.scope.value}) for "
        f"workspace [bold]{record.workspace}[/]. It is shown only this once:",
        highlight=False,
        soft_wrap=True,
    )
    typer.echo(key)


@keys_app.command("list")
def list_command(
    workspace: str | None = typer.Option(
        None, "--workspace", "-w", help="Only this workspace's keys."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array instead."),
) -> None:
    """List API keys (id, workspace, scope, prefix, created, revoked); never the keys.

    Example: graphsvc keys list --workspace acme
    """
    with _repository() as keys:
        if workspace is not None:
            require_workspace(keys.runner, workspace)
        records = keys.list(workspace=workspace)
    if as_json:
        typer.echo(json.dumps([r.public() for r in records]))
        return
    table = Table(title="API keys")
    for column in ("id", "workspace", "scope", "prefix", "name", "created", "revoked"):
        table.add_column(column)
    for r in records:
        table.add_row(
            r.id,
            r.workspace,
            r.scope.value,
            r.prefix + "…",
            r.name or "",
            r.created_at.isoformat(timespec="seconds"),
            r.revoked_at.isoformat(timespec="seconds") if r.revoked_at else "",
        )
    console.print(table)


@keys_app.command("revoke")
def revoke_command(
    key_id: str = typer.Argument(..., help="The key's id (from `keys list`), or the key."),
) -> None:
    """Revoke an API key: requests with it get 401 from then on.

    Example: graphsvc keys revoke 3f9c0a1b2c3d4e5f
    """
    with _repository() as keys:
        record = keys.revoke(key_id=key_id)
    console.print(
        f"Revoked API key [bold]{record.id}[/] of workspace {record.workspace}.", highlight=False
    )


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root app."""
    app.add_typer(keys_app, name="keys")
