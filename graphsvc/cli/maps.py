"""CLI commands: ``graphsvc map`` (write a deal map to a file) and ``graphsvc map-link``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from graphsvc.config import get_settings
from graphsvc.errors import NotFound
from graphsvc.maps.links import create_map_link
from graphsvc.maps.service import MapService, parse_as_of
from graphsvc.store.repository import GraphStore
from graphsvc.store.workspaces import require_workspace

console = Console(stderr=True)
WORKSPACE_HELP = "The workspace holding the deal."


def map_command(
    deal_id: str = typer.Argument(..., help="The deal's id (your CRM's opportunity id)."),
    output: Path = typer.Option(
        Path("deal-map.html"),
        "--output",
        "-o",
        dir_okay=False,
        writable=True,
        help="Where to write the HTML page.",
    ),
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        help="Show the map as of this date (YYYY-MM-DD) or ISO-8601 instant.",
    ),
    workspace: str = typer.Option("default", "--workspace", "-w", help=WORKSPACE_HELP),
) -> None:
    """Write one deal's interactive map to a self-contained HTML file.

    The file opens from disk with no network: every script is inside it. Its as-of
    control switches between the weekly maps embedded in the file (a quarter back).

    Example: graphsvc map nw-telematics -o deal.html --as-of 2026-10-01 --workspace demo
    """
    settings = get_settings()
    instant = parse_as_of(as_of)
    store = GraphStore.open(settings)
    try:
        require_workspace(store.runner, workspace)
        page = MapService(store=store, settings=settings).get(
            workspace=workspace, deal_id=deal_id, as_of=instant, mode="file"
        )
    finally:
        store.close()
    output.write_text(page.html, encoding="utf-8")
    console.print(f"wrote {output} ({len(page.html.encode('utf-8')) // 1024} KiB)")


def map_link_command(
    deal_id: str = typer.Argument(..., help="The deal's id (your CRM's opportunity id)."),
    ttl_days: float | None = typer.Option(
        None,
        "--ttl-days",
        min=0.001,
        max=366,
        help="Days until the link expires (default: GRAPHSVC_MAP_LINK_TTL_DAYS, 14).",
    ),
    workspace: str = typer.Option("default", "--workspace", "-w", help=WORKSPACE_HELP),
) -> None:
    """Print a signed link that opens one deal's map without an API key, until it expires.

    The link grants that deal's map and nothing else; a changed character or a passed
    expiry gets 403. It is signed with GRAPHSVC_MAP_LINK_SECRET and points at
    GRAPHSVC_PUBLIC_BASE_URL.

    Example: graphsvc map-link nw-telematics --ttl-days 7 --workspace demo
    """
    settings = get_settings()
    store = GraphStore.open(settings)
    try:
        require_workspace(store.runner, workspace)
        try:
            store.get_deal(workspace=workspace, deal_id=deal_id)
        except NotFound as exc:  # a typo: say where we looked
            raise NotFound(f"no deal {deal_id!r} in workspace {workspace!r}") from exc
    finally:
        store.close()
    url, expires_at = create_map_link(
        settings=settings, workspace=workspace, deal_id=deal_id, ttl_days=ttl_days
    )
    typer.echo(url)
    console.print(f"expires {expires_at.isoformat(timespec='seconds')}")


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root app."""
    app.command("map")(map_command)
    app.command("map-link")(map_link_command)
