"""The full analysis of a deal (with the whole ranking) is kept in the store on demand:
an API instance that never computed it answers ``GET /v1/deals/{id}/analysis`` from the
kept one without reading the deal's facts, and a write makes it compute and keep a
fresh one (issue 15 item 1). Two app instances on one store stand for two processes.
Both stores."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from tests.api.conftest import Api
from tests.api.test_risks_background import _seed


def _history_reads(app: FastAPI) -> float:
    """Store reads of deal facts this app made (any query of the history family)."""
    total = 0.0
    for metric in app.state.metrics.registry.collect():
        for sample in metric.samples:
            if sample.name == "graphsvc_store_query_duration_seconds_count" and sample.labels[
                "query"
            ].startswith("deal_history"):
                total += sample.value
    return total


def _without_instant(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "as_of"}


def test_full_analysis_is_kept_and_shared_by_every_instance(
    api_factory: Callable[..., Api], store: Any
) -> None:
    workspace = _seed(store, n_deals=3)
    first = api_factory()
    deal_id = first.app.state.services.analysis.kept.risks(workspace=workspace)[0].deal_id
    with first.client(first.key(workspace)) as client:
        computed = client.get(f"/v1/deals/{deal_id}/analysis")
        assert computed.status_code == 200
    # Another instance (its hooks now count the store's queries): the kept body, no facts
    # read, the same answer for its own instant.
    second = api_factory()
    with second.client(second.key(workspace)) as client:
        before = _history_reads(second.app)
        kept = client.get(f"/v1/deals/{deal_id}/analysis")
        assert kept.status_code == 200
        assert _history_reads(second.app) == before
        assert _without_instant(kept.json()) == _without_instant(computed.json())
        assert kept.json()["ranking"]
        # A write: the next answer is computed (facts read) and reflects it.
        person = kept.json()["ranking"][-1]["stakeholder_id"]
        assert client.put(
            f"/v1/deals/{deal_id}/committee/{person}",
            json={"role": "Economic Buyer", "stance": "blocker"},
        ).status_code in (200, 201)
        after = client.get(f"/v1/deals/{deal_id}/analysis").json()
        assert _history_reads(second.app) > before
        seat = next(r for r in after["ranking"] if r["stakeholder_id"] == person)
        assert seat["stance"] == "blocker"
        # Unknown deals are still 404, naming the workspace.
        missing = client.get("/v1/deals/no-such-deal/analysis")
        assert missing.status_code == 404 and workspace in missing.text
