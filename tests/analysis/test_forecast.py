"""Friedkin-Johnsen forecast and next best contacts on hand-built committees."""

from __future__ import annotations

import numpy as np
import pytest

from graphsvc.analysis._examples import committee, contact
from graphsvc.analysis.forecast import (
    forecast,
    friedkin_johnsen,
    friedkin_johnsen_operator,
    influence_matrix,
    support_level,
)
from graphsvc.analysis.next_best import next_best_contacts
from graphsvc.analysis.params import AnalysisParams
from graphsvc.analysis.ranking import score_members


def test_published_four_person_example() -> None:
    # Friedkin & Johnsen (1999), "Social influence networks and opinion change",
    # Advances in Group Processes 16: W and x0 of their four-person group, x* published
    # as [60, 60, 75, 75].
    weights = np.array(
        [
            [0.220, 0.120, 0.360, 0.300],
            [0.147, 0.215, 0.344, 0.294],
            [0, 0, 1, 0],
            [0.090, 0.178, 0.446, 0.286],
        ]
    )
    result = friedkin_johnsen(weights, np.array([25.0, 25.0, 75.0, 85.0]))
    assert result.tolist() == pytest.approx([60, 60, 75, 75], abs=0.1)


def test_influence_matrix_rows() -> None:
    # b is swayed by a (0.2) and c (0.6) and keeps its own self-weight 0.4:
    #   row b = [0.6 * 0.2/0.8, 0.4, 0.6 * 0.6/0.8] = [0.15, 0.4, 0.45]
    # a and c: nobody influences them, so w_ii = 1.
    snap = committee(
        [("a", "Other"), ("b", "Other", None, "neutral", False, 0.4), ("c", "Other")],
        influences=[("a", "b", 0.2), ("c", "b", 0.6)],
    )
    weights = influence_matrix(snap)
    assert np.allclose(weights, [[1, 0, 0], [0.15, 0.4, 0.45], [0, 0, 1]])
    assert weights.sum(axis=1).tolist() == pytest.approx([1, 1, 1])


def test_default_self_weight_is_configurable() -> None:
    snap = committee([("a", "Other"), ("b", "Other")], influences=[("a", "b", 1.0)])
    assert influence_matrix(snap, params=AnalysisParams(default_self_weight=0.8))[
        1
    ].tolist() == pytest.approx([0.2, 0.8])


def test_forecast_of_champion_swaying_a_skeptic() -> None:
    # a champion (+2, anchored) sways b (skeptic -1, self-weight 0.5):
    #   x_b = 0.5 * (0.5 * 2 + 0.5 * x_b) + 0.5 * (-1)  =>  0.75 x_b = 0  =>  x_b = 0.
    snap = committee(
        [("a", "Other", 3, "champion"), ("b", "Other", 3, "skeptic")], influences=[("a", "b", 1.0)]
    )
    result = forecast(snap)
    predicted = {m.stakeholder_id: m.predicted for m in result.stakeholders}
    assert predicted == pytest.approx({"a": 2.0, "b": 0.0})
    # Only a supports, now and predicted (b ends at 0): both equal a's influence weight.
    score = score_members(snap).score
    assert result.current_support == pytest.approx(score[0] / score.sum())
    assert result.predicted_support == pytest.approx(score[0] / score.sum())


def test_unknown_stance_counts_as_zero_and_empty_committee() -> None:
    result = forecast(committee([("a", "Other")]))
    assert result.stakeholders[0].initial == 0.0
    empty = forecast(committee([]))
    assert empty.stakeholders == [] and empty.predicted_support == 0.0


def test_zero_self_weight_falls_back_to_the_recursion() -> None:
    # b has self-weight 0 and listens only to a (anchored at +2): x_b = x_a = 2.
    snap = committee(
        [("a", "Other", 3, "champion"), ("b", "Other", 3, "blocker", False, 0.0)],
        influences=[("a", "b", 1.0)],
    )
    weights = influence_matrix(snap)
    assert friedkin_johnsen(weights, np.array([2.0, -2.0])).tolist() == pytest.approx([2, 2])
    operator = friedkin_johnsen_operator(weights)
    assert (operator @ np.array([2.0, -2.0])).tolist() == pytest.approx([2, 2])


def test_support_level_clips() -> None:
    # champion counts as 1, half-way counts half, opposition counts 0.
    assert support_level(np.array([2.0, 0.5, -2.0]), np.array([0.2, 0.4, 0.4])) == pytest.approx(
        0.2 + 0.2
    )


def test_next_best_gains_match_a_rerun_forecast() -> None:
    snap = committee(
        [
            ("a", "Influencer", 4, "neutral"),
            ("b", "Decision Maker", 3, "skeptic"),
            ("c", "Evaluator", 2, "supporter"),
        ],
        influences=[("a", "b", 0.7), ("c", "a", 0.3)],
    )
    base = forecast(snap)
    for item in next_best_contacts(snap):
        # Re-run the whole forecast with that member turned into a supporter.
        specs = []
        for m in snap.members:
            stance = "supporter" if m.id == item.stakeholder_id else m.stance.value
            specs.append((m.id, m.role.value, m.influence_rating, stance))
        changed = committee(
            specs, influences=[(x.source_id, x.target_id, x.strength) for x in snap.influences]
        )
        after = forecast(changed)
        assert item.support_gain == pytest.approx(after.predicted_support - base.predicted_support)
        dm_before = next(m.predicted for m in base.stakeholders if m.stakeholder_id == "b")
        dm_after = next(m.predicted for m in after.stakeholders if m.stakeholder_id == "b")
        assert item.dm_stance_gain == pytest.approx(dm_after - dm_before)
    assert {i.stakeholder_id for i in next_best_contacts(snap)} == {"a", "b"}  # c supports


def test_never_open_with_a_blocker_a_reachable_ally_can_influence() -> None:
    # The blocker b is the decision-maker, so winning b over gains the most; but ally a
    # (contacted) influences b: the first move must not be b, and b's reason says to go
    # through a.
    snap = committee(
        [
            ("a", "Influencer", 2, "supporter", True),
            ("b", "Economic Decision Maker", 5, "blocker"),
            ("c", "Business User", 1, "neutral"),
        ],
        influences=[("a", "b", 0.9)],
        interactions=[contact(1, "a")],
    )
    items = next_best_contacts(snap)
    assert items[0].stakeholder_id == "c"
    blocker = next(i for i in items if i.stakeholder_id == "b")
    assert blocker.approach_via == ["a"]
    assert "Do not open with" in blocker.reason and "Person a" in blocker.reason
    assert blocker.support_gain > items[0].support_gain  # it would have ranked first


def test_blocker_without_a_friend_can_come_first() -> None:
    snap = committee(
        [("b", "Economic Decision Maker", 5, "blocker"), ("c", "Business User", 1, "neutral")]
    )
    items = next_best_contacts(snap)
    assert items[0].stakeholder_id == "b" and items[0].approach_via == []
    assert "Winning Person b" in items[0].reason


def test_next_best_empty_and_all_supporters() -> None:
    assert next_best_contacts(committee([])) == []
    assert next_best_contacts(committee([("a", "Other", 3, "champion")])) == []
