"""Influence ranking on small hand-built committees; every expected number is worked
out by hand in the comment next to it (formulas: graphsvc/analysis/ranking.py)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from graphsvc.analysis._examples import committee
from graphsvc.analysis.params import AnalysisParams
from graphsvc.analysis.ranking import (
    network_influence,
    rank_members,
    reporting_position,
    score_members,
)
from graphsvc.domain.models import Role


def test_empty_committee_has_no_ranking() -> None:
    snap = committee([])
    assert rank_members(snap) == []
    assert score_members(snap).size == 0


def test_pagerank_star_matches_hand_solution() -> None:
    # A sways B and C, so B and C listen to A: edges B->A, C->A; A is dangling.
    # Stationary equations with alpha = 0.85 and uniform teleport/dangling mass:
    #   b = 0.85 * a / 3 + 0.05 ;  a = 0.85 * (2b + a/3) + 0.05
    #   => a = 0.135 / 0.235 = 0.574468..., b = 0.212766...
    snap = committee(
        [("a", "Other"), ("b", "Other"), ("c", "Other")],
        influences=[("a", "b", 1.0), ("a", "c", 1.0)],
    )
    network = network_influence(snap)
    assert network[0] == pytest.approx(1.0)
    assert network[1] == pytest.approx((0.85 * 0.574468085 / 3 + 0.05) / 0.574468085, abs=1e-8)
    assert network[1] == network[2]


def test_pagerank_is_networkx_pagerank_with_the_listening_direction() -> None:
    # The networkx documentation example graph (nx.DiGraph(nx.path_graph(4))) reversed
    # into "who listens to whom"; the component is networkx's value over its maximum.
    snap = committee(
        [("a", "Other"), ("b", "Other"), ("c", "Other"), ("d", "Other")],
        influences=[("b", "a", 1.0), ("c", "b", 1.0), ("d", "c", 1.0), ("a", "b", 0.5)],
    )
    graph = nx.DiGraph()
    graph.add_weighted_edges_from(
        [("a", "b", 1.0), ("b", "c", 1.0), ("c", "d", 1.0), ("b", "a", 0.5)]
    )
    expected = nx.pagerank(graph, tol=1e-15, max_iter=2000)
    top = max(expected.values())
    assert network_influence(snap).tolist() == pytest.approx(
        [expected[k] / top for k in "abcd"], abs=1e-12
    )


def test_reporting_position_chain_and_isolated() -> None:
    # a -> b -> c (reports to), d outside every line; n = 4, so span n - 1 = 3.
    #   a: below 0, above 2: 0.5 * 0 + 0.5 / 3      = 0.1667
    #   b: below 1, above 1: 0.5 * 1/3 + 0.5 / 2    = 0.4167
    #   c: below 2, above 0: 0.5 * 2/3 + 0.5        = 0.8333
    #   d: below 0, above 0: 0.5
    snap = committee(
        [("a", "Other"), ("b", "Other"), ("c", "Other"), ("d", "Other")],
        reporting=[("a", "b"), ("b", "c")],
    )
    assert reporting_position(snap).tolist() == pytest.approx(
        [0.5 / 3, 0.5 / 3 + 0.25, 1 / 3 + 0.5, 0.5]
    )


def test_scores_and_components_worked_by_hand() -> None:
    # Two members, no lines: network 1 for both (equal PageRank), position 0.5 for both.
    #   a: Economic Decision Maker (1.0), rating 5 -> 1.0
    #      authority = 0.6*1.0 + 0.4*0.5 = 0.8 ; score = 100*(0.4*0.8 + 0.35 + 0.25) = 92
    #   b: Gatekeeper (0.35), unrated -> 0.5
    #      authority = 0.6*0.35 + 0.4*0.5 = 0.41 ; score = 100*(0.164 + 0.35 + 0.125) = 63.9
    rows = rank_members(committee([("a", "Economic Decision Maker", 5), ("b", "Gatekeeper")]))
    assert [(r.stakeholder_id, r.rank) for r in rows] == [("a", 1), ("b", 2)]
    assert rows[0].score == pytest.approx(92.0)
    assert rows[1].score == pytest.approx(63.9)
    assert rows[1].components.authority == pytest.approx(0.41)
    assert rows[1].components.network == pytest.approx(1.0)
    assert rows[1].components.rating == pytest.approx(0.5)


def test_weights_are_configurable() -> None:
    snap = committee([("a", "Other", 5), ("b", "Decision Maker", 1)])
    only_rating = AnalysisParams(weight_authority=0, weight_network=0, weight_rating=1)
    rows = rank_members(snap, params=only_rating)
    # Rating alone: a = (5-1)/4 = 1 -> 100 ; b = 0 -> 0.
    assert [(r.stakeholder_id, r.score) for r in rows] == [("a", 100.0), ("b", 0.0)]


def test_ties_break_by_id_when_score_and_authority_tie() -> None:
    # Same role and rating: identical scores and authority; the smaller id ranks first.
    rows = rank_members(committee([("z", "Influencer", 3), ("m", "Influencer", 3)]))
    assert [r.stakeholder_id for r in rows] == ["m", "z"]
    # Champion and Influencer both have role authority 0.5 in the default table.
    rows = rank_members(committee([("y", "Influencer", 3), ("x", "Champion", 3)]))
    assert rows[0].score == rows[1].score
    assert [r.stakeholder_id for r in rows] == ["x", "y"]


def test_higher_authority_wins_an_exact_score_tie() -> None:
    # Authority = role only (share 1), network weight 0, custom role table:
    #   z: Other 0.5 + rating 2 -> 0.25 : total 0.75
    #   b: Influencer 0.25 + rating 3 -> 0.5 : total 0.75  (exact tie)
    roles = ((Role.other, 0.5), (Role.influencer, 0.25))
    params = AnalysisParams(
        weight_authority=1,
        weight_network=0,
        weight_rating=1,
        role_authority=roles,
        authority_role_share=1.0,
    )
    rows = rank_members(committee([("b", "Influencer", 3), ("z", "Other", 2)]), params=params)
    assert rows[0].score == rows[1].score == pytest.approx(37.5)
    # z has the higher authority, so it ranks first despite the larger id.
    assert [r.stakeholder_id for r in rows] == ["z", "b"]


def test_scores_within_bounds_on_dense_graph() -> None:
    rng = np.random.default_rng(5)
    members = [(f"s{i}", "Influencer", int(rng.integers(1, 6))) for i in range(12)]
    lines = [
        (f"s{i}", f"s{j}", float(rng.uniform(0.1, 1)))
        for i in range(12)
        for j in range(12)
        if i != j and rng.random() < 0.3
    ]
    rows = rank_members(committee(members, influences=lines))
    assert all(0 <= r.score <= 100 for r in rows)
    assert sorted(r.rank for r in rows) == list(range(1, 13))
