"""Meters the benchmark scripts share (imported as a sibling module: scripts run as
``python benchmarks/<name>.py``, which puts this folder first on ``sys.path``)."""

from __future__ import annotations

import contextlib
import threading

import psutil


class PeakMemory:
    """Samples the RSS of this process, its child processes (the scan processes) and the
    server every 100 ms (a meter, not a sync)."""

    def __init__(self, server_pid: int | None) -> None:
        self.procs = [psutil.Process()]
        if server_pid is not None:
            self.procs.append(psutil.Process(server_pid))
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        total = 0
        procs = {proc.pid: proc for proc in self.procs}
        with contextlib.suppress(psutil.NoSuchProcess):
            procs.update((child.pid, child) for child in self.procs[0].children(recursive=True))
        for proc in procs.values():
            with contextlib.suppress(psutil.NoSuchProcess):
                total += proc.memory_info().rss
        self.peak = max(self.peak, total)

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self._sample()

    def __enter__(self) -> PeakMemory:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
