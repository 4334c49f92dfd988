"""The analysis service on the real embedded FalkorDB (tests/conftest.py ``store``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from graphsvc.analysis._reference import analyze_history
from graphsvc.analysis.schemas import FlagCode
from graphsvc.analysis.service import AnalysisService
from graphsvc.domain.models import (
    Account,
    Bundle,
    Channel,
    Deal,
    DealStatus,
    Influence,
    Interaction,
    Membership,
    ReportingLine,
    Role,
    Stakeholder,
    Stance,
    TeamMember,
)
from graphsvc.errors import NotFound, ValidationFailed
from graphsvc.store.repository import GraphStore
from tests.analysis.agreement import assert_same_risk, assert_same_rows

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def two_deals() -> Bundle:
    """Deal d1: DM "boss" never met by the team until day 50; a neutral gatekeeper.
    Deal d2 (same account): the team met "friend" (not on d1), who influences boss."""
    people = ["boss", "eval", "champ", "gate", "friend"]
    return Bundle(
        accounts=[Account(id="acc", name="Acme")],
        deals=[
            Deal(id="d1", account_id="acc", name="Platform", owner_email="o@us.com", amount=5e5),
            Deal(id="d2", account_id="acc", name="Analytics", owner_email="o@us.com"),
            Deal(
                id="d3", account_id="acc", name="Old", owner_email="o@us.com", status=DealStatus.won
            ),
        ],
        stakeholders=[Stakeholder(id=p, account_id="acc", name=p.title()) for p in people],
        team_members=[TeamMember(email="rep@us.com"), TeamMember(email="se@us.com")],
        memberships=[
            Membership(
                deal_id="d1",
                stakeholder_id="boss",
                role=Role.economic_decision_maker,
                stance=Stance.neutral,
                influence_rating=5,
                at=day(0),
            ),
            Membership(
                deal_id="d1",
                stakeholder_id="eval",
                role=Role.evaluator,
                stance=Stance.supporter,
                influence_rating=3,
                at=day(0),
            ),
            Membership(
                deal_id="d1",
                stakeholder_id="champ",
                role=Role.champion,
                stance=Stance.champion,
                ally=True,
                influence_rating=4,
                at=day(0),
            ),
            Membership(
                deal_id="d1",
                stakeholder_id="gate",
                role=Role.gatekeeper,
                stance=Stance.skeptic,
                influence_rating=2,
                at=day(0),
            ),
            Membership(
                deal_id="d1",
                stakeholder_id="eval",
                role=Role.evaluator,
                stance=Stance.neutral,
                influence_rating=3,
                at=day(30),
            ),
            Membership(
                deal_id="d2",
                stakeholder_id="friend",
                role=Role.influencer,
                stance=Stance.supporter,
                at=day(0),
            ),
            Membership(deal_id="d3", stakeholder_id="boss", role=Role.decision_maker, at=day(0)),
        ],
        influences=[
            Influence(source_id="friend", target_id="boss", strength=0.9, at=day(1)),
            Influence(source_id="gate", target_id="boss", strength=0.6, at=day(1)),
        ],
        reporting_lines=[ReportingLine(stakeholder_id="gate", manager_id="boss", at=day(1))],
        interactions=[
            Interaction(
                id="i1",
                deal_id="d1",
                at=day(5),
                channel=Channel.meeting,
                stakeholder_ids=["champ", "eval"],
                team_member_emails=["rep@us.com"],
            ),
            Interaction(
                id="i2",
                deal_id="d2",
                at=day(6),
                channel=Channel.meeting,
                stakeholder_ids=["friend"],
                team_member_emails=["se@us.com"],
            ),
            Interaction(
                id="i3",
                deal_id="d2",
                at=day(7),
                channel=Channel.call,
                stakeholder_ids=["friend"],
                team_member_emails=["se@us.com"],
            ),
            Interaction(
                id="i4",
                deal_id="d1",
                at=day(50),
                channel=Channel.meeting,
                stakeholder_ids=["boss"],
                team_member_emails=["rep@us.com"],
                next_step_at=day(70),
            ),
        ],
    )


@pytest.fixture
def service(store: GraphStore, workspace: str) -> AnalysisService:
    store.import_bundle(workspace=workspace, bundle=two_deals())
    return AnalysisService(store=store, settings=store.settings)


def test_analyze_with_time_travel(service: AnalysisService, workspace: str) -> None:
    before = service.analyze(workspace=workspace, deal_id="d1", as_of=day(40))
    after = service.analyze(workspace=workspace, deal_id="d1", as_of=day(55))
    assert (
        before.top_decision_maker is not None and before.top_decision_maker.stakeholder_id == "boss"
    )
    assert FlagCode.DM_NEVER_CONTACTED in {f.code for f in before.flags}
    assert FlagCode.DM_NEVER_CONTACTED not in {f.code for f in after.flags}
    assert after.top_decision_maker is not None and after.top_decision_maker.contacted
    assert after.top_decision_maker.last_contact_at == day(50)
    # eval turned neutral on day 30, within 4 weeks of day 40: support shrank.
    assert before.support.trend.value == "shrinking"
    assert [m.stakeholder_id for m in before.support.movers] == ["eval"]
    # The same answer as the pure networkx function on the history the store returns
    # (the service scores on the vectorised path: equal up to float noise).
    history = service.store.deal_history(workspace=workspace, deal_id="d1", as_of=day(40))
    reference = analyze_history(history, params=service.params)
    assert_same_risk(before, reference)
    assert_same_rows(before.ranking, reference.ranking)
    with pytest.raises(NotFound):
        service.analyze(workspace=workspace, deal_id="nope")


def test_support_history_intervals(service: AnalysisService, workspace: str) -> None:
    weekly = service.support_history(workspace=workspace, deal_id="d1", end=day(28))
    assert [p.at for p in weekly] == [day(0), day(7), day(14), day(21), day(28)]
    # Lines appear on day 1 (weights move), then nothing changes until day 30.
    assert len({round(p.share, 9) for p in weekly[1:]}) == 1
    daily = service.support_history(
        workspace=workspace, deal_id="d1", start=day(25), end=day(35), interval="day"
    )
    assert len(daily) == 11 and daily[-1].share < daily[0].share
    monthly = service.support_history(
        workspace=workspace, deal_id="d1", end=day(61), interval="month"
    )
    assert monthly[0].at == day(0) and monthly[-1].at == day(61)
    with pytest.raises(ValidationFailed):
        service.support_history(workspace=workspace, deal_id="d1", interval="fortnight")


def test_forecast_and_next_best(service: AnalysisService, workspace: str) -> None:
    forecast = service.forecast(workspace=workspace, deal_id="d1", as_of=day(40))
    assert {m.stakeholder_id for m in forecast.stakeholders} == {"boss", "eval", "champ", "gate"}
    boss = next(m for m in forecast.stakeholders if m.stakeholder_id == "boss")
    # boss listens to the skeptic gatekeeper (only influence line on the committee).
    assert boss.initial == 0 and boss.predicted < 0
    answer = service.next_best_contacts(workspace=workspace, deal_id="d1", as_of=day(40))
    assert answer.deal_id == "d1" and answer.as_of == day(40)
    contacts = answer.items
    assert {c.stakeholder_id for c in contacts} == {"boss", "eval", "gate"}
    assert contacts[0].rank == 1 and contacts[0].reason


def test_warm_paths_use_other_deals(service: AnalysisService, workspace: str) -> None:
    answer = service.warm_paths(workspace=workspace, deal_id="d1", as_of=day(40))
    assert answer.top_decision_maker_id == "boss" and answer.as_of == day(40)
    paths = answer.paths
    assert paths, "se@us.com knows friend from d2, who influences boss"
    best = paths[0]
    assert best.team_member_email == "se@us.com"
    assert [h.kind for h in best.hops] == ["met", "influences"]
    assert best.hops[0].deal_id == "d2" and best.hops[1].to_id == "boss"
    # 2 interactions with friend: 1 - 0.5**2 = 0.75; friend sways boss at 0.9.
    assert best.strength == pytest.approx(0.675)
    # After day 50 the rep has met boss directly; 1 meeting = 0.5 < 0.675.
    later = service.warm_paths(workspace=workspace, deal_id="d1", as_of=day(55)).paths
    assert [p.team_member_email for p in later][:2] == ["se@us.com", "rep@us.com"]


def test_scan_covers_open_deals_only(service: AnalysisService, workspace: str) -> None:
    results = service.scan(workspace=workspace, as_of=day(40))
    assert [a.deal_id for a in results] == ["d1", "d2"]
    single = service.analyze(workspace=workspace, deal_id="d1", as_of=day(40))
    assert results[0].flags == single.flags
    details = list(service.scan_details(workspace=workspace, as_of=day(40), history_weeks=4))
    assert [d.analysis.deal_id for d in details] == ["d1", "d2"]
    assert details[0].support_history[-1].at == day(40)
    assert len(details[0].support_history) == 5
    [single_best] = service.next_best_contacts(
        workspace=workspace, deal_id="d1", as_of=day(40), limit=1
    ).items
    [fleet_best] = details[0].next_best_contacts
    assert (fleet_best.stakeholder_id, fleet_best.reason) == (
        single_best.stakeholder_id,
        single_best.reason,
    )
    assert fleet_best.support_gain == pytest.approx(single_best.support_gain, abs=1e-9)


def test_no_data_before_the_deals_first_fact(service: AnalysisService, workspace: str) -> None:
    # d1's first fact is on day 0: the day before, the deal did not exist. Every per-deal
    # verb says so (naming the first fact) instead of analysing an empty committee.
    verbs = (service.analyze, service.forecast, service.next_best_contacts, service.warm_paths)
    for verb in verbs:
        with pytest.raises(ValidationFailed, match=r"no data before 2026-03-01T00:00:00\+00:00"):
            verb(workspace=workspace, deal_id="d1", as_of=day(-1))
    assert service.analyze(workspace=workspace, deal_id="d1", as_of=day(0)).ranking


def test_warm_paths_name_the_decision_maker_even_without_a_path(
    service: AnalysisService, workspace: str
) -> None:
    # On day 1 nobody on our team has met anyone: no warm path, but the analysis still
    # names the top decision-maker (the same as the deal's analysis).
    answer = service.warm_paths(workspace=workspace, deal_id="d1", as_of=day(1))
    analysis = service.analyze(workspace=workspace, deal_id="d1", as_of=day(1))
    assert answer.paths == []
    assert analysis.top_decision_maker is not None
    assert answer.top_decision_maker_id == analysis.top_decision_maker.stakeholder_id == "boss"
