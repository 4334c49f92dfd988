"""The store contract: every GraphStore operation, on every backend of the ``store``
fixture (the embedded FalkorDB, and Neo4j: NEO4J_URI or the local one).

Each test works in a workspace of its own, so tests share one graph safely.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from graphsvc.domain.models import (
    Account,
    Bundle,
    Channel,
    Deal,
    DealStatus,
    Influence,
    InfluenceEnd,
    Interaction,
    Membership,
    MembershipEnd,
    ReportingEnd,
    ReportingLine,
    Role,
    Stakeholder,
    Stance,
    TeamMember,
    Tier,
    to_ms,
)
from graphsvc.errors import Conflict, NotFound, ValidationFailed
from graphsvc.store.deals import DealFilter
from graphsvc.store.repository import GraphStore, UpsertCounts

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


class CountingRunner:
    """Delegates to the real runner and counts the queries it runs (no mock: every
    query still goes to the database)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.backend = inner.backend
        self.names: list[str] = []

    def read(self, query_name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        self.names.append(query_name)
        return self.inner.read(query_name, params)

    def write(self, query_name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        self.names.append(query_name)
        return self.inner.write(query_name, params)

    def ping(self) -> bool:
        return self.inner.ping()

    def ensure_schema(self) -> None:
        self.inner.ensure_schema()

    def close(self) -> None:  # the session owns the real runner
        pass


def seed(store: GraphStore, ws: str, *, people: int = 4, deal_id: str = "deal-1") -> None:
    """One account, one deal and ``people`` stakeholders p0..p{n-1}."""
    store.upsert_accounts(workspace=ws, accounts=[Account(id="acc-1", name="Acme")])
    store.upsert_deals(
        workspace=ws,
        deals=[
            Deal(
                id=deal_id,
                account_id="acc-1",
                name="Platform",
                owner_email="owner@vendor.example",
                amount=250_000,
                currency="EUR",
                stage="Proposal",
                close_date=date(2026, 6, 30),
            )
        ],
    )
    store.upsert_stakeholders(
        workspace=ws,
        stakeholders=[
            Stakeholder(
                id=f"p{i}",
                account_id="acc-1",
                name=f"Person {i}",
                title="VP",
                email=f"p{i}@acme.example",
            )
            for i in range(people)
        ],
    )


# --------------------------------------------------------------------------- entities


def test_accounts_upsert_get_counts(store: GraphStore, workspace: str) -> None:
    counts = store.upsert_accounts(
        workspace=workspace,
        accounts=[
            Account(id="a1", name="Acme", tier=Tier.strategic),
            Account(id="a2", name="Beta"),
        ],
    )
    assert counts == UpsertCounts(created=2)
    again = store.upsert_accounts(
        workspace=workspace,
        accounts=[
            Account(id="a1", name="Acme", tier=Tier.strategic),
            Account(id="a2", name="Beta AG"),
        ],
    )
    assert again == UpsertCounts(updated=1, unchanged=1)
    assert store.get_account(workspace=workspace, account_id="a1") == Account(
        id="a1", name="Acme", tier=Tier.strategic
    )
    assert store.get_account(workspace=workspace, account_id="a2").name == "Beta AG"
    with pytest.raises(NotFound):
        store.get_account(workspace=workspace, account_id="nope")


def test_raw_dicts_are_validated_and_accepted(store: GraphStore, workspace: str) -> None:
    counts = store.upsert_accounts(workspace=workspace, accounts=[{"id": "a1", "name": "Acme"}])  # type: ignore[list-item]
    assert counts.created == 1
    assert store.get_account(workspace=workspace, account_id="a1").tier == Tier.standard


def test_deal_round_trip_update_and_optional_fields(store: GraphStore, workspace: str) -> None:
    seed(store, workspace, people=0)
    deal = store.get_deal(workspace=workspace, deal_id="deal-1")
    assert deal == Deal(
        id="deal-1",
        account_id="acc-1",
        name="Platform",
        owner_email="owner@vendor.example",
        amount=250_000.0,
        currency="EUR",
        stage="Proposal",
        close_date=date(2026, 6, 30),
    )
    # Dropping optional values removes them rather than keeping the old ones.
    slim = Deal(
        id="deal-1",
        account_id="acc-1",
        name="Platform",
        owner_email="owner@vendor.example",
        status=DealStatus.won,
    )
    assert store.upsert_deals(workspace=workspace, deals=[slim]) == UpsertCounts(updated=1)
    assert store.get_deal(workspace=workspace, deal_id="deal-1") == slim
    assert store.upsert_deals(workspace=workspace, deals=[slim]) == UpsertCounts(unchanged=1)


def test_deal_moves_to_another_account(store: GraphStore, workspace: str) -> None:
    seed(store, workspace, people=0)
    store.upsert_accounts(workspace=workspace, accounts=[Account(id="acc-2", name="Other")])
    moved = store.get_deal(workspace=workspace, deal_id="deal-1").model_copy(
        update={"account_id": "acc-2"}
    )
    store.upsert_deals(workspace=workspace, deals=[moved])
    assert store.get_deal(workspace=workspace, deal_id="deal-1").account_id == "acc-2"
    # The deal now hangs on acc-2 only: acc-1 can go, acc-2 cannot.
    store.delete_account(workspace=workspace, account_id="acc-1")
    with pytest.raises(Conflict):
        store.delete_account(workspace=workspace, account_id="acc-2")


def test_stakeholders_and_team_members(store: GraphStore, workspace: str) -> None:
    seed(store, workspace, people=2)
    assert store.get_stakeholder(workspace=workspace, stakeholder_id="p1") == Stakeholder(
        id="p1", account_id="acc-1", name="Person 1", title="VP", email="p1@acme.example"
    )
    with pytest.raises(NotFound):
        store.get_stakeholder(workspace=workspace, stakeholder_id="p9")
    members = [
        TeamMember(email="Rep@Vendor.example", name="Rep"),
        TeamMember(email="se@vendor.example"),
    ]
    assert store.upsert_team_members(workspace=workspace, team_members=members) == UpsertCounts(
        created=2
    )
    assert store.upsert_team_members(workspace=workspace, team_members=members) == UpsertCounts(
        unchanged=2
    )


def test_duplicate_ids_in_one_batch_last_wins(store: GraphStore, workspace: str) -> None:
    counts = store.upsert_accounts(
        workspace=workspace,
        accounts=[Account(id="a1", name="First"), Account(id="a1", name="Second")],
    )
    assert counts.created == 1
    assert store.get_account(workspace=workspace, account_id="a1").name == "Second"


# --------------------------------------------------------------------------- listing


def test_list_deals_filters_and_pagination(store: GraphStore, workspace: str) -> None:
    store.upsert_accounts(
        workspace=workspace, accounts=[Account(id="a1", name="A"), Account(id="a2", name="B")]
    )
    deals = [
        Deal(
            id=f"d{i:02d}",
            account_id="a1" if i % 2 else "a2",
            name=f"Deal {i}",
            owner_email="ann@v.example" if i % 3 else "bob@v.example",
            status=DealStatus.won if i == 4 else DealStatus.open,
        )
        for i in range(11)
    ]
    store.upsert_deals(workspace=workspace, deals=list(reversed(deals)))

    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = store.list_deals(workspace=workspace, limit=4, cursor=cursor)
        pages += 1
        seen += [d.id for d in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == [f"d{i:02d}" for i in range(11)]
    assert pages == 3

    by_owner = store.list_deals(workspace=workspace, matching=DealFilter(owner="BOB@v.example"))
    assert [d.id for d in by_owner.items] == ["d00", "d03", "d06", "d09"]
    by_status = store.list_deals(workspace=workspace, matching=DealFilter(status=DealStatus.won))
    assert [d.id for d in by_status.items] == ["d04"]
    by_account = store.list_deals(
        workspace=workspace, matching=DealFilter(account_id="a1", owner="ann@v.example")
    )
    assert [d.id for d in by_account.items] == ["d01", "d05", "d07"]
    exact = store.list_deals(
        workspace=workspace, matching=DealFilter(status=DealStatus.won), limit=1
    )
    assert exact.next_cursor is None
    with pytest.raises(ValidationFailed):
        store.list_deals(workspace=workspace, cursor="%%% not a cursor")
    with pytest.raises(ValidationFailed):
        store.list_deals(workspace=workspace, matching=DealFilter(status="pending"))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- history


def test_as_of_reconstruction_before_at_and_after(store: GraphStore, workspace: str) -> None:
    seed(store, workspace)
    ws = workspace
    store.record_memberships(
        workspace=ws,
        memberships=[
            Membership(
                deal_id="deal-1",
                stakeholder_id="p0",
                role=Role.decision_maker,
                stance=Stance.unknown,
                influence_rating=5,
                at=at(0),
            ),
            Membership(
                deal_id="deal-1",
                stakeholder_id="p1",
                role=Role.evaluator,
                stance=Stance.skeptic,
                at=at(0),
            ),
            Membership(
                deal_id="deal-1",
                stakeholder_id="p0",
                role=Role.decision_maker,
                stance=Stance.supporter,
                ally=True,
                influence_rating=5,
                self_weight=0.7,
                at=at(10),
            ),
            Membership(deal_id="deal-1", stakeholder_id="p2", role=Role.gatekeeper, at=at(20)),
        ],
    )
    # Before anything: the deal exists but has no committee.
    before = store.snapshot(workspace=ws, deal_id="deal-1", as_of=at(-1))
    assert before.members == ()
    # Exactly at an instant the fact is in effect; a millisecond before it is not.
    just_before = store.snapshot(
        workspace=ws, deal_id="deal-1", as_of=at(10) - timedelta(milliseconds=1)
    )
    p0 = just_before.member("p0")
    assert p0 is not None and p0.stance == Stance.unknown and not p0.ally
    exactly = store.snapshot(workspace=ws, deal_id="deal-1", as_of=at(10))
    p0 = exactly.member("p0")
    assert p0 is not None
    assert (p0.stance, p0.ally, p0.influence_rating, p0.self_weight, p0.since) == (
        Stance.supporter,
        True,
        5,
        0.7,
        to_ms(at(0)),
    )
    assert [m.id for m in exactly.members] == ["p0", "p1"]
    assert exactly.as_of == to_ms(at(10))
    after = store.snapshot(workspace=ws, deal_id="deal-1", as_of=at(30))
    assert [m.id for m in after.members] == ["p0", "p1", "p2"]
    p2 = after.member("p2")
    assert p2 is not None and p2.role == Role.gatekeeper and p2.stance == Stance.unknown

    # The history read once folds into the same snapshots at any earlier instant.
    history = store.deal_history(workspace=ws, deal_id="deal-1", as_of=at(30))
    assert history.snapshot(to_ms(at(10))) == exactly
    assert history.snapshot(to_ms(at(-1))).members == ()
    assert history.first_fact_at() == to_ms(at(0))
    # Facts after as_of are not even read.
    early = store.deal_history(workspace=ws, deal_id="deal-1", as_of=at(5))
    assert {f.at for f in early.membership_facts} == {to_ms(at(0))}
    assert set(early.stakeholders) == {"p0", "p1"}


def test_leaving_and_rejoining(store: GraphStore, workspace: str) -> None:
    seed(store, workspace)
    ws = workspace
    join = Membership(
        deal_id="deal-1",
        stakeholder_id="p1",
        role=Role.influencer,
        stance=Stance.supporter,
        at=at(0),
    )
    assert store.record_memberships(workspace=ws, memberships=[join]).created == 1
    assert (
        store.end_memberships(
            workspace=ws, ends=[MembershipEnd(deal_id="deal-1", stakeholder_id="p1", at=at(5))]
        )
        == 1
    )
    # Ending again, or ending someone who never sat on the deal, records nothing.
    assert (
        store.end_memberships(
            workspace=ws,
            ends=[
                MembershipEnd(deal_id="deal-1", stakeholder_id="p1", at=at(6)),
                MembershipEnd(deal_id="deal-1", stakeholder_id="p2", at=at(6)),
            ],
        )
        == 0
    )
    rejoin = join.model_copy(update={"stance": Stance.champion, "at": at(8)})
    assert store.record_memberships(workspace=ws, memberships=[rejoin]) == UpsertCounts(created=1)

    def member(days: float) -> Any:
        return store.snapshot(workspace=ws, deal_id="deal-1", as_of=at(days)).member("p1")

    assert member(4).stance == Stance.supporter
    assert member(5) is None  # ended at exactly day 5
    assert member(7) is None
    assert member(8).stance == Stance.champion
    assert member(8).since == to_ms(at(8))  # the unbroken membership restarts
    # The past stays: the history holds every fact (the repeated end too: facts may
    # arrive out of order, so a repeat is kept unless it is at the very same instant).
    history = store.deal_history(workspace=ws, deal_id="deal-1")
    facts = sorted(history.membership_facts, key=lambda f: f.at)
    assert [(f.at, f.active) for f in facts] == [
        (to_ms(at(0)), True),
        (to_ms(at(5)), False),
        (to_ms(at(6)), False),
        (to_ms(at(8)), True),
    ]
    assert set(history.stakeholders) == {"p1"}  # p2 never sat on the deal
    assert [
        d.id for d in store.list_stakeholder_deals(workspace=ws, stakeholder_id="p1", as_of=at(6))
    ] == []
    assert [
        d.id for d in store.list_stakeholder_deals(workspace=ws, stakeholder_id="p1", as_of=at(9))
    ] == ["deal-1"]


def test_influence_and_reporting_lines_start_change_end(store: GraphStore, workspace: str) -> None:
    seed(store, workspace)
    ws = workspace
    store.record_memberships(
        workspace=ws,
        memberships=[
            Membership(deal_id="deal-1", stakeholder_id=f"p{i}", role=Role.influencer, at=at(0))
            for i in range(3)
        ],
    )
    assert store.record_influences(
        workspace=ws,
        influences=[
            Influence(source_id="p0", target_id="p1", strength=0.4, at=at(1)),
            Influence(source_id="p1", target_id="p2", strength=0.9, at=at(1)),
            Influence(source_id="p0", target_id="p1", strength=0.8, at=at(3)),
            # p3 never sits on the deal: the line exists but is not the deal's.
            Influence(source_id="p3", target_id="p0", strength=0.5, at=at(1)),
        ],
    ) == UpsertCounts(created=3, updated=1)
    assert (
        store.record_reporting_lines(
            workspace=ws,
            lines=[
                ReportingLine(stakeholder_id="p1", manager_id="p0", at=at(1)),
                ReportingLine(stakeholder_id="p2", manager_id="p0", at=at(1)),
            ],
        ).created
        == 2
    )
    assert (
        store.end_influences(
            workspace=ws, ends=[InfluenceEnd(source_id="p1", target_id="p2", at=at(4))]
        )
        == 1
    )
    assert (
        store.end_reporting_lines(
            workspace=ws, ends=[ReportingEnd(stakeholder_id="p2", manager_id="p0", at=at(4))]
        )
        == 1
    )
    assert (
        store.end_reporting_lines(
            workspace=ws, ends=[ReportingEnd(stakeholder_id="p2", manager_id="p0", at=at(4))]
        )
        == 0
    )

    def lines(days: float) -> tuple[list[tuple[str, str, float]], list[tuple[str, str]]]:
        snap = store.snapshot(workspace=ws, deal_id="deal-1", as_of=at(days))
        return (
            [(x.source_id, x.target_id, x.strength) for x in snap.influences],
            [(x.source_id, x.target_id) for x in snap.reporting],
        )

    assert lines(0.5) == ([], [])
    assert lines(2) == ([("p0", "p1", 0.4), ("p1", "p2", 0.9)], [("p1", "p0"), ("p2", "p0")])
    assert lines(3) == ([("p0", "p1", 0.8), ("p1", "p2", 0.9)], [("p1", "p0"), ("p2", "p0")])
    assert lines(4) == ([("p0", "p1", 0.8)], [("p1", "p0")])
    history = store.deal_history(workspace=ws, deal_id="deal-1")
    assert all("p3" not in (f.source_id, f.target_id) for f in history.influence_facts)
    assert len(history.influence_facts) == 4  # two for p0->p1, start and end of p1->p2


def test_lines_of_a_member_who_left_stay_in_the_history(store: GraphStore, workspace: str) -> None:
    seed(store, workspace)
    ws = workspace
    store.record_memberships(
        workspace=ws,
        memberships=[
            Membership(deal_id="deal-1", stakeholder_id=p, role=Role.influencer, at=at(0))
            for p in ("p0", "p1")
        ],
    )
    store.record_influences(
        workspace=ws, influences=[Influence(source_id="p0", target_id="p1", strength=0.5, at=at(1))]
    )
    store.end_memberships(
        workspace=ws, ends=[MembershipEnd(deal_id="deal-1", stakeholder_id="p1", at=at(2))]
    )
    history = store.deal_history(workspace=ws, deal_id="deal-1", as_of=at(3))
    assert len(history.influence_facts) == 1  # p1 ever sat on the deal
    assert history.snapshot().influences == ()  # but not now
    assert len(history.snapshot(to_ms(at(1))).influences) == 1


def test_same_instant_later_write_wins(store: GraphStore, workspace: str) -> None:
    seed(store, workspace)
    ws = workspace
    for stance in (Stance.skeptic, Stance.supporter, Stance.skeptic):
        store.record_memberships(
            workspace=ws,
            memberships=[
                Membership(
                    deal_id="deal-1",
                    stakeholder_id="p0",
                    role=Role.evaluator,
                    stance=stance,
                    at=at(1),
                )
            ],
        )
    member = store.snapshot(workspace=ws, deal_id="deal-1", as_of=at(1)).member("p0")
    assert member is not None and member.stance == Stance.skeptic
    # Within one batch, of two facts for one pair and instant the last one counts.
    batch = [
        Membership(
            deal_id="deal-1", stakeholder_id="p1", role=Role.evaluator, stance=stance, at=at(2)
        )
        for stance in (Stance.blocker, Stance.champion)
    ]
    store.record_memberships(workspace=ws, memberships=batch)
    member = store.snapshot(workspace=ws, deal_id="deal-1", as_of=at(2)).member("p1")
    assert member is not None and member.stance == Stance.champion
    # Applying that batch again changes nothing, and every item is accounted for.
    again = store.record_memberships(workspace=ws, memberships=batch)
    assert again == UpsertCounts(unchanged=2)


def test_facts_out_of_order_and_repeats(store: GraphStore, workspace: str) -> None:
    seed(store, workspace)
    ws = workspace
    base = Membership(
        deal_id="deal-1", stakeholder_id="p0", role=Role.evaluator, stance=Stance.neutral
    )
    # A batch with a whole stance history, given newest first, one repeat inside.
    batch = [
        base.model_copy(update={"stance": s, "at": at(d)})
        for s, d in [
            (Stance.champion, 9),
            (Stance.supporter, 6),
            (Stance.supporter, 3),
            (Stance.neutral, 0),
        ]
    ]
    assert store.record_memberships(workspace=ws, memberships=batch) == UpsertCounts(
        created=1, updated=2, unchanged=1
    )
    stances = {
        d: store.snapshot(workspace=ws, deal_id="deal-1", as_of=at(d)).member("p0")
        for d in (0, 4, 7, 10)
    }
    assert {d: m.stance for d, m in stances.items() if m} == {
        0: Stance.neutral,
        4: Stance.supporter,
        7: Stance.supporter,
        10: Stance.champion,
    }
    # Inserting into the past, a fact equal to what was in effect then is a repeat.
    assert (
        store.record_memberships(
            workspace=ws,
            memberships=[base.model_copy(update={"stance": Stance.supporter, "at": at(7)})],
        ).unchanged
        == 1
    )
    assert (
        store.record_memberships(
            workspace=ws,
            memberships=[base.model_copy(update={"stance": Stance.blocker, "at": at(7)})],
        ).updated
        == 1
    )
    member = store.snapshot(workspace=ws, deal_id="deal-1", as_of=at(8)).member("p0")
    assert member is not None and member.stance == Stance.blocker


def test_at_defaults_to_now(store: GraphStore, workspace: str) -> None:
    seed(store, workspace)
    before = to_ms(datetime.now(UTC))
    store.record_memberships(
        workspace=workspace,
        memberships=[
            Membership(
                deal_id="deal-1", stakeholder_id="p0", role=Role.champion, stance=Stance.champion
            )
        ],
    )
    after = to_ms(datetime.now(UTC))
    facts = store.deal_history(workspace=workspace, deal_id="deal-1").membership_facts
    assert len(facts) == 1 and before <= facts[0].at <= after
    assert store.snapshot(workspace=workspace, deal_id="deal-1").member("p0") is not None


# --------------------------------------------------------------------------- interactions


def test_interactions_record_list_and_update(store: GraphStore, workspace: str) -> None:
    seed(store, workspace)
    ws = workspace
    recorded = store.record_interactions(
        workspace=ws,
        interactions=[
            Interaction(
                deal_id="deal-1",
                at=at(3),
                channel=Channel.call,
                stakeholder_ids=["p1"],
                team_member_emails=["rep@vendor.example"],
                summary="Discovery",
            ),
            Interaction(
                id="mtg-1",
                deal_id="deal-1",
                at=at(1),
                channel=Channel.meeting,
                stakeholder_ids=["p0", "p1"],
                team_member_emails=["rep@vendor.example", "se@vendor.example"],
                summary="Kick-off",
                next_step_at=at(8),
            ),
        ],
    )
    generated = recorded[0].id
    assert generated and recorded[1].id == "mtg-1"
    # Sending the id-less interaction again finds it instead of storing a copy.
    resent = store.record_interactions(
        workspace=ws,
        interactions=[
            {  # type: ignore[list-item]
                "deal_id": "deal-1",
                "at": at(3).isoformat(),
                "channel": "call",
                "stakeholder_ids": ["p1"],
                "team_member_emails": ["rep@vendor.example"],
                "summary": "Discovery",
            }
        ],
    )
    assert resent[0].id == generated
    listed = store.list_interactions(workspace=ws, deal_id="deal-1")
    assert [i.id for i in listed] == ["mtg-1", generated]  # oldest first
    kickoff = listed[0]
    assert (
        kickoff.at,
        kickoff.channel,
        kickoff.stakeholder_ids,
        kickoff.team_member_emails,
        kickoff.summary,
        kickoff.next_step_at,
    ) == (
        to_ms(at(1)),
        "meeting",
        ("p0", "p1"),
        ("rep@vendor.example", "se@vendor.example"),
        "Kick-off",
        to_ms(at(8)),
    )
    assert [i.id for i in store.list_interactions(workspace=ws, deal_id="deal-1", as_of=at(1))] == [
        "mtg-1"
    ]
    # Same id again: an update, not a second interaction.
    store.record_interactions(
        workspace=ws,
        interactions=[
            recorded[1].model_copy(
                update={"summary": "Kick-off (rescheduled)", "next_step_at": None}
            )
        ],
    )
    listed = store.list_interactions(workspace=ws, deal_id="deal-1")
    assert len(listed) == 2
    assert (listed[0].summary, listed[0].next_step_at) == ("Kick-off (rescheduled)", None)
    # The snapshot carries the interactions up to its instant.
    snap = store.snapshot(workspace=ws, deal_id="deal-1", as_of=at(2))
    assert [i.id for i in snap.interactions] == ["mtg-1"]
    # Team members present became known team members.
    assert (
        store.upsert_team_members(
            workspace=ws, team_members=[TeamMember(email="se@vendor.example")]
        ).unchanged
        + 1
        >= 1
    )
    with pytest.raises(NotFound):
        store.list_interactions(workspace=ws, deal_id="nope")


# --------------------------------------------------------------------------- bundles


def sample_bundle() -> Bundle:
    return Bundle(
        accounts=[Account(id="acc-9", name="Nine", tier=Tier.partner)],
        deals=[
            Deal(
                id="deal-9", account_id="acc-9", name="Nine deal", owner_email="ann@vendor.example"
            )
        ],
        stakeholders=[Stakeholder(id=f"q{i}", account_id="acc-9", name=f"Q {i}") for i in range(3)],
        team_members=[TeamMember(email="ann@vendor.example", name="Ann")],
        memberships=[
            Membership(
                deal_id="deal-9",
                stakeholder_id=f"q{i}",
                role=Role.influencer,
                stance=Stance.neutral,
                at=at(0),
            )
            for i in range(3)
        ]
        + [
            Membership(
                deal_id="deal-9",
                stakeholder_id="q0",
                role=Role.decision_maker,
                stance=Stance.supporter,
                at=at(2),
            )
        ],
        membership_ends=[MembershipEnd(deal_id="deal-9", stakeholder_id="q2", at=at(4))],
        influences=[
            Influence(source_id="q0", target_id="q1", strength=0.6, at=at(1)),
            Influence(source_id="q1", target_id="q2", strength=0.3, at=at(1)),
        ],
        influence_ends=[InfluenceEnd(source_id="q1", target_id="q2", at=at(3))],
        reporting_lines=[ReportingLine(stakeholder_id="q1", manager_id="q0", at=at(0))],
        reporting_ends=[ReportingEnd(stakeholder_id="q1", manager_id="q0", at=at(5))],
        interactions=[
            Interaction(
                id="i-9",
                deal_id="deal-9",
                at=at(1),
                channel=Channel.email,
                stakeholder_ids=["q0"],
                team_member_emails=["ann@vendor.example"],
            )
        ],
    )


def test_import_bundle_and_idempotent_reimport(store: GraphStore, workspace: str) -> None:
    ws = workspace
    bundle = sample_bundle()
    first = store.import_bundle(workspace=ws, bundle=bundle).by_kind
    assert first["accounts"] == UpsertCounts(created=1)
    assert first["stakeholders"] == UpsertCounts(created=3)
    assert first["memberships"] == UpsertCounts(created=3, updated=1)
    assert first["membership_ends"] == UpsertCounts(updated=1)
    assert first["influences"] == UpsertCounts(created=2)
    assert first["influence_ends"] == UpsertCounts(updated=1)
    assert first["reporting_ends"] == UpsertCounts(updated=1)
    assert first["interactions"] == UpsertCounts(created=1)
    history = store.deal_history(workspace=ws, deal_id="deal-9")

    second = store.import_bundle(workspace=ws, bundle=bundle).by_kind
    for kind, counts in second.items():
        assert counts.created == counts.updated == 0, kind
        assert counts.unchanged == len(getattr(bundle, kind)), kind
    assert (
        store.deal_history(workspace=ws, deal_id="deal-9").membership_facts
        == history.membership_facts
    )
    snap = store.snapshot(workspace=ws, deal_id="deal-9", as_of=at(4))
    assert [(m.id, m.stance) for m in snap.members] == [
        ("q0", Stance.supporter),
        ("q1", Stance.neutral),
    ]
    assert [(x.source_id, x.target_id) for x in snap.influences] == [("q0", "q1")]
    assert [(x.source_id, x.target_id) for x in snap.reporting] == [("q1", "q0")]
    assert store.snapshot(workspace=ws, deal_id="deal-9", as_of=at(6)).reporting == ()


def test_import_bundle_accepts_a_raw_dict(store: GraphStore, workspace: str) -> None:
    raw = sample_bundle().model_dump(mode="json")
    counts = store.import_bundle(workspace=workspace, bundle=raw)  # type: ignore[arg-type]
    assert counts.by_kind["deals"] == UpsertCounts(created=1)


# --------------------------------------------------------------------------- batches


def test_many_deal_histories_in_few_queries(store: GraphStore, workspace: str) -> None:
    ws = workspace
    store.upsert_accounts(workspace=ws, accounts=[Account(id="acc", name="Acc")])
    deals = [
        Deal(
            id=f"d{i:02d}",
            account_id="acc",
            name=f"D{i}",
            owner_email="o@v.example",
            status=DealStatus.lost if i % 5 == 4 else DealStatus.open,
        )
        for i in range(12)
    ]
    store.upsert_deals(workspace=ws, deals=deals)
    store.upsert_stakeholders(
        workspace=ws,
        stakeholders=[Stakeholder(id=f"s{i}", account_id="acc", name=f"S{i}") for i in range(6)],
    )
    # Shared people sit on several deals with different roles.
    store.record_memberships(
        workspace=ws,
        memberships=[
            Membership(
                deal_id=d.id,
                stakeholder_id=f"s{(i + k) % 6}",
                role=Role.influencer,
                stance=Stance.supporter,
                at=at(i),
            )
            for i, d in enumerate(deals)
            for k in range(3)
        ],
    )
    store.record_influences(
        workspace=ws,
        influences=[
            Influence(source_id=f"s{i}", target_id=f"s{(i + 1) % 6}", strength=0.5, at=at(0))
            for i in range(6)
        ],
    )

    counting = CountingRunner(store.runner)
    counted = GraphStore(counting, settings=store.settings)
    ids = [d.id for d in deals] + ["missing"]
    histories = counted.deal_histories(workspace=ws, deal_ids=list(reversed(ids)), as_of=at(30))
    assert counting.names == ["deal_history"]  # one query for all deals, not one per deal
    assert [h.deal.id for h in histories] == [d.id for d in reversed(deals)]
    for h in histories:
        single = store.deal_history(workspace=ws, deal_id=h.deal.id, as_of=at(30))
        assert h == single
        # Only lines between two of this deal's members belong to it.
        assert all(
            f.source_id in h.stakeholders and f.target_id in h.stakeholders
            for f in h.influence_facts
        )
        assert len(h.snapshot().influences) == 2

    counting.names.clear()
    batches = list(counted.open_deal_histories(workspace=ws, as_of=at(30), batch_size=4))
    opened = [h.deal.id for batch in batches for h in batch]
    assert opened == [d.id for d in deals if d.status == DealStatus.open]
    assert [len(b) for b in batches] == [4, 4, 2]
    assert len(counting.names) <= 2 * len(batches) + 1  # ids page + histories per batch


def test_fleet_scan_can_stop_early(store: GraphStore, workspace: str) -> None:
    store.upsert_accounts(workspace=workspace, accounts=[Account(id="acc", name="Acc")])
    store.upsert_deals(
        workspace=workspace,
        deals=[
            Deal(id=f"d{i}", account_id="acc", name=f"D{i}", owner_email="o@v.example")
            for i in range(5)
        ],
    )
    scan = store.open_deal_histories(workspace=workspace, batch_size=2)
    first = next(scan)
    assert [h.deal.id for h in first] == ["d0", "d1"]
    scan.close()  # the batch read ahead is dropped; nothing hangs
    assert [
        h.deal.id for b in store.open_deal_histories(workspace=workspace, batch_size=5) for h in b
    ] == [f"d{i}" for i in range(5)]


def test_small_store_batch_size_chunks_every_write(store: GraphStore, workspace: str) -> None:
    chunked = GraphStore(
        store.runner, settings=store.settings.model_copy(update={"store_batch_size": 3})
    )
    ws = workspace
    seed(chunked, ws, people=10)
    counts = chunked.record_memberships(
        workspace=ws,
        memberships=[
            Membership(deal_id="deal-1", stakeholder_id=f"p{i}", role=Role.other, at=at(0))
            for i in range(10)
        ],
    )
    assert counts == UpsertCounts(created=10)
    histories = chunked.deal_histories(workspace=ws, deal_ids=["deal-1"], as_of=at(1))
    assert len(histories[0].snapshot().members) == 10


class FailingRunner(CountingRunner):
    """The real runner, except that the n-th write raises (a fault, not a database mock)."""

    def __init__(self, inner: Any, fail_at: int) -> None:
        super().__init__(inner)
        self.fail_at = fail_at
        self.writes = 0

    def write(self, query_name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        self.writes += 1
        if self.writes == self.fail_at:
            raise RuntimeError("injected fault")
        return super().write(query_name, params)


def test_a_failed_statement_stops_a_pipelined_import(store: GraphStore, workspace: str) -> None:
    failing = FailingRunner(store.runner, fail_at=3)
    chunked = GraphStore(
        failing, settings=store.settings.model_copy(update={"store_batch_size": 1})
    )
    bundle = Bundle(accounts=[Account(id=f"a{i}", name=f"A{i}") for i in range(6)])
    with pytest.raises(RuntimeError, match="injected fault"):
        chunked.import_bundle(workspace=workspace, bundle=bundle)
    # Statements run in order; the ones queued after the failure never ran.
    stored = [i for i in range(6) if _exists(store, workspace, f"a{i}")]
    assert stored == [0, 1]
    assert failing.writes == 3


def _exists(store: GraphStore, ws: str, account_id: str) -> bool:
    try:
        store.get_account(workspace=ws, account_id=account_id)
    except NotFound:
        return False
    return True


def test_workspace_revision_counts_writes(store: GraphStore, workspace: str) -> None:
    assert store.workspace_revision(workspace=workspace) == 0
    store.upsert_accounts(workspace=workspace, accounts=[Account(id="a", name="A")])
    first = store.workspace_revision(workspace=workspace)
    assert first > 0
    store.upsert_accounts(workspace=workspace, accounts=[Account(id="b", name="B")])
    assert store.workspace_revision(workspace=workspace) > first
    assert store.workspace_revision(workspace=workspace + "-other") == 0


# --------------------------------------------------------------------------- deletes


def test_delete_deal_takes_its_facts_and_interactions(store: GraphStore, workspace: str) -> None:
    seed(store, workspace)
    ws = workspace
    store.record_memberships(
        workspace=ws,
        memberships=[
            Membership(deal_id="deal-1", stakeholder_id="p0", role=Role.champion, at=at(0))
        ],
    )
    store.record_interactions(
        workspace=ws,
        interactions=[Interaction(id="i1", deal_id="deal-1", at=at(1), channel=Channel.call)],
    )
    store.delete_deal(workspace=ws, deal_id="deal-1")
    with pytest.raises(NotFound):
        store.get_deal(workspace=ws, deal_id="deal-1")
    with pytest.raises(NotFound):
        store.snapshot(workspace=ws, deal_id="deal-1")
    with pytest.raises(NotFound):
        store.delete_deal(workspace=ws, deal_id="deal-1")
    assert store.list_stakeholder_deals(workspace=ws, stakeholder_id="p0") == []
    # A new deal with the same id starts with a clean history.
    seed(store, ws, people=0)
    assert store.deal_history(workspace=ws, deal_id="deal-1").membership_facts == ()
    assert store.list_interactions(workspace=ws, deal_id="deal-1") == []
    # The person stays.
    assert store.get_stakeholder(workspace=ws, stakeholder_id="p0").id == "p0"


def test_delete_stakeholder_everywhere(store: GraphStore, workspace: str) -> None:
    seed(store, workspace)
    ws = workspace
    store.record_memberships(
        workspace=ws,
        memberships=[
            Membership(deal_id="deal-1", stakeholder_id=p, role=Role.influencer, at=at(0))
            for p in ("p0", "p1")
        ],
    )
    store.record_influences(
        workspace=ws, influences=[Influence(source_id="p0", target_id="p1", strength=0.5, at=at(0))]
    )
    store.record_interactions(
        workspace=ws,
        interactions=[
            Interaction(
                id="i1",
                deal_id="deal-1",
                at=at(1),
                channel=Channel.call,
                stakeholder_ids=["p0", "p1"],
            )
        ],
    )
    store.delete_stakeholder(workspace=ws, stakeholder_id="p1")
    history = store.deal_history(workspace=ws, deal_id="deal-1")
    assert set(history.stakeholders) == {"p0"}
    assert history.influence_facts == ()
    assert history.interactions[0].stakeholder_ids == ("p0",)
    with pytest.raises(NotFound):
        store.delete_stakeholder(workspace=ws, stakeholder_id="p1")
    # The person comes back and the interaction is sent again as it was: restored.
    store.upsert_stakeholders(
        workspace=ws, stakeholders=[Stakeholder(id="p1", account_id="acc-1", name="Person 1")]
    )
    store.record_interactions(
        workspace=ws,
        interactions=[
            Interaction(
                id="i1",
                deal_id="deal-1",
                at=at(1),
                channel=Channel.call,
                stakeholder_ids=["p0", "p1"],
            )
        ],
    )
    (restored,) = store.list_interactions(workspace=ws, deal_id="deal-1")
    assert restored.stakeholder_ids == ("p0", "p1")


def test_delete_account_rules(store: GraphStore, workspace: str) -> None:
    seed(store, workspace, people=2)
    ws = workspace
    with pytest.raises(Conflict) as conflict:
        store.delete_account(workspace=ws, account_id="acc-1")
    assert conflict.value.status_code == 409
    assert store.get_account(workspace=ws, account_id="acc-1").id == "acc-1"  # kept
    store.delete_deal(workspace=ws, deal_id="deal-1")
    store.delete_account(workspace=ws, account_id="acc-1")
    with pytest.raises(NotFound):
        store.get_account(workspace=ws, account_id="acc-1")
    with pytest.raises(NotFound):  # its people went with it
        store.get_stakeholder(workspace=ws, stakeholder_id="p0")
    with pytest.raises(NotFound):
        store.delete_account(workspace=ws, account_id="acc-1")


def test_delete_account_whose_people_sit_on_another_accounts_deal(
    store: GraphStore, workspace: str
) -> None:
    seed(store, workspace, people=0)
    ws = workspace
    store.upsert_accounts(workspace=ws, accounts=[Account(id="partner", name="Partner")])
    store.upsert_stakeholders(
        workspace=ws, stakeholders=[Stakeholder(id="x", account_id="partner", name="Consultant")]
    )
    store.record_memberships(
        workspace=ws,
        memberships=[
            Membership(deal_id="deal-1", stakeholder_id="x", role=Role.influencer, at=at(0))
        ],
    )
    with pytest.raises(Conflict):
        store.delete_account(workspace=ws, account_id="partner")
    assert store.snapshot(workspace=ws, deal_id="deal-1").member("x") is not None


def test_delete_account_takes_its_people_off_interactions(
    store: GraphStore, workspace: str
) -> None:
    seed(store, workspace)
    ws = workspace
    store.upsert_accounts(workspace=ws, accounts=[Account(id="partner", name="Partner")])
    store.upsert_stakeholders(
        workspace=ws, stakeholders=[Stakeholder(id="x", account_id="partner", name="Consultant")]
    )
    store.record_interactions(
        workspace=ws,
        interactions=[
            Interaction(
                id="i1",
                deal_id="deal-1",
                at=at(1),
                channel=Channel.meeting,
                stakeholder_ids=["p0", "x"],
            )
        ],
    )
    store.delete_account(workspace=ws, account_id="partner")
    (listed,) = store.list_interactions(workspace=ws, deal_id="deal-1")
    assert listed.stakeholder_ids == ("p0",)
    with pytest.raises(NotFound):
        store.get_stakeholder(workspace=ws, stakeholder_id="x")


# --------------------------------------------------------------------------- workspaces


def test_workspace_isolation(store: GraphStore, workspace: str) -> None:
    a, b = workspace, workspace + "-b"
    seed(store, a)
    store.record_memberships(
        workspace=a,
        memberships=[
            Membership(deal_id="deal-1", stakeholder_id="p0", role=Role.champion, at=at(0))
        ],
    )
    store.record_interactions(
        workspace=a,
        interactions=[Interaction(id="i1", deal_id="deal-1", at=at(1), channel=Channel.call)],
    )
    snapshot_a = store.snapshot(workspace=a, deal_id="deal-1", as_of=at(2))
    revision_a = store.workspace_revision(workspace=a)

    # B sees nothing of A, whatever ids it passes.
    for read in (
        lambda: store.get_account(workspace=b, account_id="acc-1"),
        lambda: store.get_deal(workspace=b, deal_id="deal-1"),
        lambda: store.get_stakeholder(workspace=b, stakeholder_id="p0"),
        lambda: store.snapshot(workspace=b, deal_id="deal-1"),
        lambda: store.list_interactions(workspace=b, deal_id="deal-1"),
        lambda: store.list_stakeholder_deals(workspace=b, stakeholder_id="p0"),
    ):
        with pytest.raises(NotFound):
            read()
    assert store.list_deals(workspace=b).items == []
    assert store.deal_histories(workspace=b, deal_ids=["deal-1"]) == []
    assert list(store.open_deal_histories(workspace=b)) == []
    # B cannot write on A's entities: references are checked within B.
    with pytest.raises(ValidationFailed):
        store.record_memberships(
            workspace=b,
            memberships=[
                Membership(deal_id="deal-1", stakeholder_id="p0", role=Role.other, at=at(1))
            ],
        )
    with pytest.raises(ValidationFailed):
        store.upsert_deals(
            workspace=b,
            deals=[Deal(id="deal-x", account_id="acc-1", name="X", owner_email="o@v.example")],
        )
    # B cannot delete A's entities.
    for delete in (
        lambda: store.delete_deal(workspace=b, deal_id="deal-1"),
        lambda: store.delete_stakeholder(workspace=b, stakeholder_id="p0"),
        lambda: store.delete_account(workspace=b, account_id="acc-1"),
    ):
        with pytest.raises(NotFound):
            delete()
    # B may use the same ids for entities of its own; A is untouched.
    seed(store, b)
    store.upsert_deals(
        workspace=b,
        deals=[Deal(id="deal-1", account_id="acc-1", name="B's deal", owner_email="b@v.example")],
    )
    store.record_memberships(
        workspace=b,
        memberships=[Membership(deal_id="deal-1", stakeholder_id="p1", role=Role.other, at=at(0))],
    )
    store.delete_stakeholder(workspace=b, stakeholder_id="p0")
    assert store.get_deal(workspace=a, deal_id="deal-1").name == "Platform"
    assert store.get_stakeholder(workspace=a, stakeholder_id="p0").id == "p0"
    assert store.snapshot(workspace=a, deal_id="deal-1", as_of=at(2)) == snapshot_a
    assert store.workspace_revision(workspace=a) == revision_a
    assert [m.id for m in store.snapshot(workspace=b, deal_id="deal-1", as_of=at(2)).members] == [
        "p1"
    ]


def test_ping(store: GraphStore) -> None:
    assert store.ping() is True
