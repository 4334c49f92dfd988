"""The deal room's services on the real store, on both backends: edits through the
store's write functions, the revision check, undo, the change log, layouts, the
portfolio rows and the person search."""

from __future__ import annotations

import pytest

from graphsvc.analysis.service import AnalysisService
from graphsvc.config import Settings
from graphsvc.errors import Conflict, NotFound, ValidationFailed
from graphsvc.store.repository import GraphStore, node_key
from graphsvc.web.deal_room import DealRoomService
from graphsvc.web.portfolio import PortfolioQuery, PortfolioService
from graphsvc.web.repository import WebRepository
from graphsvc.web.schemas import EditRequest
from tests.web.conftest import HOSTILE, seed_bundle

OWNER = "owner@example.com"


@pytest.fixture
def seeded(
    store: GraphStore, settings: Settings, workspace: str
) -> tuple[DealRoomService, PortfolioService, str, str]:
    bundle, deal_id, empty_id = seed_bundle(OWNER, workspace[-6:])
    store.import_bundle(workspace=workspace, bundle=bundle)
    analysis = AnalysisService(store=store, settings=settings)
    repository = WebRepository(store.runner)
    return (
        DealRoomService(store=store, analysis=analysis, repository=repository),
        PortfolioService(
            store=store, analysis=analysis, repository=repository, max_age_seconds=300
        ),
        deal_id,
        empty_id,
    )


def _edit(**fields: object):  # type: ignore[no-untyped-def]
    return EditRequest.model_validate({"edit": fields}).edit


def test_edits_revision_undo_and_change_log(seeded, workspace: str) -> None:  # type: ignore[no-untyped-def]
    deals, _, deal_id, _ = seeded
    state = deals.get(workspace=workspace, deal_id=deal_id)
    person = next(m for m in state.snapshot.members if m.role.value == "Evaluator")
    change = deals.apply(
        workspace=workspace,
        deal_id=deal_id,
        actor="ed@example.com",
        edit=_edit(
            action="set_member",
            revision=state.revision,
            stakeholder_id=person.id,
            role="Evaluator",
            stance="supporter",
            influence_rating=3,
        ),
    )
    assert change.summary == f"set {HOSTILE}'s stance to supporter"
    with pytest.raises(Conflict):  # the same view again: stale now
        deals.apply(
            workspace=workspace,
            deal_id=deal_id,
            actor="al@example.com",
            edit=_edit(
                action="set_member",
                revision=state.revision,
                stakeholder_id=person.id,
                role="Evaluator",
                stance="blocker",
            ),
        )
    fresh = deals.get(workspace=workspace, deal_id=deal_id)
    assert fresh.snapshot.member(person.id).stance.value == "supporter"  # type: ignore[union-attr]
    deals.apply(
        workspace=workspace,
        deal_id=deal_id,
        actor="ed@example.com",
        edit=_edit(action="undo", revision=fresh.revision),
    )
    after = deals.get(workspace=workspace, deal_id=deal_id)
    assert after.snapshot.member(person.id).stance.value == "skeptic"  # type: ignore[union-attr]
    log = [(c.actor, c.action, c.undone_by) for c in after.changes]
    assert log == [
        ("ed@example.com", "undo", None),
        ("ed@example.com", "set_member", "ed@example.com"),
    ]
    with pytest.raises(Conflict):  # nothing left to undo
        deals.apply(
            workspace=workspace,
            deal_id=deal_id,
            actor="ed@example.com",
            edit=_edit(action="undo", revision=after.revision),
        )


def test_people_lines_meetings_and_removal(seeded, store: GraphStore, workspace: str) -> None:  # type: ignore[no-untyped-def]
    deals, _, _, empty_id = seeded

    def apply(**fields: object) -> None:
        revision = deals.revision(workspace=workspace, deal_id=empty_id)
        deals.apply(
            workspace=workspace,
            deal_id=empty_id,
            actor="ed@example.com",
            edit=_edit(revision=revision, **fields),
        )

    apply(action="add_person", name="Dora", role="Decision Maker", stance="neutral")
    apply(action="add_person", name="Sam", role="Champion", stance="champion", ally=True)
    # Someone the workspace already knows (from the other deal), found by name.
    [known] = deals.repository.search_people(workspace=workspace, text="dana")
    apply(action="add_person", stakeholder_id=known.id, role="Evaluator", stance="neutral")
    apply(action="remove_member", stakeholder_id=known.id)
    members = {
        m.stakeholder.name: m.id
        for m in store.snapshot(workspace=workspace, deal_id=empty_id).members
    }
    apply(action="set_influence", source_id=members["Sam"], target_id=members["Dora"], strength=0.7)
    apply(action="set_reporting", stakeholder_id=members["Sam"], manager_id=members["Dora"])
    before = deals.get(workspace=workspace, deal_id=empty_id)
    assert "DM_NEVER_CONTACTED" in {f.code.value for f in before.analysis.flags}
    assert before.frame["levels"][f"s:{members['Dora']}"] == 0  # the decision-maker on top
    apply(
        action="log_interaction",
        on="2026-01-05",
        channel="meeting",
        stakeholder_ids=[members["Dora"]],
        summary="intro",
    )
    met = deals.get(workspace=workspace, deal_id=empty_id)
    assert "DM_NEVER_CONTACTED" not in {f.code.value for f in met.analysis.flags}
    apply(action="note", stakeholder_id=members["Sam"], text="prefers e-mail")
    apply(action="end_influence", source_id=members["Sam"], target_id=members["Dora"])
    apply(action="remove_member", stakeholder_id=members["Sam"])
    snapshot = store.snapshot(workspace=workspace, deal_id=empty_id)
    assert [m.stakeholder.name for m in snapshot.members] == ["Dora"]
    assert snapshot.influences == ()
    with pytest.raises(NotFound):  # Sam is off the committee now
        apply(action="set_member", stakeholder_id=members["Sam"], role="Champion")
    with pytest.raises(ValidationFailed):  # the store's own validation: no self-influence
        apply(action="set_influence", source_id=members["Dora"], target_id=members["Dora"])
    # Every fact the page wrote carries its author, in the store itself.
    runner = store.runner
    facts = runner.execute(
        "MATCH (:Stakeholder)-[f:MEMBER_FACT]->(:Deal {key: $deal}) RETURN f.by AS by",
        {"deal": node_key(workspace, empty_id)},
        read_only=True,
    )
    lines = runner.execute(
        "UNWIND $keys AS k MATCH (:Stakeholder {key: k})-[f:INFLUENCE_FACT|REPORTS_FACT]->() "
        "RETURN f.by AS by",
        {"keys": [node_key(workspace, sid) for sid in members.values()]},
        read_only=True,
    )
    meetings = runner.execute(
        "MATCH (i:Interaction {deal_key: $deal}) RETURN i.recorded_by AS by",
        {"deal": node_key(workspace, empty_id)},
        read_only=True,
    )
    assert len(facts) == 5 and len(lines) == 3 and len(meetings) == 1
    assert {row["by"] for row in facts + lines + meetings} == {"ed@example.com"}
    actions = [c.action for c in deals.repository.changes(workspace=workspace, deal_id=empty_id)]
    assert actions[:3] == ["remove_member", "end_influence", "note"]


