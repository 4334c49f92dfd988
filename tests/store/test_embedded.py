"""The embedded FalkorDB's process management: sharing, crash recovery, lifetime, CLI.

Each test uses its own data directory (and so its own server), never the session's.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from typer.testing import CliRunner

from graphsvc.cli import app
from graphsvc.store import embedded
from graphsvc.store.runners import FalkorRunner

CLIENT_SCRIPT = """
import json, os, sys
from graphsvc.store import embedded
from graphsvc.store.runners import FalkorRunner
data_dir, idle, mode = sys.argv[1], float(sys.argv[2]), sys.argv[3]
server = embedded.acquire(data_dir, idle_seconds=idle)
runner = FalkorRunner(server.socket_path, server=server)
runner.execute("MERGE (n:Probe {id: $id})", {"id": f"from-{os.getpid()}"})
rows = runner.execute("MATCH (n:Probe) RETURN n.id AS id ORDER BY id", read_only=True)
print(json.dumps({"pid": server.pid, "ids": [r["id"] for r in rows], "me": os.getpid()}),
      flush=True)
if mode == "crash":
    os._exit(0)  # no clean-up at all, as if killed
if mode == "wait":
    sys.stdin.readline()  # stays a live client until the test closes stdin
runner.close()
"""


def run_client(data_dir: Path, *, idle: float = 3600.0, mode: str = "close") -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", CLIENT_SCRIPT, str(data_dir), str(idle), mode],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / "store"
    yield directory
    embedded.stop(directory)


def server_proc(data_dir: Path) -> psutil.Process:
    status = embedded.status(data_dir)
    assert status.running and status.pid is not None
    return psutil.Process(status.pid)


def test_second_process_uses_the_running_server(data_dir: Path) -> None:
    server = embedded.acquire(data_dir, idle_seconds=3600)
    try:
        runner = FalkorRunner(server.socket_path)
        runner.execute("MERGE (n:Probe {id: 'from-test'})")
        other = run_client(data_dir)
        assert other["pid"] == server.pid
        assert "from-test" in other["ids"]
        ids = [r["id"] for r in runner.execute("MATCH (n:Probe) RETURN n.id AS id", read_only=True)]
        assert f"from-{other['me']}" in ids
        runner.close()
    finally:
        server.release()


def test_processes_starting_together_share_one_server(data_dir: Path) -> None:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CLIENT_SCRIPT, str(data_dir), "3600", "close"],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [json.loads(p.communicate(timeout=120)[0].strip().splitlines()[-1]) for p in procs]
    assert len({o["pid"] for o in outputs}) == 1
    runner = FalkorRunner(str(embedded.ServerPaths.for_data_dir(data_dir).socket))
    ids = {r["id"] for r in runner.execute("MATCH (n:Probe) RETURN n.id AS id", read_only=True)}
    runner.close()
    assert ids == {f"from-{o['me']}" for o in outputs}


def test_sigkilled_server_with_stale_pid_and_socket_is_replaced(data_dir: Path) -> None:
    first = run_client(data_dir)
    old = psutil.Process(first["pid"])
    old.send_signal(signal.SIGKILL)
    old.wait(timeout=10)
    paths = embedded.ServerPaths.for_data_dir(data_dir)
    assert paths.socket.exists() and paths.pidfile.exists()  # what a crash leaves behind

    second = run_client(data_dir)
    assert second["pid"] != first["pid"]
    assert f"from-{first['me']}" in second["ids"]  # the data survived
    assert embedded.status(data_dir).pid == second["pid"]


def test_recycled_pid_in_pidfile_is_not_mistaken_for_the_server(data_dir: Path) -> None:
    paths = embedded.ServerPaths.for_data_dir(data_dir)
    data_dir.mkdir(parents=True)
    # a live process that is not a redis-server, and a dead socket file
    paths.pidfile.write_text(f"{os.getpid()}\n")
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(paths.socket))
    stale.close()
    out = run_client(data_dir)
    assert out["pid"] != os.getpid()
    assert server_proc(data_dir).pid == out["pid"]


def test_hung_server_is_replaced(data_dir: Path) -> None:
    first = run_client(data_dir)
    hung = psutil.Process(first["pid"])
    hung.suspend()  # alive, holds the socket, answers nothing
    try:
        second = run_client(data_dir)
    finally:
        if hung.is_running():
            hung.resume()
    assert second["pid"] != first["pid"]
    hung.wait(timeout=10)  # killed by the second client, not left running


def test_long_data_dir_uses_a_short_socket_path(tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*["a-rather-long-directory-name"] * 5)
    paths = embedded.ServerPaths.for_data_dir(deep)
    assert str(paths.socket).startswith("/tmp/graphsvc-")
    assert len(os.fsencode(paths.socket)) <= embedded.SOCKET_PATH_MAX
    try:
        out = run_client(deep)
        assert server_proc(deep).pid == out["pid"]
    finally:
        embedded.stop(deep)


def test_server_stops_after_its_last_client_crashed(data_dir: Path) -> None:
    out = run_client(data_dir, idle=0.3, mode="crash")
    server = psutil.Process(out["pid"])
    server.wait(timeout=60)  # the supervisor stops it once the idle time has passed
    status = embedded.status(data_dir)
    assert not status.running and status.supervisor_pid is None and status.clients == []


def test_server_stops_after_its_last_client_closed(data_dir: Path) -> None:
    holder = embedded.acquire(data_dir, idle_seconds=0.3)
    server = psutil.Process(holder.pid)
    run_client(data_dir, idle=0.3)  # a second client comes and goes
    assert server.is_running()
    holder.release()
    server.wait(timeout=60)


def test_server_outlives_idle_time_while_a_client_lives(data_dir: Path) -> None:
    # The real supervisor gets an hour, so only the explicit steps below decide.
    client = subprocess.Popen(
        [sys.executable, "-c", CLIENT_SCRIPT, str(data_dir), "3600", "wait"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert client.stdout is not None
    out = json.loads(client.stdout.readline())
    long_ago = time.monotonic() - 10_000
    step = embedded.supervisor_step(
        data_dir, idle_seconds=1, last_active=long_ago, now=time.monotonic()
    )
    assert step is not None and step > long_ago  # a live client keeps it running
    assert psutil.Process(out["pid"]).is_running()

    assert client.stdin is not None
    client.stdin.close()
    client.wait(timeout=60)
    step = embedded.supervisor_step(
        data_dir, idle_seconds=1, last_active=long_ago, now=time.monotonic()
    )
    assert step is None  # no client left for longer than the idle time: stopped
    assert not embedded.status(data_dir).running


def test_pinned_server_stays_without_clients(data_dir: Path) -> None:
    pid = embedded.start(data_dir, idle_seconds=3600, pin=True)
    long_ago = time.monotonic() - 10_000
    assert (
        embedded.supervisor_step(
            data_dir, idle_seconds=1, last_active=long_ago, now=time.monotonic()
        )
        is not None
    )
    assert server_proc(data_dir).pid == pid
    assert embedded.stop(data_dir)
    assert not embedded.status(data_dir).running


def test_supervisor_is_restarted_if_it_died(data_dir: Path) -> None:
    holder = embedded.acquire(data_dir, idle_seconds=3600)
    try:
        supervisor = psutil.Process(embedded.status(data_dir).supervisor_pid or 0)
        supervisor.kill()
        supervisor.wait(timeout=10)
        other = embedded.acquire(data_dir, idle_seconds=3600)
        other.release()
        new = embedded.status(data_dir).supervisor_pid
        assert new is not None and new != supervisor.pid
    finally:
        holder.release()


def test_runner_restarts_a_server_that_went_away(data_dir: Path) -> None:
    server = embedded.acquire(data_dir, idle_seconds=3600)
    runner = FalkorRunner(server.socket_path, server=server)
    try:
        runner.execute("MERGE (n:Probe {id: 'before'})")
        psutil.Process(server.pid).kill()
        rows = runner.execute("MATCH (n:Probe) RETURN n.id AS id", read_only=True)
        assert rows == [{"id": "before"}]
    finally:
        runner.close()


def test_db_cli_start_status_stop(data_dir: Path) -> None:
    cli = CliRunner()
    result = cli.invoke(app, ["db", "start", "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert "FalkorDB running" in result.output

    result = cli.invoke(app, ["db", "status", "--data-dir", str(data_dir), "--json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert info["running"] and info["pinned"] and psutil.pid_exists(info["pid"])

    result = cli.invoke(app, ["db", "status", "--data-dir", str(data_dir)])
    assert result.exit_code == 0 and "running (pinned)" in result.output

    result = cli.invoke(app, ["db", "stop", "--data-dir", str(data_dir)])
    assert result.exit_code == 0 and "stopped" in result.output
    with contextlib.suppress(psutil.NoSuchProcess):
        psutil.Process(info["pid"]).wait(timeout=60)  # the server process really ends
    result = cli.invoke(app, ["db", "status", "--data-dir", str(data_dir), "--json"])
    assert json.loads(result.output)["running"] is False

    result = cli.invoke(app, ["db", "stop", "--data-dir", str(data_dir)])
    assert result.exit_code == 0 and "was not running" in result.output


@pytest.mark.parametrize("command", ["status", "start", "stop"])
def test_db_cli_help_has_an_example(command: str) -> None:
    result = CliRunner().invoke(app, ["db", command, "--help"])
    assert result.exit_code == 0
    assert f"graphsvc db {command}" in result.output


def test_runner_returns_plain_values(falkordb_runner: FalkorRunner, workspace: str) -> None:
    """Rows hold plain Python values only, decoded exactly as the client library would."""
    from falkordb.node import Node

    hostile = "'}) DETACH DELETE n // $p `x` \\ \" \n ü 🙂"
    params = {
        "s": hostile,
        "i": 2**62,
        "neg": -7,
        "f": 0.1,
        "t": True,
        "n": None,
        "l": [1, "a", [2.5, None]],
        "m": {"k": [1, {"z": False}]},
        "ws": workspace,
    }
    rows = falkordb_runner.execute(
        "CREATE (a:Probe {ws: $ws, s: $s, i: $i})-[r:PROBE_LINK {w: $f}]->(b:Probe {ws: $ws}) "
        "RETURN $s AS s, $i AS i, $neg AS neg, $f AS f, $t AS t, $n AS n, $l AS l, $m AS m, "
        "a, r, [a.s, b.ws] AS pair, {node: a} AS wrapped",
        params,
    )
    [row] = rows
    assert row["s"] == hostile and row["i"] == 2**62 and row["neg"] == -7
    assert row["f"] == 0.1 and row["t"] is True and row["n"] is None
    assert row["l"] == [1, "a", [2.5, None]] and row["m"] == {"k": [1, {"z": False}]}
    assert row["a"] == {"ws": workspace, "s": hostile, "i": 2**62}
    assert row["r"] == {"w": 0.1}
    assert row["pair"] == [hostile, workspace]
    assert row["wrapped"] == {"node": row["a"]}

    def only_plain(value: object) -> bool:
        if isinstance(value, dict):
            return type(value) is dict and all(only_plain(v) for v in value.values())
        if isinstance(value, list):
            return all(only_plain(v) for v in value)
        return value is None or type(value) in (str, int, float, bool)

    assert only_plain(rows) and not isinstance(row["a"], Node)
    falkordb_runner.execute("MATCH (p:Probe {ws: $ws}) DETACH DELETE p", {"ws": workspace})


def test_runner_reports_query_errors_and_times_queries(falkordb_runner: FalkorRunner) -> None:
    from graphsvc.store.runners import QueryFailed

    timings: list[tuple[str, float]] = []
    falkordb_runner.on_query = lambda name, seconds: timings.append((name, seconds))
    try:
        with pytest.raises(QueryFailed, match="broken"):
            falkordb_runner.execute("RETURN nope(", name="broken")
        assert falkordb_runner.execute("RETURN 1 AS one", read_only=True) == [{"one": 1}]
        with pytest.raises(QueryFailed):  # read-only really is read-only
            falkordb_runner.execute("CREATE (:Nope)", read_only=True, name="ro")
    finally:
        falkordb_runner.on_query = None
    assert [name for name, _ in timings] == ["broken", "<text>", "ro"]
    assert all(seconds >= 0 for _, seconds in timings)


def test_runner_is_safe_from_many_threads(falkordb_runner: FalkorRunner, workspace: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def work(n: int) -> int:
        falkordb_runner.execute("CREATE (:Probe {ws: $ws, n: $n})", {"ws": workspace, "n": n})
        rows = falkordb_runner.execute(
            "MATCH (p:Probe {ws: $ws, n: $n}) RETURN p.n AS n",
            {"ws": workspace, "n": n},
            read_only=True,
        )
        return int(rows[0]["n"])

    with ThreadPoolExecutor(max_workers=16) as pool:
        assert sorted(pool.map(work, range(200))) == list(range(200))
    falkordb_runner.execute("MATCH (p:Probe {ws: $ws}) DETACH DELETE p", {"ws": workspace})
