"""CLI commands: ``graphsvc db status|start|stop`` for the embedded FalkorDB; with
``NEO4J_URI`` set, ``db status`` reports the Neo4j server and our schema on it instead.

The lifetime rule (see :mod:`graphsvc.store.embedded`): the server runs while some
client process uses it, and stops by itself ``GRAPHSVC_EMBEDDED_IDLE_SECONDS`` after
the last one has gone; ``db start`` pins it running until ``db stop``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from graphsvc.config import Settings, get_settings
from graphsvc.errors import ConfigurationError
from graphsvc.store import embedded

console = Console()

db_app = typer.Typer(
    name="db",
    help=(
        "Manage the embedded FalkorDB store (the default backend when NEO4J_URI is not set).\n\n"
        "Example: graphsvc db status"
    ),
    no_args_is_help=True,
)

DataDirOption = typer.Option(
    None,
    "--data-dir",
    "-d",
    help="Data directory of the store (default: GRAPHSVC_DATA_DIR, else ./data).",
)


def _data_dir(data_dir: Path | None, *, note: bool = True) -> Path:
    settings = get_settings()
    if settings.neo4j_uri and note:
        console.print(
            "[yellow]note:[/] NEO4J_URI is set, so the service uses Neo4j; "
            "these commands manage the embedded store only."
        )
    return (data_dir or settings.data_dir).expanduser().resolve()


def _status_dict(status: embedded.ServerStatus) -> dict[str, object]:
    return {
        "data_dir": str(status.paths.data_dir),
        "socket": str(status.paths.socket),
        "running": status.running,
        "pid": status.pid,
        "pinned": status.pinned,
        "supervisor_pid": status.supervisor_pid,
        "clients": status.clients,
        "used_memory": status.used_memory_human,
        "aof_bytes": status.aof_bytes,
        "log": str(status.paths.logfile),
    }


def _neo4j_status(settings: Settings, *, as_json: bool) -> None:
    from graphsvc.store.runners import Neo4jRunner

    runner = Neo4jRunner.from_settings(settings)
    try:
        info = runner.describe()
    finally:
        runner.close()
    expected = [*info["constraints"].items(), *info["indexes"].items()]
    missing = [name for name, state in expected if state == "missing"]
    info["schema_complete"] = not missing
    table = _status_table("Neo4j", info, as_json=as_json)
    if table is None:
        return
    table.add_row("server", f"{info['product']} {info['version']} ({info['edition']} edition)")
    for key in ("uri", "user", "database"):
        table.add_row(key, str(info[key]))
    for kind in ("constraints", "indexes"):
        states = info[kind]
        present = sum(state != "missing" for state in states.values())
        table.add_row(kind, f"{present} of {len(states)} present")
        for name, state in states.items():
            colour = (
                "red"
                if state == "missing"
                else "green"
                if state in ("present", "ONLINE")
                else "yellow"
            )
            table.add_row("", f"[{colour}]{state}[/] {name}")
    console.print(table)
    if missing:
        console.print(
            f"[yellow]note:[/] {len(missing)} missing; every graphsvc command "
            "that opens the store creates them (e.g. `graphsvc serve`)."
        )


def _status_table(title: str, info: Mapping[str, object], *, as_json: bool) -> Table | None:
    """With ``--json``, ``info`` printed as one JSON object (and no table); else an empty
    two-column table (field, value) to fill."""
    if as_json:
        typer.echo(json.dumps(info))
        return None
    table = Table(title=title, show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    return table


@db_app.command("status")
def status_command(
    data_dir: Path | None = DataDirOption,
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of a table."),
) -> None:
    """Show whether the embedded server runs, its pid, socket, clients and data size;
    with NEO4J_URI set (and no --data-dir), the Neo4j server (version, edition, address)
    and whether every constraint and index graphsvc needs is there.

    Example: graphsvc db status --data-dir ./data
    """
    settings = get_settings()
    if settings.neo4j_uri and data_dir is None:  # --data-dir asks for the embedded store
        _neo4j_status(settings, as_json=as_json)
        return
    info = _status_dict(embedded.status(_data_dir(data_dir, note=not as_json)))
    table = _status_table("Embedded FalkorDB", info, as_json=as_json)
    if table is None:
        return
    state = "[green]running[/]" if info["running"] else "[red]stopped[/]"
    table.add_row("state", state + (" (pinned)" if info["pinned"] else ""))
    for key in (
        "pid",
        "data_dir",
        "socket",
        "supervisor_pid",
        "clients",
        "used_memory",
        "aof_bytes",
        "log",
    ):
        value = info[key]
        if key == "clients":
            value = ", ".join(map(str, info["clients"])) or "none"  # type: ignore[call-overload]
        table.add_row(key.replace("_", " "), "-" if value is None else str(value))
    console.print(table)


@db_app.command("start")
def start_command(
    data_dir: Path | None = DataDirOption,
    pin: bool = typer.Option(
        True,
        "--pin/--no-pin",
        help="Keep the server running until `graphsvc db stop` (default), or let it stop "
        "by itself once no client has used it for GRAPHSVC_EMBEDDED_IDLE_SECONDS.",
    ),
) -> None:
    """Start the embedded server (or find the running one) and print its pid.

    Example: graphsvc db start --data-dir ./data
    """
    directory = _data_dir(data_dir)
    settings = get_settings()
    try:
        pid = embedded.start(directory, idle_seconds=settings.embedded_idle_seconds, pin=pin)
    except OSError as exc:
        raise ConfigurationError(f"cannot use data directory {directory}: {exc}") from exc
    paths = embedded.ServerPaths.for_data_dir(directory)
    console.print(
        f"FalkorDB running, pid [bold]{pid}[/], socket {paths.socket}"
        + (" (pinned until `graphsvc db stop`)" if pin else ""),
        highlight=False,
    )


@db_app.command("stop")
def stop_command(data_dir: Path | None = DataDirOption) -> None:
    """Stop the embedded server now (it is restarted by the next client that needs it).

    Example: graphsvc db stop --data-dir ./data
    """
    directory = _data_dir(data_dir)
    clients = embedded.status(directory).clients
    if embedded.stop(directory):
        console.print("FalkorDB stopped.")
    else:
        console.print("FalkorDB was not running.")
    if clients:
        console.print(
            f"[yellow]note:[/] client processes still registered: "
            f"{', '.join(map(str, clients))}; they restart it on their next query.",
            highlight=False,
        )


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root app."""
    app.add_typer(db_app, name="db")
