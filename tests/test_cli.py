"""The command line as a whole: every command documents itself with an example, and
every error is one clear line with a non-zero exit code, never a traceback (unless
``--debug``). The help checks walk the command tree of the app itself, so a command
added later cannot slip past; the error checks run the real ``graphsvc`` script in a
subprocess, as a user would.

Also here: the README's settings table matches :class:`graphsvc.config.Settings`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from graphsvc.cli import app
from graphsvc.cli.settings_doc import render_settings_table, table_in, undocumented
from graphsvc.config import Settings
from graphsvc.store import embedded

REPO = Path(__file__).resolve().parent.parent


def _commands(group: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    # Duck-typed: typer may hand out its own vendored click classes.
    yield path
    if hasattr(group, "list_commands"):
        ctx = group.make_context(
            path[-1] if path else "graphsvc", ["--help"], resilient_parsing=True
        )
        for name in sorted(group.list_commands(ctx)):
            command = group.get_command(ctx, name)
            assert command is not None, name
            yield from _commands(command, (*path, name))


ALL_COMMANDS = list(_commands(typer.main.get_command(app)))


def test_the_issue_commands_exist() -> None:
    paths = {" ".join(p) for p in ALL_COMMANDS}
    expected = {
        "serve",
        "import",
        "analyze",
        "risks",
        "map",
        "map-link",
        "alerts send",
        "alerts schedule",
        "keys create",
        "keys list",
        "keys revoke",
        "db status",
        "db start",
        "db stop",
        "demo",
    }
    assert expected <= paths, sorted(expected - paths)


@pytest.mark.parametrize("path", ALL_COMMANDS, ids=lambda p: " ".join(p) or "graphsvc")
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    assert "Example" in result.output, f"graphsvc {' '.join(path)} --help has no example"
    example_lines = [
        ln
        for ln in result.output.splitlines()
        if "graphsvc" in ln
        and ln.strip().strip("│ ").startswith(("Example", "graphsvc", "GRAPHSVC_", "0 7"))
    ]
    assert any(" ".join(path) in ln for ln in example_lines), (
        f"the example of graphsvc {' '.join(path)} does not show the command itself"
    )


# --------------------------------------------------------------------------- errors


def _graphsvc() -> list[str]:
    script = Path(sys.executable).parent / "graphsvc"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from graphsvc.cli import main; main()"]


@pytest.fixture(scope="module")
def cli_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    data_dir = tmp_path_factory.mktemp("cli-data")
    yield data_dir
    embedded.stop(data_dir)


def run_cli(args: list[str], data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("GRAPHSVC_", "NEO4J_"))}
    environment.update(
        GRAPHSVC_DATA_DIR=str(data_dir),
        GRAPHSVC_EMBEDDED_IDLE_SECONDS="2",
        COLUMNS="100",
        TERM="dumb",
    )
    environment.update(env)
    return subprocess.run(
        [*_graphsvc(), *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        cwd=data_dir,
    )


def assert_one_line_error(
    result: subprocess.CompletedProcess[str], *, code: int | None = None, contains: str = ""
) -> str:
    assert result.returncode != 0, result
    if code is not None:
        assert result.returncode == code, result
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one error line, got:\n{result.stderr}"
    assert lines[0].startswith("error: "), lines
    assert contains.lower() in lines[0].lower(), lines
    return lines[0]


@pytest.mark.parametrize(
    ("args", "contains"),
    [
        (["no-such-command"], "No such command"),
        (["keys", "create", "--workspace", "w", "--scope", "everything"], "--scope"),
        (["map-link"], "DEAL_ID"),
        (["import", "missing-file.csv"], "missing-file.csv"),
        (["keys", "list", "--bogus"], "--bogus"),
    ],
    ids=["unknown-command", "bad-choice", "missing-argument", "missing-file", "bad-option"],
)
def test_usage_errors_are_one_line(args: list[str], contains: str, cli_data_dir: Path) -> None:
    line = assert_one_line_error(run_cli(args, cli_data_dir), code=2, contains=contains)
    assert "--help" in line


def test_domain_error_is_one_line(cli_data_dir: Path) -> None:
    result = run_cli(["keys", "revoke", "0123456789abcdef"], cli_data_dir)
    assert_one_line_error(result, code=1, contains="0123456789abcdef")


def test_revoking_a_revoked_key_says_it_was_already_revoked(cli_data_dir: Path) -> None:
    created = run_cli(
        ["keys", "create", "--workspace", "acme", "--scope", "read", "--json"], cli_data_dir
    )
    assert created.returncode == 0, created.stderr
    key_id = json.loads(created.stdout)["id"]
    first = run_cli(["keys", "revoke", key_id], cli_data_dir)
    assert first.returncode == 0, first.stderr
    assert "Revoked API key" in first.stdout
    again = run_cli(["keys", "revoke", key_id], cli_data_dir)
    line = assert_one_line_error(again, code=1, contains="already revoked")
    assert key_id in line


def test_a_key_for_a_workspace_the_store_refuses_is_refused(cli_data_dir: Path) -> None:
    # The store refuses names with surrounding spaces; a key must not name one.
    result = run_cli(["keys", "create", "--workspace", " acme", "--scope", "read"], cli_data_dir)
    assert_one_line_error(result, code=1, contains="workspace")


def test_debug_shows_the_traceback(cli_data_dir: Path) -> None:
    result = run_cli(["--debug", "keys", "revoke", "0123456789abcdef"], cli_data_dir)
    assert result.returncode != 0
    assert "Traceback" in result.stderr


def test_bad_setting_is_one_line_naming_the_variable(cli_data_dir: Path) -> None:
    result = run_cli(["keys", "list"], cli_data_dir, GRAPHSVC_WEIGHT_AUTHORITY="-1")
    assert_one_line_error(result, code=1, contains="weights")
    result = run_cli(["keys", "list"], cli_data_dir, GRAPHSVC_SMTP_PORT="not-a-port")
    assert_one_line_error(result, code=1, contains="GRAPHSVC_SMTP_PORT")


def test_bad_import_lists_rows_then_one_error_line(cli_data_dir: Path) -> None:
    bad = cli_data_dir / "bad.csv"
    bad.write_text("Opportunity ID,Contact ID\nX,Y\n", encoding="utf-8")
    result = run_cli(["import", str(bad), "--workspace", "cli"], cli_data_dir)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("error: ")]
    assert len(errors) == 1 and result.stderr.strip().splitlines()[-1] == errors[0]


def test_version_and_bare_invocation(cli_data_dir: Path) -> None:
    version = run_cli(["--version"], cli_data_dir)
    assert version.returncode == 0 and version.stdout.startswith("graphsvc ")
    bare = run_cli([], cli_data_dir)
    assert "Usage:" in bare.stdout + bare.stderr and "Traceback" not in bare.stderr


# --------------------------------------------------------------------------- settings


def test_every_setting_is_documented() -> None:
    assert undocumented() == []


def test_readme_settings_table_matches_settings() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert table_in(readme) == render_settings_table(), (
        "README.md's settings table is out of date: run python -m graphsvc.cli.settings_doc"
    )
    for name in Settings.model_fields:
        assert f"| `{name}` |" in readme


# --------------------------------------------------------------------------- README


def _readme_command_lines() -> list[str]:
    """Every ``graphsvc ...`` command line in the README's shell and cron blocks, with
    backslash continuations joined and leading env assignments or cron fields dropped."""
    import re

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    lines = []
    for block in re.findall(r"^```(?:sh|cron)\n(.*?)^```", readme, re.M | re.S):
        for line in block.replace("\\\n", " ").splitlines():
            code = line.split("  #")[0].strip()
            for segment in re.split(r"&&|;|\||\$\(|\)|<|>|&$", code):
                found = re.search(r"(?:^|\s|bin/)(graphsvc(?:\s.*)?)$", segment.strip())
                if found:
                    lines.append(found.group(1).strip())
    return lines


def test_readme_command_lines_name_real_commands_and_options() -> None:
    import shlex

    root = typer.main.get_command(app)
    lines = _readme_command_lines()
    assert len(lines) >= 10, lines
    for line in lines:
        words = shlex.split(line)[1:]
        command: Any = root
        ctx = root.make_context("graphsvc", ["--help"], resilient_parsing=True)
        options = {o for p in root.params for o in (*p.opts, *p.secondary_opts)}
        while words and hasattr(command, "list_commands") and not words[0].startswith("-"):
            if words[0] in options:
                words.pop(0)
                continue
            sub = command.get_command(ctx, words.pop(0))
            assert sub is not None, f"README: unknown command in {line!r}"
            command = sub
            ctx = command.make_context(command.name, ["--help"], resilient_parsing=True)
            options = {o for p in command.params for o in (*p.opts, *p.secondary_opts)}
        used = {w.split("=")[0] for w in words if w.startswith("-")}
        assert used <= options | {"--help"}, f"README: {line!r} uses {used - options}"
