"""The fast result construction (analysis/_build.py) equals pydantic's own validation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from graphsvc.analysis._build import checked, trusted
from graphsvc.analysis.schemas import Coverage, Flag, RankedMember, ScoreComponents
from graphsvc.domain.models import Role, Stance


def test_trusted_equals_validated() -> None:
    components = {"authority": 0.5, "network": 1.0, "rating": 0.25}
    values = {
        "stakeholder_id": "s1",
        "name": "Ann",
        "title": None,
        "role": Role.champion,
        "stance": Stance.supporter,
        "ally": True,
        "rank": 1,
        "score": 55.5,
        "components": trusted(ScoreComponents, dict(components)),
        "coverage": Coverage.brief,
        "interaction_count": 1,
        "last_contact_at": datetime(2026, 1, 1, tzinfo=UTC),
    }
    fast = trusted(RankedMember, dict(values))
    slow = RankedMember.model_validate({**values, "components": ScoreComponents(**components)})
    assert fast == slow
    assert fast.model_dump(mode="json") == slow.model_dump(mode="json")
    assert fast.model_dump(exclude_unset=True) == slow.model_dump(exclude_unset=True)
    assert hash(fast.components) == hash(slow.components)  # frozen models stay hashable


def test_checked_refuses_missing_or_unknown_fields() -> None:
    with pytest.raises(TypeError, match="missing"):
        checked(ScoreComponents, {"authority": 1.0, "network": 1.0})
    with pytest.raises(TypeError, match="unknown"):
        checked(ScoreComponents, {"authority": 1.0, "network": 1.0, "rating": 1.0, "x": 1})
    assert (
        checked(
            Flag, {"code": "NO_ALLY", "severity": "medium", "message": "m", "stakeholder_ids": []}
        ).message
        == "m"
    )
