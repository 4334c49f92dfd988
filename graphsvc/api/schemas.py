"""Request and response bodies of the REST API (JSON, snake_case).

Request bodies reuse the domain's field types, so the API and the store validate
alike. Instants in responses are ISO-8601 with an explicit offset (``+00:00``).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any, Self

from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from graphsvc.analysis.schemas import Flag
from graphsvc.domain.models import (
    Account,
    AccountFields,
    Channel,
    CommitteePart,
    CommitteeSeat,
    Dated,
    Deal,
    DealFields,
    InfluenceEnds,
    InfluenceStrength,
    InteractionFields,
    ReportingEnds,
    Stakeholder,
    StakeholderFields,
    from_ms,
)
from graphsvc.domain.snapshot import InteractionRecord
from graphsvc.keys import ApiKeyRecord


def iso(value: datetime) -> str:
    return value.isoformat()


IsoTime = Annotated[datetime, PlainSerializer(iso, return_type=str, when_used="json")]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @classmethod
    def of(cls, value: BaseModel) -> Self:
        """The response body of a domain object with the same fields."""
        return cls.model_validate(value.model_dump())


class _Read(_Out):
    """A response built from the domain's field bases. Every field is sent, defaults
    included, so the schema lists them all as required (as the hand-written responses
    did before)."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)


# ------------------------------------------------------------------ request bodies
# The domain's field bases, without the id (it is in the path): Dispatch's ...Create.


class AccountIn(AccountFields):
    pass


class DealIn(DealFields):
    pass


class StakeholderIn(StakeholderFields):
    pass


class MembershipIn(CommitteePart, Dated):
    pass


class InfluenceIn(InfluenceStrength, Dated):
    pass


class ReportsToIn(Dated):
    pass


class InteractionIn(InteractionFields):
    pass


# ------------------------------------------------------------------ responses
# The domain entities as read back (Dispatch's ...Read).


class AccountOut(Account, _Read):
    pass


class DealOut(Deal, _Read):
    pass


class DealPage(_Out):
    items: list[DealOut]
    next_cursor: str | None = None


class StakeholderOut(Stakeholder, _Read):
    pass


class _Recorded(_Read):
    """A dated fact as recorded."""

    at: IsoTime
    outcome: str = Field(description="created, updated or unchanged")


class MembershipOut(CommitteeSeat, CommitteePart, _Recorded):
    pass


class InfluenceOut(InfluenceEnds, InfluenceStrength, _Recorded):
    pass


class ReportingOut(ReportingEnds, _Recorded):
    pass


class EndedOut(_Out):
    """A membership or line ended at ``at`` (its history is kept)."""

    ended: int
    at: IsoTime


class CommitteeMember(CommitteePart, _Read):
    """A committee member as of an instant: their part, who they are, and since when."""

    stakeholder_id: str
    name: str
    title: str | None = None
    since: str


class CommitteeOut(_Out):
    deal_id: str
    as_of: str
    items: list[CommitteeMember]


class InteractionOut(InteractionFields, _Read):
    id: str


class InteractionList(_Out):
    items: list[InteractionOut]


def interaction_out(record: InteractionRecord, *, deal_id: str) -> InteractionOut:
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


class ApiKeyOut(ApiKeyRecord, _Out):
    """An API key's record (never the key or its hash)."""


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
