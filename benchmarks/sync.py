"""CRM sync benchmark: a generated Salesforce data export imported from scratch into a
fresh embedded FalkorDB, then a newer export with 1% of the opportunities changed.

The export is built the way Salesforce writes it (see tests/imports/salesforce_files.py):
N opportunities, each with 30 contacts on its committee (OpportunityContactRole, with a
reporting tree) and 20 activities (12 completed tasks, 6 past events with two more
people each in EventRelation, 2 future events: the next step). In the newer export, 1%
of the opportunities change stage, one contact's role, lose one contact role and gain a
completed meeting.

* ``full_import_s``: ``graphsvc.imports.service.import_export_files`` of the first zip
  (reading, checking, comparing with the empty store, writing).
* ``delta_import_s``: the same for the newer zip on top (only the differences written).
* ``records_per_s``: data rows of the first export (every CSV file) per second of the
  full import.
* ``full_import_cpu_s`` / ``delta_import_cpu_s``: CPU seconds of this process plus the
  FalkorDB server for each import: on a shared, busy machine these say what the
  wall-clock figures cannot.
* ``batch_upsert_rps``: items per second through ``POST /v1/stakeholders/batch`` of
  ``graphsvc serve`` (its own process, on the imported store, rate limits off), 1,000
  new people a request with per-item results (207), ``--batch-requests`` requests one
  after another; ``batch_upsert_ms_p50`` is one request's time.

Generating the zips is not timed. Prints progress, then as its last line one JSON object.

    python benchmarks/sync.py                       # 10,000 opportunities
    python benchmarks/sync.py --opportunities 1000  # a quick run on a shared machine
"""

from __future__ import annotations

import argparse
import csv
import http.client
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import psutil
from _backend import embedded_settings
from _meters import PeakMemory
from api import Server, free_port  # the benchmark's graphsvc serve process

from graphsvc.imports.exports import ExportFiles
from graphsvc.imports.service import import_export_files
from graphsvc.keys import KeyRepository
from graphsvc.store import embedded
from graphsvc.store.repository import GraphStore

CONTACTS, ACTIVITIES = 30, 20
BATCH_ITEMS = 1000  # the batch endpoint's limit
ROLES = [
    "Economic Decision Maker",
    "Decision Maker",
    "Economic Buyer",
    "Technical Buyer",
    "Evaluator",
    "Influencer",
    "Business User",
    "Executive Sponsor",
    "Other",
]
T1, T2 = "2026-06-01T06:00:00.000Z", "2026-06-08T06:00:00.000Z"


def sfid(prefix: str, n: int) -> str:
    return f"{prefix}{n:012d}AAA"


