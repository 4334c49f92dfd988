"""The local Neo4j 5 of ``tools/neo4j/serve`` as a child process, for tests and benchmarks.

``LocalNeo4j(data_dir, password=...).start()`` runs the launcher, waits for the line
``bolt://127.0.0.1:PORT`` it prints once Bolt accepts connections (a blocking read of the
pipe with a deadline, no polling) and returns that URI; ``stop()`` sends SIGTERM (a clean
shutdown), ``kill()`` SIGKILL (a crash). ``restart()`` starts it again on the same port,
so a client holding the URI reconnects to it.
"""

from __future__ import annotations

import os
import selectors
import shutil
import signal
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVE = ROOT / "tools" / "neo4j" / "serve"
# The first start fetches Neo4j's jars with Maven (about 120 MB); later starts take ~15 s.
START_TIMEOUT_S = 600.0


class LocalNeo4jFailed(RuntimeError):
    """The local Neo4j could not be started."""


def missing_tools() -> str | None:
    """Why the local Neo4j cannot run here (None when it can): Java and Maven needed."""
    missing = [tool for tool in ("java", "mvn") if shutil.which(tool) is None]
    if missing:
        return f"the local Neo4j needs {' and '.join(missing)} on PATH (tools/neo4j/serve)"
    return None


class LocalNeo4j:
    """One ``tools/neo4j/serve DATA_DIR PORT`` process (its own session, so a signal to
    the test process group does not reach it and it can outlive a pytest-xdist worker)."""

    def __init__(
        self,
        data_dir: Path,
        *,
        password: str,
        port: int = 0,
        heap: str | None = None,
        pagecache: str | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.password = password
        self.port = port
        self.heap = heap
        self.pagecache = pagecache
        self.process: subprocess.Popen[bytes] | None = None
        self.uri: str | None = None

    @property
    def log_path(self) -> Path:
        return self.data_dir.parent / f"{self.data_dir.name}.serve.log"

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    def start(self, *, timeout: float = START_TIMEOUT_S) -> str:
        """Start the server; return its ``bolt://`` URI once it accepts connections."""
        reason = missing_tools()
        if reason:
            raise LocalNeo4jFailed(reason)
        env = dict(os.environ, NEO4J_PASSWORD=self.password)
        if self.heap:
            env["NEO4J_HEAP"] = self.heap
        if self.pagecache:
            env["NEO4J_PAGECACHE"] = self.pagecache
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [str(SERVE), str(self.data_dir), str(self.port)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=log,
                env=env,
                start_new_session=True,
            )
        line = self._first_line(timeout)
        if not line.startswith("bolt://"):
            self.kill()
            tail = self.log_path.read_text(errors="replace")[-2000:]
            raise LocalNeo4jFailed(
                f"tools/neo4j/serve did not start (log {self.log_path}):\n{line}\n{tail}"
            )
        self.uri = line
        self.port = int(line.rsplit(":", 1)[1])
        return line

    def _first_line(self, timeout: float) -> str:
        assert self.process is not None and self.process.stdout is not None
        stream = self.process.stdout
        deadline = time.monotonic() + timeout
        buffer = b""
        with selectors.DefaultSelector() as selector:
            selector.register(stream, selectors.EVENT_READ)
            while b"\n" not in buffer:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return f"no bolt:// line within {timeout:.0f} s"
                if not selector.select(remaining):
                    continue
                chunk = os.read(stream.fileno(), 4096)
                if not chunk:
                    return f"exited with status {self.process.wait()}"
                buffer += chunk
        return buffer.split(b"\n", 1)[0].decode().strip()

    def stop(self, *, timeout: float = 120.0) -> None:
        """SIGTERM and wait: Neo4j checkpoints and shuts down cleanly."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._close()

    def kill(self) -> None:
        """SIGKILL: a crash; the next start recovers from the transaction log."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._close()

    def restart(self, *, timeout: float = START_TIMEOUT_S) -> str:
        """Start again on the same port (after stop or kill)."""
        return self.start(timeout=timeout)

    def _close(self) -> None:
        if self.process is not None and self.process.stdout is not None:
            self.process.stdout.close()
        self.process = None


def stop_pid(pid: int, *, timeout: float = 120.0) -> None:
    """SIGTERM a server started by another process (a pytest-xdist worker) and block
    until it is gone (on its pidfd: it is not our child, so no wait()); SIGKILL after
    ``timeout``."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    try:
        os.kill(pid, signal.SIGTERM)
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            if not selector.select(timeout):
                os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    finally:
        os.close(fd)
