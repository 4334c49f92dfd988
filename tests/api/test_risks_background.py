"""``GET /v1/risks`` never scans the workspace on the request path (issue 15): with few
stale deals it re-analyses them at once; with more than ``analysis_inline_max`` it
answers with what is fresh (``complete: false``) and a background rebuild, one process
at a time per workspace (a lease in the store), brings the rest, its progress visible at
``GET /v1/analysis/rebuild``. Both stores."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from graphsvc.analysis.service import AnalysisService
from graphsvc.domain.models import Membership, Role, Stance
from graphsvc.store.repository import GraphStore
from graphsvc.synth import generate_portfolio
from tests.api.conftest import Api

NOW = datetime(2026, 10, 1, tzinfo=UTC)


def _seed(store: GraphStore, n_deals: int = 12) -> str:
    workspace = f"ws-{uuid.uuid4().hex[:16]}"
    for bundle in generate_portfolio(
        n_deals, seed=20261128, now=NOW, stakeholders_per_deal=5, chunk_deals=n_deals
    ):
        store.import_bundle(workspace=workspace, bundle=bundle)
    return workspace


def _flagged(analysis: AnalysisService, workspace: str) -> list[str]:
    return sorted(r.deal_id for r in analysis.scan(workspace=workspace) if r.flags)


def test_a_first_read_answers_what_is_fresh_and_the_rest_comes_from_the_background(
    api_factory: Callable[..., Api], store: GraphStore
) -> None:
    workspace = _seed(store)
    api = api_factory(analysis_inline_max=3)
    analysis = api.app.state.services.analysis
    open_deals = len(analysis.scan(workspace=workspace))
    with api.client(api.key(workspace)) as client:
        first = client.get("/v1/risks", params={"limit": 500})
        assert first.status_code == 200
        body = first.json()
        # Nothing was kept: 3 deals analysed while the request waited, the rest pending.
        assert body["complete"] is False
        assert body["open_deals"] == open_deals
        assert body["pending_deals"] == open_deals - 3
        assert len(body["items"]) <= 3
        assert body["rebuild"] is not None
        assert analysis.kept.wait_background(workspace=workspace, timeout=300)
        status = client.get("/v1/analysis/rebuild").json()
        assert status["running"] is False
        assert status["done"] == status["total"] == open_deals - 3
        assert status["finished_at"] is not None
        done = client.get("/v1/risks", params={"limit": 500}).json()
        assert done["complete"] is True and done["pending_deals"] == 0
        assert done["rebuild"] is None
        assert sorted(i["deal_id"] for i in done["items"]) == _flagged(analysis, workspace)


def test_a_write_is_read_back_at_once_and_a_mass_write_does_not_slow_the_read(
    api_factory: Callable[..., Api], store: GraphStore
) -> None:
    workspace = _seed(store)
    api = api_factory(analysis_inline_max=2)
    analysis = api.app.state.services.analysis
    analysis.kept.rebuild(workspace=workspace)
    deals = sorted(r.deal_id for r in analysis.scan(workspace=workspace))
    committees = {
        h.deal.id: sorted(h.stakeholders)
        for h in store.deal_histories(workspace=workspace, deal_ids=deals)
    }
    with api.client(api.key(workspace)) as client:
        assert client.get("/v1/risks").json()["complete"] is True
        # Many deals written at once (an import): only the cap is analysed in the read,
        # the most recently written first; the others stay pending until the background.
        store.record_memberships(
            workspace=workspace,
            memberships=[
                Membership(
                    deal_id=deal_id,
                    stakeholder_id=committees[deal_id][0],
                    role=Role.economic_buyer,
                    stance=Stance.blocker,
                )
                for deal_id in deals[:6]
            ],
        )
        # A later single write: the caller's own write is among those read back.
        last = deals[-1]
        answer = client.put(
            f"/v1/deals/{last}/committee/{committees[last][0]}",
            json={"role": "Economic Buyer", "stance": "blocker"},
        )
        assert answer.status_code in (200, 201)
        body = client.get("/v1/risks", params={"limit": 500}).json()
        assert body["complete"] is False and body["pending_deals"] == 7 - 2
        listed = {i["deal_id"] for i in body["items"]}
        assert last in listed  # a blocker economic buyer is a flag
        assert analysis.kept.wait_background(workspace=workspace, timeout=300)
        done = client.get("/v1/risks", params={"limit": 500}).json()
        assert done["complete"] is True
        assert sorted(i["deal_id"] for i in done["items"]) == _flagged(analysis, workspace)


def test_one_rebuild_at_a_time_across_processes(store: GraphStore) -> None:
    workspace = _seed(store, n_deals=6)
    # Two "processes": two analysis services over the same store, each its own claimant.
    first = AnalysisService(store=store)
    second = AnalysisService(store=store)
    with first.kept.lease.held(workspace=workspace) as held:
        assert held is not None
        assert second.kept.rebuild_stale(workspace=workspace) is None  # refused
        assert second.kept.lease.status(workspace=workspace).running
    # Released: the other may run it, and all of it is kept.
    report = second.kept.rebuild_stale(workspace=workspace)
    assert report is not None and report.refreshed == report.open_deals > 0
    assert not first.kept.view(workspace=workspace, inline_max=0).pending
    # A holder that stopped renewing (its process died) is taken over once its lease ran
    # out: here a lease that runs out as it is taken.
    from graphsvc.analysis.rebuild import RebuildLease

    dead = RebuildLease(runner=store.runner, lease_seconds=-1)
    with dead.held(workspace=workspace) as held:
        assert held is not None
        assert not dead.status(workspace=workspace).running
        assert second.kept.rebuild_stale(workspace=workspace, force=True) is not None
        assert not held.publish(done=1, total=1)  # the dead holder lost it
