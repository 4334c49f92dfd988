"""Webhook worker poll cost on a large store: an idle round, and a round after 1% of
the deals changed.

One run, on an embedded FalkorDB (a temp dir, or ``--data-dir`` kept and reused):

1. ingest ``--deals`` deals of the seeded portfolio (not timed); subscribe a receiver
   on loopback (a real HTTP server answering 204) to every event type;
2. ``first_tick_s``: the worker's first round (on a new store, the baseline: every
   open deal analysed and kept, the evented states recorded silently; on a reused
   store, a new process's first full read);
3. ``idle_tick_ms_p50``/``_max``: rounds with nothing written (the workspace revision
   is the one last evented and no kept result is due: no deal is read), and how many
   of them had to read every deal all the same because a kept result's due time had
   passed (``idle_rounds_reading_every_deal``);
   ``idle_tick_full_read_ms_p50``: the same round in the same process without the idle
   check (every open deal's kept result and evented state read and compared, nothing
   re-analysed): what every idle round cost before; ``idle_speedup`` the ratio;
4. one committee write on each of 1% of the open deals, then ``changed_raise_s``: the
   events raised (only the written deals, and any whose due time passed, re-analysed
   and compared: ``changed_compared``) and ``changed_deliver_tick_s``: the next round,
   which delivers them (one subscription: one after the other); ``changed_events`` and
   ``changed_delivered`` count them;
5. ``changed_raise_full_s``: the same again on another 1% of the deals, by a round that
   remembers nothing (every open deal's kept result and evented state read and
   compared: what the round after a write cost before), and ``changed_speedup``, the
   ratio of the two in the same run.

    python benchmarks/webhooks.py                  # 10,000 deals (the figure of record)
    python benchmarks/webhooks.py --deals 1000     # a quick run
    python benchmarks/webhooks.py --data-dir /tmp/hooks10k   # keep the ingested store

The last line is JSON. The machine's load (``os.getloadavg``) is printed with it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from _backend import embedded_settings
from api import NOW
from incremental import write_stance

from graphsvc.config import Settings
from graphsvc.domain.models import utcnow
from graphsvc.store.repository import GraphStore
from graphsvc.synth import generate_portfolio
from graphsvc.webhooks.schemas import EventType, WebhookCreate
from graphsvc.webhooks.service import WebhookService
from graphsvc.webhooks.worker import DeliveryWorker


class _Accept(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return


def _worker(store: GraphStore, settings: Settings, workspace: str) -> DeliveryWorker:
    return DeliveryWorker(
        store=store,
        settings=settings,
        holder="benchmark",  # a new worker of the same holder renews the lease
        mailer=lambda: None,  # type: ignore[arg-type,return-value]  # nobody is disabled
        workspaces=[workspace],
        lease_name=f"bench-{workspace}",
        rng=random.Random(1),
    )


def _write_stances(store: GraphStore, workspace: str, deal_ids: list[str], run: int) -> None:
    """One committee write on each deal (a stance other than the last run's)."""
    for i, deal_id in enumerate(deal_ids):
        history = store.deal_history(workspace=workspace, deal_id=deal_id)
        person = sorted(history.stakeholders)[0]
        write_stance(store, workspace, deal_id, person, i + run)


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deals", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20261129)
    parser.add_argument("--data-dir", type=Path, help="store folder to keep and reuse")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    workspace = "bench"
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), _Accept)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory(prefix="graphsvc-webhooks-bench-") as tmp:
        data_dir = args.data_dir or Path(tmp) / "data"
        reuse = args.data_dir is not None and (data_dir / "appendonlydir").exists()
        settings = embedded_settings(data_dir, webhook_allow_private_targets=True)
        store = GraphStore.open(settings)
        try:
            if not reuse:
                started = time.perf_counter()
                for bundle in generate_portfolio(args.deals, seed=args.seed, now=NOW):
                    store.import_bundle(workspace=workspace, bundle=bundle)
                print(f"ingested {args.deals} deals in {_ms(started) / 1000:.1f} s", flush=True)
            service = WebhookService(store=store, settings=settings)
            for hook in service.list_all(workspace=workspace):  # a reused store's
                service.repository.delete(
                    workspace=workspace, webhook_id=hook.id, expect=None, now=0
                )
            service.create(
                workspace=workspace,
                fields=WebhookCreate(
                    url=f"http://127.0.0.1:{receiver.server_address[1]}/hooks",
                    events=list(EventType),
                    owner_email="ops@example.com",
                ),
                created_by="benchmark",
            )
            worker = _worker(store, settings, workspace)
            started = time.perf_counter()
            first = worker.tick()
            first_tick_s = _ms(started) / 1000
            print(f"first round {first_tick_s:.1f} s ({first})", flush=True)

            idle_ms = []
            for _ in range(args.rounds):
                started = time.perf_counter()
                assert worker.tick().events == 0
                idle_ms.append(_ms(started))
            # Rounds that had to read every deal all the same: a kept result's due time
            # passed (a flag time alone can raise), so the round compared again.
            reading_rounds = worker.raiser.full_rounds - 1
            full_read_ms = []
            for _ in range(max(3, args.rounds // 4)):
                # The same round without the idle check (what every round cost before):
                # every open deal's kept result and evented state read and compared.
                worker.raiser.forget()
                started = time.perf_counter()
                assert worker.tick().events == 0
                full_read_ms.append(_ms(started))
            print(
                f"idle round p50 {statistics.median(idle_ms):.1f} ms "
                f"({reading_rounds} of {args.rounds} read every deal: a due time passed); "
                f"without the idle check {statistics.median(full_read_ms):.0f} ms",
                flush=True,
            )

            open_ids = sorted(r.deal_id for r in worker.kept.risks(workspace=workspace))
            changed = rng.sample(open_ids, max(1, len(open_ids) // 100))
            # Each run on a kept store writes other stances than the run before (the
            # same ones again would change nothing).
            runs_file = data_dir / "webhooks-bench-runs"
            runs = int(runs_file.read_text()) if runs_file.exists() else 0
            runs_file.write_text(str(runs + 1))
            _write_stances(store, workspace, changed, runs + int(reuse))
            compared_before = worker.raiser.deals_compared
            started = time.perf_counter()
            raised = worker.raise_events(workspace=workspace, now=utcnow())
            changed_raise_s = _ms(started) / 1000
            changed_compared = worker.raiser.deals_compared - compared_before
            started = time.perf_counter()
            after = worker.tick()
            changed_deliver_s = _ms(started) / 1000
            print(
                f"after 1% changed: {raised} events raised in {changed_raise_s:.2f} s "
                f"({changed_compared} deals compared), then a round delivering them "
                f"{changed_deliver_s:.2f} s ({after})",
                flush=True,
            )
            # The same on other deals by a round remembering nothing: every deal compared.
            others = rng.sample(sorted(set(open_ids) - set(changed)), len(changed))
            _write_stances(store, workspace, others, runs + int(reuse))
            worker.raiser.forget()
            started = time.perf_counter()
            raised_full = worker.raise_events(workspace=workspace, now=utcnow())
            changed_raise_full_s = _ms(started) / 1000
            print(
                f"the same comparing every deal: {raised_full} events raised in "
                f"{changed_raise_full_s:.2f} s",
                flush=True,
            )
        finally:
            store.close()
            receiver.shutdown()
    load = os.getloadavg()
    result = {
        "deals": args.deals,
        "open_deals": len(open_ids),
        "first_tick_s": round(first_tick_s, 2),
        "first_tick_was_baseline": not reuse,
        "idle_tick_ms_p50": round(statistics.median(idle_ms), 2),
        "idle_tick_ms_max": round(max(idle_ms), 2),
        "idle_rounds_reading_every_deal": reading_rounds,
        "idle_tick_full_read_ms_p50": round(statistics.median(full_read_ms), 1),
        "idle_speedup": round(statistics.median(full_read_ms) / statistics.median(idle_ms), 1),
        "changed_deals": len(changed),
        "changed_raise_s": round(changed_raise_s, 3),
        "changed_compared": changed_compared,
        "changed_events": raised,
        "changed_raise_full_s": round(changed_raise_full_s, 3),
        "changed_full_events": raised_full,
        "changed_speedup": round(changed_raise_full_s / changed_raise_s, 1),
        "changed_deliver_tick_s": round(changed_deliver_s, 3),
        "changed_delivered": after.delivered,
        "loadavg": [round(x, 2) for x in load],
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
