"""CLI command: ``graphsvc demo``, the first run (what ``make demo`` starts).

Loads the demo portfolio (:mod:`graphsvc.demo`) into the embedded store, creates a read
key, serves the API on localhost and prints the docs URL, the key, the deals with their
worst flag and a signed map link for each; then serves until Ctrl-C or SIGTERM.

The API runs in a uvicorn server thread on a socket bound here first, so ``--port 0``
works and the printed URLs carry the real port; the main thread waits for the signal
and asks the server to finish its requests and stop. Closing the store drops this
process's lease on the embedded server, which then stops by itself after
``GRAPHSVC_EMBEDDED_IDLE_SECONDS`` (the store's lifetime rule).
"""

from __future__ import annotations

import signal
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

import typer
from rich.console import Console
from rich.table import Table

from graphsvc.config import Settings, get_settings
from graphsvc.demo import DEMO_WORKSPACE, demo_portfolio, demo_scenarios, load_demo
from graphsvc.errors import ConfigurationError, GraphsvcError
from graphsvc.store.repository import GraphStore

console = Console(soft_wrap=True)
DEMO_KEY_NAME = "graphsvc demo"
_STARTUP_TIMEOUT_S = 60.0
_SEVERITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan"}


@dataclass(frozen=True)
class DealRow:
    deal_id: str
    name: str
    account: str
    owner: str
    share: float
    trend: str
    worst_flag: str | None
    worst_severity: str | None
    flag_count: int


def create_demo_key(store: GraphStore, *, workspace: str = DEMO_WORKSPACE) -> str:
    """A fresh read key; earlier demo keys of the workspace are revoked, so repeated runs
    leave one working demo key rather than a growing pile."""
    from graphsvc.keys import KeyRepository

    keys = KeyRepository(store.runner)
    for record in keys.list(workspace=workspace):
        if record.active and record.name == DEMO_KEY_NAME:
            keys.revoke(key_id=record.id, workspace=workspace)
    key, _record = keys.create(workspace=workspace, scope="read", name=DEMO_KEY_NAME)
    return key


# Demo users of the web app, one per role, all members of the demo workspace; the
# editor owns demo deals, so "my deals" is not empty.
DEMO_USERS: dict[str, tuple[str, str]] = {
    "editor": ("sofia.marin@acme-analytics.example", "Sofia Marín"),
    "viewer": ("james.whitfield@acme-analytics.example", "James Whitfield"),
    "admin": ("amara.nwosu@acme-analytics.example", "Amara Nwosu"),
}


def create_demo_users(
    store: GraphStore, settings: Settings, *, workspace: str = DEMO_WORKSPACE
) -> dict[str, str]:
    """A user per role (created once, with a random password nobody knows; enabled and
    given their role again on every run) and a fresh one-time sign-in link for each."""
    import secrets

    from graphsvc.errors import NotFound
    from graphsvc.users import UserCreate, UserRepository, UserService, WorkspaceRole

    users = UserService(repository=UserRepository(store.runner), settings=settings)
    links = {}
    for role, (email, name) in DEMO_USERS.items():
        try:
            users.get(email=email)
        except NotFound:
            users.add(
                user=UserCreate(email=email, name=name, password=secrets.token_urlsafe(24)),
                by="demo",
            )
        users.disable(email=email, disabled=False, by="demo")
        users.set_role(email=email, workspace=workspace, role=WorkspaceRole(role), by="demo")
        links[role] = users.create_signin_link(email=email, minutes=24 * 60)
    return links


