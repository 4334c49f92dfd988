"""Weekly alerts speed: a dry run (fleet scan, compose, write .eml) over a seeded portfolio.

The portfolio (default 10,000 deals, 500 owners, 30 stakeholders per deal) is generated
with ``graphsvc.synth.generate_portfolio`` and imported into a fresh embedded FalkorDB in
a temp folder by a child process, so the peak RSS reported is the dry run's own. The dry
run is ``AlertService.send(dry_run=True)``: the fleet scan as of the week, the 12-week
support history and best next contact of every deal that goes into an e-mail, the
signed map links, the PNG charts and the .eml files. Baseline in the same run: the
fleet scan alone (what any alert run needs before it can write one e-mail).
Target: total_s <= 120.

Run: .venv/bin/python benchmarks/alerts.py [--deals 10000 --owners 500]
     (last line: one JSON object; --data-dir DIR keeps and reuses the imported store)
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _backend import embedded_settings

from graphsvc.alerts.schemas import DeliveryStatus, IsoWeek
from graphsvc.alerts.service import AlertService
from graphsvc.analysis.service import AnalysisService as AnalysisService
from graphsvc.config import Settings
from graphsvc.store import embedded
from graphsvc.store.repository import GraphStore
from graphsvc.store.runners import open_embedded_runner

WEEK = IsoWeek(2026, 48)
NOW = datetime(2026, 11, 23, 7, tzinfo=UTC)  # the week's slot: Monday 07:00 UTC
WORKSPACE = "bench-alerts"


def _settings(data_dir: Path) -> Settings:
    return embedded_settings(data_dir, map_link_secret="benchmark-secret-0123456789")


def load(data_dir: Path, deals: int, owners: int, seed: int) -> None:
    """Child process: import the seeded portfolio (skipped when already there)."""
    from graphsvc.synth import generate_portfolio

    settings = _settings(data_dir)
    runner = open_embedded_runner(settings)
    runner.ensure_schema()
    store = GraphStore(runner, settings=settings)
    try:
        marker = data_dir / f"loaded-{deals}-{owners}-{seed}"
        if marker.exists():
            return
        started = time.perf_counter()
        for bundle in generate_portfolio(deals, seed=seed, owners=owners, now=NOW, chunk_deals=250):
            store.import_bundle(workspace=WORKSPACE, bundle=bundle)
        marker.write_text("ok\n")
        print(
            f"imported {deals} deals / {owners} owners in {time.perf_counter() - started:.1f}s",
            flush=True,
        )
    finally:
        runner.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deals", type=int, default=10_000)
    parser.add_argument("--owners", type=int, default=500)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--load-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    temp = None
    if args.data_dir is None:
        temp = tempfile.TemporaryDirectory(prefix="bench-alerts-")
        args.data_dir = Path(temp.name)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    if args.load_only:
        load(args.data_dir, args.deals, args.owners, args.seed)
        return

    try:
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--load-only",
                "--deals",
                str(args.deals),
                "--owners",
                str(args.owners),
                "--seed",
                str(args.seed),
                "--data-dir",
                str(args.data_dir),
            ],
            check=True,
        )
        settings = _settings(args.data_dir)
        runner = open_embedded_runner(settings)
        store = GraphStore(runner, settings=settings)
        try:
            service = AlertService(store=store, settings=settings, clock=lambda: NOW)
            with tempfile.TemporaryDirectory(prefix="bench-alerts-out-") as out:
                started = time.perf_counter()
                report = service.send(
                    workspace=WORKSPACE, week=WEEK, dry_run=True, out_dir=Path(out)
                )
                total_s = time.perf_counter() - started
                files = list(Path(out).glob("*.eml"))
                eml_bytes = sum(f.stat().st_size for f in files)
            peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

            # Baseline, same run: the fleet scan alone.
            analysis = AnalysisService(store=store, settings=settings)
            started = time.perf_counter()
            scanned = len(analysis.scan(workspace=WORKSPACE, as_of=NOW))
            scan_s = time.perf_counter() - started
        finally:
            runner.close()
            if temp is not None:
                embedded.stop(args.data_dir)
    finally:
        if temp is not None:
            temp.cleanup()

    emails = report.count(DeliveryStatus.written)
    ms_per_email = 1000 * total_s / emails if emails else None
    deals_in_emails = sum(d.deals for d in report.deliveries)
    print(
        f"portfolio: {args.deals} deals, {args.owners} owners; open deals scanned: {scanned}; "
        f"at risk: {report.at_risk_deals}"
    )
    print(
        f"dry run: {emails} e-mails ({deals_in_emails} deals, "
        f"{eml_bytes / max(emails, 1) / 1024:.0f} KiB each) in {total_s:.1f}s "
        f"(scan with history and next best {report.timings['plan_s']:.1f}s, "
        f"compose+write {total_s - report.timings['plan_s']:.1f}s)"
    )
    print(f"baseline: fleet scan alone {scan_s:.1f}s (dry run / scan = {total_s / scan_s:.2f})")
    print(
        f"peak RSS {peak_rss_mb:.0f} MB; target total_s <= 120: "
        f"{'met' if total_s <= 120 else 'MISSED'}"
    )
    print(
        json.dumps(
            {
                "deals": args.deals,
                "owners": args.owners,
                "emails": emails,
                "deals_in_emails": deals_in_emails,
                "total_s": round(total_s, 2),
                "ms_per_email": round(ms_per_email, 1) if ms_per_email is not None else None,
                "peak_rss_mb": round(peak_rss_mb, 1),
                "scan_s": round(scan_s, 2),
                "ratio_to_scan": round(total_s / scan_s, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
