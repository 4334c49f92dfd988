"""Kept per-deal results (graphsvc.analysis.results) on both stores: after any writes the
kept results equal a from-scratch scan at the same instant, a write re-analyses exactly
the deals it can affect, and time alone refreshes what the clock moves."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphsvc.analysis.results import KeptResults
from graphsvc.analysis.schemas import DealRisk
from graphsvc.analysis.service import AnalysisService
from graphsvc.domain.models import (
    Channel,
    DealStatus,
    Influence,
    InfluenceEnd,
    Interaction,
    Membership,
    MembershipEnd,
    ReportingLine,
    Role,
    Stance,
    utcnow,
)
from graphsvc.store.repository import GraphStore
from graphsvc.synth import generate_portfolio

NOW = datetime(2026, 10, 1, tzinfo=UTC)
SEED = 20261128


def _seed(store: GraphStore, n_deals: int = 12) -> str:
    workspace = f"ws-{uuid.uuid4().hex[:16]}"
    for bundle in generate_portfolio(
        n_deals, seed=SEED, now=NOW, stakeholders_per_deal=6, chunk_deals=n_deals
    ):
        store.import_bundle(workspace=workspace, bundle=bundle)
    return workspace


def _committees(store: GraphStore, workspace: str) -> dict[str, list[str]]:
    """Each deal's people (anyone with a fact on it), by deal id."""
    histories = store.deal_histories(
        workspace=workspace,
        deal_ids=[d.id for d in store.list_deals(workspace=workspace, limit=1000).items],
        as_of=datetime(9999, 12, 31, tzinfo=UTC),
    )
    return {h.deal.id: sorted(h.stakeholders) for h in histories}


def _same(kept: list[DealRisk], scanned: list[DealRisk]) -> None:
    assert [r.deal_id for r in kept] == [r.deal_id for r in scanned]
    for got, want in zip(kept, scanned, strict=True):
        assert got.model_dump() == want.model_dump(), got.deal_id


def _seeded(store: GraphStore) -> tuple[str, AnalysisService, list[str], list[str]]:
    """A seeded workspace, an analysis service, its deals and its people (sorted)."""
    workspace = _seed(store)
    committees = _committees(store, workspace)
    people = sorted({p for members in committees.values() for p in members})
    return (
        workspace,
        AnalysisService(store=store, settings=store.settings),
        sorted(committees),
        people,
    )


# One write: (kind, deal index, person index, other person index, variant).
WRITES = st.tuples(
    st.sampled_from(
        [
            "member",
            "end",
            "influence",
            "end_influence",
            "reporting",
            "interaction",
            "close",
            "delete_person",
        ]
    ),
    st.integers(0, 11),
    st.integers(0, 40),
    st.integers(0, 40),
    st.integers(0, 3),
)


def _apply(
    store: GraphStore,
    workspace: str,
    write: tuple[str, int, int, int, int],
    deals: list[str],
    people: list[str],
    counter: itertools.count[int],
) -> None:
    kind, d, p, q, variant = write
    deal, person, other = deals[d % len(deals)], people[p % len(people)], people[q % len(people)]
    at = None if variant == 0 else utcnow() - timedelta(days=10 * variant)
    if kind == "member":
        store.record_memberships(
            workspace=workspace,
            memberships=[
                Membership(
                    deal_id=deal,
                    stakeholder_id=person,
                    role=list(Role)[p % len(Role)],
                    stance=list(Stance)[q % len(Stance)],
                    at=at,
                )
            ],
        )
    elif kind == "end":
        store.end_memberships(
            workspace=workspace, ends=[MembershipEnd(deal_id=deal, stakeholder_id=person, at=at)]
        )
    elif kind == "influence" and person != other:
        store.record_influences(
            workspace=workspace,
            influences=[
                Influence(source_id=person, target_id=other, strength=0.25 * (variant + 1), at=at)
            ],
        )
    elif kind == "end_influence" and person != other:
        store.end_influences(
            workspace=workspace, ends=[InfluenceEnd(source_id=person, target_id=other, at=at)]
        )
    elif kind == "reporting" and person != other:
        store.record_reporting_lines(
            workspace=workspace,
            lines=[ReportingLine(stakeholder_id=person, manager_id=other, at=at)],
        )
    elif kind == "interaction":
        store.record_interactions(
            workspace=workspace,
            interactions=[
                Interaction(
                    id=f"i-{next(counter)}",
                    deal_id=deal,
                    at=at or utcnow(),
                    channel=Channel.meeting,
                    stakeholder_ids=[person, other],
                    team_member_emails=["rep@example.com"],
                    next_step_at=utcnow() + timedelta(days=variant),
                )
            ],
        )
    elif kind == "close":
        current = store.get_deal(workspace=workspace, deal_id=deal)
        status = DealStatus.won if current.status == DealStatus.open else DealStatus.open
        store.upsert_deals(
            workspace=workspace, deals=[current.model_copy(update={"status": status})]
        )
    elif kind == "delete_person" and variant == 3:
        people_left = [x for x in people if x != person]
        if people_left:
            store.delete_stakeholder(workspace=workspace, stakeholder_id=person)
            people[:] = people_left


