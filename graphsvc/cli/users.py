"""CLI commands: ``graphsvc users add|list|set-role|disable|reset-password|signin-link``.

People sign in to the web app with these accounts; machines keep using API keys.
Passwords are read from a prompt (or ``--password-stdin``), never from the command line.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.table import Table

from graphsvc.config import get_settings
from graphsvc.errors import GraphsvcError
from graphsvc.store.repository import GraphStore
from graphsvc.users import UserCreate, UserRepository, UserService, WorkspaceRole

console = Console()

users_app = typer.Typer(
    name="users",
    help="Manage the people who sign in to the web app and their role per workspace.\n\n"
    "Example: graphsvc users add ada@example.com --name 'Ada' --workspace acme "
    "--role editor",
    no_args_is_help=True,
)


@contextmanager
def _service() -> Iterator[UserService]:
    settings = get_settings()
    store = GraphStore.open(settings)
    try:
        yield UserService(repository=UserRepository(store.runner), settings=settings)
    finally:
        store.close()


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@users_app.command("add")
def add_command(
    email: str = typer.Argument(..., help="The user's e-mail (their sign-in name)."),
    name: str = typer.Option(..., "--name", help="The name shown in the app."),
    workspace: str = typer.Option(..., "--workspace", "-w", help="A workspace to join."),
    role: WorkspaceRole = typer.Option(
        WorkspaceRole.viewer, "--role", help="viewer, editor or admin."
    ),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input."
    ),
) -> None:
    """Add a user with a role in one workspace (more with `users set-role`).

    Example: graphsvc users add ada@example.com --name Ada --workspace acme --role editor
    """
    password = _read_password(password_stdin)
    with _service() as users:
        user = users.add(
            user=UserCreate(email=email, name=name, password=password, roles={workspace: role})
        )
    console.print(f"Added [bold]{user.email}[/] as {role.value} of {workspace}.", highlight=False)


@users_app.command("list")
def list_command(
    workspace: str | None = typer.Option(
        None, "--workspace", "-w", help="Only members of this workspace."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array instead."),
) -> None:
    """List users with their roles (never their password hashes).

    Example: graphsvc users list --workspace acme
    """
    with _service() as users:
        found = users.list(workspace=workspace)
    if as_json:
        typer.echo(json.dumps([u.model_dump(mode="json") for u in found]))
        return
    table = Table(title="Users")
    for column in ("e-mail", "name", "roles", "disabled"):
        table.add_column(column)
    for u in found:
        roles = ", ".join(f"{ws}: {r.value}" for ws, r in sorted(u.roles.items()))
        table.add_row(u.email, u.name, roles, "yes" if u.disabled else "")
    console.print(table)


@users_app.command("set-role")
def set_role_command(
    email: str = typer.Argument(..., help="The user's e-mail."),
    workspace: str = typer.Option(..., "--workspace", "-w", help="The workspace."),
    role: str = typer.Option(..., "--role", help="viewer, editor, admin, or none to remove them."),
) -> None:
    """Give a user a role in a workspace, or remove them from it with --role none.

    Example: graphsvc users set-role ada@example.com --workspace acme --role admin
    """
    chosen = None if role == "none" else WorkspaceRole(role)
    with _service() as users:
        user = users.set_role(email=email, workspace=workspace, role=chosen)
    roles = ", ".join(f"{ws}: {r.value}" for ws, r in sorted(user.roles.items())) or "none"
    console.print(f"{user.email} now has: {roles}.", highlight=False)


@users_app.command("disable")
def disable_command(
    email: str = typer.Argument(..., help="The user's e-mail."),
    enable: bool = typer.Option(False, "--enable", help="Enable the account again."),
) -> None:
    """Disable an account (it is signed out everywhere at once), or --enable it again.

    Example: graphsvc users disable ada@example.com
    """
    with _service() as users:
        user = users.disable(email=email, disabled=not enable)
    state = "disabled and signed out everywhere" if user.disabled else "enabled"
    console.print(f"{user.email} is {state}.", highlight=False)


@users_app.command("reset-password")
def reset_password_command(
    email: str = typer.Argument(..., help="The user's e-mail."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input."
    ),
) -> None:
    """Set a new password; every session of the user ends.

    Example: graphsvc users reset-password ada@example.com
    """
    password = _read_password(password_stdin)
    with _service() as users:
        user = users.reset_password(email=email, password=password)
    console.print(f"New password set for {user.email}; their sessions have ended.", highlight=False)


@users_app.command("signin-link")
def signin_link_command(
    email: str = typer.Argument(..., help="The user's e-mail."),
    minutes: int | None = typer.Option(
        None, "--minutes", min=1, help="Validity (default GRAPHSVC_WEB_SIGNIN_LINK_MINUTES)."
    ),
    send: bool = typer.Option(
        False, "--send", help="E-mail it to the user (GRAPHSVC_SMTP_* settings)."
    ),
) -> None:
    """Print a one-time sign-in link for a user (as the last line), or e-mail it.

    Example: graphsvc users signin-link ada@example.com --minutes 30
    """
    from graphsvc.alerts.sender import SmtpSender
    from graphsvc.web.mail import signin_message

    settings = get_settings()
    with _service() as users:
        user = users.get(email=email)
        url = users.create_signin_link(email=email, minutes=minutes)
    if not send:
        typer.echo(url)
        return
    message = signin_message(
        settings=settings,
        to=user.email,
        name=user.name,
        url=url,
        minutes=minutes or settings.web_signin_link_minutes,
    )
    with SmtpSender(settings) as sender:
        outcome = sender.send(message)
    if outcome.status != "sent":
        raise GraphsvcError(f"the sign-in link was not sent ({outcome.status}: {outcome.detail})")
    console.print(f"Sent a sign-in link to {user.email}.", highlight=False)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root app."""
    app.add_typer(users_app, name="users")
