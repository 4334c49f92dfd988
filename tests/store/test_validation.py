"""Bad input: a clear error naming the field (and the batch index), and nothing written.

"Nothing written" is checked on the database itself: the workspace revision (bumped by
every write statement) does not move, and the valid items of the batch are absent.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from graphsvc.domain.models import (
    Account,
    Bundle,
    Deal,
    Influence,
    Interaction,
    Membership,
    ReportingLine,
    Stakeholder,
)
from graphsvc.errors import NotFound, ValidationFailed
from graphsvc.store.repository import GraphStore, validate_batch

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def seed(store: GraphStore, ws: str) -> None:
    store.upsert_accounts(workspace=ws, accounts=[Account(id="acc-1", name="Acme")])
    store.upsert_deals(
        workspace=ws,
        deals=[Deal(id="deal-1", account_id="acc-1", name="Platform", owner_email="o@v.example")],
    )
    store.upsert_stakeholders(
        workspace=ws,
        stakeholders=[
            Stakeholder(id=f"p{i}", account_id="acc-1", name=f"Person {i}") for i in range(3)
        ],
    )


def locs(exc: pytest.ExceptionInfo[ValidationFailed]) -> list[list[Any]]:
    assert exc.value.status_code == 422
    return [list(e["loc"]) for e in exc.value.detail]


def membership(**changes: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "deal_id": "deal-1",
        "stakeholder_id": "p0",
        "role": "Evaluator",
        "stance": "neutral",
        "at": T0.isoformat(),
    }
    item.update(changes)
    return item


# --------------------------------------------------------------------------- fields


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"role": "Janitor"}, "role"),
        ({"stance": "lukewarm"}, "stance"),
        ({"influence_rating": 6}, "influence_rating"),
        ({"influence_rating": 0}, "influence_rating"),
        ({"self_weight": 1.5}, "self_weight"),
        ({"self_weight": float("nan")}, "self_weight"),
        ({"stakeholder_id": ""}, "stakeholder_id"),
        ({"stakeholder_id": "x" * 129}, "stakeholder_id"),
        ({"stakeholder_id": "tab\there"}, "stakeholder_id"),
        ({"deal_id": None}, "deal_id"),
        ({"at": "yesterday-ish"}, "at"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_invalid_membership_fields_name_index_and_field(
    store: GraphStore, workspace: str, changes: dict[str, Any], field: str
) -> None:
    seed(store, workspace)
    revision = store.workspace_revision(workspace=workspace)
    batch = [membership(), membership(stakeholder_id="p1"), membership(**changes)]
    with pytest.raises(ValidationFailed) as exc:
        store.record_memberships(workspace=workspace, memberships=batch)  # type: ignore[arg-type]
    assert locs(exc) == [[2, field]]
    assert store.workspace_revision(workspace=workspace) == revision
    assert store.snapshot(workspace=workspace, deal_id="deal-1").members == ()


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"source_id": "p0", "target_id": "p1", "strength": 0}, "strength"),
        ({"source_id": "p0", "target_id": "p1", "strength": 1.01}, "strength"),
        ({"source_id": "p0", "target_id": "p1", "strength": -0.5}, "strength"),
        ({"source_id": "p0", "target_id": "p0", "strength": 0.5}, "target_id"),
    ],
)
def test_invalid_influences(
    store: GraphStore, workspace: str, item: dict[str, Any], field: str
) -> None:
    seed(store, workspace)
    revision = store.workspace_revision(workspace=workspace)
    good = {"source_id": "p1", "target_id": "p2", "strength": 0.5}
    with pytest.raises(ValidationFailed) as exc:
        store.record_influences(workspace=workspace, influences=[good, item])  # type: ignore[list-item]
    assert locs(exc) == [[1, field]]
    assert store.workspace_revision(workspace=workspace) == revision


def test_reporting_to_oneself(store: GraphStore, workspace: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        store.record_reporting_lines(
            workspace=workspace, lines=[{"stakeholder_id": "p0", "manager_id": "p0"}]
        )  # type: ignore[list-item]
    assert locs(exc) == [[0, "manager_id"]]


def test_every_invalid_item_is_reported(store: GraphStore, workspace: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        store.upsert_deals(
            workspace=workspace,
            deals=[  # type: ignore[list-item]
                {"id": "d1", "account_id": "a", "name": "ok", "owner_email": "o@v.example"},
                {"id": "d2", "account_id": "a", "name": "", "owner_email": "o@v.example"},
                {"id": "d3", "account_id": "a", "name": "x", "owner_email": "not-an-email"},
                {
                    "id": "d4",
                    "account_id": "a",
                    "name": "x",
                    "owner_email": "o@v.example",
                    "currency": "euro",
                    "amount": -1,
                },
            ],
        )
    assert sorted(locs(exc)) == [[1, "name"], [2, "owner_email"], [3, "amount"], [3, "currency"]]


def test_validate_batch_helper() -> None:
    models = validate_batch(Account, [{"id": "a", "name": "A"}, Account(id="b", name="B")])
    assert [m.id for m in models] == ["a", "b"]
    with pytest.raises(ValidationFailed) as exc:
        validate_batch(Account, [{"id": "a", "name": "A"}, {"id": "b", "tier": "gold"}])
    assert sorted(locs(exc)) == [[1, "name"], [1, "tier"]]
    assert all(e["msg"] for e in exc.value.detail)


def test_invalid_workspace_name(store: GraphStore) -> None:
    for bad in ("", "x" * 129, "new\nline", "unit\x1fseparator", " lead", "trail "):
        with pytest.raises(ValidationFailed) as exc:
            store.upsert_accounts(workspace=bad, accounts=[Account(id="a", name="A")])
        assert locs(exc) == [["workspace"]]


# --------------------------------------------------------------------------- references


def test_interaction_on_unknown_deal_or_stakeholder(store: GraphStore, workspace: str) -> None:
    seed(store, workspace)
    revision = store.workspace_revision(workspace=workspace)
    batch = [
        Interaction(id="ok", deal_id="deal-1", at=T0, channel="call", stakeholder_ids=["p0"]),
        Interaction(id="bad-deal", deal_id="deal-404", at=T0, channel="call"),
        Interaction(
            id="bad-person",
            deal_id="deal-1",
            at=T0,
            channel="meeting",
            stakeholder_ids=["p1", "ghost"],
        ),
    ]
    with pytest.raises(ValidationFailed) as exc:
        store.record_interactions(workspace=workspace, interactions=batch)
    assert locs(exc) == [[1, "deal_id"], [2, "stakeholder_ids", 1]]
    assert "deal-404" in exc.value.detail[0]["msg"]
    assert store.workspace_revision(workspace=workspace) == revision
    assert store.list_interactions(workspace=workspace, deal_id="deal-1") == []


def test_unknown_references_in_every_kind(store: GraphStore, workspace: str) -> None:
    seed(store, workspace)
    ws = workspace
    revision = store.workspace_revision(workspace=ws)
    cases = [
        (
            lambda: store.upsert_deals(
                workspace=ws,
                deals=[Deal(id="d2", account_id="acc-404", name="X", owner_email="o@v.example")],
            ),
            [[0, "account_id"]],
        ),
        (
            lambda: store.upsert_stakeholders(
                workspace=ws,
                stakeholders=[
                    Stakeholder(id="p9", account_id="acc-1", name="ok"),
                    Stakeholder(id="p8", account_id="acc-404", name="X"),
                ],
            ),
            [[1, "account_id"]],
        ),
        (
            lambda: store.record_memberships(
                workspace=ws,
                memberships=[
                    Membership(deal_id="deal-404", stakeholder_id="p0", role="Other"),
                    Membership(deal_id="deal-1", stakeholder_id="p404", role="Other"),
                ],
            ),
            [[0, "deal_id"], [1, "stakeholder_id"]],
        ),
        (
            lambda: store.record_influences(
                workspace=ws, influences=[Influence(source_id="p0", target_id="p404", strength=0.5)]
            ),
            [[0, "target_id"]],
        ),
        (
            lambda: store.record_reporting_lines(
                workspace=ws, lines=[ReportingLine(stakeholder_id="p404", manager_id="p0")]
            ),
            [[0, "stakeholder_id"]],
        ),
    ]
    for write, expected in cases:
        with pytest.raises(ValidationFailed) as exc:
            write()
        assert locs(exc) == expected
    assert store.workspace_revision(workspace=ws) == revision
    with pytest.raises(NotFound):
        store.get_stakeholder(workspace=ws, stakeholder_id="p9")


def test_cross_workspace_ids_are_unknown(store: GraphStore, workspace: str) -> None:
    other = workspace + "-other"
    seed(store, other)
    with pytest.raises(ValidationFailed) as exc:
        store.record_memberships(
            workspace=workspace,
            memberships=[Membership(deal_id="deal-1", stakeholder_id="p0", role="Other")],
        )
    assert locs(exc) == [[0, "deal_id"], [0, "stakeholder_id"]]
    assert store.snapshot(workspace=other, deal_id="deal-1").members == ()


# --------------------------------------------------------------------------- bundles


def test_bundle_with_one_invalid_reference_writes_nothing(
    store: GraphStore, workspace: str
) -> None:
    seed(store, workspace)
    revision = store.workspace_revision(workspace=workspace)
    bundle = Bundle(
        accounts=[Account(id="acc-2", name="New")],
        deals=[Deal(id="deal-2", account_id="acc-2", name="New deal", owner_email="o@v.example")],
        stakeholders=[Stakeholder(id="n0", account_id="acc-2", name="New person")],
        # references within the bundle (n0, deal-2) and to what is stored (p0, deal-1)
        memberships=[
            Membership(deal_id="deal-2", stakeholder_id="n0", role="Other", at=T0),
            Membership(deal_id="deal-1", stakeholder_id="n0", role="Other", at=T0),
            Membership(deal_id="deal-2", stakeholder_id="p0", role="Other", at=T0),
        ],
        influences=[
            Influence(source_id="n0", target_id="p0", strength=0.3),
            Influence(source_id="n0", target_id="nobody", strength=0.3),
        ],
        interactions=[Interaction(deal_id="deal-3", at=T0 + timedelta(days=1), channel="email")],
    )
    with pytest.raises(ValidationFailed) as exc:
        store.import_bundle(workspace=workspace, bundle=bundle)
    assert locs(exc) == [["influences", 1, "target_id"], ["interactions", 0, "deal_id"]]
    assert store.workspace_revision(workspace=workspace) == revision
    with pytest.raises(NotFound):
        store.get_account(workspace=workspace, account_id="acc-2")
    # Fixed, the same bundle imports.
    fixed = bundle.model_copy(update={"influences": bundle.influences[:1], "interactions": []})
    counts = store.import_bundle(workspace=workspace, bundle=fixed)
    assert counts.by_kind["memberships"].created == 3


def test_bundle_with_invalid_fields_names_kind_index_and_field(
    store: GraphStore, workspace: str
) -> None:
    raw = {
        "accounts": [{"id": "a", "name": "A"}, {"id": "b", "name": "B", "tier": "gold"}],
        "influences": [{"source_id": "x", "target_id": "y", "strength": 2}],
    }
    with pytest.raises(ValidationFailed) as exc:
        store.import_bundle(workspace=workspace, bundle=raw)  # type: ignore[arg-type]
    assert locs(exc) == [["accounts", 1, "tier"], ["influences", 0, "strength"]]
    assert store.workspace_revision(workspace=workspace) == 0