def test_portfolio_layout_and_search(seeded, workspace: str) -> None:  # type: ignore[no-untyped-def]
    deals, portfolio, deal_id, empty_id = seeded
    page = portfolio.page(workspace=workspace, user_email=OWNER, query=PortfolioQuery())
    assert {r.deal_id for r in page.rows} == {deal_id, empty_id} and page.mine_count == 2
    first = page.rows[0]
    assert first.worst_severity == "high" and len(first.spark) >= 2
    assert first.account_name.startswith("Acme <b>")
    mine = portfolio.page(
        workspace=workspace, user_email="nobody@example.com", query=PortfolioQuery()
    )
    assert mine.total == 0
    searched = portfolio.page(
        workspace=workspace, user_email=OWNER, query=PortfolioQuery(search="fresh", sort="amount")
    )
    assert [r.deal_id for r in searched.rows] == [empty_id]
    flagged = portfolio.page(
        workspace=workspace, user_email=OWNER, query=PortfolioQuery(flag="DM_NEVER_CONTACTED")
    )
    assert [r.deal_id for r in flagged.rows] == [deal_id]
    repository = deals.repository
    assert repository.layout(workspace=workspace, deal_id=deal_id) == ("network", {})
    repository.save_layout(
        workspace=workspace, deal_id=deal_id, layout="orgchart", positions=None, now=1, by="ed"
    )
    repository.save_layout(
        workspace=workspace,
        deal_id=deal_id,
        layout=None,
        positions={"network": {"s:a": [1, 2]}},
        now=2,
        by="ed",
    )
    assert repository.layout(workspace=workspace, deal_id=deal_id) == (
        "orgchart",
        {"network": {"s:a": [1, 2]}},
    )
    hits = repository.search_people(workspace=workspace, text="CHAMP")
    assert [h.name for h in hits] == ["Chris Champion"]
    assert repository.search_people(workspace=workspace + "-x", text="champ") == []


def test_portfolio_reads_kept_results_and_hands_many_stale_deals_to_the_background(
    seeded,
    store: GraphStore,  # type: ignore[no-untyped-def]
    settings: Settings,
    workspace: str,
) -> None:
    from graphsvc.domain.models import Deal

    _, portfolio, deal_id, _ = seeded
    first = portfolio.page(workspace=workspace, user_email=OWNER, query=PortfolioQuery())
    assert first.total == 2 and not first.refreshing
    account = store.get_deal(workspace=workspace, deal_id=deal_id).account_id
    store.upsert_deals(
        workspace=workspace,
        deals=[Deal(id="D-late", account_id=account, name="Late deal", owner_email=OWNER)],
    )
    # A few stale deals are analysed on the request path: the new deal shows at once.
    fresh = portfolio.page(workspace=workspace, user_email=OWNER, query=PortfolioQuery())
    assert not fresh.refreshing and fresh.total == 3
    # Another process (its own analysis service) that may analyse no deal on a request
    # path: it answers from what is kept, and a deal written since comes from the
    # background rebuild.
    capped = AnalysisService(
        store=store, settings=settings.model_copy(update={"analysis_inline_max": 0})
    )
    other = PortfolioService(store=store, analysis=capped, repository=WebRepository(store.runner))
    store.upsert_deals(
        workspace=workspace,
        deals=[Deal(id="D-later", account_id=account, name="Later deal", owner_email=OWNER)],
    )
    partial = other.page(workspace=workspace, user_email=OWNER, query=PortfolioQuery())
    assert partial.refreshing and partial.total == 3
    assert capped.kept.wait_background(workspace=workspace, timeout=120)
    complete = other.page(workspace=workspace, user_email=OWNER, query=PortfolioQuery())
    assert not complete.refreshing and complete.total == 4
    assert [r.deal_id for r in complete.rows] == [
        r.deal_id
        for r in portfolio.page(workspace=workspace, user_email=OWNER, query=PortfolioQuery()).rows
    ]