@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(writes=st.lists(WRITES, min_size=1, max_size=8))
def test_kept_results_equal_a_fresh_scan_after_random_writes(
    store: GraphStore, writes: list[tuple[str, int, int, int, int]]
) -> None:
    workspace, service, deals, people = _seeded(store)
    kept = service.kept
    kept.risks(workspace=workspace)  # every result kept once
    counter = itertools.count()
    for write in writes:
        _apply(store, workspace, write, deals, people, counter)
        # A fresh process (no parsed results of its own) sees the same as this one.
        for reader in (kept, KeptResults(store=store, params=service.params)):
            instant = utcnow()
            _same(
                reader.risks(workspace=workspace, at=instant),
                service.scan(workspace=workspace, as_of=instant),
            )
    # Time passes without writes: contact and next-step flags, and the trend, move on.
    for days in (3, 15, 40):
        later = utcnow() + timedelta(days=days)
        _same(
            kept.risks(workspace=workspace, at=later),
            service.scan(workspace=workspace, as_of=later),
        )


def test_a_write_re_analyses_exactly_the_deals_it_can_affect(store: GraphStore) -> None:
    workspace = _seed(store)
    service = AnalysisService(store=store, settings=store.settings)
    kept = service.kept
    first = kept.refresh(workspace=workspace)
    assert first.refreshed == first.open_deals > 0
    instant = utcnow()
    assert kept.refresh(workspace=workspace, at=instant).refreshed == 0

    committees = _committees(store, workspace)
    open_ids = {r.deal_id for r in kept.risks(workspace=workspace, at=instant)}
    deal = sorted(open_ids)[0]
    person = committees[deal][0]
    store.record_memberships(
        workspace=workspace,
        memberships=[
            Membership(
                deal_id=deal,
                stakeholder_id=person,
                role=Role.economic_buyer,
                stance=Stance.champion,
            )
        ],
    )
    assert kept.refresh(workspace=workspace, at=instant).refreshed == 1

    # A line between two people: every open deal either sits on.
    a, b = committees[deal][0], committees[deal][1]
    touched = {d for d, members in committees.items() if a in members or b in members}
    store.record_influences(
        workspace=workspace, influences=[Influence(source_id=a, target_id=b, strength=0.9)]
    )
    assert kept.refresh(workspace=workspace, at=instant).refreshed == len(touched & open_ids)

    # A repeated write changes nothing, so nothing is re-analysed.
    long_ago = utcnow() - timedelta(days=400)
    store.record_influences(
        workspace=workspace,
        influences=[Influence(source_id=a, target_id=b, strength=0.9, at=long_ago)],
    )
    kept.refresh(workspace=workspace, at=instant)
    store.record_influences(
        workspace=workspace,
        influences=[Influence(source_id=a, target_id=b, strength=0.9, at=long_ago)],
    )
    assert kept.refresh(workspace=workspace, at=instant).refreshed == 0

    # An interaction: its deal.
    store.record_interactions(
        workspace=workspace,
        interactions=[
            Interaction(
                id="kept-1", deal_id=deal, at=utcnow(), channel=Channel.call, stakeholder_ids=[a]
            )
        ],
    )
    assert kept.refresh(workspace=workspace, at=instant).refreshed == 1

    # A rebuild re-analyses everything; deleting a deal drops its kept result.
    assert kept.rebuild(workspace=workspace, at=instant).refreshed == len(open_ids)
    store.delete_deal(workspace=workspace, deal_id=deal)
    report = kept.refresh(workspace=workspace, at=instant)
    assert (report.open_deals, report.refreshed) == (len(open_ids) - 1, 0)
