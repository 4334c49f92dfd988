"""A batch write that returned is durable: SIGKILL the server right after, restart, and
every record is there (``appendfsync always``: Redis fsyncs before it replies)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
import pytest

from graphsvc.domain.models import Membership, Stance, to_ms
from graphsvc.store import embedded
from graphsvc.store.repository import GraphStore
from graphsvc.store.runners import FalkorRunner
from graphsvc.synth import generate_portfolio
from tests.conftest import make_settings

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def own_store(tmp_path: Path) -> Iterator[tuple[GraphStore, Path]]:
    """A store on its own server: this test kills it."""
    data_dir = tmp_path / "durable"
    store = GraphStore.open(make_settings(data_dir, store_batch_size=500))
    yield store, data_dir
    store.close()
    embedded.stop(data_dir)


def kill_server(store: GraphStore) -> int:
    runner = store.runner
    assert isinstance(runner, FalkorRunner) and runner.server is not None
    proc = psutil.Process(runner.server.pid)
    proc.kill()  # SIGKILL: no chance to flush anything
    proc.wait(timeout=10)
    return proc.pid


def test_records_survive_sigkill_right_after_the_write_returns(
    own_store: tuple[GraphStore, Path],
) -> None:
    store, data_dir = own_store
    ws = "durable"
    [bundle] = generate_portfolio(6, seed=11, now=NOW, stakeholders_per_deal=12, chunk_deals=10)
    store.import_bundle(workspace=ws, bundle=bundle)
    # The last write is followed by nothing but the kill: no read, no other command.
    final = [
        Membership(
            deal_id=d.id,
            stakeholder_id=m.stakeholder_id,
            role=m.role,
            stance=Stance.blocker,
            influence_rating=5,
            self_weight=0.123,
            at=NOW + timedelta(minutes=i),
        )
        for i, (d, m) in enumerate(
            (d, next(m for m in bundle.memberships if m.deal_id == d.id)) for d in bundle.deals
        )
    ]
    store.record_memberships(workspace=ws, memberships=final)
    killed = kill_server(store)
    store.close()

    reopened = GraphStore.open(make_settings(data_dir))  # finds the stale pid, restarts
    try:
        runner = reopened.runner
        assert isinstance(runner, FalkorRunner) and runner.server is not None
        assert runner.server.pid != killed

        for account in bundle.accounts:
            assert reopened.get_account(workspace=ws, account_id=account.id) == account
        for deal in bundle.deals:
            assert reopened.get_deal(workspace=ws, deal_id=deal.id) == deal
        for person in bundle.stakeholders:
            assert reopened.get_stakeholder(workspace=ws, stakeholder_id=person.id) == person

        as_of = NOW + timedelta(days=1)
        for deal in bundle.deals:
            history = reopened.deal_history(workspace=ws, deal_id=deal.id, as_of=as_of)
            recorded = {(f.stakeholder_id, f.at) for f in history.membership_facts}
            # every membership fact of the import that changed the state is there
            timeline = sorted(
                (m for m in bundle.memberships if m.deal_id == deal.id),
                key=lambda m: to_ms(m.at or NOW),
            )
            for fact in timeline:
                snap = history.snapshot(to_ms(fact.at or NOW))
                member = snap.member(fact.stakeholder_id)
                ended = any(
                    e.deal_id == deal.id
                    and e.stakeholder_id == fact.stakeholder_id
                    and e.at is not None
                    and fact.at is not None
                    and e.at <= fact.at
                    for e in bundle.membership_ends
                )
                if not ended:
                    assert member is not None and member.stance == fact.stance, fact
            ids = {i.id for i in history.interactions}
            assert ids == {i.id for i in bundle.interactions if i.deal_id == deal.id}
            # and the very last batch, written just before the kill
            last = next(m for m in final if m.deal_id == deal.id)
            assert (last.stakeholder_id, to_ms(last.at or NOW)) in recorded
            member = history.snapshot().member(last.stakeholder_id)
            assert member is not None
            assert (member.stance, member.self_weight) == (Stance.blocker, 0.123)

        lines = {
            (f.source_id, f.target_id)
            for h in reopened.deal_histories(
                workspace=ws, deal_ids=[d.id for d in bundle.deals], as_of=as_of
            )
            for f in h.influence_facts
        }
        assert lines  # influence facts among committee members came back too
    finally:
        reopened.close()


def test_index_definitions_live_in_the_log_base(tmp_path: Path) -> None:
    """FalkorDB leaves indexes created during an AOF replay unpopulated until the replay
    ends, so the schema must come from the RDB base, never from the replayed tail."""
    data_dir = tmp_path / "fresh"
    store = GraphStore.open(make_settings(data_dir))
    try:
        [bundle] = generate_portfolio(2, seed=1, now=NOW, stakeholders_per_deal=5)
        store.import_bundle(workspace="w", bundle=bundle)
        aof = data_dir / "appendonlydir"
        manifest = (aof / "appendonly.aof.manifest").read_text()
        incr = [line.split()[1] for line in manifest.splitlines() if "type i" in line]
        base = [line.split()[1] for line in manifest.splitlines() if "type b" in line]
        assert base and base[0].endswith(".rdb")
        tail = b"".join((aof / name).read_bytes() for name in incr)
        assert b"GRAPH.QUERY" in tail or b"GRAPH.EFFECT" in tail  # the data is in the tail
        assert b"CREATE INDEX" not in tail and b"GRAPH.CONSTRAINT" not in tail
    finally:
        store.close()
        embedded.stop(data_dir)
