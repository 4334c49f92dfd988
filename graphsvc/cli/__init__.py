"""The ``graphsvc`` command line (typer + rich).

Each area registers its commands from its own module (``register(app)``), so the
areas stay independent. Errors print one clear line and exit non-zero; ``--debug``
shows the traceback instead.
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from graphsvc.errors import GraphsvcError

app = typer.Typer(
    name="graphsvc",
    help="Stakeholder influence graph analyzer for key-account deals.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
err_console = Console(stderr=True)
_state = {"debug": False}


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
) -> None:
    _state["debug"] = debug


def _register_all() -> None:
    from graphsvc.cli import (
        alerts,
        analyze,
        db,
        demo,
        imports,
        keys,
        maps,
        serve,
    )

    for module in (serve, db, keys, imports, analyze, maps, alerts, demo):
        module.register(app)


_register_all()


def main() -> None:
    try:
        app(standalone_mode=False)
    except GraphsvcError as exc:
        if _state["debug"]:
            raise
        err_console.print(f"[bold red]error:[/] {exc.message}", highlight=False)
        sys.exit(1)
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("aborted")
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # noqa: BLE001 - one line for users, traceback with --debug
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if _state["debug"] or "--debug" in sys.argv:
            raise
        err_console.print(f"[bold red]error:[/] {type(exc).__name__}: {exc}", highlight=False)
        sys.exit(1)
