"""The erasure and a kept-results writer racing it, on both stores: a writer that read a
deal's facts before a data-protection erasure and comes to keep its result after it is
refused (``deal_result_keep*.cypher`` check the deal's ``arev`` against the result's
revision), so no kept result names the erased person, for the deals they sat on and for
those of the people they had lines with."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from graphsvc.analysis.params import DEFAULT_PARAMS
from graphsvc.analysis.results import KeptResults
from graphsvc.domain.models import Account, Deal, Influence, Membership, Role, Stakeholder, Stance
from graphsvc.services.stakeholders import StakeholderService
from graphsvc.store.codecs import KEY_SEPARATOR, node_key
from graphsvc.store.repository import GraphStore

NOW = datetime(2026, 10, 1, tzinfo=UTC)
NAME = "Ada Erasable"


def _seed(store: GraphStore, workspace: str) -> None:
    """Ada decides on deal ``d-1``; Cleo, who sits on ``d-2`` only, sways Ada."""
    at = NOW - timedelta(days=20)
    store.upsert_accounts(workspace=workspace, accounts=[Account(id="acc", name="Acme")])
    store.upsert_deals(
        workspace=workspace,
        deals=[
            Deal(id=f"d-{i}", account_id="acc", name=f"Deal {i}", owner_email="o@v.example")
            for i in (1, 2)
        ],
    )
    store.upsert_stakeholders(
        workspace=workspace,
        stakeholders=[
            Stakeholder(id="ada", account_id="acc", name=NAME),
            Stakeholder(id="bo", account_id="acc", name="Bo"),
            Stakeholder(id="cleo", account_id="acc", name="Cleo"),
        ],
    )
    store.record_memberships(
        workspace=workspace,
        memberships=[
            Membership(
                deal_id="d-1",
                stakeholder_id="ada",
                role=Role.decision_maker,
                stance=Stance.supporter,
                at=at,
            ),
            Membership(deal_id="d-1", stakeholder_id="bo", role=Role.influencer, at=at),
            Membership(deal_id="d-2", stakeholder_id="cleo", role=Role.decision_maker, at=at),
        ],
    )
    store.record_influences(
        workspace=workspace,
        influences=[Influence(source_id="cleo", target_id="ada", strength=0.6, at=at)],
    )


def _seeded(store: GraphStore, workspace: str) -> tuple[KeptResults, StakeholderService]:
    """The seeded workspace's kept results, and the service that erases people."""
    _seed(store, workspace)
    return KeptResults(store=store, params=DEFAULT_PARAMS), StakeholderService(store=store)


def _kept(store: GraphStore, workspace: str) -> list[dict[str, Any]]:
    runner: Any = store.runner  # either backend's runner runs fixed query text
    return runner.execute(
        "MATCH (r:DealResult) WHERE r.key STARTS WITH $prefix "
        "RETURN r.key AS key, r.rev AS rev, r.frev AS frev, r.body AS body, r.full AS full",
        {"prefix": node_key(workspace, "").removesuffix(KEY_SEPARATOR)},
        read_only=True,
    )


def _erase_after(read: Callable[..., Any], erase: Callable[[], None]) -> Callable[..., Any]:
    """``read`` (a store read of deals' facts) that runs the erasure right after it has
    read: the writer then keeps what it computed from the facts before the erasure."""

    def racing(**options: Any) -> Any:
        found = read(**options)
        if isinstance(found, Iterator):
            found = list(found)
        erase()
        return found

    return racing


def test_a_result_read_before_an_erasure_is_not_kept_after_it(
    store: GraphStore, workspace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept, people = _seeded(store, workspace)
    before = store.workspace_revision(workspace=workspace)

    erased: list[bool] = []

    def erase() -> None:
        if not erased:  # once: the first read is the racing writer's
            people.delete(workspace=workspace, stakeholder_id="ada", erase=True)
            erased.append(True)

    monkeypatch.setattr(
        store, "fleet_fact_chunk_pairs", _erase_after(store.fleet_fact_chunk_pairs, erase)
    )
    # The writer read the revision and both deals' facts before the erasure.
    risks = kept.risks(workspace=workspace, at=NOW)
    assert erased
    assert [r.top_decision_maker.name for r in risks if r.top_decision_maker] == [NAME, "Cleo"]
    rows = _kept(store, workspace)
    assert not any(NAME in f"{row['body']} {row['full']}" for row in rows)
    # Nothing computed before the erasure was kept, on Ada's deal nor on Cleo's.
    assert all(row["rev"] is None or row["rev"] > before for row in rows)
    monkeypatch.undo()

    # Read again after the erasure: analysed from the erased record, and kept.
    again = kept.risks(workspace=workspace, at=NOW)
    assert [r.top_decision_maker.name for r in again if r.top_decision_maker] == [
        "[erased]",
        "Cleo",
    ]
    rows = _kept(store, workspace)
    assert sorted(row["key"] for row in rows if row["body"]) == [
        node_key(workspace, "d-1"),
        node_key(workspace, "d-2"),
    ]
    assert not any(NAME in f"{row['body']} {row['full']}" for row in rows)


def test_a_full_analysis_read_before_an_erasure_is_not_kept_after_it(
    store: GraphStore, workspace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept, people = _seeded(store, workspace)

    def erase() -> None:
        people.delete(workspace=workspace, stakeholder_id="ada", erase=True)

    monkeypatch.setattr(store, "deal_histories", _erase_after(store.deal_histories, erase))
    found = kept.full_analysis(workspace=workspace, deal_id="d-1", at=NOW)
    assert found is not None and NAME in found[0].model_dump_json()  # read before
    assert not any(NAME in f"{row['body']} {row['full']}" for row in _kept(store, workspace))
    monkeypatch.undo()

    found = kept.full_analysis(workspace=workspace, deal_id="d-1", at=NOW)
    assert found is not None and NAME not in found[0].model_dump_json()
    [row] = [row for row in _kept(store, workspace) if row["key"] == node_key(workspace, "d-1")]
    assert row["full"] is not None and NAME not in row["full"]
