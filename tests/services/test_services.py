"""The resource services own their rules, whoever calls them (API, CLI, web app).

Each rule checked here on both stores, through the service verbs themselves: a deal or
stakeholder needs its account, facts need both ends, ending something not in effect is
404, a delete of nothing is 404 and writes nothing (the workspace revision stays).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from graphsvc.domain.models import (
    AccountFields,
    Channel,
    CommitteePart,
    DealFields,
    InteractionFields,
    Role,
    StakeholderFields,
    Stance,
)
from graphsvc.errors import NotFound, ValidationFailed
from graphsvc.services import (
    AccountService,
    CommitteeService,
    DealService,
    InteractionService,
    LineService,
    StakeholderService,
)
from graphsvc.store.repository import GraphStore

T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)


def _seed(store: GraphStore, ws: str) -> None:
    AccountService(store=store).upsert(
        workspace=ws, account_id="acme", fields=AccountFields(name="Acme")
    )
    DealService(store=store, settings=store.settings).upsert(
        workspace=ws,
        deal_id="d1",
        fields=DealFields(account_id="acme", name="Renewal", owner_email="o@us.example"),
    )
    people = StakeholderService(store=store)
    for sid in ("cfo", "cto"):
        people.upsert(
            workspace=ws,
            stakeholder_id=sid,
            fields=StakeholderFields(account_id="acme", name=sid.upper()),
        )


def test_deals_and_stakeholders_need_their_account(store: GraphStore, workspace: str) -> None:
    deals = DealService(store=store, settings=store.settings)
    with pytest.raises(NotFound, match="nowhere"):
        deals.upsert(
            workspace=workspace,
            deal_id="d1",
            fields=DealFields(account_id="nowhere", name="X", owner_email="o@us.example"),
        )
    with pytest.raises(NotFound, match="nowhere"):
        StakeholderService(store=store).upsert(
            workspace=workspace,
            stakeholder_id="p",
            fields=StakeholderFields(account_id="nowhere", name="P"),
        )
    assert store.workspace_revision(workspace=workspace) == 0


def test_deleting_nothing_is_404_and_writes_nothing(store: GraphStore, workspace: str) -> None:
    _seed(store, workspace)
    revision = store.workspace_revision(workspace=workspace)
    with pytest.raises(NotFound):
        DealService(store=store, settings=store.settings).delete(
            workspace=workspace, deal_id="gone"
        )
    with pytest.raises(NotFound):
        StakeholderService(store=store).delete(workspace=workspace, stakeholder_id="gone")
    with pytest.raises(NotFound):
        AccountService(store=store).delete(workspace=workspace, account_id="gone")
    assert store.workspace_revision(workspace=workspace) == revision


def test_committee_records_and_ends_with_outcomes(store: GraphStore, workspace: str) -> None:
    _seed(store, workspace)
    committee = CommitteeService(store=store)
    part = CommitteePart(role=Role.decision_maker, stance=Stance.supporter)
    first = committee.record(
        workspace=workspace, actor="t", deal_id="d1", stakeholder_id="cfo", part=part, at=T0
    )
    again = committee.record(
        workspace=workspace, actor="t", deal_id="d1", stakeholder_id="cfo", part=part, at=T0
    )
    assert (first.outcome, again.outcome, first.at) == ("created", "unchanged", T0)
    members = committee.get(workspace=workspace, deal_id="d1").members
    assert [(m.id, m.role, m.stance) for m in members] == [
        ("cfo", Role.decision_maker, Stance.supporter)
    ]
    with pytest.raises(NotFound, match="not on the committee"):
        committee.end(workspace=workspace, actor="t", deal_id="d1", stakeholder_id="cto")
    with pytest.raises(NotFound, match="nobody"):
        committee.record(
            workspace=workspace, actor="t", deal_id="d1", stakeholder_id="nobody", part=part
        )
    assert (
        committee.end(workspace=workspace, actor="t", deal_id="d1", stakeholder_id="cfo").ended == 1
    )


def test_lines_need_both_ends_and_an_active_line_to_end(store: GraphStore, workspace: str) -> None:
    _seed(store, workspace)
    lines = LineService(store=store)
    with pytest.raises(NotFound, match="ghost"):
        lines.record_influence(
            workspace=workspace, actor="t", source_id="cfo", target_id="ghost", strength=0.5
        )
    recorded = lines.record_influence(
        workspace=workspace, actor="t", source_id="cfo", target_id="cto", strength=0.5, at=T0
    )
    assert recorded.outcome == "created"
    with pytest.raises(NotFound, match="does not report"):
        lines.end_reporting(workspace=workspace, actor="t", stakeholder_id="cto", manager_id="cfo")
    assert (
        lines.record_reporting(
            workspace=workspace, actor="t", stakeholder_id="cto", manager_id="cfo", at=T0
        ).outcome
        == "created"
    )
    assert (
        lines.end_influence(workspace=workspace, actor="t", source_id="cfo", target_id="cto").ended
        == 1
    )


def test_interactions_need_their_deal_and_people(store: GraphStore, workspace: str) -> None:
    _seed(store, workspace)
    interactions = InteractionService(store=store)
    with pytest.raises(NotFound, match="nodeal"):
        interactions.record(
            workspace=workspace,
            actor="t",
            fields=InteractionFields(deal_id="nodeal", at=T0, channel=Channel.call),
        )
    with pytest.raises(ValidationFailed) as caught:
        interactions.record(
            workspace=workspace,
            actor="t",
            fields=InteractionFields(
                deal_id="d1", at=T0, channel=Channel.call, stakeholder_ids=["cfo", "ghost"]
            ),
        )
    assert caught.value.detail[0]["loc"] == [0, "stakeholder_ids", 1]
    stored = interactions.record(
        workspace=workspace,
        actor="t",
        fields=InteractionFields(
            deal_id="d1", at=T0, channel=Channel.meeting, stakeholder_ids=["cfo"]
        ),
    )
    assert [r.id for r in interactions.list(workspace=workspace, deal_id="d1")] == [stored.id]
    with pytest.raises(NotFound):
        interactions.list(workspace=workspace, deal_id="nodeal")


def test_deal_pages_are_capped_by_the_settings(store: GraphStore, workspace: str) -> None:
    _seed(store, workspace)
    deals = DealService(
        store=store,
        settings=store.settings.model_copy(update={"page_limit_default": 2, "page_limit_max": 3}),
    )
    for n in range(5):
        deals.upsert(
            workspace=workspace,
            deal_id=f"d{n + 2}",
            fields=DealFields(account_id="acme", name="D", owner_email="o@us.example"),
        )
    assert len(deals.list(workspace=workspace).items) == 2
    page = deals.list(workspace=workspace, limit=100)
    assert len(page.items) == 3 and page.next_cursor is not None
    rest = deals.list(workspace=workspace, limit=100, cursor=page.next_cursor)
    assert [d.id for d in page.items + rest.items] == [f"d{n}" for n in range(1, 7)]
    assert rest.next_cursor is None
