"""The ``graphsvc`` command line (typer + rich).

Each area registers its commands from its own module (``register(app)``), so the
areas stay independent. Errors print one clear line on stderr and exit non-zero;
``--debug`` shows the traceback instead. Every command's help ends with an example
(``tests/test_cli.py`` walks the whole command tree to check it).
"""

from __future__ import annotations

import importlib
import inspect
import logging
import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.text import Text

from graphsvc.errors import GraphsvcError

app = typer.Typer(
    name="graphsvc",
    help="Stakeholder influence graph analyzer for key-account deals.",
    epilog="Example: graphsvc demo   (then: graphsvc analyze nw-telematics --workspace demo)",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
err_console = Console(stderr=True)
_state = {"debug": False}
# Typer may vendor its own click; take the exception classes from wherever typer's public
# BadParameter lives, so the handlers below catch what typer actually raises.
_click_errors: Any = importlib.import_module(typer.BadParameter.__module__)
_NoArgsIsHelp: type[Exception] = getattr(
    _click_errors, "NoArgsIsHelpError", type("_Never", (Exception,), {})
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"graphsvc {version('graphsvc')}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
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
        users,
    )

    for module in (serve, db, keys, users, imports, analyze, maps, alerts, demo):
        module.register(app)
    for info in app.registered_commands:
        if info.short_help is None:
            info.short_help = summary_line(info.help or inspect.getdoc(info.callback) or "")


def summary_line(help_text: str) -> str:
    """The first sentence of a help text on one line: the command list shows it, and
    docstrings wrapped at 90 columns would otherwise break mid-sentence there."""
    paragraph = " ".join(help_text.strip().split("\n\n")[0].split())
    return re.split(r"(?<=\.)\s", paragraph, maxsplit=1)[0].rstrip(".")


_register_all()


def one_line(message: object) -> str:
    """Collapse a message onto one line, so every error is exactly one line."""
    return re.sub(r"\s*\n\s*", " ", str(message)).strip()


def _describe(exc: GraphsvcError) -> str:
    """The error's message, plus the first offending fields when it lists them."""
    text = exc.message
    detail: Any = exc.detail
    if isinstance(detail, list) and detail and all(isinstance(d, dict) for d in detail):
        shown = []
        for item in detail[:3]:
            loc = ".".join(str(part) for part in item.get("loc", []))
            shown.append(f"{loc}: {item.get('msg', '')}" if loc else str(item.get("msg", "")))
        more = f" (+{len(detail) - 3} more)" if len(detail) > 3 else ""
        if not any(str(item.get("msg", "")) in text for item in detail[:3]):
            text = f"{text}: {'; '.join(shown)}{more}"
    return text


def _validation_text(exc: ValidationError) -> str:
    from graphsvc.cli.settings_doc import env_var
    from graphsvc.config import Settings

    problems = []
    for error in exc.errors()[:3]:
        loc = ".".join(str(part) for part in error["loc"])
        if exc.title == Settings.__name__ and loc in Settings.model_fields:
            # Users set settings through the environment: name the variable they set.
            loc = env_var(loc, Settings.model_fields[loc])
        msg = error["msg"].removeprefix("Value error, ")
        problems.append(f"{loc}: {msg}" if loc else msg)
    more = f" (+{exc.error_count() - 3} more)" if exc.error_count() > 3 else ""
    what = "settings" if exc.title == "Settings" else exc.title
    return f"invalid {what}: {'; '.join(problems)}{more}"


def fail(message: object, code: int = 1) -> NoReturn:
    """Print ``error: <message>`` as one line on stderr and exit with ``code``."""
    line = Text.assemble(("error: ", "bold red"), one_line(message))
    err_console.print(line, soft_wrap=True, highlight=False)
    sys.exit(code)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``graphsvc`` script."""
    args = list(sys.argv[1:] if argv is None else argv)
    # Read --debug before parsing, so a failure while parsing honours it as well.
    debug = "--debug" in args
    if not debug:
        # The Neo4j driver logs every retry of an unreachable server as a multi-line
        # warning; the user gets the one error line once the retries are spent.
        logging.getLogger("neo4j").setLevel(logging.ERROR)
    try:
        result = app(args=args, prog_name="graphsvc", standalone_mode=False)
    except _NoArgsIsHelp as exc:
        exc.show()  # type: ignore[attr-defined]
        sys.exit(exc.exit_code)  # type: ignore[attr-defined]
    except _click_errors.UsageError as exc:
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
        fail(f"{exc.format_message()}{hint}", exc.exit_code)
    except _click_errors.ClickException as exc:
        fail(exc.format_message(), exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("aborted")
        sys.exit(130)
    except GraphsvcError as exc:
        if debug or _state["debug"]:
            raise
        fail(_describe(exc))
    except ValidationError as exc:
        if debug or _state["debug"]:
            raise
        fail(_validation_text(exc))
    except Exception as exc:
        if debug or _state["debug"]:
            raise
        fail(f"{type(exc).__name__}: {exc} (run with --debug for the traceback)")
    sys.exit(result if isinstance(result, int) else 0)
