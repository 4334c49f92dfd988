"""``graphsvc alerts send`` as a user runs it: a real process on each store (the embedded
FalkorDB, or Neo4j through ``NEO4J_*``), a real SMTP server with a login. Exit codes, the
rerun after a part-way failure, the dry run, and the SMTP password never showing up in
the output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from graphsvc.config import Settings
from graphsvc.store.repository import GraphStore
from tests.alerts import scenario
from tests.alerts.conftest import SMTP_PASSWORD, SMTP_USER, SmtpServer
from tests.helpers import store_env
from tests.test_cli import assert_one_line_error

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
OWNERS = 10


@pytest.fixture
def loaded_workspace(store: GraphStore, workspace: str) -> str:
    store.import_bundle(workspace=workspace, bundle=scenario.portfolio(OWNERS, opted_out=OWNERS))
    return workspace


@pytest.fixture
def store_settings(store: GraphStore) -> Settings:
    """The store's settings: the embedded data dir, or the Neo4j to connect to."""
    return store.settings


def _env(settings: Settings, server: SmtpServer, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRAPHSVC_", "NEO4J_"))}
    env.update(store_env(settings))
    env.update(
        {
            "GRAPHSVC_ENVIRONMENT": "test",
            "GRAPHSVC_LOG_LEVEL": "DEBUG",  # the password must stay out even of debug logs
            "GRAPHSVC_SMTP_HOST": server.host,
            "GRAPHSVC_SMTP_PORT": str(server.port),
            "GRAPHSVC_SMTP_USER": SMTP_USER,
            "GRAPHSVC_SMTP_PASSWORD": SMTP_PASSWORD,
            "GRAPHSVC_MAIL_FROM": "Risk Alerts <alerts@example.com>",
            "GRAPHSVC_MAP_LINK_SECRET": "cli-alerts-test-secret-0123456789",
            "GRAPHSVC_ALERTS_OPT_OUT": json.dumps([scenario.owner(OWNERS)]),
            "GRAPHSVC_ALERTS_SEND_ATTEMPTS": "2",
            "GRAPHSVC_ALERTS_RETRY_WAIT_SECONDS": "0",
        }
    )
    env.update(extra)
    return env


def _graphsvc(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from graphsvc.cli import main; main()", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _send(workspace: str, *more: str) -> list[str]:
    return ["alerts", "send", "--week", str(scenario.WEEK), "--workspace", workspace, *more]


def test_send_fails_part_way_then_the_rerun_completes_exactly_the_rest(
    loaded_workspace: str, store_settings: Settings, smtp_auth_server: SmtpServer, tmp_path: Path
) -> None:
    env = _env(store_settings, smtp_auth_server)
    smtp_auth_server.behaviour.fail_after = 3
    first = _graphsvc(_send(loaded_workspace), env, tmp_path)
    assert first.returncode == 1, first.stderr
    assert "3 e-mails sent" in first.stdout and "7 failed" in first.stdout
    assert "451" in first.stdout  # the reason is reported
    assert len(smtp_auth_server.received) == 3

    smtp_auth_server.behaviour.fail_after = None
    second = _graphsvc(_send(loaded_workspace), env, tmp_path)
    assert second.returncode == 0, second.stderr
    assert "7 e-mails sent, 3 already sent" in second.stdout
    recipients = sorted(r.rcpt_tos[0] for r in smtp_auth_server.received)
    assert recipients == [scenario.owner(i) for i in range(OWNERS)]

    third = _graphsvc(_send(loaded_workspace), env, tmp_path)
    assert third.returncode == 0 and "0 e-mails sent, 10 already sent" in third.stdout
    assert len(smtp_auth_server.received) == OWNERS

    for run in (first, second, third):
        assert SMTP_PASSWORD not in run.stdout + run.stderr
    assert "DEBUG" in first.stderr or "WARNING" in first.stderr  # logging was on


def test_wrong_password_is_one_error_line_without_the_password(
    loaded_workspace: str, store_settings: Settings, smtp_auth_server: SmtpServer, tmp_path: Path
) -> None:
    wrong = "wrong-" + SMTP_PASSWORD
    env = _env(store_settings, smtp_auth_server, GRAPHSVC_SMTP_PASSWORD=wrong)
    run = _graphsvc(_send(loaded_workspace), env, tmp_path)
    assert run.returncode == 1
    assert "SMTP login as 'alerts-bot' refused" in run.stdout + run.stderr
    assert wrong not in run.stdout + run.stderr and SMTP_PASSWORD not in run.stdout + run.stderr
    assert smtp_auth_server.received == []


def test_dry_run_writes_eml_files_and_sends_nothing(
    loaded_workspace: str, store_settings: Settings, smtp_auth_server: SmtpServer, tmp_path: Path
) -> None:
    env = _env(store_settings, smtp_auth_server)
    out = tmp_path / "outbox"
    run = _graphsvc(_send(loaded_workspace, "--dry-run", "--out", str(out)), env, tmp_path)
    assert run.returncode == 0, run.stderr
    assert "10 e-mails written" in run.stdout
    assert len(list(out.glob("*.eml"))) == OWNERS
    assert smtp_auth_server.received == []

    no_out = _graphsvc(_send(loaded_workspace, "--dry-run"), env, tmp_path)
    assert no_out.returncode == 2 and "--dry-run needs --out DIR" in no_out.stderr
    bad_week = _graphsvc(["alerts", "send", "--week", "2026-48"], env, tmp_path)
    assert bad_week.returncode == 1 and "not an ISO week" in bad_week.stderr


def test_send_without_workspace_checks_the_configured_ones_before_sending(
    loaded_workspace: str, store_settings: Settings, smtp_auth_server: SmtpServer, tmp_path: Path
) -> None:
    typo = loaded_workspace[:-1]  # one letter short, as a typo in the settings would be
    out = tmp_path / "outbox"
    send = ["alerts", "send", "--week", str(scenario.WEEK), "--dry-run", "--out", str(out)]
    configured = json.dumps([loaded_workspace, typo])
    env = _env(store_settings, smtp_auth_server, GRAPHSVC_ALERTS_WORKSPACES=configured)
    run = _graphsvc(send, {**env, "GRAPHSVC_LOG_LEVEL": "WARNING"}, tmp_path)
    line = assert_one_line_error(run, code=1, contains=f"no workspace '{typo}'")
    assert f"did you mean '{loaded_workspace}'?" in line
    assert "GRAPHSVC_ALERTS_WORKSPACES" in line  # the user did not type it: say where it is
    assert not out.exists(), "nothing is written for the known workspace either"

    env = _env(
        store_settings, smtp_auth_server, GRAPHSVC_ALERTS_WORKSPACES=json.dumps([loaded_workspace])
    )
    fixed = _graphsvc(send, env, tmp_path)
    assert fixed.returncode == 0, fixed.stderr
    assert f"{loaded_workspace} {scenario.WEEK}: " in fixed.stdout
    assert len(list(out.glob("*.eml"))) == OWNERS


@pytest.mark.parametrize("named", [False, True], ids=["configured", "named"])
def test_schedule_refuses_an_unknown_workspace_at_start(
    named: bool,
    loaded_workspace: str,
    store_settings: Settings,
    smtp_auth_server: SmtpServer,
    tmp_path: Path,
) -> None:
    typo = loaded_workspace[:-1]
    env = {
        **_env(store_settings, smtp_auth_server, GRAPHSVC_LOG_LEVEL="WARNING"),
        "GRAPHSVC_ALERTS_WORKSPACES": json.dumps([loaded_workspace if named else typo]),
    }
    args = ["alerts", "schedule", *(["--workspace", typo] if named else [])]
    run = _graphsvc(args, env, tmp_path)  # a started scheduler would run until the timeout
    line = assert_one_line_error(run, code=1, contains=f"no workspace '{typo}'")
    assert f"did you mean '{loaded_workspace}'?" in line
    assert ("GRAPHSVC_ALERTS_WORKSPACES" in line) is not named
    assert "scheduler started" not in run.stdout
