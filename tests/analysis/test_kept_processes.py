"""Kept results shared by processes, on both stores: two processes writing and reading
(the API and the alert job) never serve a result older than a write they have seen
acknowledged, and a process killed (SIGKILL) in the middle of a re-analysis leaves each
deal's old or new result with its revision, never a mix. The peer process is
tests/analysis/kept_peer.py, driven over pipes (no sleeps)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graphsvc.analysis.schemas import DealRisk
from graphsvc.analysis.service import AnalysisService
from graphsvc.domain.models import Membership, Role, Stance, from_ms, utcnow
from graphsvc.store.codecs import node_key
from graphsvc.store.repository import GraphStore
from tests.analysis.test_kept_results import _committees, _seed
from tests.helpers import store_env

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


class Peer:
    def __init__(self, store: GraphStore, workspace: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
        # The same store as the test's (the session's local Neo4j too): store_env says so.
        env.update(store_env(store.settings), GRAPHSVC_ENVIRONMENT="test")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.analysis.kept_peer", workspace],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.answer() == "ready"

    def say(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def answer(self) -> str:
        assert self.proc.stdout is not None
        return self.proc.stdout.readline().strip()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=60)


@pytest.fixture
def seeded(store: GraphStore) -> Iterator[tuple[GraphStore, str, Peer]]:
    workspace = _seed(store)
    peer = Peer(store, workspace)
    yield store, workspace, peer
    peer.close()


def _rows(store: GraphStore, workspace: str) -> dict[str, dict[str, Any]]:
    """Each open deal's kept result as stored (status and body)."""
    rows = {row["id"]: row for row in store.runner.read("deal_result_status", {"ws": workspace})}
    keys = [node_key(workspace, deal_id) for deal_id in rows]
    bodies = {
        row["key"]: row["body"] for row in store.runner.read("deal_result_bodies", {"keys": keys})
    }
    return {
        deal_id: {**row, "body": bodies.get(node_key(workspace, deal_id))}
        for deal_id, row in rows.items()
    }


def _fresh(service: AnalysisService, workspace: str, deal: str) -> tuple[DealRisk, DealRisk]:
    instant = utcnow()
    kept = {r.deal_id: r for r in service.kept.risks(workspace=workspace, at=instant)}
    fresh = {r.deal_id: r for r in service.scan(workspace=workspace, as_of=instant)}
    return kept[deal], fresh[deal]


def test_two_processes_never_serve_a_result_older_than_an_acknowledged_write(
    seeded: tuple[GraphStore, str, Peer],
) -> None:
    store, workspace, peer = seeded
    service = AnalysisService(store=store, settings=store.settings)
    committees = _committees(store, workspace)
    open_ids = sorted(r.deal_id for r in service.kept.risks(workspace=workspace))
    stances = [Stance.champion, Stance.blocker, Stance.supporter, Stance.skeptic]
    for i, deal in enumerate(open_ids[:6]):
        person = committees[deal][i % len(committees[deal])]
        # The peer writes; once acknowledged, this process's next read shows it.
        peer.say(f"write {deal} {person} {stances[i % 4].value}")
        assert peer.answer() == "ack"
        kept, fresh = _fresh(service, workspace, deal)
        assert kept.model_dump() == fresh.model_dump()
        # This process writes (and keeps results); the peer's next read shows it.
        store.record_memberships(
            workspace=workspace,
            memberships=[
                Membership(
                    deal_id=deal,
                    stakeholder_id=person,
                    role=Role.economic_buyer,
                    stance=stances[(i + 1) % 4],
                )
            ],
        )
        service.kept.risks(workspace=workspace)
        peer.say(f"check {deal}")
        assert peer.answer() == "ok"


def test_a_kill_in_the_middle_of_a_re_analysis_leaves_old_or_new_never_a_mix(
    seeded: tuple[GraphStore, str, Peer],
) -> None:
    store, workspace, peer = seeded
    service = AnalysisService(store=store, settings=store.settings)
    service.kept.rebuild(workspace=workspace)
    old = _rows(store, workspace)
    committees = _committees(store, workspace)
    # One write changes every open deal (the leader of each becomes a blocker).
    store.record_memberships(
        workspace=workspace,
        memberships=[
            Membership(
                deal_id=deal,
                stakeholder_id=committees[deal][0],
                role=Role.economic_buyer,
                stance=Stance.blocker,
            )
            for deal in old
        ],
    )
    peer.say("rebuild")
    assert peer.answer() == "batch"  # two deals re-analysed and kept, the rest not yet
    peer.proc.kill()
    peer.proc.wait(timeout=60)

    rows = list(_rows(store, workspace).values())
    new = [row for row in rows if row["rev"] != old[row["id"]]["rev"]]
    assert len(new) == 2
    for row in rows:
        if row["rev"] == old[row["id"]]["rev"]:
            kept_part = {k: v for k, v in row.items() if k != "arev"}  # arev: the write
            assert kept_part == {k: v for k, v in old[row["id"]].items() if k != "arev"}
            assert row["arev"] > row["rev"]  # and so known stale
            continue
        # A new result: the analysis as of the instant it names, computed after the write.
        at = from_ms(int(row["at"]))
        [fresh] = [r for r in service.scan(workspace=workspace, as_of=at) if r.deal_id == row["id"]]
        assert DealRisk.model_validate_json(row["body"]).model_dump() == fresh.model_dump()
    # Readers re-analyse what the killed process left stale.
    instant = utcnow()
    kept = service.kept.risks(workspace=workspace, at=instant)
    assert [r.model_dump() for r in kept] == [
        r.model_dump() for r in service.scan(workspace=workspace, as_of=instant)
    ]