def deal_rows(
    store: GraphStore, settings: Settings, *, workspace: str = DEMO_WORKSPACE
) -> list[DealRow]:
    """One row per demo deal, from the same analysis the API serves."""
    from graphsvc.analysis.service import AnalysisService

    service = AnalysisService(store=store, settings=settings)
    accounts = {a.id: a.name for a in demo_portfolio().accounts}
    rows = []
    for scenario in demo_scenarios():
        analysis = service.analyze(workspace=workspace, deal_id=scenario.deal.id)
        worst = analysis.worst_severity
        flag = next((f for f in analysis.flags if f.severity == worst), None)
        rows.append(
            DealRow(
                deal_id=analysis.deal_id,
                name=analysis.deal_name,
                account=accounts.get(scenario.deal.account_id, scenario.deal.account_id),
                owner=analysis.owner_email,
                share=analysis.support.share,
                trend=analysis.support.trend.value,
                worst_flag=flag.code.value if flag else None,
                worst_severity=flag.severity.value if flag else None,
                flag_count=len(analysis.flags),
            )
        )
    return rows


def _deal_table(rows: list[DealRow]) -> Table:
    table = Table(title=f"Demo portfolio (workspace {DEMO_WORKSPACE})", title_justify="left")
    table.add_column("Deal id", no_wrap=True)
    table.add_column("Deal", overflow="ellipsis")
    table.add_column("Account", overflow="ellipsis")
    table.add_column("Support", justify="right", no_wrap=True)
    table.add_column("Flags", justify="right", no_wrap=True)
    table.add_column("Worst flag", no_wrap=True)
    for row in rows:
        flag = "[green]none[/]"
        if row.worst_flag:
            style = _SEVERITY_STYLE.get(row.worst_severity or "", "")
            flag = f"[{style}]{row.worst_flag}[/] ({row.worst_severity})"
        table.add_row(
            row.deal_id,
            row.name,
            row.account,
            f"{row.share:.0%} {row.trend}",
            str(row.flag_count),
            flag,
        )
    return table


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigurationError(
            f"cannot listen on {host}:{port} ({exc.strerror}); pick another port with "
            f"--port or GRAPHSVC_DEMO_PORT (e.g. GRAPHSVC_DEMO_PORT=8001 make demo)"
        ) from exc
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", "::"):  # noqa: S104 - only shaping a URL for the user
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Turn SIGINT/SIGTERM into ``stop`` for the duration, then restore the handlers."""

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def demo_command(
    host: str = typer.Option(
        "127.0.0.1", "--host", envvar="GRAPHSVC_DEMO_HOST", help="Interface the API listens on."
    ),
    port: int = typer.Option(
        8000,
        "--port",
        envvar="GRAPHSVC_DEMO_PORT",
        min=0,
        max=65535,
        help="TCP port of the API (0 picks a free one).",
    ),
    load_only: bool = typer.Option(
        False, "--load-only", help="Load the portfolio, print the table and exit."
    ),
) -> None:
    """Load the demo portfolio into the embedded store, create a read key, serve the API
    on localhost and print the docs URL, the key, the deals with their worst flag and a
    signed map link per deal. Serves until Ctrl-C; running it again duplicates nothing.

    The demo always uses the embedded store under GRAPHSVC_DATA_DIR (./data), even when
    NEO4J_URI is set, so it never writes demo data into a production database.

    Example: graphsvc demo --port 8000
    """
    import uvicorn

    from graphsvc.app import create_app
    from graphsvc.maps.links import create_map_link

    if not console.is_terminal:
        # Piped or captured output (make, CI, a log): no terminal width to fit, and
        # rich's 80-column fallback would squeeze the deal table.
        console.width = 160
    base = get_settings()
    base.check_production_ready()
    if base.neo4j_uri:
        console.print("[yellow]note:[/] NEO4J_URI is ignored: the demo uses the embedded store.")
    sock = None if load_only else _bind(host, port)
    bound_port = sock.getsockname()[1] if sock is not None else port
    root = f"http://{_url_host(host)}:{bound_port}"
    settings = base.model_copy(update={"neo4j_uri": None, "public_base_url": root})

    try:
        with console.status("Starting the embedded store and loading the demo portfolio..."):
            store = GraphStore.open(settings)
    except BaseException:
        if sock is not None:
            sock.close()
        raise
    try:
        loaded = load_demo(store)
        if loaded.reanchored:
            console.print(
                "The stored demo was from an earlier week: reloaded it, so its "
                "dates run up to this week."
            )
        console.print(
            f"Demo portfolio in workspace [bold]{DEMO_WORKSPACE}[/] "
            f"(data dir {settings.data_dir}): {loaded.created} created, "
            f"{loaded.updated} updated, {loaded.unchanged} unchanged."
        )
        rows = deal_rows(store, settings)
        console.print(_deal_table(rows))
        if sock is None:
            return
        key = create_demo_key(store)
        app = create_app(settings=settings, store=store)
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
        server = _ReadyServer(config)
        stop = threading.Event()
        with _stop_on_signals(stop):
            thread = threading.Thread(
                target=server.run, kwargs={"sockets": [sock]}, name="graphsvc-demo-api", daemon=True
            )
            thread.start()
            if not server.wait_ready(_STARTUP_TIMEOUT_S, stop, thread):
                server.should_exit = True
                thread.join(10)
                if stop.is_set():
                    return
                raise ConfigurationError(
                    f"the API did not start on {root} within {_STARTUP_TIMEOUT_S:.0f} s"
                )
            links = create_demo_users(store, settings)
            console.print(f"Deal room (web app): {root}/")
            console.print(
                "Open it signed in as the editor (one-time link, valid a day):", highlight=False
            )
            console.print(f"  {links['editor']}", highlight=False)
            console.print(f"  viewer: {links['viewer']}", highlight=False)
            console.print(f"  admin:  {links['admin']}", highlight=False)
            console.print(f"API docs: {root}/docs")
            console.print(f"API key (read, workspace {DEMO_WORKSPACE}): {key}")
            console.print(
                f"Try it:   curl -H 'Authorization: Bearer {key}' "
                f"{root}/v1/deals/{rows[0].deal_id}/analysis"
            )
            console.print("Deal maps (signed links, no key needed):")
            for row in rows:
                url, _expires = create_map_link(
                    settings=settings, workspace=DEMO_WORKSPACE, deal_id=row.deal_id
                )
                console.print(f"  {row.deal_id:<14} {url}", highlight=False)
            console.print("Serving; press Ctrl-C to stop.")
            while thread.is_alive() and not stop.wait(0.5):
                pass
            server.should_exit = True
            thread.join(30)
            if not stop.is_set():
                raise GraphsvcError("the API server stopped unexpectedly (see the log above)")
        console.print("Stopped.")
    finally:
        if sock is not None:
            sock.close()
        store.close()


class _ReadyServer:
    """A uvicorn server that reports when it is listening (for the printed URLs)."""

    def __init__(self, config: object) -> None:
        import uvicorn

        ready = threading.Event()

        class Server(uvicorn.Server):
            async def startup(self, sockets: list[socket.socket] | None = None) -> None:
                await super().startup(sockets=sockets)
                if not self.should_exit:
                    ready.set()

        self._server = Server(config)  # type: ignore[arg-type]
        self._ready = ready

    @property
    def should_exit(self) -> bool:
        return bool(self._server.should_exit)

    @should_exit.setter
    def should_exit(self, value: bool) -> None:
        self._server.should_exit = value

    def run(self, sockets: list[socket.socket]) -> None:
        self._server.run(sockets=sockets)

    def wait_ready(self, timeout: float, stop: threading.Event, thread: threading.Thread) -> bool:
        """True once listening; False on timeout, on a stop signal, or when start-up
        failed (the server thread ended or gave up without ever being ready)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._ready.wait(0.2):
                return True
            if stop.is_set() or self._server.should_exit or not thread.is_alive():
                return False
        return False


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root app."""
    app.command(
        "demo",
        short_help="Run the product on a demo portfolio: embedded store, "
        "API on localhost, deal-map links.",
    )(demo_command)
