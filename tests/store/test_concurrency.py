"""Eight concurrent writers changing stances on one deal lose no change.

Writers share one stakeholder (each at its own instants, so their writes interleave in
time but arrive in any order) and each also has a stakeholder of its own (written
"now", so only arrival order and ``seq`` decide). Afterwards the deal's history must
reproduce every change: at each written instant the member has the written stance.
"""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from graphsvc.domain.models import (
    Account,
    Deal,
    Membership,
    Role,
    Stakeholder,
    Stance,
    to_ms,
)
from graphsvc.store.repository import GraphStore

WRITERS = 8
CHANGES = 12
STANCES = [Stance.supporter, Stance.skeptic, Stance.neutral, Stance.champion, Stance.blocker]
BASE = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
SHARED = "sh-shared"


def shared_change(writer: int, k: int) -> Membership:
    # Instant slots interleave the writers; the stance only depends on the slot, and
    # repeats every five slots, so a state can equal an earlier (not the previous) one.
    slot = k * WRITERS + writer
    return Membership(
        deal_id="deal-1",
        stakeholder_id=SHARED,
        role=Role.decision_maker,
        stance=STANCES[(slot * 3) % len(STANCES)],
        at=BASE + timedelta(minutes=slot + 1),
    )


def own_change(writer: int, k: int) -> Membership:
    return Membership(
        deal_id="deal-1",
        stakeholder_id=f"sh-writer-{writer}",
        role=Role.influencer,
        stance=STANCES[k % len(STANCES)],
        self_weight=round((writer * 100 + k) / 10_000, 4),
    )


def seed_deal(store: GraphStore, ws: str) -> None:
    store.upsert_accounts(workspace=ws, accounts=[Account(id="acc-1", name="Acme")])
    store.upsert_deals(
        workspace=ws,
        deals=[Deal(id="deal-1", account_id="acc-1", name="Platform", owner_email="o@v.example")],
    )
    people = [Stakeholder(id=SHARED, account_id="acc-1", name="Shared Person")]
    people += [
        Stakeholder(id=f"sh-writer-{w}", account_id="acc-1", name=f"Writer {w}")
        for w in range(WRITERS)
    ]
    store.upsert_stakeholders(workspace=ws, stakeholders=people)
    store.record_memberships(
        workspace=ws,
        memberships=[
            Membership(
                deal_id="deal-1",
                stakeholder_id=SHARED,
                role=Role.decision_maker,
                stance=Stance.neutral,
                at=BASE,
            )
        ],
    )


def writer_job(store: GraphStore, ws: str, writer: int) -> None:
    # Newest first for odd writers: arrivals are out of time order on purpose.
    order = range(CHANGES - 1, -1, -1) if writer % 2 else range(CHANGES)
    for k in order:
        store.record_memberships(workspace=ws, memberships=[shared_change(writer, k)])
        store.record_memberships(workspace=ws, memberships=[own_change(writer, k)])


def check_history(store: GraphStore, ws: str) -> None:
    history = store.deal_history(
        workspace=ws, deal_id="deal-1", as_of=datetime.now(UTC) + timedelta(days=1)
    )
    for writer in range(WRITERS):
        for k in range(CHANGES):
            change = shared_change(writer, k)
            assert change.at is not None
            member = history.snapshot(to_ms(change.at)).member(SHARED)
            assert member is not None
            assert member.stance == change.stance, (writer, k, change.at)

        own = [f for f in history.membership_facts if f.stakeholder_id == f"sh-writer-{writer}"]
        written = {
            (c.stance, c.self_weight) for c in (own_change(writer, k) for k in range(CHANGES))
        }
        assert {(f.stance, f.self_weight) for f in own} == written
        assert len(own) == CHANGES  # every change a fact of its own, none merged
        # the writer's last write is the state now (seq breaks same-millisecond ties)
        latest = max(own, key=lambda f: (f.at, f.seq))
        last = own_change(writer, 0 if writer % 2 else CHANGES - 1)
        assert (latest.stance, latest.self_weight) == (last.stance, last.self_weight)


def test_eight_threads_changing_stances_lose_nothing(store: GraphStore, workspace: str) -> None:
    seed_deal(store, workspace)
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        for future in [pool.submit(writer_job, store, workspace, w) for w in range(WRITERS)]:
            future.result()
    check_history(store, workspace)


PROCESS_WRITER = """
import json, sys
from graphsvc.store.repository import GraphStore
from tests.conftest import make_settings
from tests.store.test_concurrency import writer_job
data_dir, ws, writer, overrides = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
store = GraphStore.open(make_settings(data_dir, **json.loads(overrides)))
try:
    writer_job(store, ws, writer)
finally:
    store.close()
"""


def test_eight_processes_changing_stances_lose_nothing(store: GraphStore, workspace: str) -> None:
    """Each process has its own connection: the embedded server's clients, or eight
    Neo4j drivers whose transactions conflict on the shared member's nodes."""
    seed_deal(store, workspace)
    root = Path(__file__).resolve().parents[2]
    settings = store.settings
    overrides = {}
    if settings.neo4j_uri:
        overrides = {
            "neo4j_uri": settings.neo4j_uri,
            "neo4j_user": settings.neo4j_user,
            "neo4j_password": settings.neo4j_password.get_secret_value(),
            "neo4j_database": settings.neo4j_database,
        }
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                PROCESS_WRITER,
                str(settings.data_dir),
                workspace,
                str(w),
                json.dumps(overrides),
            ],
            cwd=root,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(WRITERS)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    check_history(store, workspace)


def test_out_of_order_arrivals_keep_every_change(store: GraphStore, workspace: str) -> None:
    """What concurrent writers do to each other, made deterministic: a change that
    repeats an *earlier* state arrives before the change that precedes it in time."""
    seed_deal(store, workspace)  # neutral from BASE
    t = [BASE + timedelta(minutes=m) for m in (1, 2)]

    def change(stance: Stance, at: datetime) -> None:
        store.record_memberships(
            workspace=workspace,
            memberships=[
                Membership(
                    deal_id="deal-1",
                    stakeholder_id=SHARED,
                    role=Role.decision_maker,
                    stance=stance,
                    at=at,
                )
            ],
        )

    change(Stance.neutral, t[1])  # writer B: back to neutral at t2 (same as the state then)
    change(Stance.blocker, t[0])  # writer A: blocker at t1, arriving later
    history = store.deal_history(workspace=workspace, deal_id="deal-1", as_of=t[1])
    stances = [history.snapshot(to_ms(at)).member(SHARED) for at in t]
    assert [m.stance if m else None for m in stances] == [Stance.blocker, Stance.neutral]
