"""The request paths' view of kept results (``KeptResults.view``) after random writes:
a process that keeps its last complete view and reads only what changed since (deals
written, deleted, or whose due time passed) shows the same rows as a new process that
reads everything, and as a from-scratch scan. Both stores."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphsvc.analysis.results import KeptResults, KeptView
from graphsvc.analysis.schemas import DealRisk
from graphsvc.domain.models import Deal
from graphsvc.store.repository import GraphStore
from tests.analysis.test_kept_results import WRITES, _apply, _seeded

VIEW_WRITES = st.one_of(
    WRITES,
    st.tuples(
        st.sampled_from(["delete_deal", "new_deal"]),
        st.integers(0, 11),
        st.integers(0, 40),
        st.integers(0, 40),
        st.integers(0, 3),
    ),
)


def _shown(view: KeptView) -> list[tuple[object, ...]]:
    return [
        (r.deal_id, r.deal_name, r.share, r.trend, r.spark, [f["code"] for f in r.flags])
        for r in view.rows
    ]


def _scanned(risks: list[DealRisk]) -> list[tuple[object, ...]]:
    return [
        (
            r.deal_id,
            round(r.support.share, 12),
            r.support.trend.value,
            [f.code.value for f in r.flags],
        )
        for r in risks
    ]


@settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(writes=st.lists(VIEW_WRITES, min_size=1, max_size=8))
def test_a_view_read_by_changes_equals_a_full_read_and_a_scan(
    store: GraphStore, writes: list[tuple[str, int, int, int, int]]
) -> None:
    workspace, service, deals, people = _seeded(store)
    kept = service.kept
    assert kept.view(workspace=workspace, inline_max=1000).complete
    counter = itertools.count()
    for write in writes:
        kind, d, _, _, _ = write
        if kind == "delete_deal" and deals:
            store.delete_deal(workspace=workspace, deal_id=deals.pop(d % len(deals)))
        elif kind == "new_deal":
            account = store.get_deal(workspace=workspace, deal_id=deals[0]).account_id
            deal_id = f"new-{next(counter)}"
            store.upsert_deals(
                workspace=workspace,
                deals=[Deal(id=deal_id, account_id=account, name=deal_id, owner_email="o@x.io")],
            )
            deals.append(deal_id)
        elif kind not in ("delete_deal", "new_deal"):
            _apply(store, workspace, write, deals, people, counter)
        by_changes = kept.view(workspace=workspace, inline_max=1000)
        # A new process: no view of its own, everything read.
        fresh = KeptResults(store=store, params=service.params).view(
            workspace=workspace, inline_max=1000
        )
        assert by_changes.complete and fresh.complete
        assert _shown(by_changes) == _shown(fresh)
        scanned = _scanned(service.scan(workspace=workspace))
        assert [
            (r.deal_id, round(r.share, 12), r.trend, [f["code"] for f in r.flags])
            for r in by_changes.rows
        ] == [(d, share, trend, codes) for d, share, trend, codes in scanned]
        assert by_changes.open_deals == len(scanned)


def test_a_view_that_left_deals_pending_reads_them_again_not_the_workspace(
    store: GraphStore,
) -> None:
    """A request that re-analysed only some stale deals (``inline_max``) hands the rest
    to the background; the next request of that process reads what changed since and
    those deals, not every kept row, and shows what a new process shows."""
    workspace, service, deals, people = _seeded(store)
    kept = service.kept
    assert kept.view(workspace=workspace, inline_max=1000).complete
    counter = itertools.count()
    for d in range(4):
        _apply(store, workspace, ("member", d, d, 0, 1), deals, people, counter)
    partial = kept.view(workspace=workspace, inline_max=1)
    assert partial.pending == len(partial.waiting) > 0
    kept.wait_background(workspace=workspace, timeout=120)

    read = store.runner.read
    names: list[str] = []

    def counting(query: str, params: dict[str, object]) -> list[dict[str, object]]:
        names.append(query)
        return read(query, params)

    store.runner.read = counting  # type: ignore[method-assign]
    try:
        again = kept.view(workspace=workspace, inline_max=1000)
    finally:
        del store.runner.read
    assert "deal_result_rows" not in names and "deal_result_rows_of" in names
    fresh = KeptResults(store=store, params=service.params).view(
        workspace=workspace, inline_max=1000
    )
    assert again.complete and fresh.complete
    assert _shown(again) == _shown(fresh)
