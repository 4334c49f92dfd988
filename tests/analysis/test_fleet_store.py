"""The engine == the networkx reference on a seeded 200-deal portfolio in the real store:
the scan's risks and key people, the fleet's full rankings and the served analysis,
against the per-deal networkx reference."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from graphsvc.analysis._reference import analyze_history, support_history
from graphsvc.analysis.engine import analyze
from graphsvc.analysis.service import AnalysisService
from graphsvc.domain.models import to_ms
from graphsvc.store.repository import GraphStore
from graphsvc.synth import generate_portfolio
from tests.analysis.agreement import assert_same_risk, assert_same_rows

NOW = datetime(2026, 10, 1, tzinfo=UTC)


@pytest.mark.slow
def test_fleet_scan_equals_per_deal_path_on_200_deals(store: GraphStore, workspace: str) -> None:
    for bundle in generate_portfolio(200, seed=20261001, now=NOW):
        store.import_bundle(workspace=workspace, bundle=bundle)
    service = AnalysisService(store=store, settings=store.settings)

    fleet = service.scan(workspace=workspace, as_of=NOW)
    assert len(fleet) > 100  # the open deals of the portfolio
    # The full rankings too, on the same batched read and vectorised scoring; the
    # reference is the per-deal networkx path on the same histories.
    histories = [
        h for batch in store.open_deal_histories(workspace=workspace, as_of=NOW) for h in batch
    ]
    full = analyze(histories, params=service.params)
    assert [a.deal_id for a in full] == [r.deal_id for r in fleet] == [h.deal.id for h in histories]
    flagged = 0
    for result, analysis, history in zip(fleet, full, histories, strict=True):
        single = analyze_history(history, params=service.params)
        served = service.analyze(workspace=workspace, deal_id=result.deal_id, as_of=NOW)
        assert served.flags == single.flags
        assert_same_rows(served.ranking, single.ranking)
        assert_same_rows(analysis.ranking, single.ranking)
        assert_same_rows(result.key_people, single.ranking[: service.params.key_people])
        for candidate in (result, analysis):
            assert_same_risk(candidate, single)
            assert candidate.support.movers == single.support.movers or all(
                abs(a.delta - b.delta) <= 1e-9
                for a, b in zip(candidate.support.movers, single.support.movers, strict=True)
            )
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
        best = service.next_best_contacts(
            workspace=workspace, deal_id=deal_id, as_of=NOW, limit=1
        ).items
        assert [c.stakeholder_id for c in item.next_best_contacts] == [
            c.stakeholder_id for c in best
        ]
        assert item.analysis.as_of == NOW and to_ms(item.analysis.as_of) == history.as_of
