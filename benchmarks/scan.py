"""Fleet-scan benchmark: every open deal of a seeded portfolio analysed in one pass.

In one run, on one fresh store: ``--backend falkordb`` (default), an embedded FalkorDB in
a temp dir; ``--backend neo4j``, the Neo4j at ``NEO4J_URI`` (in a workspace of its own,
deleted after), else a local Neo4j 5 the script starts and stops (``tools/neo4j/serve``).
Both print the same JSON fields.

1. ingest ``--deals`` deals of the seeded portfolio generator (``graphsvc.synth``), not
   timed for the figures;
2. ``scan_s``: ``AnalysisService.scan`` end to end, cold (the compact store read,
   ``GraphStore.fleet_fact_chunks``: 500 deals a query, each query run and its reply
   decoded into arrays on the scan processes, ``settings.scan_processes`` of them,
   started by this scan, while this process builds the chunk's objects and the engine
   analyses the chunk before; each chunk folded from arrays now and ``trend_weeks``
   ago, its lines read as arrays; vectorised analysis of every open deal);
3. ``store_read_s``: that compact read alone, drained without analysis, and the same
   read split in its two halves, one after the other on this thread: ``store_reply_s``,
   the store's replies (the server's work plus the wire decoding into rows,
   ``wire.compact_rows`` / the Neo4j driver), and ``decode_s``, those rows decoded into
   one ``FactChunk`` each (``store.compact.decode_chunk``); ``fold_s``: folding the two
   snapshots per deal of what it read, as objects with their lines (the analysis step's
   input below; the scan itself builds no line object). ``per_fact_read_s``: the per-fact read
   ``open_deal_histories`` it replaced, for comparison in the same run (about 40 s at
   10,000 deals: skipped with ``--no-baseline``);
4. ``analysis_s``: the analysis step alone (the engine's ``analyze_snapshots`` with
   ``ranking=False``: one fleet-wide encoding,
   batched solves for all committees, then the shared result assembly: each deal's
   top decision-maker, support and trend, flags and key people) on the snapshots read
   once, against ``baseline_analysis_s``: a plain per-deal loop on the *same* snapshots
   producing the *same* results (the private networkx reference
   ``_reference.assess_snapshot``: networkx PageRank and descendants
   per committee); ``speedup`` = baseline / analysis (median of three fleet runs). Both
   run with the cyclic garbage collector paused (``_build.bulk_build``) and are checked
   to agree (scores within 1e-9, identical flags, decision-makers and key people). The
   same comparison with every member's ranking row built (the engine against
   ``analyze_snapshot``, what the per-deal API returns) is reported as
   ``full_analysis_s``, ``full_baseline_s`` and ``full_speedup`` (``--no-baseline``
   skips the per-deal loops);
5. ``single_deal_p50_ms`` / ``single_deal_p99_ms``: ``AnalysisService.analyze`` of one of
   30 seeded random deals from the warm store, store read included (after a warm-up
   round);
6. ``read_overhead`` = ``scan_s / analysis_s``: what reading and folding the
   snapshots add to the maths of a cold scan (issue 15: at most 3);
7. ``peak_rss_mb``: peak resident memory of this process, its scan processes and the
   FalkorDB server.

CPU seconds of this process are printed next to the wall-clock figures: the machine is
shared, and the process time shows how much of a figure was waiting for a core (or, for
the scan, for its scan processes).

    python benchmarks/scan.py                  # 10,000 deals (the figure of record)
    python benchmarks/scan.py --deals 500      # a quick run on a shared machine
    python benchmarks/scan.py --deals 1000 --backend neo4j
    python benchmarks/scan.py --data-dir /tmp/scan10k  # keeps the ingested store for the next run
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from _backend import BACKENDS, BenchBackend
from _meters import PeakMemory

from graphsvc.analysis._build import bulk_build
from graphsvc.analysis._reference import analyze_snapshot, assess_snapshot
from graphsvc.analysis.engine import analyze_snapshots
from graphsvc.analysis.folding import chunk_trend_pairs
from graphsvc.analysis.params import AnalysisParams
from graphsvc.analysis.schemas import DealAnalysis, DealRisk
from graphsvc.analysis.service import AnalysisService
from graphsvc.domain.models import to_ms
from graphsvc.domain.snapshot import DealSnapshot
from graphsvc.store import compact
from graphsvc.store.histories import HISTORY_CHUNK
from graphsvc.store.repository import GraphStore
from graphsvc.synth import generate_portfolio

R = TypeVar("R", bound=DealRisk)


def scan_fleet(
    now: Sequence[DealSnapshot], then: Sequence[DealSnapshot], *, params: AnalysisParams
) -> list[DealRisk]:
    """The engine's scan (each deal's DealRisk, no full ranking)."""
    return analyze_snapshots(now, then, ranking=False, params=params)


def analyze_fleet(
    now: Sequence[DealSnapshot], then: Sequence[DealSnapshot], *, params: AnalysisParams
) -> list[DealAnalysis]:
    """The engine with every ranking row (what the per-deal API returns)."""
    return analyze_snapshots(now, then, params=params)


NOW = datetime(2026, 6, 1, tzinfo=UTC)
WORKSPACE = "bench"


class Timer:
    """Wall-clock and CPU seconds of a block."""

    def __enter__(self) -> Timer:
        self.wall0, self.cpu0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall0
        self.cpu = time.process_time() - self.cpu0


def _fleet_runs(
    analyse: Callable[..., list[R]],
    now: list[DealSnapshot],
    then: list[DealSnapshot],
    params: AnalysisParams,
) -> tuple[Timer, list[R]]:
    """The median of three fleet passes; earlier results are freed outside the timer."""
    runs = []
    results: list[R] = []
    for _ in range(3):
        results = []  # the previous pass's results are freed here, not inside the timer
        gc.collect()
        with Timer() as run:
            results = analyse(now, then, params=params)
        runs.append(run)
    return sorted(runs, key=lambda r: r.wall)[1], results


def _baseline_run(
    analyse: Callable[..., R],
    now: list[DealSnapshot],
    then: list[DealSnapshot],
    params: AnalysisParams,
) -> tuple[Timer, list[R]]:
    """The per-deal loop, once, with the same garbage-collector pause as the fleet path,
    so the comparison is about the analysis, not about how often CPython rescans the heap."""
    gc.collect()
    with Timer() as run, bulk_build():
        results = [analyse(a, previous=b, params=params) for a, b in zip(now, then, strict=True)]
    return run, results


def _compare(
    fleet: Sequence[DealRisk], single: Sequence[DealRisk], *, full: bool
) -> tuple[float, bool]:
    """Largest score difference, and whether everything else is the same."""
    max_diff = 0.0
    same = True
    for x, y in zip(fleet, single, strict=True):
        same &= x.flags == y.flags and x.top_decision_maker == y.top_decision_maker
        same &= abs(x.support.share - y.support.share) <= 1e-9
        rows = [(x.key_people, y.key_people)]
        if full:
            assert isinstance(x, DealAnalysis) and isinstance(y, DealAnalysis)
            rows.append((x.ranking, y.ranking))
        for xs, ys in rows:
            for rx, ry in zip(xs, ys, strict=True):
                same &= rx.stakeholder_id == ry.stakeholder_id
                max_diff = max(max_diff, abs(rx.score - ry.score))
    return max_diff, same


def _baselines(
    now: list[DealSnapshot],
    then: list[DealSnapshot],
    params: AnalysisParams,
    fleet: Timer,
    full: Timer,
    fleet_results: list[DealRisk],
    full_results: list[DealAnalysis],
) -> dict[str, object]:
    """The per-deal networkx loops on the same snapshots, checked to agree with the engine."""
    # Warm the per-deal paths up (imports, caches, allocator) on a few deals, untimed, as
    # the fleet paths were.
    for single_path in (assess_snapshot, analyze_snapshot):
        for a, b in zip(now[:100], then[:100], strict=True):
            single_path(a, previous=b, params=params)
    baseline, baseline_results = _baseline_run(assess_snapshot, now, then, params)
    print(
        f"baseline (per-deal networkx): {baseline.wall:.2f} s (cpu {baseline.cpu:.2f} s)",
        flush=True,
    )
    max_diff, same = _compare(fleet_results, baseline_results, full=False)
    print(
        f"  fleet vs per-deal: max score difference {max_diff:.2e}, "
        f"same flags, decision-makers and key people: {same}",
        flush=True,
    )
    del baseline_results
    full_baseline, full_baseline_results = _baseline_run(analyze_snapshot, now, then, params)
    full_diff, full_same = _compare(full_results, full_baseline_results, full=True)
    print(
        f"full analyses (every ranking row): fleet {full.wall:.2f} s, per-deal "
        f"{full_baseline.wall:.2f} s, max score difference {full_diff:.2e}, same: {full_same}",
        flush=True,
    )
    return {
        "baseline_analysis_s": round(baseline.wall, 2),
        "baseline_analysis_cpu_s": round(baseline.cpu, 2),
        "speedup": round(baseline.wall / fleet.wall, 1),
        "cpu_speedup": round(baseline.cpu / max(fleet.cpu, 1e-9), 1),
        "full_baseline_s": round(full_baseline.wall, 2),
        "full_speedup": round(full_baseline.wall / full.wall, 1),
        "max_score_diff": max(max_diff, full_diff),
        "same_flags": same and full_same,
    }


def _read_halves(store: GraphStore, workspace: str, as_of: datetime) -> tuple[Timer, Timer]:
    """The compact read's two halves, one after the other on this thread: the store's
    replies (server and wire), then their decoding."""
    ids = store.histories.open_deal_ids(workspace=workspace)
    chunks = [ids[start : start + HISTORY_CHUNK] for start in range(0, len(ids), HISTORY_CHUNK)]
    at = to_ms(as_of)
    with Timer() as reply, bulk_build():  # the scan's readers run with it paused too
        replies = [
            store.runner.read(compact.QUERY, compact.compact_params(workspace, chunk))
            for chunk in chunks
        ]
    with Timer() as decode, bulk_build():
        for chunk, rows in zip(chunks, replies, strict=True):
            compact.decode_chunk(rows, workspace, chunk, at)
    return reply, decode


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--deals", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--single", type=int, default=30, help="deals timed one by one")
    parser.add_argument("--batch", type=int, default=1_000, help="deals per store read")
    parser.add_argument("--backend", choices=BACKENDS, default="falkordb")
    parser.add_argument(
        "--no-baseline", action="store_true", help="skip the per-deal networkx comparisons"
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="keep the store here, and reuse it next time (default: a temp dir, removed after)",
    )
    args = parser.parse_args(argv)

    tmp = tempfile.TemporaryDirectory(prefix="graphsvc-scan-")
    data_dir = args.data_dir or Path(tmp.name)
    data_dir.mkdir(parents=True, exist_ok=True)
    bench = BenchBackend(args.backend, data_dir)
    settings = bench.settings()
    store = GraphStore.open(settings)
    server_pid = bench.pid(store)
    service = AnalysisService(store=store, settings=settings, batch_size=args.batch)
    params = service.params
    workspace = bench.workspace(WORKSPACE)
    result: dict[str, object] = {"deals": args.deals, "backend": args.backend}
    try:
        with PeakMemory(server_pid) as memory:
            # A kept --data-dir that already holds this portfolio is not imported again.
            marker = data_dir / f"bench-scan-{args.backend}-{args.deals}-{args.seed}"
            with Timer() as ingest:
                if marker.exists():
                    print(f"reusing the {args.deals} deals in {data_dir}", flush=True)
                else:
                    print(f"ingesting {args.deals} deals into {data_dir} (not timed)", flush=True)
                    with bench.untimed_ingest(store):
                        for bundle in generate_portfolio(args.deals, seed=args.seed, now=NOW):
                            store.import_bundle(workspace=workspace, bundle=bundle)
                    marker.touch()
            print(f"  ingest {ingest.wall:.1f} s", flush=True)

            # 2. the fleet scan, end to end
            with Timer() as scan:
                scanned = service.scan(workspace=workspace, as_of=NOW)
            print(
                f"scan: {len(scanned)} open deals in {scan.wall:.2f} s (cpu {scan.cpu:.2f} s)",
                flush=True,
            )

            # 3. the reads alone: the compact read the scan uses (with the collector paused,
            # as in the scan), then its two halves one after the other, then the per-fact
            # read it replaced
            with Timer() as read, bulk_build():
                chunks = list(store.fleet_fact_chunks(workspace=workspace, as_of=NOW))
            reply, decode = _read_halves(store, workspace, NOW)
            per_fact: Timer | None = None
            if not args.no_baseline:
                with Timer() as per_fact:
                    count = sum(
                        len(batch)
                        for batch in store.open_deal_histories(
                            workspace=workspace, as_of=NOW, batch_size=args.batch
                        )
                    )
                assert count == sum(len(chunk) for chunk in chunks)
            with Timer() as fold, bulk_build():
                pairs = [chunk_trend_pairs(chunk, params=params) for chunk in chunks]
            now = [snapshot for pair in pairs for snapshot in pair[0]]
            then = [snapshot for pair in pairs for snapshot in pair[1]]
            print(
                f"  compact read {read.wall:.2f} s (cpu {read.cpu:.2f} s): store replies "
                f"{reply.wall:.2f} s (cpu {reply.cpu:.2f} s) + decoding {decode.wall:.2f} s; "
                f"folding {fold.wall:.2f} s",
                flush=True,
            )
            if per_fact is not None:
                print(
                    f"  per-fact read {per_fact.wall:.2f} s (cpu {per_fact.cpu:.2f} s)",
                    flush=True,
                )
            # Warm both paths up (imports, caches, allocator) on a few deals, untimed, so
            # neither pays for what the other has already paid for.
            for warm in (scan_fleet, analyze_fleet):
                warm(now[:100], then[:100], params=params)
            # The fleet pass is short, so one stall of this shared machine would swing it:
            # take the median of three runs (the baseline is long enough to run once).
            fleet, fleet_results = _fleet_runs(scan_fleet, now, then, params)
            print(
                f"analysis (fleet scan, median of 3): {fleet.wall:.2f} s (cpu {fleet.cpu:.2f} s)",
                flush=True,
            )
            full, full_results = _fleet_runs(analyze_fleet, now, then, params)
            comparison: dict[str, object] = {"full_analysis_s": round(full.wall, 3)}
            if not args.no_baseline:
                comparison.update(
                    _baselines(now, then, params, fleet, full, fleet_results, full_results)
                )
            del chunks, pairs, now, then, fleet_results, full_results

            # 4. one deal at a time from the warm store, store read included
            rng = random.Random(args.seed)
            open_ids = [a.deal_id for a in scanned]
            chosen = rng.sample(open_ids, min(args.single, len(open_ids)))
            for deal_id in chosen:  # warm-up round
                service.analyze(workspace=workspace, deal_id=deal_id, as_of=NOW)
            latencies = []
            for deal_id in chosen:
                began = time.perf_counter()
                service.analyze(workspace=workspace, deal_id=deal_id, as_of=NOW)
                latencies.append((time.perf_counter() - began) * 1000)
            latencies.sort()
            p50 = statistics.median(latencies)
            p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
            print(
                f"single deal: p50 {p50:.2f} ms, p99 {p99:.2f} ms over {len(latencies)}", flush=True
            )

        result.update(
            {
                "open_deals": len(scanned),
                "scan_s": round(scan.wall, 2),
                "scan_cpu_s": round(scan.cpu, 2),
                "store_read_s": round(read.wall, 2),
                "store_read_cpu_s": round(read.cpu, 2),
                "store_reply_s": round(reply.wall, 2),
                "store_reply_cpu_s": round(reply.cpu, 2),
                "decode_s": round(decode.wall, 2),
                **({"per_fact_read_s": round(per_fact.wall, 2)} if per_fact else {}),
                "fold_s": round(fold.wall, 2),
                "analysis_s": round(fleet.wall, 3),
                # How much more than its maths a cold scan costs (issue 15: target <= 3).
                "read_overhead": round(scan.wall / fleet.wall, 1),
                "analysis_cpu_s": round(fleet.cpu, 3),
                **comparison,
                "single_deal_p50_ms": round(p50, 2),
                "single_deal_p99_ms": round(p99, 2),
                "peak_rss_mb": round(memory.peak / 2**20, 1),
                "ingest_s": round(ingest.wall, 1),
            }
        )
    finally:
        bench.close(store)
        tmp.cleanup()
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
