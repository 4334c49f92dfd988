"""Fleet scan == per-deal analysis on a seeded 200-deal portfolio in the real store."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from graphsvc.analysis.service import AnalysisService
from graphsvc.analysis.support import support_history
from graphsvc.domain.models import to_ms
from graphsvc.store.repository import GraphStore
from graphsvc.synth import generate_portfolio

NOW = datetime(2026, 10, 1, tzinfo=UTC)


@pytest.mark.slow
def test_fleet_scan_equals_per_deal_path_on_200_deals(store: GraphStore, workspace: str) -> None:
    for bundle in generate_portfolio(200, seed=20261001, now=NOW):
        store.import_bundle(workspace=workspace, bundle=bundle)
    service = AnalysisService(store=store, settings=store.settings)

    fleet = service.scan(workspace=workspace, as_of=NOW)
    assert len(fleet) > 100  # the open deals of the portfolio
    flagged = 0
    for result in fleet:
        single = service.analyze(workspace=workspace, deal_id=result.deal_id, as_of=NOW)
        assert [r.stakeholder_id for r in result.ranking] == [
            r.stakeholder_id for r in single.ranking
        ]
        for x, y in zip(result.ranking, single.ranking, strict=True):
            assert abs(x.score - y.score) <= 1e-9
        assert result.flags == single.flags
        assert result.top_decision_maker == single.top_decision_maker
        assert abs(result.support.share - single.support.share) <= 1e-9
        assert result.support.trend == single.support.trend
        flagged += bool(result.flags)
    assert flagged > 0

    # The e-mail batch (history + next best contact) against the per-deal verbs, on a sample.
    details = list(service.scan_details(workspace=workspace, as_of=NOW, history_weeks=12))
    assert [d.analysis.deal_id for d in details] == [a.deal_id for a in fleet]
    for item in details[:15]:
        deal_id = item.analysis.deal_id
        history = store.deal_history(workspace=workspace, deal_id=deal_id, as_of=NOW)
        expected = support_history(history, params=service.params)[-13:]
        assert [p.at for p in item.support_history] == [p.at for p in expected]
        for got, want in zip(item.support_history, expected, strict=True):
            assert abs(got.share - want.share) <= 1e-9 and got.allies == want.allies
        best = service.next_best_contacts(workspace=workspace, deal_id=deal_id, as_of=NOW, limit=1)
        assert [c.stakeholder_id for c in item.next_best_contacts] == [
            c.stakeholder_id for c in best
        ]
        assert item.analysis.as_of == NOW and to_ms(item.analysis.as_of) == history.as_of
