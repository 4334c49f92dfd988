"""Prometheus metrics of one app: requests and latencies by route template, analysis cache
hits and misses, store query latency by query name.

Each app owns a registry (several apps in one test process must not collide on the
global one); ``GET /metrics`` renders it in the text exposition format.
"""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["CONTENT_TYPE_LATEST", "InstrumentedRunner", "Metrics"]

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "graphsvc_http_requests_total",
            "HTTP requests by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "graphsvc_http_request_duration_seconds",
            "HTTP request latency by method and route template.",
            ["method", "route"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.cache = Counter(
            "graphsvc_analysis_cache_total",
            "Analysis cache lookups by result (hit or miss).",
            ["result"],
            registry=self.registry,
        )
        self.store_latency = Histogram(
            "graphsvc_store_query_duration_seconds",
            "Store query latency by named query.",
            ["query"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def observe_query(self, name: str, seconds: float) -> None:
        self.store_latency.labels(name).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class InstrumentedRunner:
    """Wraps a store runner, timing each named query; every other attribute passes through."""

    def __init__(self, inner: Any, metrics: Metrics) -> None:
        self._inner = inner
        self._metrics = metrics

    @property
    def inner(self) -> Any:
        return self._inner

    def read(self, query_name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        started = time.perf_counter()
        try:
            return self._inner.read(query_name, params)
        finally:
            self._metrics.observe_query(query_name, time.perf_counter() - started)

    def write(self, query_name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        started = time.perf_counter()
        try:
            return self._inner.write(query_name, params)
        finally:
            self._metrics.observe_query(query_name, time.perf_counter() - started)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def instrument_store(store: Any, metrics: Metrics) -> None:
    """Time the store's queries: through the runner's ``on_query`` hook when it has one,
    else by wrapping the runner (re-pointing an earlier wrapper at these metrics)."""
    runner = store.runner
    if isinstance(runner, InstrumentedRunner):
        runner._metrics = metrics
        return
    if hasattr(runner, "on_query"):
        runner.on_query = metrics.observe_query
        return
    store.runner = InstrumentedRunner(runner, metrics)