def table(header: list[str], rows: Iterable[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def generate(opportunities: int, *, seed: int, stamp: str, changed: set[int]) -> tuple[bytes, int]:
    """The export zip and its number of data rows."""
    rng = random.Random(seed)
    users = [[sfid("005", u), f"rep{u}@us.example", "false", stamp] for u in range(50)]
    accounts, opps, contacts, roles, tasks, events, relations = [], [], [], [], [], [], []
    for o in range(opportunities):
        account = sfid("001", o // 5)
        if o % 5 == 0:
            accounts.append([account, f"Account {o // 5}", "false", stamp])
        opp = sfid("006", o)
        owner = users[o % 50][0]
        stage = "Negotiation" if o in changed else "Proposal"
        opps.append(
            [
                opp,
                account,
                f"Deal {o}",
                stage,
                f"{(o % 90 + 10) * 1000}.00",
                "2026-09-30",
                "false",
                "false",
                owner,
                "EUR",
                "false",
                stamp,
            ]
        )
        people = [sfid("003", o * CONTACTS + c) for c in range(CONTACTS)]
        for c, person in enumerate(people):
            manager = people[(c - 1) // 3] if c else ""
            contacts.append(
                [
                    person,
                    account,
                    f"First{c}",
                    f"Last{o}-{c}",
                    f"Title {c}",
                    f"p{o}-{c}@acme.example",
                    manager,
                    "false",
                    stamp,
                ]
            )
            if o in changed and c == CONTACTS - 1:
                continue  # this contact role was deleted
            role = ROLES[c % len(ROLES)] if c else "Economic Decision Maker"
            if o in changed and c == 5:
                role = "Champion"
            roles.append(
                [
                    sfid("00K", o * CONTACTS + c),
                    opp,
                    person,
                    role,
                    "true" if c == 0 else "false",
                    "false",
                    stamp,
                ]
            )
        for a in range(ACTIVITIES):
            aid = o * (ACTIVITIES + 1) + a
            who = people[rng.randrange(CONTACTS)]
            if a < 12:
                day = f"2026-{rng.randint(1, 5):02d}-{rng.randint(1, 28):02d}"
                tasks.append(
                    [
                        sfid("00T", aid),
                        who,
                        opp,
                        owner,
                        day,
                        f"{day}T10:00:00.000Z",
                        "Completed",
                        "true",
                        "Call" if a % 2 else "Email",
                        f"Task {a}",
                        "false",
                        stamp,
                    ]
                )
            else:
                future = a >= ACTIVITIES - 2
                day = f"2026-{7 if future else rng.randint(1, 5):02d}-{rng.randint(1, 28):02d}"
                events.append(
                    [
                        sfid("00U", aid),
                        who,
                        opp,
                        owner,
                        f"{day}T14:00:00.000Z",
                        f"Event {a}",
                        "false",
                        stamp,
                    ]
                )
                for extra in rng.sample(people, 2):
                    relations.append(
                        [
                            sfid("0RE", len(relations)),
                            sfid("00U", aid),
                            extra,
                            "false",
                            "true",
                            "false",
                            stamp,
                        ]
                    )
        if o in changed:
            aid = o * (ACTIVITIES + 1) + ACTIVITIES
            events.append(
                [
                    sfid("00U", aid),
                    people[0],
                    opp,
                    owner,
                    "2026-06-05T09:00:00.000Z",
                    "Decision-maker meeting",
                    "false",
                    stamp,
                ]
            )
    files = {
        "User.csv": table(["Id", "Email", "IsDeleted", "SystemModstamp"], users),
        "Account.csv": table(["Id", "Name", "IsDeleted", "SystemModstamp"], accounts),
        "Opportunity.csv": table(
            [
                "Id",
                "AccountId",
                "Name",
                "StageName",
                "Amount",
                "CloseDate",
                "IsClosed",
                "IsWon",
                "OwnerId",
                "CurrencyIsoCode",
                "IsDeleted",
                "SystemModstamp",
            ],
            opps,
        ),
        "Contact.csv": table(
            [
                "Id",
                "AccountId",
                "FirstName",
                "LastName",
                "Title",
                "Email",
                "ReportsToId",
                "IsDeleted",
                "SystemModstamp",
            ],
            contacts,
        ),
        "OpportunityContactRole.csv": table(
            [
                "Id",
                "OpportunityId",
                "ContactId",
                "Role",
                "IsPrimary",
                "IsDeleted",
                "SystemModstamp",
            ],
            roles,
        ),
        "Task.csv": table(
            [
                "Id",
                "WhoId",
                "WhatId",
                "OwnerId",
                "ActivityDate",
                "CompletedDateTime",
                "Status",
                "IsClosed",
                "TaskSubtype",
                "Subject",
                "IsDeleted",
                "SystemModstamp",
            ],
            tasks,
        ),
        "Event.csv": table(
            [
                "Id",
                "WhoId",
                "WhatId",
                "OwnerId",
                "StartDateTime",
                "Subject",
                "IsDeleted",
                "SystemModstamp",
            ],
            events,
        ),
        "EventRelation.csv": table(
            ["Id", "EventId", "RelationId", "IsWhat", "IsInvitee", "IsDeleted", "SystemModstamp"],
            relations,
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    rows = sum(len(x) for x in (users, accounts, opps, contacts, roles, tasks, events, relations))
    return buffer.getvalue(), rows


def measure_batches(data_dir: Path, key: str, *, requests: int) -> dict[str, Any]:
    """Items a second through the batch endpoint of a ``graphsvc serve`` process."""
    env = {
        **os.environ,
        "GRAPHSVC_DATA_DIR": str(data_dir),
        "GRAPHSVC_ENVIRONMENT": "test",
        "GRAPHSVC_RATE_LIMIT_PER_MINUTE": "0",
    }
    env.pop("NEO4J_URI", None)
    port = free_port()
    server = Server(env, port, 1)
    try:
        server.wait_ready()
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        connection.request("PUT", "/v1/accounts/batch-acc", '{"name": "Batch"}', headers)
        created = connection.getresponse()
        created.read()
        assert created.status == 201, created.status
        times: list[float] = []
        for n in range(requests):
            items = [
                {"id": f"b{n}-{i}", "account_id": "batch-acc", "name": f"Person {n}-{i}"}
                for i in range(BATCH_ITEMS)
            ]
            body = json.dumps({"items": items})
            started = time.perf_counter()
            connection.request("POST", "/v1/stakeholders/batch", body, headers)
            response = connection.getresponse()
            answer = json.loads(response.read())
            times.append(time.perf_counter() - started)
            assert response.status == 207 and answer["counts"]["created"] == BATCH_ITEMS, answer
        connection.close()
    finally:
        server.stop()
    return {
        "batch_upsert_rps": round(requests * BATCH_ITEMS / sum(times)),
        "batch_upsert_ms_p50": round(statistics.median(times) * 1000, 1),
        "batch_items_per_request": BATCH_ITEMS,
    }


def cpu_seconds(procs: list[psutil.Process]) -> float:
    """User and system CPU seconds of the processes so far."""
    return sum(p.cpu_times().user + p.cpu_times().system for p in procs)


def stages(run: str) -> Callable[[str], None]:
    """Prints when each stage of an import starts, in seconds since the first."""
    started = time.perf_counter()

    def step(name: str) -> None:
        print(f"  {run}: {name} at {time.perf_counter() - started:.1f} s", flush=True)

    return step


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--opportunities", type=int, default=10_000)
    parser.add_argument("--changed-share", type=float, default=0.01)
    parser.add_argument("--batch-size", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--batch-requests", type=int, default=20)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    changed = set(
        rng.sample(
            range(args.opportunities), max(1, round(args.opportunities * args.changed_share))
        )
    )
    started = time.perf_counter()
    first, rows = generate(args.opportunities, seed=args.seed, stamp=T1, changed=set())
    second, _ = generate(args.opportunities, seed=args.seed, stamp=T2, changed=changed)
    print(
        f"generated {rows:,} rows ({len(first) / 1e6:.0f} MB) and the newer export in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )

    tmp = tempfile.TemporaryDirectory(prefix="graphsvc-sync-bench-")
    data_dir = Path(tmp.name)
    settings = embedded_settings(
        data_dir, store_batch_size=args.batch_size, embedded_idle_seconds=60
    )
    store = GraphStore.open(settings)
    runner = store.runner
    server = getattr(runner, "server", None)
    meter = PeakMemory(server.pid if server is not None else None)
    procs = [psutil.Process()] + ([psutil.Process(server.pid)] if server is not None else [])
    try:
        with meter:
            started, started_cpu = time.perf_counter(), cpu_seconds(procs)
            full = import_export_files(
                store=store,
                workspace="bench",
                files=ExportFiles.from_zip(first),
                step=stages("full"),
            )
            full_s = time.perf_counter() - started
            full_cpu = cpu_seconds(procs) - started_cpu
            print(f"full import {full_s:.1f} s: created {full.total('created'):,}", flush=True)
            started, started_cpu = time.perf_counter(), cpu_seconds(procs)
            delta = import_export_files(
                store=store,
                workspace="bench",
                files=ExportFiles.from_zip(second),
                step=stages("delta"),
            )
            delta_s = time.perf_counter() - started
            delta_cpu = cpu_seconds(procs) - started_cpu
        print(
            f"delta import {delta_s:.1f} s: created {delta.total('created'):,}, updated "
            f"{delta.total('updated'):,}, ended {delta.total('ended'):,}",
            flush=True,
        )
        key, _ = KeyRepository(store.runner).create(workspace="bench", scope="write")
        store.close()
        batch = measure_batches(data_dir, key, requests=args.batch_requests)
        print(f"batch upserts: {batch}", flush=True)
    finally:
        store.close()
        embedded.stop(data_dir)
        tmp.cleanup()
    figures: dict[str, Any] = {
        "opportunities": args.opportunities,
        "export_rows": rows,
        "full_import_s": round(full_s, 2),
        "delta_import_s": round(delta_s, 2),
        "records_per_s": round(rows / full_s),
        "full_import_cpu_s": round(full_cpu, 2),
        "delta_import_cpu_s": round(delta_cpu, 2),
        "load_average_1m": round(psutil.getloadavg()[0], 1),
        "delta_changed_opportunities": len(changed),
        "delta_written": {k: vars(v) for k, v in delta.by_kind.items()},
        "peak_rss_mb": round(meter.peak / 2**20),
        **batch,
    }
    print(json.dumps(figures))
    return figures


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
