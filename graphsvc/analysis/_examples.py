"""Tiny hand-built committees for the docstring examples and the unit tests."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from graphsvc.domain.models import Deal, DealStatus, Role, Stance
from graphsvc.domain.snapshot import (
    DealHistory,
    DealSnapshot,
    InteractionRecord,
    Line,
    LineFact,
    Member,
    MembershipFact,
    StakeholderInfo,
)

DAY_MS = 86_400_000
T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z


def example_deal(deal_id: str = "d1", status: DealStatus = DealStatus.open) -> Deal:
    return Deal(
        id=deal_id,
        account_id="acc",
        name=f"Deal {deal_id}",
        owner_email="owner@example.com",
        amount=100_000.0,
        status=status,
    )


def _line_key(line: Line) -> tuple[str, str]:
    return (line.source_id, line.target_id)


def _member(spec: Sequence[Any], since: int) -> Member:
    sid, role = spec[0], spec[1]
    rating = spec[2] if len(spec) > 2 else None
    stance = spec[3] if len(spec) > 3 else Stance.unknown
    ally = spec[4] if len(spec) > 4 else False
    self_weight = spec[5] if len(spec) > 5 else None
    return Member(
        stakeholder=StakeholderInfo(id=sid, account_id="acc", name=f"Person {sid}"),
        role=Role(role),
        stance=Stance(stance),
        ally=bool(ally),
        influence_rating=rating,
        self_weight=self_weight,
        since=since,
    )


def committee(
    members: Iterable[Sequence[Any]],
    *,
    influences: Iterable[tuple[str, str, float]] = (),
    reporting: Iterable[tuple[str, str]] = (),
    interactions: Iterable[InteractionRecord] = (),
    as_of: int = T0 + 100 * DAY_MS,
    status: DealStatus = DealStatus.open,
    deal_id: str = "d1",
) -> DealSnapshot:
    """A snapshot from tuples ``(id, role, rating?, stance?, ally?, self_weight?)``.

    ``influences`` are ``(source, target, strength)`` (source sways target);
    ``reporting`` are ``(report, manager)``.
    """
    built = sorted((_member(spec, T0) for spec in members), key=lambda m: m.id)
    return DealSnapshot(
        workspace="ws",
        deal=example_deal(deal_id, status),
        as_of=as_of,
        members=tuple(built),
        influences=tuple(sorted((Line(s, t, w, T0) for s, t, w in influences), key=_line_key)),
        reporting=tuple(sorted((Line(r, m, 1.0, T0) for r, m in reporting), key=_line_key)),
        interactions=tuple(sorted(interactions, key=lambda i: (i.at, i.id))),
    )


def contact(
    day: float,
    *stakeholder_ids: str,
    channel: str = "meeting",
    team: Sequence[str] = ("rep@example.com",),
    next_step_day: float | None = None,
    interaction_id: str | None = None,
) -> InteractionRecord:
    """An interaction ``day`` days after :data:`T0`."""
    at = T0 + int(day * DAY_MS)
    return InteractionRecord(
        id=interaction_id or f"i-{at}-{'-'.join(stakeholder_ids)}",
        at=at,
        channel=channel,
        stakeholder_ids=tuple(stakeholder_ids),
        team_member_emails=tuple(team),
        next_step_at=None if next_step_day is None else T0 + int(next_step_day * DAY_MS),
    )


def history_from_events(
    events: Iterable[tuple[float, str, dict[str, Any]]],
    *,
    influences: Iterable[tuple[float, str, str, float, bool]] = (),
    reporting: Iterable[tuple[float, str, str, bool]] = (),
    interactions: Iterable[InteractionRecord] = (),
    as_of_day: float = 200,
    status: DealStatus = DealStatus.open,
    deal_id: str = "d1",
) -> DealHistory:
    """A history from membership events ``(day, id, attrs)``; ``attrs`` empty ends it.

    ``attrs`` keys: role, stance, ally, rating, self_weight.
    """
    facts: list[MembershipFact] = []
    people: dict[str, StakeholderInfo] = {}
    for seq, (day, sid, attrs) in enumerate(events):
        people[sid] = StakeholderInfo(id=sid, account_id="acc", name=f"Person {sid}")
        facts.append(
            MembershipFact(
                stakeholder_id=sid,
                at=T0 + int(day * DAY_MS),
                seq=seq,
                active=bool(attrs),
                role=Role(attrs["role"]) if attrs else None,
                stance=Stance(attrs.get("stance", "unknown")),
                ally=bool(attrs.get("ally", False)),
                influence_rating=attrs.get("rating"),
                self_weight=attrs.get("self_weight"),
            )
        )
    return DealHistory(
        workspace="ws",
        deal=example_deal(deal_id, status),
        as_of=T0 + int(as_of_day * DAY_MS),
        stakeholders=people,
        membership_facts=tuple(facts),
        influence_facts=tuple(
            LineFact(s, t, T0 + int(day * DAY_MS), seq, active, w)
            for seq, (day, s, t, w, active) in enumerate(influences)
        ),
        reporting_facts=tuple(
            LineFact(r, m, T0 + int(day * DAY_MS), seq, active, 1.0)
            for seq, (day, r, m, active) in enumerate(reporting)
        ),
        interactions=tuple(sorted(interactions, key=lambda i: (i.at, i.id))),
    )
