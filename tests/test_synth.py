"""The seeded synthetic portfolio: deterministic, realistic in shape, importable."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

import pytest

from graphsvc.domain.models import DECISION_ROLES, Bundle, Stance, to_ms
from graphsvc.store.repository import GraphStore
from graphsvc.synth import PortfolioGenerator, generate_portfolio

NOW = datetime(2026, 5, 4, tzinfo=UTC)


def flat(bundles: list[Bundle]) -> dict[str, list]:
    return {name: [x for b in bundles for x in getattr(b, name)] for name in Bundle.model_fields}


@pytest.fixture(scope="module")
def portfolio() -> tuple[PortfolioGenerator, dict[str, list]]:
    generator = PortfolioGenerator(n_deals=120, seed=5, now=NOW, chunk_deals=40)
    return generator, flat(list(generator.bundles()))


def test_same_seed_same_portfolio_whatever_the_chunk_size() -> None:
    a = flat(list(generate_portfolio(30, seed=9, now=NOW, chunk_deals=7)))
    b = flat(list(generate_portfolio(30, seed=9, now=NOW, chunk_deals=100)))
    # team members repeat in every chunk that needs them; everything else is identical
    assert set(a.pop("team_members")) == set(b.pop("team_members"))
    assert a == b
    c = flat(list(generate_portfolio(30, seed=10, now=NOW)))
    assert c["memberships"] != a["memberships"]


def test_shape_matches_the_brief(portfolio: tuple[PortfolioGenerator, dict[str, list]]) -> None:
    _, items = portfolio
    deals = items["deals"]
    assert len(deals) == 120 and len({d.id for d in deals}) == 120
    committee: dict[str, set[str]] = defaultdict(set)
    for m in items["memberships"]:
        committee[m.deal_id].add(m.stakeholder_id)
    sizes = [len(committee[d.id]) for d in deals]
    assert min(sizes) >= 25 and max(sizes) <= 30
    per_person = len(items["influences"]) / len(items["stakeholders"])
    assert 2.5 <= per_person <= 3.2
    per_deal = Counter(i.deal_id for i in items["interactions"])
    assert 17 <= sum(per_deal.values()) / len(deals) <= 23
    # a reporting tree per account: everybody but the head reports to exactly one manager
    managers = Counter(r.stakeholder_id for r in items["reporting_lines"])
    assert set(managers.values()) == {1}
    assert len(managers) == len(items["stakeholders"]) - len(items["accounts"])
    # stance history spans the months
    instants = [m.at for m in items["memberships"]]
    assert min(instants) >= NOW - timedelta(days=181) and max(instants) <= NOW


def test_built_in_patterns(portfolio: tuple[PortfolioGenerator, dict[str, list]]) -> None:
    generator, items = portfolio
    traits = generator.traits
    with_dm = [t for t in traits.values() if t.top_dm_id is not None]
    assert len(with_dm) >= 0.8 * len(traits)
    roles = {(m.deal_id, m.stakeholder_id): m.role for m in items["memberships"]}
    contacted = defaultdict(set)
    for i in items["interactions"]:
        contacted[i.deal_id].update(i.stakeholder_ids)
    uncontacted = [t for t in with_dm if not t.dm_contacted]
    assert uncontacted, "some deals must have an uncontacted top decision-maker"
    for t in with_dm:
        assert roles[(t.deal_id, t.top_dm_id)] in DECISION_ROLES
        assert (t.top_dm_id in contacted[t.deal_id]) == t.dm_contacted

    def support(deal_id: str, at: datetime) -> int:
        latest = {}
        for m in sorted(
            (m for m in items["memberships"] if m.deal_id == deal_id), key=lambda m: to_ms(m.at)
        ):
            if m.at <= at:
                latest[m.stakeholder_id] = m.stance
        return sum(s in (Stance.supporter, Stance.champion) for s in latest.values())

    shrinking = [t.deal_id for t in traits.values() if t.trend == "shrinking"]
    assert shrinking
    for deal_id in shrinking:
        assert support(deal_id, NOW) < support(deal_id, NOW - timedelta(days=42))


def test_portfolio_imports_into_the_store(store: GraphStore, workspace: str) -> None:
    for bundle in generate_portfolio(6, seed=3, now=NOW, stakeholders_per_deal=10, chunk_deals=3):
        store.import_bundle(workspace=workspace, bundle=bundle)
    page = store.list_deals(workspace=workspace, limit=50)
    assert len(page.items) == 6


def test_the_portfolio_is_pinned_byte_for_byte() -> None:
    """Benchmarks compare figures across commits on this portfolio: reshaping the
    generator's code must not change one byte of it (nor the traits it reports). A
    deliberate change of the generator updates these digests."""
    digest = hashlib.sha256()
    for bundle in generate_portfolio(60, seed=3, now=NOW, chunk_deals=20):
        digest.update(bundle.model_dump_json().encode())
    assert digest.hexdigest() == "3c2e40a1e9d0d01f90589b44e9eabb3b1f275ab947c9f9de045f838bd4ebce87"
    generator = PortfolioGenerator(
        n_deals=25, seed=11, now=NOW, stakeholders_per_deal=8, uncontacted_dm_share=0.5
    )
    digest = hashlib.sha256()
    for bundle in generator.bundles():
        digest.update(bundle.model_dump_json().encode())
    assert digest.hexdigest() == "5ddb2ee2dde3f865c10cd5cabc83d7d7aafa0109b96719754419a45a000184e2"
    traits = hashlib.sha256(repr(sorted(generator.traits.items())).encode()).hexdigest()
    assert traits == "45f437c4fee65dbf603ca8a1fde2915cc2aee1e4a226488bd35de132b2aac418"
