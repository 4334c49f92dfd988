"""Request and response bodies of the REST API (JSON, snake_case).

Request bodies reuse the domain's field types, so the API and the store validate
alike. Instants in responses are ISO-8601 with an explicit offset (``+00:00``).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any

from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from graphsvc.analysis.schemas import Flag
from graphsvc.domain.models import (
    Account,
    Amount,
    Channel,
    Currency,
    Deal,
    DealStatus,
    Email,
    Id,
    Instant,
    Name,
    Rating,
    Role,
    SelfWeight,
    Stakeholder,
    Stance,
    Strength,
    Text,
    Tier,
)
from graphsvc.domain.snapshot import InteractionRecord


def iso(value: datetime) -> str:
    return value.isoformat()


IsoTime = Annotated[datetime, PlainSerializer(iso, return_type=str, when_used="json")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ------------------------------------------------------------------ request bodies


class AccountIn(_In):
    name: Name
    tier: Tier = Tier.standard


class DealIn(_In):
    account_id: Id
    name: Name
    owner_email: Email
    amount: Amount | None = None
    currency: Currency | None = None
    stage: Text | None = None
    status: DealStatus = DealStatus.open
    close_date: date | None = None


class StakeholderIn(_In):
    account_id: Id
    name: Name
    title: Text | None = None
    email: Email | None = None


class MembershipIn(_In):
    role: Role
    stance: Stance = Stance.unknown
    ally: bool = False
    influence_rating: Rating | None = None
    self_weight: SelfWeight | None = None
    at: Instant | None = None


class InfluenceIn(_In):
    strength: Strength
    at: Instant | None = None


class ReportsToIn(_In):
    at: Instant | None = None


class InteractionIn(_In):
    deal_id: Id
    at: Instant
    channel: Channel
    stakeholder_ids: list[Id] = Field(default_factory=list, max_length=1000)
    team_member_emails: list[Email] = Field(default_factory=list, max_length=1000)
    summary: Text | None = None
    next_step_at: Instant | None = None


# ------------------------------------------------------------------ responses


class AccountOut(_Out):
    id: str
    name: str
    tier: Tier

    @classmethod
    def of(cls, account: Account) -> AccountOut:
        return cls(id=account.id, name=account.name, tier=account.tier)


class DealOut(_Out):
    id: str
    account_id: str
    name: str
    owner_email: str
    amount: float | None = None
    currency: str | None = None
    stage: str | None = None
    status: DealStatus
    close_date: date | None = None

    @classmethod
    def of(cls, deal: Deal) -> DealOut:
        return cls(**deal.model_dump())


class DealPage(_Out):
    items: list[DealOut]
    next_cursor: str | None = None


class StakeholderOut(_Out):
    id: str
    account_id: str
    name: str
    title: str | None = None
    email: str | None = None

    @classmethod
    def of(cls, stakeholder: Stakeholder) -> StakeholderOut:
        return cls(**stakeholder.model_dump())


class MembershipOut(_Out):
    deal_id: str
    stakeholder_id: str
    role: Role
    stance: Stance
    ally: bool
    influence_rating: int | None = None
    self_weight: float | None = None
    at: IsoTime
    outcome: str = Field(description="created, updated or unchanged")


class InfluenceOut(_Out):
    source_id: str
    target_id: str
    strength: float
    at: IsoTime
    outcome: str = Field(description="created, updated or unchanged")


class ReportingOut(_Out):
    stakeholder_id: str
    manager_id: str
    at: IsoTime
    outcome: str = Field(description="created, updated or unchanged")


class EndedOut(_Out):
    """A membership or line ended at ``at`` (its history is kept)."""

    ended: int
    at: IsoTime


class InteractionOut(_Out):
    id: str
    deal_id: str
    at: IsoTime
    channel: Channel
    stakeholder_ids: list[str]
    team_member_emails: list[str]
    summary: str | None = None
    next_step_at: IsoTime | None = None


class InteractionList(_Out):
    items: list[InteractionOut]


def interaction_out(record: InteractionRecord, *, deal_id: str) -> InteractionOut:
    from graphsvc.domain.models import from_ms

    return InteractionOut(
        id=record.id,
        deal_id=deal_id,
        at=from_ms(record.at),
        channel=Channel(record.channel),
        stakeholder_ids=list(record.stakeholder_ids),
        team_member_emails=list(record.team_member_emails),
        summary=record.summary,
        next_step_at=from_ms(record.next_step_at) if record.next_step_at is not None else None,
    )


class KindCounts(_Out):
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class ImportResult(_Out):
    created: int
    updated: int
    unchanged: int
    items: int
    by_kind: dict[str, KindCounts]


# ------------------------------------------------------------------ analysis wrappers


# SupportHistory, NextBestContacts and WarmPaths are the analysis's own results
# (graphsvc.analysis.schemas), served as they are.


class RiskItem(_Out):
    deal_id: str
    deal_name: str
    owner_email: str
    account_id: str | None = None
    amount: float | None = None
    severity: str
    flags: list[Flag]


class RiskPage(_Out):
    items: list[RiskItem]
    next_cursor: str | None = None


class ApiKeyOut(_Out):
    id: str
    workspace: str
    scope: str
    prefix: str
    name: str | None = None
    created_at: datetime
    revoked_at: datetime | None = None


# ------------------------------------------------------------------ rendering


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def to_json_bytes(value: Any) -> bytes:
    """JSON of a model (or plain data) with instants as ISO-8601 with offset."""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="python")
    return json.dumps(value, default=_json_default, ensure_ascii=False,
                      allow_nan=False, separators=(",", ":")).encode("utf-8")


class JSONBytes(Response):
    media_type = "application/json"


def render(value: Any, *, status_code: int = 200) -> Response:
    """A JSON response built by :func:`to_json_bytes` (the route's ``response_model``
    still documents the shape)."""
    return JSONBytes(content=to_json_bytes(value), status_code=status_code)
