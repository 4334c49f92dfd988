"""Tiny hand-built committees for the docstring examples and the unit tests.

Short forms over :class:`graphsvc.examples.ExampleBuilder`: instants are days after
:data:`T0`, members are tuples, and the result is what the store would read back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from graphsvc.domain.models import Channel, Deal, DealStatus, Role, Stance, from_ms
from graphsvc.domain.snapshot import DealHistory, DealSnapshot, InteractionRecord
from graphsvc.examples import ExampleBuilder

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


def _book(deal_id: str, status: DealStatus) -> ExampleBuilder:
    book = ExampleBuilder(workspace="ws")
    book.add_deal(example_deal(deal_id, status))
    return book


def _met(book: ExampleBuilder, deal_id: str, records: Iterable[InteractionRecord]) -> None:
    for i in sorted(records, key=lambda i: (i.at, i.id)):
        book.met(
            deal_id,
            *i.stakeholder_ids,
            at=from_ms(i.at),
            channel=Channel(i.channel),
            team=i.team_member_emails,
            summary=i.summary,
            next_step_at=None if i.next_step_at is None else from_ms(i.next_step_at),
            interaction_id=i.id,
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
    """A snapshot from tuples ``(id, role, rating?, stance?, ally?, self_weight?)``,
    everyone seated and every line drawn at :data:`T0`.

    ``influences`` are ``(source, target, strength)`` (source sways target);
    ``reporting`` are ``(report, manager)``.
    """
    book = _book(deal_id, status)
    start = from_ms(T0)
    for spec in members:
        book.seat(
            deal_id,
            spec[0],
            Role(spec[1]),
            at=start,
            rating=spec[2] if len(spec) > 2 else None,
            stance=Stance(spec[3] if len(spec) > 3 else Stance.unknown),
            ally=bool(spec[4]) if len(spec) > 4 else False,
            self_weight=spec[5] if len(spec) > 5 else None,
        )
    for source, target, strength in influences:
        book.influences(source, target, strength, at=start)
    for report, manager in reporting:
        book.reports_to(report, manager, at=start)
    _met(book, deal_id, interactions)
    return book.snapshot(deal_id, as_of=as_of)


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

    ``attrs`` keys: role, stance, ally, rating, self_weight. Lines are
    ``(day, source, target, strength, active)`` and ``(day, report, manager, active)``.
    """
    book = _book(deal_id, status)

    def day(d: float) -> datetime:
        return from_ms(T0 + int(d * DAY_MS))

    for d, sid, attrs in events:
        if not attrs:
            book.leaves(deal_id, sid, at=day(d))
            continue
        book.seat(
            deal_id,
            sid,
            Role(attrs["role"]),
            at=day(d),
            stance=Stance(attrs.get("stance", "unknown")),
            ally=bool(attrs.get("ally", False)),
            rating=attrs.get("rating"),
            self_weight=attrs.get("self_weight"),
        )
    for d, source, target, strength, active in influences:
        if active:
            book.influences(source, target, strength, at=day(d))
        else:
            book.stops_influencing(source, target, at=day(d))
    for d, report, manager, active in reporting:
        if active:
            book.reports_to(report, manager, at=day(d))
        else:
            book.stops_reporting_to(report, manager, at=day(d))
    _met(book, deal_id, interactions)
    return book.history(deal_id, as_of=T0 + int(as_of_day * DAY_MS))
