"""Analysis response cache, safe behind a load balancer.

Entries are keyed by ``(workspace, operation, deal, parameters, revision)`` where the
revision is ``store.workspace_revision(workspace)``, read from the shared store on every
request. Any write to the workspace, through any process, bumps that revision, so the
next request misses and recomputes: a stale answer is never served, whichever process
took the write. Entries also expire after ``analysis_cache_seconds`` (answers "as of
now" drift with the clock) and the oldest go first beyond ``max_entries``.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from graphsvc.api.metrics import Metrics


class AnalysisCache:
    def __init__(self, *, ttl_seconds: float, metrics: Metrics, max_entries: int = 4096) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self.metrics = metrics
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._running: dict[Hashable, threading.Event] = {}

    def peek(self, key: Hashable, *, count: bool = True) -> Any | None:
        """The cached value, counted as a hit (unless ``count`` is false: the caller
        counts it once it knows the value serves), or None (nothing counted): a
        non-blocking fast path the async views take before going to the thread pool."""
        with self._lock:
            held = self._entries.get(key)
            if held is None or held[0] <= time.monotonic():
                return None
            self._entries.move_to_end(key)
        if count:
            self.metrics.cache.labels("hit").inc()
        return held[1]

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The cached value for ``key`` (a response body, a scan), else ``compute()``
        stored under it. Concurrent requests for one key compute it once (the others
        wait for that result); errors are not cached."""
        if self.ttl_seconds <= 0:
            self.metrics.cache.labels("miss").inc()
            return compute()
        while True:
            with self._lock:
                held = self._entries.get(key)
                if held is not None and held[0] > time.monotonic():
                    self._entries.move_to_end(key)
                    self.metrics.cache.labels("hit").inc()
                    return held[1]
                running = self._running.get(key)
                if running is None:
                    running = self._running[key] = threading.Event()
                    break
            # Someone computes this very entry now: wait, then read it (or, if that
            # computation failed, try ourselves).
            running.wait()
        self.metrics.cache.labels("miss").inc()
        try:
            value = compute()
            with self._lock:
                self._entries[key] = (time.monotonic() + self.ttl_seconds, value)
                self._entries.move_to_end(key)
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
            return value
        finally:
            with self._lock:
                self._running.pop(key).set()

    def put(self, key: Hashable, value: Any) -> None:
        """Keep ``value`` under ``key`` (replacing what was there), counted as a miss:
        for values whose validity the caller decides (an answer "as of now")."""
        self.metrics.cache.labels("miss").inc()
        if self.ttl_seconds <= 0:
            return
        with self._lock:
            self._entries[key] = (time.monotonic() + self.ttl_seconds, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
