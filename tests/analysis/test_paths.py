"""Warm paths on hand-built graphs (strengths multiply along a path; see paths.py)."""

from __future__ import annotations

import pytest

from graphsvc.analysis._examples import T0, committee, contact
from graphsvc.analysis.paths import Acquaintances, warm_paths
from graphsvc.domain.snapshot import LineFact


def test_direct_contact_is_the_strongest_path() -> None:
    # rep met the DM twice: 1 - 0.5**2 = 0.75; ann met x once (0.5) and x influences the
    # DM at 0.9: 0.45; the DM's report y (manages 0.8 reversed: y reports_to dm = 0.7)
    # met by ann once: 0.5 * 0.7 = 0.35.
    snap = committee(
        [("dm", "Decision Maker"), ("x", "Influencer"), ("y", "Evaluator")],
        influences=[("x", "dm", 0.9)],
        reporting=[("y", "dm")],
        interactions=[
            contact(1, "dm", team=["rep@us.com"]),
            contact(2, "dm", team=["rep@us.com"]),
            contact(3, "x", "y", team=["ann@us.com"]),
        ],
    )
    paths = warm_paths(snap)
    assert [(p.team_member_email, round(p.strength, 6)) for p in paths] == [
        ("rep@us.com", 0.75),
        ("ann@us.com", 0.45),
        ("ann@us.com", 0.35),
    ]
    assert [h.kind for h in paths[1].hops] == ["met", "influences"]
    assert paths[1].hops[0].explanation == "ann@us.com met Person x 1 time (on deal d1)."
    assert paths[2].hops[1].kind == "reports_to"


def test_paths_through_people_known_on_other_deals() -> None:
    # Nobody on this deal was met. On deal d9 the rep met "z" (not on this committee)
    # three times (0.875); z influences the DM at 0.8 (a line the workspace knows):
    # 0.875 * 0.8 = 0.7. A later-ended line z -> dm2 does not count as of the snapshot.
    snap = committee([("dm", "Decision Maker"), ("q", "Influencer")])
    acq = Acquaintances(
        names={"z": "Zoe Outside"},
        influence_facts=[
            LineFact("z", "dm", T0, 1, True, 0.8),
            LineFact("z", "q", T0, 2, True, 0.3),
            LineFact("z", "q", T0 + 1, 3, False, 0.3),
        ],
        contacts=[("rep@us.com", "z", "d9", 3, T0)],
    )
    paths = warm_paths(snap, acq)
    assert len(paths) == 1
    assert paths[0].strength == pytest.approx(0.7)
    first, second = paths[0].hops
    assert (first.kind, first.deal_id, first.to_name) == ("met", "d9", "Zoe Outside")
    assert "3 times (on deal d9)" in first.explanation
    assert (second.kind, second.from_id, second.to_id) == ("influences", "z", "dm")


def test_no_team_contact_no_path_and_empty_committee() -> None:
    assert warm_paths(committee([("dm", "Decision Maker")])) == []
    assert warm_paths(committee([])) == []


def test_at_most_three_paths_and_hop_limit() -> None:
    members = [("dm", "Decision Maker")] + [(f"p{i}", "Influencer") for i in range(5)]
    snap = committee(
        members,
        influences=[(f"p{i}", "dm", 0.5 + i / 10) for i in range(5)],
        interactions=[contact(1, *[f"p{i}" for i in range(5)])],
    )
    paths = warm_paths(snap)
    assert len(paths) == 3
    strengths = [p.strength for p in paths]
    assert strengths == sorted(strengths, reverse=True)
    assert paths[0].hops[0].to_id == "p4"  # influences dm at 0.9
    # A chain longer than path_max_hops (5) is not offered.
    chain = [(f"c{i}", f"c{i + 1}", 1.0) for i in range(6)] + [("c6", "dm", 1.0)]
    long = committee(
        [("dm", "Decision Maker")] + [(f"c{i}", "Other") for i in range(7)],
        influences=chain,
        interactions=[contact(1, "c0")],
    )
    assert warm_paths(long) == []
