"""The compact fleet read (graphsvc/store/compact.py, GraphStore.fleet_histories_compact)
gives exactly what the per-fact history read gives, on both stores: the same committees
at every instant, the same DealRisk and DealAnalysis lists, the same cold scan."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from graphsvc.analysis import engine
from graphsvc.analysis.service import AnalysisService
from graphsvc.domain.compact import CompactHistory
from graphsvc.domain.models import (
    Account,
    Channel,
    Deal,
    Influence,
    Interaction,
    Membership,
    MembershipEnd,
    ReportingLine,
    Role,
    Stakeholder,
    Stance,
    to_ms,
)
from graphsvc.domain.snapshot import DealHistory
from graphsvc.store.repository import GraphStore
from graphsvc.synth import generate_portfolio

NOW = datetime(2026, 10, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def _seed(store: GraphStore) -> str:
    """A seeded portfolio plus the cases a per-fact read handles one by one: a deal
    with nobody on it, an end for someone who never joined, lines to people on another
    deal, facts and interactions after the instants read, a person who left and came
    back (their membership starts again), interactions of one instant, with nobody or
    with two people."""
    workspace = f"ws-{uuid.uuid4().hex[:16]}"
    for bundle in generate_portfolio(
        24, seed=20261128, now=NOW, stakeholders_per_deal=8, chunk_deals=24
    ):
        store.import_bundle(workspace=workspace, bundle=bundle)
    deals = store.list_deals(workspace=workspace, limit=1000).items
    first, second = deals[0], deals[1]
    store.upsert_accounts(workspace=workspace, accounts=[Account(id="acc-x", name="X Corp")])
    store.upsert_deals(
        workspace=workspace,
        deals=[Deal(id="deal-empty", account_id="acc-x", name="Empty", owner_email="o@v.example")],
    )
    store.upsert_stakeholders(
        workspace=workspace,
        stakeholders=[
            Stakeholder(id=f"p-{i}", account_id=first.account_id, name=f"Person {i}")
            for i in range(4)
        ],
    )
    at = NOW - 80 * DAY
    store.record_memberships(
        workspace=workspace,
        memberships=[
            Membership(
                deal_id=first.id,
                stakeholder_id="p-0",
                role=Role.decision_maker,
                stance=Stance.supporter,
                at=at,
            ),
            Membership(deal_id=first.id, stakeholder_id="p-1", role=Role.influencer, at=at),
            Membership(deal_id=second.id, stakeholder_id="p-2", role=Role.other, at=at),
            # joins only after the earlier instant read
            Membership(deal_id=first.id, stakeholder_id="p-3", role=Role.champion, at=NOW + DAY),
        ],
    )
    store.end_memberships(
        workspace=workspace,
        ends=[
            MembershipEnd(deal_id=second.id, stakeholder_id="p-3", at=at),  # never joined
            MembershipEnd(deal_id=first.id, stakeholder_id="p-1", at=NOW - 30 * DAY),
        ],
    )
    store.record_memberships(
        workspace=workspace,
        memberships=[
            Membership(
                deal_id=first.id,
                stakeholder_id="p-1",
                role=Role.influencer,
                stance=Stance.blocker,
                at=NOW - 10 * DAY,
            )
        ],
    )
    store.record_influences(
        workspace=workspace,
        influences=[
            Influence(source_id="p-0", target_id="p-1", strength=0.7, at=at),
            Influence(source_id="p-0", target_id="p-2", strength=0.4, at=at),  # across deals
            Influence(source_id="p-1", target_id="p-0", strength=0.3, at=NOW + DAY),
        ],
    )
    store.record_reporting_lines(
        workspace=workspace,
        lines=[ReportingLine(stakeholder_id="p-1", manager_id="p-0", at=at)],
    )
    store.record_interactions(
        workspace=workspace,
        interactions=[
            Interaction(
                id=f"late-{i}",
                deal_id=first.id,
                at=when,
                channel=Channel.meeting,
                stakeholder_ids=["p-0"],
                team_member_emails=["rep@vendor.example"],
                next_step_at=when + 3 * DAY,
            )
            for i, when in enumerate((NOW - 40 * DAY, NOW - DAY, NOW + 2 * DAY))
        ],
    )
    # Interactions of one instant (ordered by id, whatever the order recorded), one with
    # nobody on it and one with two people.
    store.record_interactions(
        workspace=workspace,
        interactions=[
            Interaction(
                id=iid,
                deal_id=first.id,
                at=NOW - 5 * DAY,
                channel=Channel.call,
                stakeholder_ids=who,
                team_member_emails=[],
            )
            for iid, who in (("tie-b", ["p-1"]), ("tie-a", []), ("tie-c", ["p-1", "p-0"]))
        ],
    )
    return workspace


def _compact(store: GraphStore, workspace: str, **options: object) -> list[CompactHistory]:
    return [
        h
        for chunk in store.fleet_histories_compact(workspace=workspace, **options)  # type: ignore[arg-type]
        for h in chunk
    ]


def _per_fact(store: GraphStore, workspace: str, as_of: datetime) -> list[DealHistory]:
    return [
        h for batch in store.open_deal_histories(workspace=workspace, as_of=as_of) for h in batch
    ]


def test_compact_read_folds_the_same_committees_and_results(
    store: GraphStore, workspace: str
) -> None:
    workspace = _seed(store)
    for as_of in (NOW, NOW - 45 * DAY):
        # Small chunks, so the read-ahead threads hand over several of them in order.
        compact = _compact(store, workspace, as_of=as_of, batch_size=5)
        histories = _per_fact(store, workspace, as_of)
        assert [h.deal.id for h in compact] == [h.deal.id for h in histories]
        assert "deal-empty" in [h.deal.id for h in compact]
        at = to_ms(as_of)
        for new, old in zip(compact, histories, strict=True):
            assert new.as_of == old.as_of == at
            assert new.first_fact_at() == old.first_fact_at()
            first = old.first_fact_at() or at
            for t in (None, at - 7 * 86_400_000, at - 50 * 86_400_000, first, first - 1):
                assert new.snapshot(t) == old.snapshot(t), (old.deal.id, t)
                assert new.history().snapshot(t) == old.snapshot(t), (old.deal.id, t)
        risks = engine.analyze(histories, ranking=False)
        assert engine.analyze(compact, ranking=False) == risks
        assert engine.analyze(compact) == engine.analyze(histories)
        # The cold scan reads through the compact path: the same list, in id order.
        service = AnalysisService(store=store, settings=store.settings)
        assert service.scan(workspace=workspace, as_of=as_of) == engine.analyze(
            histories, ranking=False, params=service.params
        )
        assert any(r.flags for r in risks)


def test_compact_read_before_every_fact_has_empty_committees(
    store: GraphStore, workspace: str
) -> None:
    """Read as of an instant before anything was recorded: every deal is there, with
    nobody on it, no line and no interaction (the per-fact read agrees)."""
    workspace = _seed(store)
    before = datetime(2001, 1, 1, tzinfo=UTC)
    compact = _compact(store, workspace, as_of=before)
    histories = _per_fact(store, workspace, before)
    assert [h.deal.id for h in compact] == [h.deal.id for h in histories]
    assert compact
    for new, old in zip(compact, histories, strict=True):
        assert new.members == new.influence == new.reporting == []
        assert new.interactions == ()
        assert new.snapshot() == old.snapshot()


def test_compact_read_of_given_deals_keeps_their_order(store: GraphStore, workspace: str) -> None:
    workspace = _seed(store)
    ids = [d.id for d in store.list_deals(workspace=workspace, limit=1000).items]
    wanted = [ids[3], "no-such-deal", ids[0], ids[3], "deal-empty"]
    got = _compact(store, workspace, as_of=NOW, deal_ids=wanted, batch_size=2)
    assert [h.deal.id for h in got] == [ids[3], ids[0], "deal-empty"]
    old = store.deal_histories(workspace=workspace, deal_ids=wanted, as_of=NOW)
    assert [h.snapshot() for h in got] == [h.snapshot() for h in old]
    assert _compact(store, f"ws-{uuid.uuid4().hex[:16]}", as_of=NOW) == []


def test_compact_history_until_an_instant_is_the_read_as_of_it(
    store: GraphStore, workspace: str
) -> None:
    """Every fact read once (future-dated ones included, as the kept results read them
    for a horizon), then cut at an instant: the same as reading as of that instant."""
    workspace = _seed(store)
    everything = _compact(store, workspace, as_of=datetime(9999, 12, 31, tzinfo=UTC))
    for as_of in (NOW, NOW - 45 * DAY):
        at = to_ms(as_of)
        cut = [h.until(at) for h in everything]
        read = _compact(store, workspace, as_of=as_of)
        assert [h.deal.id for h in cut] == [h.deal.id for h in read]
        for new, old in zip(cut, read, strict=True):
            assert new.first_fact_at() == old.first_fact_at()
            assert new.history() == old.history()
        assert engine.analyze(cut, ranking=False) == engine.analyze(read, ranking=False)


def test_compact_read_counts_a_withdrawn_interaction_until_its_withdrawal(
    store: GraphStore, workspace: str
) -> None:
    """A withdrawn interaction (a DELETE or an undo) stays in history: read as of an
    instant before its withdrawal it counts, as of one after it does not, through the
    compact read as through the per-fact read."""
    workspace = _seed(store)
    deal = store.list_deals(workspace=workspace, limit=1000).items[0]
    store.record_interactions(
        workspace=workspace,
        interactions=[
            Interaction(
                id="withdrawn-later",
                deal_id=deal.id,
                at=NOW - 60 * DAY,
                channel=Channel.call,
                stakeholder_ids=["p-0"],
                team_member_emails=["rep@vendor.example"],
            )
        ],
    )
    store.interactions.withdraw(
        workspace=workspace,
        interaction_id="withdrawn-later",
        at=to_ms(NOW - 20 * DAY),
        by="test",
    )
    for as_of, counted in ((NOW - 45 * DAY, True), (NOW, False)):
        compact = _compact(store, workspace, as_of=as_of, batch_size=5)
        histories = _per_fact(store, workspace, as_of)
        [mine] = [h for h in compact if h.deal.id == deal.id]
        assert ("withdrawn-later" in [i.id for i in mine.interactions]) is counted
        for new, old in zip(compact, histories, strict=True):
            assert new.snapshot() == old.snapshot(), (old.deal.id, as_of)
        assert engine.analyze(compact, ranking=False) == engine.analyze(histories, ranking=False)
