"""Ingest benchmark: a seeded synthetic portfolio into a fresh store.

``--backend falkordb`` (default): a fresh embedded FalkorDB in a temp dir. ``--backend
neo4j``: the Neo4j at ``NEO4J_URI`` (in workspaces of its own, deleted after), else a
local Neo4j 5 that the script starts in its temp dir and stops (``tools/neo4j/serve``).
Both print the same JSON fields; those that only mean something on FalkorDB are null on
Neo4j (``fsync_everysec_records_per_s``: Neo4j forces its log at every commit, so its
``fsync_always_records_per_s`` is the ordinary rate on the sample; ``aof_mb`` and
``aof_rewrites``), as is what a remote server does not let us measure (its CPU, memory,
a crash).

Measures, in one run on one fresh server (in a temp dir):

* ``records_per_s``: every entity and fact written (accounts, deals, stakeholders, team
  members, membership/influence/reporting facts and their ends, interactions) per
  second of ``GraphStore.import_bundle`` (batched: one UNWIND statement per chunk of
  ``--batch-size`` rows). Generating the data is not timed.
* ``baseline_records_per_s``: the same import on a ``--baseline-deals`` sample with a
  batch size of 1, i.e. one statement per record (and per reference check).
* ``snapshot_p50_ms`` / ``snapshot_p99_ms``: ``GraphStore.snapshot`` of a random deal
  as of a random instant of its six months, warm (after a warm-up round).
* ``peak_rss_mb``: peak resident memory of this process plus the redis-server child.
* ``records_per_cpu_s`` and ``snapshot_cpu_ms``: the same work per CPU second (client
  plus server); on a shared, busy machine these say what wall-clock figures cannot.
* ``fsync_always_records_per_s`` / ``fsync_everysec_records_per_s``: the cost of
  ``appendfsync always`` (what makes a returned write durable) on a small sample.
* ``restart_after_sigkill_s``: SIGKILL the server, reopen the store (the AOF replays),
  read one snapshot.

Prints progress, then as its last line one JSON object.

    python benchmarks/ingest.py                 # 10,000 deals (the figure of record)
    python benchmarks/ingest.py --deals 500     # a quick run on a shared machine
    python benchmarks/ingest.py --deals 1000 --backend neo4j
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
from _backend import BACKENDS, BenchBackend
from _meters import PeakMemory

from graphsvc.domain.models import Bundle
from graphsvc.store import embedded
from graphsvc.store.repository import GraphStore
from graphsvc.store.runners import FalkorRunner
from graphsvc.synth import generate_portfolio

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def timed_import(
    store: GraphStore,
    workspace: str,
    bundles: list[Bundle] | None = None,
    *,
    deals: int = 0,
    seed: int = 0,
    chunk_deals: int = 100,
    progress: bool = False,
    cpu: list[float] | None = None,
) -> tuple[int, float, list[str]]:
    """Import (timing only the store calls); returns (records, seconds, deal ids) and
    adds this process's CPU seconds spent in the store calls to ``cpu[0]``."""
    records, seconds, ids = 0, 0.0, []
    source = (
        bundles
        if bundles is not None
        else generate_portfolio(deals, seed=seed, now=NOW, chunk_deals=chunk_deals)
    )
    next_report = 0.1
    for bundle in source:
        started, started_cpu = time.perf_counter(), time.process_time()
        store.import_bundle(workspace=workspace, bundle=bundle)
        seconds += time.perf_counter() - started
        if cpu is not None:
            cpu[0] += time.process_time() - started_cpu
        records += bundle.item_count()
        ids.extend(d.id for d in bundle.deals)
        if progress and deals and len(ids) / deals >= next_report:
            print(
                f"  {len(ids):>6} deals, {records:>9} records, {seconds:7.1f} s, "
                f"{records / seconds:9.0f} records/s",
                flush=True,
            )
            next_report += 0.1
    return records, seconds, ids


