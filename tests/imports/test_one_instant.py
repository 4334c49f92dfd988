"""Issue 12 defect: every fact of one import takes one instant.

Before the fix each kind of fact (memberships, influence lines, reporting lines) was
stamped with its own "now", a few milliseconds apart, so a deal imported a moment ago
already showed a support trend ("moved by ...") between those instants.
"""

from __future__ import annotations

from graphsvc.analysis.schemas import Trend
from graphsvc.analysis.service import AnalysisService
from graphsvc.config import Settings
from graphsvc.imports.service import import_json
from graphsvc.store.repository import GraphStore

BUNDLE = {
    "accounts": [{"id": "001A", "name": "Acme"}],
    "deals": [
        {"id": "006A", "account_id": "001A", "name": "Renewal", "owner_email": "owner@us.example"}
    ],
    "stakeholders": [
        {"id": f"003{c}", "account_id": "001A", "name": f"Person {c}"} for c in "ABCDEFGH"
    ],
    # Many rows of each kind, so the writes take measurable time between kinds.
    "memberships": [
        {
            "deal_id": "006A",
            "stakeholder_id": f"003{c}",
            "role": "Decision Maker" if c == "A" else "Influencer",
            "stance": "supporter" if c in "BCD" else "skeptic",
        }
        for c in "ABCDEFGH"
    ],
    "influences": [
        {"source_id": f"003{s}", "target_id": f"003{t}", "strength": 0.9}
        for s in "BCD"
        for t in "AEFGH"
    ],
    "reporting_lines": [{"stakeholder_id": f"003{c}", "manager_id": "003A"} for c in "BCDE"],
}


def test_all_facts_of_one_import_share_one_instant(
    store: GraphStore, workspace: str, settings: Settings
) -> None:
    import_json(store=store, workspace=workspace, data=BUNDLE)
    history = store.deal_history(workspace=workspace, deal_id="006A")
    instants = {f.at for f in history.membership_facts}
    instants |= {f.at for f in history.influence_facts}
    instants |= {f.at for f in history.reporting_facts}
    assert len(instants) == 1, sorted(instants)

    analysis = AnalysisService(store=store, settings=settings).analyze(
        workspace=workspace, deal_id="006A"
    )
    assert analysis.support.trend is Trend.stable
    assert analysis.support.trend_delta == 0.0
    assert analysis.support.movers == []
