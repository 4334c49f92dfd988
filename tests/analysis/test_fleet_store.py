"""Fleet scan == per-deal analysis on a seeded 200-deal portfolio in the real store:
the scan's risks and key people, and the fleet's full rankings, against ``analyze``."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from graphsvc.analysis.deal import analyze_history
from graphsvc.analysis.fleet import analyze_fleet, trend_pairs
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
    # The full rankings too, on the same batched read and vectorised scoring.
    histories = [h for batch in store.open_deal_histories(workspace=workspace, as_of=NOW)
                 for h in batch]
    full = analyze_fleet(*trend_pairs(histories, params=service.params), params=service.params)
    assert [a.deal_id for a in full] == [r.deal_id for r in fleet]
    flagged = 0
    for result, analysis in zip(fleet, full, strict=True):
        # The reference: the per-deal networkx path on the deal's own store read.
        single = analyze_history(
            store.deal_history(workspace=workspace, deal_id=result.deal_id, as_of=NOW),
            params=service.params)
        served = service.analyze(workspace=workspace, deal_id=result.deal_id, as_of=NOW)
        assert served.flags == single.flags
        for x, y in zip(served.ranking, single.ranking, strict=True):
            assert x.stakeholder_id == y.stakeholder_id and abs(x.score - y.score) <= 1e-9
        assert [r.stakeholder_id for r in analysis.ranking] == [
            r.stakeholder_id for r in single.ranking
        ]
        for x, y in zip(analysis.ranking, single.ranking, strict=True):
            assert abs(x.score - y.score) <= 1e-9
            assert x.model_dump(exclude={"score", "components"}) == y.model_dump(
                exclude={"score", "components"})
        assert [p.stakeholder_id for p in result.key_people] == [
            r.stakeholder_id for r in single.ranking[: service.params.key_people]
        ]
        for x, y in zip(result.key_people, single.key_people, strict=True):
            assert abs(x.score - y.score) <= 1e-9
        for candidate in (result, analysis):
            assert candidate.flags == single.flags
            assert candidate.top_decision_maker == single.top_decision_maker
            assert abs(candidate.support.share - single.support.share) <= 1e-9
            assert candidate.support.trend == single.support.trend
            assert candidate.support.movers == single.support.movers or all(
                abs(a.delta - b.delta) <= 1e-9
                for a, b in zip(candidate.support.movers, single.support.movers, strict=True))
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
