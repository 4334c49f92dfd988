"""The influence network's default positions are the same in every process, on both
stores: two deal-room services (what two API processes hold) on one store, one of
which saw the deal before a person was added, draw it the same way; dragged positions
kept in the store win in both."""

from __future__ import annotations

from graphsvc.analysis.service import AnalysisService
from graphsvc.config import Settings
from graphsvc.store.repository import GraphStore
from graphsvc.web.deal_room import DealRoomService
from graphsvc.web.deal_shape import network_positions
from graphsvc.web.repository import WebRepository
from tests.web.conftest import apply_edit, seed_bundle


def _service(store: GraphStore, settings: Settings) -> DealRoomService:
    return DealRoomService(
        store=store,
        analysis=AnalysisService(store=store, settings=settings),
        repository=WebRepository(store.runner),
    )


def test_two_processes_place_a_new_person_alike(
    store: GraphStore, settings: Settings, workspace: str
) -> None:
    bundle, deal_id, _ = seed_bundle("owner@example.com", workspace[-6:])
    store.import_bundle(workspace=workspace, bundle=bundle)
    first, second = _service(store, settings), _service(store, settings)
    seen_before = first.get(workspace=workspace, deal_id=deal_id).frame["positions"]
    assert len(seen_before) >= 3

    apply_edit(
        second,
        workspace=workspace,
        deal_id=deal_id,
        actor="ed@example.com",
        action="add_person",
        name="Eve",
        role="Influencer",
    )
    by_first = first.get(workspace=workspace, deal_id=deal_id).frame["positions"]
    by_second = second.get(workspace=workspace, deal_id=deal_id).frame["positions"]
    by_new = _service(store, settings).get(workspace=workspace, deal_id=deal_id).frame
    assert len(by_first) == len(seen_before) + 1
    assert by_first == by_second == by_new["positions"]
    # The same map given in another order is laid out the same.
    shuffled = {"nodes": by_new["nodes"][::-1], "edges": by_new["edges"][::-1]}
    assert network_positions(shuffled, {}) == by_new["positions"]

    # A person dragged (kept in the store) stays where they were put, in both.
    moved = next(iter(by_first))
    first.repository.save_layout(
        workspace=workspace,
        deal_id=deal_id,
        layout=None,
        positions={"network": {moved: [123, -45]}},
        now=1,
        by="ed@example.com",
    )
    after_first = first.get(workspace=workspace, deal_id=deal_id).frame["positions"]
    after_second = second.get(workspace=workspace, deal_id=deal_id).frame["positions"]
    assert after_first == after_second and after_first[moved] == (123.0, -45.0)
