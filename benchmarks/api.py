"""API benchmark: analysis throughput and latency against the framework's ceiling.

One run, on a fresh embedded FalkorDB in a temp dir:

1. ingest a seeded portfolio (``--deals``, default 1,000) with the store (not timed);
2. start ``graphsvc serve`` (uvicorn) on loopback, in its own process, on that store;
3. drive ``--clients`` (16) concurrent keep-alive clients for ``--seconds`` (20) against
   ``GET /healthz`` (the framework's ceiling), then (after the cold pass below) against
   ``GET /v1/deals/{id}/analysis`` of uniformly random deals (seeded), with a read key.

Between the two, a cold pass requests every deal's analysis once (the clients share
the deals out): each is computed (store read + analysis) and cached; its figures are
reported as ``analysis_cold_*``. The timed analysis phase is then the steady state: a
request costs one store query (the key and the workspace revision, which any write
bumps) and a cache lookup, as in production. The load generator runs in this process,
on the same two cores as the server, so the figures are a floor.

Last line: one JSON object with ``analysis_rps``, ``analysis_p50_ms``,
``analysis_p99_ms``, ``healthz_rps``, ``ratio`` (analysis_rps / healthz_rps) and more.
Targets on the 2-core machine: ``analysis_p99_ms`` <= 100 and ``ratio`` >= 0.2.

    python benchmarks/api.py                          # the figures of record
    python benchmarks/api.py --deals 100 --seconds 5  # a quick run on a shared machine
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _backend import embedded_settings

from graphsvc.config import Settings
from graphsvc.keys import KeyRepository
from graphsvc.store import embedded
from graphsvc.store.repository import GraphStore
from graphsvc.synth import generate_portfolio

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def ingest(settings: Settings, *, deals: int, seed: int, workspace: str) -> tuple[list[str], str]:
    store = GraphStore.open(settings)
    try:
        deal_ids: list[str] = []
        started = time.perf_counter()
        for bundle in generate_portfolio(deals, seed=seed, now=NOW):
            store.import_bundle(workspace=workspace, bundle=bundle)
            deal_ids.extend(d.id for d in bundle.deals)
        print(
            f"ingested {len(deal_ids)} deals in {time.perf_counter() - started:.1f} s", flush=True
        )
        key, _ = KeyRepository(store.runner).create(
            workspace=workspace, scope="read", name="benchmark"
        )
        return deal_ids, key
    finally:
        store.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, env: dict[str, str], port: int, workers: int) -> None:
        self.port = port
        graphsvc = str(Path(sys.executable).with_name("graphsvc"))
        self.proc = subprocess.Popen(
            [
                graphsvc,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.ready: queue.Queue[bool] = queue.Queue()
        self.tail: list[str] = []
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.proc.stderr is not None
        announced = False
        for line in self.proc.stderr:
            if not announced:
                self.tail.append(line)
                if "Application startup complete" in line:
                    announced = True
                    self.ready.put(True)
        if not announced:
            self.ready.put(False)

    def wait_ready(self) -> None:
        if not self.ready.get(timeout=300):
            raise SystemExit("server did not start:\n" + "".join(self.tail))
        # uvicorn announces the application's start-up before it binds its socket.
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise SystemExit("server did not listen:\n" + "".join(self.tail)) from None
                time.sleep(0.05)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def drive(
    port: int,
    paths: list[str],
    *,
    clients: int,
    seconds: float,
    seed: int,
    headers: dict[str, str],
    once: bool = False,
) -> dict[str, Any]:
    """``clients`` threads, each on its own keep-alive connection, for ``seconds`` on
    random paths; with ``once``, the clients share out ``paths`` and request each once."""
    deadline = time.perf_counter() + (seconds if not once else 3600.0)
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    start_gate = threading.Barrier(clients + 1)

    def client(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.connect()
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        own = latencies[index]
        share = iter(paths[index::clients]) if once else None
        start_gate.wait()
        while True:
            begun = time.perf_counter()
            if begun >= deadline:
                break
            if share is not None:
                path = next(share, None)
                if path is None:
                    break
            else:
                path = rng.choice(paths)
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            own.append(time.perf_counter() - begun)
            if response.status != 200:
                errors[index] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    start_gate.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    merged = sorted(x for own in latencies for x in own)
    return {
        "requests": len(merged),
        "errors": sum(errors),
        "rps": len(merged) / elapsed,
        "p50_ms": statistics.median(merged) * 1000 if merged else None,
        "p99_ms": merged[min(len(merged) - 1, int(len(merged) * 0.99))] * 1000 if merged else None,
    }


def scrape(port: int, name: str) -> dict[str, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/metrics")
    text = conn.getresponse().read().decode()
    conn.close()
    values: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith(name):
            label, _, value = line.rpartition(" ")
            values[label] = float(value)
    return values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deals", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=20260601)
    args = parser.parse_args()

    workspace = "bench"
    with tempfile.TemporaryDirectory(prefix="graphsvc-api-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        settings = embedded_settings(data_dir)
        deal_ids, key = ingest(settings, deals=args.deals, seed=args.seed, workspace=workspace)
        env = {
            **os.environ,
            "GRAPHSVC_DATA_DIR": str(data_dir),
            "GRAPHSVC_ENVIRONMENT": "test",
            "GRAPHSVC_LOG_LEVEL": "INFO",
        }
        env.pop("NEO4J_URI", None)
        port = free_port()
        server = Server(env, port, args.workers)
        try:
            server.wait_ready()
            auth = {"Authorization": f"Bearer {key}"}
            healthz = drive(
                port,
                ["/healthz"],
                clients=args.clients,
                seconds=args.seconds,
                seed=args.seed,
                headers={},
            )
            print(f"healthz:  {healthz}", flush=True)
            paths = [f"/v1/deals/{deal_id}/analysis" for deal_id in deal_ids]
            # Every deal once, cold: each is computed (store read + analysis) and cached.
            cold = drive(
                port,
                paths,
                clients=args.clients,
                seconds=0,
                seed=args.seed,
                headers=auth,
                once=True,
            )
            print(f"cold:     {cold}", flush=True)
            analysis = drive(
                port,
                paths,
                clients=args.clients,
                seconds=args.seconds,
                seed=args.seed,
                headers=auth,
            )
            print(f"analysis: {analysis}", flush=True)
            cache = scrape(port, "graphsvc_analysis_cache_total")
        finally:
            server.stop()
            embedded.stop(data_dir)
    hits = sum(v for k, v in cache.items() if 'result="hit"' in k)
    misses = sum(v for k, v in cache.items() if 'result="miss"' in k)
    result = {
        "deals": len(deal_ids),
        "clients": args.clients,
        "seconds": args.seconds,
        "workers": args.workers,
        "analysis_rps": round(analysis["rps"], 1),
        "analysis_p50_ms": round(analysis["p50_ms"], 2),
        "analysis_p99_ms": round(analysis["p99_ms"], 2),
        "analysis_requests": analysis["requests"],
        "analysis_errors": analysis["errors"],
        "analysis_cache_hit_ratio": round(hits / (hits + misses), 3) if hits + misses else None,
        "analysis_cold_rps": round(cold["rps"], 1),
        "analysis_cold_p50_ms": round(cold["p50_ms"], 2),
        "analysis_cold_p99_ms": round(cold["p99_ms"], 2),
        "healthz_rps": round(healthz["rps"], 1),
        "healthz_p50_ms": round(healthz["p50_ms"], 2),
        "healthz_p99_ms": round(healthz["p99_ms"], 2),
        "ratio": round(analysis["rps"] / healthz["rps"], 3),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