def _rounded(value: float | None) -> int | None:
    return None if value is None else round(value)


class CpuMeter:
    """CPU seconds used by this process and the server between start and stop: on a
    shared machine, records / CPU second says what wall-clock time cannot."""

    def __init__(self, server_pid: int | None) -> None:
        # No server pid (a remote Neo4j): the server's share stays 0.
        self.procs = [psutil.Process(), psutil.Process(server_pid or os.getpid())]
        self.client_s = self.server_s = 0.0

    @staticmethod
    def _cpu(proc: psutil.Process) -> float:
        times = proc.cpu_times()
        return times.user + times.system

    def __enter__(self) -> CpuMeter:
        self._start = [self._cpu(p) for p in self.procs]
        return self

    def __exit__(self, *exc: object) -> None:
        end = [self._cpu(p) for p in self.procs]
        self.client_s, self.server_s = (e - s for e, s in zip(end, self._start, strict=True))
        if self.procs[1].pid == self.procs[0].pid:
            self.server_s = 0.0

    @property
    def total_s(self) -> float:
        return self.client_s + self.server_s


def set_fsync(store: GraphStore, policy: str) -> bool:
    """FalkorDB's appendfsync policy; False on Neo4j (every commit is forced to disk)."""
    runner = store.runner
    if not isinstance(runner, FalkorRunner):
        return False
    runner._db.connection.config_set("appendfsync", policy)
    return True


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, default=10_000)
    parser.add_argument("--baseline-deals", type=int, default=200)
    parser.add_argument("--fsync-deals", type=int, default=200)
    parser.add_argument("--snapshots", type=int, default=1_000)
    parser.add_argument("--batch-size", type=int, default=2_000)
    parser.add_argument("--chunk-deals", type=int, default=100)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--backend", choices=BACKENDS, default="falkordb")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="keep the store here (default: a temp dir, removed after)",
    )
    args = parser.parse_args(argv)

    tmp = tempfile.TemporaryDirectory(prefix="graphsvc-bench-")
    data_dir = args.data_dir or Path(tmp.name)
    bench = BenchBackend(args.backend, data_dir)
    store = bench.open(store_batch_size=args.batch_size)
    baseline_store = GraphStore(store.runner, settings=bench.settings(store_batch_size=1))
    runner = store.runner
    server_pid = bench.pid(store)
    print(f"{args.backend} server pid {server_pid} in {data_dir}", flush=True)
    main_ws = bench.workspace("bench")
    result: dict[str, object] = {"deals": args.deals, "backend": args.backend}
    try:
        with PeakMemory(server_pid) as memory:
            # 1. baseline: one statement per record, on a sample
            sample = list(
                generate_portfolio(
                    args.baseline_deals, seed=args.seed + 1, now=NOW, chunk_deals=args.chunk_deals
                )
            )
            b_records, b_seconds, _ = timed_import(
                baseline_store, bench.workspace("baseline"), sample
            )
            baseline = b_records / b_seconds
            print(
                f"baseline (1 statement/record): {b_records} records in {b_seconds:.1f} s "
                f"= {baseline:.0f} records/s",
                flush=True,
            )

            # 2. the cost of fsync on every write, on a sample
            fsync_rates: dict[str, float | None] = {"everysec": None}
            for policy in ("everysec", "always"):  # "always" last: it stays in force
                if not set_fsync(store, policy) and policy == "everysec":
                    continue
                f_records, f_seconds, _ = timed_import(
                    store,
                    bench.workspace(f"fsync-{policy}"),
                    deals=args.fsync_deals,
                    seed=args.seed + 2,
                    chunk_deals=args.chunk_deals,
                )
                fsync_rates[policy] = f_records / f_seconds
                print(f"fsync {policy}: {f_records / f_seconds:.0f} records/s", flush=True)

            # 3. the main ingest
            print(f"ingesting {args.deals} deals (batch size {args.batch_size})", flush=True)
            client_cpu = [0.0]
            with CpuMeter(server_pid) as ingest_cpu:
                records, seconds, deal_ids = timed_import(
                    store,
                    main_ws,
                    deals=args.deals,
                    seed=args.seed,
                    chunk_deals=args.chunk_deals,
                    progress=True,
                    cpu=client_cpu,
                )
            rate = records / seconds
            cpu_rate = records / (client_cpu[0] + ingest_cpu.server_s)
            print(
                f"ingest: {records} records in {seconds:.1f} s = {rate:.0f} records/s; "
                f"CPU: client {client_cpu[0]:.1f} s, server {ingest_cpu.server_s:.1f} s "
                f"= {cpu_rate:.0f} records per CPU second",
                flush=True,
            )

            # 4. warm as-of snapshots of random deals
            rng = random.Random(args.seed)
            start = NOW - timedelta(days=180)

            def one_snapshot() -> float:
                deal_id = rng.choice(deal_ids)
                as_of = start + timedelta(seconds=rng.randrange(180 * 86_400))
                began = time.perf_counter()
                store.snapshot(workspace=main_ws, deal_id=deal_id, as_of=as_of)
                return (time.perf_counter() - began) * 1000

            for _ in range(min(100, args.snapshots)):
                one_snapshot()
            with CpuMeter(server_pid) as snapshot_cpu:
                latencies = sorted(one_snapshot() for _ in range(args.snapshots))
            p50 = statistics.median(latencies)
            p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
            print(f"snapshot: p50 {p50:.2f} ms, p99 {p99:.2f} ms over {len(latencies)}", flush=True)

        info: dict[str, object] = {}
        aof_bytes: int | None = None
        if isinstance(runner, FalkorRunner):
            info = runner._db.connection.info("persistence")
            aof_bytes = (
                embedded.status(runner.server.paths.data_dir).aof_bytes if runner.server else None
            )

        # 5. crash and come back: SIGKILL the server, reopen (FalkorDB replays its AOF,
        # Neo4j recovers from its transaction log), read
        restart_s: float | None = None
        if bench.crash(store):
            store.close()
            began = time.perf_counter()
            bench.recover()
            store = bench.open(store_batch_size=args.batch_size)
            store.snapshot(workspace=main_ws, deal_id=deal_ids[-1], as_of=NOW)
            restart_s = time.perf_counter() - began
            print(f"restart after SIGKILL: {restart_s:.1f} s", flush=True)
        result.update(
            {
                "records": records,
                "ingest_s": round(seconds, 2),
                "records_per_s": round(rate),
                "baseline_deals": args.baseline_deals,
                "baseline_records_per_s": round(baseline),
                "speedup": round(rate / baseline, 1),
                "snapshot_p50_ms": round(p50, 2),
                "snapshot_p99_ms": round(p99, 2),
                "peak_rss_mb": round(memory.peak / 2**20, 1),
                "ingest_server_cpu_s": round(ingest_cpu.server_s, 1),
                "ingest_client_cpu_s": round(client_cpu[0], 1),
                "records_per_cpu_s": round(cpu_rate),
                "snapshot_cpu_ms": round(snapshot_cpu.total_s / len(latencies) * 1000, 2),
                "load_average_1m": round(psutil.getloadavg()[0], 2),
                "fsync_always_records_per_s": _rounded(fsync_rates["always"]),
                "fsync_everysec_records_per_s": _rounded(fsync_rates["everysec"]),
                "batch_size": args.batch_size,
                "aof_mb": None if aof_bytes is None else round(aof_bytes / 2**20, 1),
                "aof_rewrites": int(info["aof_rewrites"]) if "aof_rewrites" in info else None,  # type: ignore[call-overload]
                "restart_after_sigkill_s": None if restart_s is None else round(restart_s, 2),
            }
        )
    finally:
        bench.close(store)
        tmp.cleanup()
    return result


if __name__ == "__main__":
    figures = main(sys.argv[1:])
    print(json.dumps(figures))
