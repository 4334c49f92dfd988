"""Scenario committees for the flag tests: a healthy deal, and small changes to it."""

from __future__ import annotations

from typing import Any

from graphsvc.analysis._examples import DAY_MS, T0, committee, contact
from graphsvc.domain.models import DealStatus
from graphsvc.domain.snapshot import DealSnapshot, InteractionRecord

AS_OF_DAY = 100

# id, role, rating, stance, ally
HEALTHY_MEMBERS: dict[str, tuple[str, int, str, bool]] = {
    "dm": ("Economic Decision Maker", 5, "supporter", False),
    "sp": ("Executive Sponsor", 4, "supporter", True),
    "ch": ("Champion", 3, "champion", True),
    "ev": ("Evaluator", 2, "neutral", False),
}


def healthy_interactions() -> list[InteractionRecord]:
    return [
        contact(60, "ev", channel="call"),
        contact(90, "ch"),
        contact(95, "dm", "sp", next_step_day=110),
    ]


def deal(
    *,
    members: dict[str, tuple[str, int, str, bool]] | None = None,
    change: dict[str, dict[str, Any]] | None = None,
    interactions: list[InteractionRecord] | None = None,
    influences: list[tuple[str, str, float]] | None = None,
    reporting: list[tuple[str, str]] | None = None,
    as_of_day: float = AS_OF_DAY,
    status: DealStatus = DealStatus.open,
) -> DealSnapshot:
    """The healthy deal with ``change`` applied: ``{id: {"role"|"rating"|"stance"|"ally": v}}``
    (``{id: {}}`` removes the member)."""
    specs = dict(HEALTHY_MEMBERS if members is None else members)
    for sid, fields in (change or {}).items():
        if not fields:
            specs.pop(sid, None)
            continue
        role, rating, stance, ally = specs.get(sid, ("Other", 3, "neutral", False))
        specs[sid] = (
            fields.get("role", role),
            fields.get("rating", rating),
            fields.get("stance", stance),
            fields.get("ally", ally),
        )
    return committee(
        [(sid, *spec) for sid, spec in specs.items()],
        influences=influences if influences is not None else [("sp", "dm", 0.8)],
        reporting=reporting if reporting is not None else [("ev", "sp"), ("sp", "dm")],
        interactions=healthy_interactions() if interactions is None else interactions,
        as_of=T0 + int(as_of_day * DAY_MS),
        status=status,
    )
