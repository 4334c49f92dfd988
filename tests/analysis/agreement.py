"""Assertions that two analysis paths (vectorised and networkx) give the same answer:
the same rows in the same order, scores within float noise, everything else equal."""

from __future__ import annotations

from collections.abc import Sequence

from graphsvc.analysis.schemas import DealRisk, RankedMember

TOLERANCE = 1e-9
_NOISY = {"score", "components"}


def assert_same_rows(got: Sequence[RankedMember], want: Sequence[RankedMember]) -> None:
    assert [r.stakeholder_id for r in got] == [r.stakeholder_id for r in want]
    for x, y in zip(got, want, strict=True):
        assert abs(x.score - y.score) <= TOLERANCE
        assert x.model_dump(exclude=_NOISY) == y.model_dump(exclude=_NOISY)


def assert_same_risk(got: DealRisk, want: DealRisk) -> None:
    """Flags, top decision-maker, support share and trend."""
    assert got.flags == want.flags
    assert got.top_decision_maker == want.top_decision_maker
    assert abs(got.support.share - want.support.share) <= TOLERANCE
    assert got.support.trend == want.support.trend
