"""A cold fleet scan's store reads decoded on other processes.

A scan of thousands of deals spends more of this process's CPU decoding the store's
replies (strings split, numbers parsed, facts sorted and cut at the instant) than on
the analysis itself. Threads overlap the *waiting* for the server, but not that
decoding: it holds the GIL. So :class:`ScanProcesses` starts a few processes for a big
scan (:mod:`graphsvc.store.scan_worker`), each with its own connection to the same store,
that run a chunk's query and turn its reply into arrays
(:class:`graphsvc.store.compact_cut.ReplyColumns`); this process then builds only the
objects the engine needs (:func:`graphsvc.store.compact.fact_chunks`: people and
interaction records, cheaper to build than to unpickle) and analyses, while the
processes read the next chunks. On FalkorDB a scan process reads through a bare socket
(:mod:`graphsvc.store.falkor_socket`) and imports no domain model: it starts in about
0.1 s of CPU, against 0.3 s with the store's own client and settings.

* The same code decodes either way, and each chunk is still one query, so a chunk's
  facts are one read of the store as before: the results are those of the in-process
  read (tests/store/test_scan_processes.py checks both stores).
* The processes start with a scan of at least ``scan_processes_min_deals`` deals (below
  that, starting them would cost more than they save) and end with it: kept idle, each
  would hold some 150 MB in a server that scans once a day. The scan's first chunk is
  read here while they start (about a tenth of a second on FalkorDB). One scan at a
  time uses them: a second scan of the same store at once reads in-process.
* If a process dies, or loses its connection to the store, the scan reads the chunks
  not yet delivered here, on threads (the in-process read, whose runner retries and
  restarts the embedded server), and the next big scan starts new processes. A query
  the store refuses in a process is raised here, as it would be in-process.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence, Sized
from pathlib import Path
from typing import TypeVar

import graphsvc
from graphsvc.config import Settings
from graphsvc.domain.chunk import FactChunk
from graphsvc.store.compact import (
    ChunkParts,
    compact_params,
    fact_chunks,
    read_ahead,
    read_chunk_parts,
)
from graphsvc.store.core import Runner
from graphsvc.store.falkor_runner import FalkorRunner
from graphsvc.store.falkor_socket import FalkorAddress
from graphsvc.store.scan_worker import receive_bytes, send, unpickle

log = logging.getLogger(__name__)
_R = TypeVar("_R", bound=Sized)


class ProcessDied(Exception):
    """A scan process ended (or its pipe broke) while it had chunks to read."""


class _ScanProcess:
    """One scan process, and a thread that takes its replies off the pipe as they come
    (so the process can go on with its next chunk while this one analyses)."""

    def __init__(self, store: FalkorAddress | Settings) -> None:
        env = dict(os.environ)
        # The same graphsvc as this process's, wherever it was imported from.
        root = str(Path(graphsvc.__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
        self._process = subprocess.Popen(
            [sys.executable, "-m", "graphsvc.store.scan_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        self._replies: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._drainer = threading.Thread(
            target=self._drain, name="graphstore-scan-replies", daemon=True
        )
        self._drainer.start()
        self._send(store)

    def _send(self, value: object) -> None:
        assert self._process.stdin is not None
        try:
            send(self._process.stdin, value)
        except (BrokenPipeError, ValueError) as exc:  # ValueError: the pipe was closed
            raise ProcessDied(f"scan process {self._process.pid} is gone") from exc

    def _drain(self) -> None:
        """Take the replies off the pipe until it ends, then reap the process (a
        blocking wait: Popen.wait with a timeout polls, which cost a scan 0.2 s)."""
        assert self._process.stdout is not None
        try:
            while (data := receive_bytes(self._process.stdout)) is not None:
                self._replies.put(data)
        except (OSError, ValueError):  # the pipe closed under it: the process is ended
            pass
        finally:
            self._replies.put(None)
            self._process.wait()
            self._process.stdout.close()

    def ask(self, tag: int, ws: str, deal_ids: list[str], instants: list[int]) -> None:
        self._send((tag, ws, deal_ids, compact_params(ws, deal_ids), instants))

    def answer(self, tag: int) -> ChunkParts:
        """The reply to request ``tag`` (replies to an abandoned scan's requests, with
        smaller tags, are skipped); a store error met there is raised here."""
        while True:
            data = self._replies.get()
            if data is None:
                raise ProcessDied(f"scan process {self._process.pid} ended")
            got, value = unpickle(data)
            if got < tag:
                continue
            if isinstance(value, BaseException):
                raise value
            assert isinstance(value, ChunkParts)
            return value

    @property
    def pid(self) -> int:
        return self._process.pid

    def end(self, *, kill: bool = False) -> None:
        """End the process: at the end of its input (it first answers the chunks already
        asked: none after a scan that ran to its end), or killed. Its reply thread
        reaps it; :meth:`wait` waits for that."""
        if kill:
            self._process.kill()
        if self._process.stdin is not None:
            with contextlib.suppress(BrokenPipeError):
                self._process.stdin.close()

    def wait(self, timeout: float) -> None:
        """Wait until the process has ended and is reaped; killed after ``timeout``."""
        self._drainer.join(timeout)
        if self._drainer.is_alive():
            self._process.kill()
            self._drainer.join()


class ScanProcesses:
    """The scan processes of one store (see the module docstring); thread-safe."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._processes: list[_ScanProcess] = []
        self._in_use = threading.Lock()  # held for a whole scan
        self._tag = 0

    @property
    def count(self) -> int:
        return self._settings.scan_processes

    @property
    def pids(self) -> list[int]:
        """The running scan processes' ids (none but during a big scan)."""
        return [process.pid for process in self._processes]

    def wanted(self, deals: int) -> bool:
        """Whether a scan of ``deals`` deals reads on the scan processes: not on a
        single core, where they could only take turns with the analysis."""
        return (
            self.count > 0
            and deals >= self._settings.scan_processes_min_deals
            and len(os.sched_getaffinity(0)) > 1
        )

    def fact_chunks(
        self,
        runner: Runner,
        ws: str,
        chunks: Sequence[list[str]],
        instants: list[int],
        *,
        build: Callable[[list[FactChunk]], _R],
    ) -> Iterator[_R]:
        """``build`` of each chunk's :class:`FactChunk` at each of ``instants``, in
        order (chunks of deals all unknown give nothing): one query per chunk, on the
        scan processes when :meth:`wanted`, else on ``runner`` in this process, read
        ahead on threads."""

        def here(some: Sequence[list[str]]) -> Iterator[_R]:
            return read_ahead(
                some,
                lambda chunk: build(fact_chunks(read_chunk_parts(runner, ws, chunk, instants))),
            )

        if not self.wanted(sum(map(len, chunks))):
            return here(chunks)
        return self._read_ahead(_address(runner, self._settings), ws, chunks, instants, build, here)

    def _read_ahead(
        self,
        store: FalkorAddress | Settings,
        ws: str,
        chunks: Sequence[list[str]],
        instants: list[int],
        build: Callable[[list[FactChunk]], _R],
        here: Callable[[Sequence[list[str]]], Iterator[_R]],
    ) -> Iterator[_R]:
        """The chunks read and decoded on new scan processes up to ``count + 1`` chunks
        ahead of the caller (every process busy, one reply ready); ``here`` reads the
        first while they start, those left when one dies, and all when another scan
        holds the processes. The processes end with the scan."""
        if not self._in_use.acquire(blocking=False):
            yield from here(chunks)
            return
        delivered = 0
        try:
            processes = self._processes = [_ScanProcess(store) for _ in range(self.count)]
            base, self._tag = self._tag, self._tag + len(chunks)
            first = asked = 1 if len(chunks) > 1 else 0
            while asked < len(chunks) and asked - first <= len(processes):
                processes[asked % len(processes)].ask(base + asked, ws, chunks[asked], instants)
                asked += 1
            if first:
                yield from here(chunks[:first])
                delivered = first
            for k in range(first, len(chunks)):
                parts = processes[k % len(processes)].answer(base + k)
                if asked < len(chunks):
                    processes[asked % len(processes)].ask(base + asked, ws, chunks[asked], instants)
                    asked += 1
                delivered = k + 1
                if parts.deal_props:
                    yield build(fact_chunks(parts))
        except (ProcessDied, OSError) as exc:
            log.warning(
                "scan processes stopped (%s); %d of %d chunks are read in this process",
                exc,
                len(chunks) - delivered,
                len(chunks),
            )
            self._stop(kill=True)
            yield from here(chunks[delivered:])
        finally:
            # Ended with the scan: idle, they would hold ~150 MB each in a server.
            self._stop(kill=False)
            self._in_use.release()

    def _stop(self, *, kill: bool) -> list[_ScanProcess]:
        """End the processes (not waiting for them: each exits and is reaped on its
        own), and return them."""
        processes, self._processes = self._processes, []
        for process in processes:
            process.end(kill=kill)
        return processes

    def close(self) -> None:
        """Stop the scan processes and wait for them (each first answers the chunks
        already asked); a scan still running reads its remaining chunks in this
        process."""
        for process in self._stop(kill=False):
            process.wait(timeout=30)


def _address(runner: Runner, settings: Settings) -> FalkorAddress | Settings:
    """Where the scan processes read what ``runner`` reads: the FalkorDB socket and graph
    it is connected to, or (Neo4j) the store's settings."""
    if isinstance(runner, FalkorRunner):
        return FalkorAddress(runner.socket_path, runner.graph_name)
    return settings
