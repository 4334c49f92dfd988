"""Analysis results described in the deal map's own plain data (:mod:`visual.data`).

``visual`` is a rendering library that knows nothing of graphsvc; this module is the
one place that translates a committee snapshot and its analysis into what it draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from graphsvc.analysis.schemas import DealAnalysis, SupportPoint
from graphsvc.domain.models import DECISION_ROLES, Role, to_ms
from graphsvc.domain.snapshot import DealSnapshot
from graphsvc.visual.data import (
    ChartPoint,
    Components,
    Contact,
    DealCard,
    DecisionMaker,
    Link,
    MapFrame,
    Mover,
    Person,
    RiskFlag,
    RoleFamily,
    Support,
)

_INFLUENCE_ROLES = frozenset(
    {Role.influencer, Role.evaluator, Role.technical_buyer, Role.executive_sponsor, Role.champion}
)


def role_family(role: Role) -> RoleFamily:
    """The node-shape family of a committee role.

    Examples
    --------
    >>> role_family(Role.economic_buyer), role_family(Role.champion)
    ('decision', 'influence')
    """
    if role in DECISION_ROLES:
        return "decision"
    if role in _INFLUENCE_ROLES:
        return "influence"
    if role == Role.business_user:
        return "user"
    if role == Role.gatekeeper:
        return "gatekeeper"
    return "other"


def _ms(value: datetime | None) -> int | None:
    return None if value is None else to_ms(value)


def map_frame(snapshot: DealSnapshot, analysis: DealAnalysis) -> MapFrame:
    """The map's frame of a committee and its analysis as of the same instant."""
    ranked = {row.stakeholder_id: row for row in analysis.ranking}
    people = []
    for member in snapshot.members:
        info = member.stakeholder
        row = ranked.get(member.id)  # None: not ranked (drawn at the smallest size)
        parts = None if row is None else row.components
        people.append(
            Person(
                id=member.id,
                name=info.name,
                title=info.title,
                role=member.role.value,
                family=role_family(member.role),
                stance=member.stance.value,
                ally=member.ally,
                since_ms=member.since,
                rank=None if row is None else row.rank,
                score=0.0 if row is None else row.score,
                components=(
                    None
                    if parts is None
                    else Components(parts.authority, parts.network, parts.rating)
                ),
                coverage="none" if row is None else row.coverage.value,
                interaction_count=0 if row is None else row.interaction_count,
                last_contact_ms=None if row is None else _ms(row.last_contact_at),
            )
        )
    deal = snapshot.deal
    support = analysis.support
    top = analysis.top_decision_maker
    return MapFrame(
        as_of_ms=snapshot.as_of,
        deal=DealCard(
            id=deal.id,
            name=deal.name,
            owner=deal.owner_email,
            status=deal.status.value,
            stage=deal.stage,
            amount=deal.amount,
            currency=deal.currency,
            close_date=deal.close_date.isoformat() if deal.close_date else None,
        ),
        members=tuple(people),
        influences=tuple(
            Link(line.source_id, line.target_id, line.strength, line.since)
            for line in snapshot.influences
        ),
        reporting=tuple(
            Link(line.source_id, line.target_id, line.strength, line.since)
            for line in snapshot.reporting
        ),
        contacts=tuple(
            Contact(
                id=record.id,
                at_ms=record.at,
                channel=record.channel,
                stakeholder_ids=record.stakeholder_ids,
                team_member_emails=record.team_member_emails,
                summary=record.summary,
            )
            for record in snapshot.interactions
        ),
        support=Support(
            share=support.share,
            opposition=support.opposition,
            neutral=support.neutral,
            allies=support.allies,
            completeness=support.completeness,
            missing_roles=tuple(support.missing_roles),
            trend=support.trend.value,
            trend_delta=support.trend_delta,
            trend_weeks=support.trend_weeks,
            movers=tuple(Mover(m.name, m.delta) for m in support.movers),
        ),
        top_decision_maker=(
            None
            if top is None
            else DecisionMaker(
                id=top.stakeholder_id,
                name=top.name,
                confirmed=top.confirmed,
                contacted=top.contacted,
                last_contact_ms=_ms(top.last_contact_at),
            )
        ),
        flags=tuple(
            RiskFlag(
                code=flag.code.value,
                severity=flag.severity.value,
                message=flag.message,
                stakeholder_ids=tuple(flag.stakeholder_ids),
            )
            for flag in analysis.flags
        ),
    )


def chart_points(points: Sequence[SupportPoint]) -> list[ChartPoint]:
    """Support-history points as the map's chart takes them."""
    return [
        ChartPoint(
            at_ms=to_ms(p.at),
            share=p.share,
            opposition=p.opposition,
            allies=p.allies,
            completeness=p.completeness,
        )
        for p in points
    ]
