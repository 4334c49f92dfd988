"""Undoing a logged interaction withdraws it (dated and signed) instead of erasing it,
on both stores: as of any instant before the withdrawal it still counts (analysis, map
replay, the API's list as of then), after it it is gone, and the kept results equal a
fresh scan."""

from __future__ import annotations

from datetime import UTC, datetime

from graphsvc.analysis.service import AnalysisService
from graphsvc.config import Settings
from graphsvc.domain.models import from_ms
from graphsvc.store.repository import GraphStore, node_key
from graphsvc.web.deal_room import DealRoomService
from graphsvc.web.repository import WebRepository
from tests.web.conftest import apply_edit, seed_bundle

FLAG = "DM_NEVER_CONTACTED"


def test_undo_withdraws_an_interaction_and_history_keeps_it(
    store: GraphStore, settings: Settings, workspace: str
) -> None:
    bundle, _, deal_id = seed_bundle("owner@example.com", workspace[-6:])
    store.import_bundle(workspace=workspace, bundle=bundle)
    analysis = AnalysisService(store=store, settings=settings)
    deals = DealRoomService(store=store, analysis=analysis, repository=WebRepository(store.runner))

    def apply(**fields: object) -> None:
        apply_edit(deals, workspace=workspace, deal_id=deal_id, actor="ed@example.com", **fields)

    def flags(as_of: datetime | None = None) -> set[str]:
        state = deals.get(workspace=workspace, deal_id=deal_id, as_of=as_of)
        return {f.code.value for f in state.analysis.flags}

    apply(action="add_person", name="Dora", role="Decision Maker", stance="neutral")
    [dora] = store.snapshot(workspace=workspace, deal_id=deal_id).members
    assert FLAG in flags()
    today = datetime.now(UTC).date().isoformat()
    apply(action="log_interaction", on=today, channel="meeting", stakeholder_ids=[dora.id])
    assert FLAG not in flags()
    apply(action="undo")

    [row] = store.runner.execute(
        "MATCH (i:Interaction {deal_key: $deal}) "
        "RETURN i.id AS id, i.withdrawn_at AS at, i.withdrawn_by AS by",
        {"deal": node_key(workspace, deal_id)},
        read_only=True,
    )
    assert row["by"] == "ed@example.com" and row["at"] is not None
    before = from_ms(int(row["at"]) - 1)

    # As of just before the withdrawal the meeting counts: in the replay, the analysis
    # and the interactions of the deal as of then.
    assert FLAG not in flags(before)
    then = deals.get(workspace=workspace, deal_id=deal_id, as_of=before)
    assert [i.id for i in then.snapshot.interactions] == [row["id"]]
    assert FLAG not in {
        f.code.value
        for f in analysis.analyze(workspace=workspace, deal_id=deal_id, as_of=before).flags
    }
    listed = store.interactions.page_of_deal(workspace=workspace, deal_id=deal_id, as_of=before)
    assert [i.id for i in listed.items] == [row["id"]]

    # Now it is gone: the flag is back, nothing is listed, and the kept results (the
    # portfolio's and the API's rows) equal a fresh scan.
    assert FLAG in flags()
    assert store.interactions.page_of_deal(workspace=workspace, deal_id=deal_id).items == []
    assert store.interactions.of_deal(workspace=workspace, deal_id=deal_id) == []
    view = analysis.kept.view(workspace=workspace, inline_max=1000)
    scanned = {
        r.deal_id: [f.code.value for f in r.flags] for r in analysis.scan(workspace=workspace)
    }
    assert {r.deal_id: [f["code"] for f in r.flags] for r in view.rows} == scanned
    assert FLAG in scanned[deal_id]
    # The change log keeps the meeting and its undo.
    actions = [
        (c.action, c.undone_by) for c in deals.get(workspace=workspace, deal_id=deal_id).changes
    ]
    assert actions[:2] == [("undo", None), ("log_interaction", "ed@example.com")]
