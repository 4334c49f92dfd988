"""Write-side domain model (pydantic v2): what callers give the store.

Every id is the caller's own (a CRM id): 1-128 printable characters. Instants are
timezone-aware; a naive datetime is taken as UTC. The store keeps instants as epoch
milliseconds, so both backends compare them the same way.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

MAX_TEXT = 20_000
_EMAIL = re.compile(r"^[^@\s]{1,128}@[^@\s]{1,253}$")


def _printable_id(value: str) -> str:
    if not 1 <= len(value) <= 128:
        raise ValueError("ids are 1-128 characters")
    if not value.isprintable():
        raise ValueError("ids may hold printable characters only")
    if value in (".", ".."):
        # URL paths drop such segments ("/v1/deals/.." is "/v1/"): it could never be read.
        raise ValueError("an id may not be '.' or '..' (it cannot be addressed in a URL)")
    return value


def _email(value: str) -> str:
    value = value.strip()
    if not _EMAIL.match(value) or not value.isprintable():
        raise ValueError("not an e-mail address")
    return value.lower()


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("text may not contain NUL characters")
    return value


def _fifteen_digits(value: float | None) -> float | None:
    # FalkorDB returns doubles printed with 15 significant digits; keeping no more than
    # that makes every stored number come back exactly as it was given.
    return None if value is None else float(f"{value:.15g}")


Id = Annotated[str, AfterValidator(_printable_id)]
Email = Annotated[str, AfterValidator(_email)]
Instant = Annotated[datetime, AfterValidator(_utc)]
Text = Annotated[str, Field(max_length=MAX_TEXT), AfterValidator(_no_nul)]
Name = Annotated[str, Field(min_length=1, max_length=MAX_TEXT), AfterValidator(_no_nul)]
# Field types shared by the domain entities and the API's request bodies, so both
# validate alike.
Amount = Annotated[float, Field(ge=0, allow_inf_nan=False), AfterValidator(_fifteen_digits)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
Rating = Annotated[int, Field(ge=1, le=5)]
_Exact = AfterValidator(_fifteen_digits)
SelfWeight = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False), _Exact]
Strength = Annotated[float, Field(gt=0, le=1, allow_inf_nan=False), _Exact]


# The store's last instant: read as of it, every fact is in force (future-dated ones too).
END_OF_TIME = datetime(9999, 12, 31, tzinfo=UTC)
# An instant (epoch ms) later than any the store holds: "never", "no as-of bound".
NEVER_MS = 2**62


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_ms(value: datetime) -> int:
    """Epoch milliseconds of an instant (naive counts as UTC)."""
    return round(_utc(value).timestamp() * 1000)


@lru_cache(maxsize=1 << 16)
def from_ms(value: int | float) -> datetime:
    """The UTC instant of epoch milliseconds (cached: a fleet scan converts the same
    contact instants over and over, and datetimes are immutable)."""
    return datetime.fromtimestamp(value / 1000, tz=UTC)


class Tier(StrEnum):
    standard = "standard"
    partner = "partner"
    strategic = "strategic"


class DealStatus(StrEnum):
    open = "open"
    won = "won"
    lost = "lost"


class Role(StrEnum):
    """Salesforce's standard contact roles plus Champion and Gatekeeper (BRIEF.md)."""

    business_user = "Business User"
    decision_maker = "Decision Maker"
    economic_buyer = "Economic Buyer"
    economic_decision_maker = "Economic Decision Maker"
    evaluator = "Evaluator"
    executive_sponsor = "Executive Sponsor"
    influencer = "Influencer"
    technical_buyer = "Technical Buyer"
    other = "Other"
    champion = "Champion"
    gatekeeper = "Gatekeeper"


DECISION_ROLES: frozenset[Role] = frozenset(
    {Role.decision_maker, Role.economic_decision_maker, Role.economic_buyer}
)


class Stance(StrEnum):
    champion = "champion"
    supporter = "supporter"
    neutral = "neutral"
    skeptic = "skeptic"
    blocker = "blocker"
    unknown = "unknown"

    @property
    def value_or_none(self) -> int | None:
        """The five-step scale: champion +2 ... blocker -2; unknown has no value."""
        return _STANCE_VALUES[self]

    @property
    def numeric(self) -> int:
        """The scale value, with unknown counted as 0 (neutral)."""
        return _STANCE_VALUES[self] or 0


_STANCE_VALUES: dict[Stance, int | None] = {
    Stance.champion: 2,
    Stance.supporter: 1,
    Stance.neutral: 0,
    Stance.skeptic: -1,
    Stance.blocker: -2,
    Stance.unknown: None,
}


class Channel(StrEnum):
    meeting = "meeting"
    call = "call"
    email = "email"
    other = "other"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


# Each entity's fields are declared once, in a ``...Fields`` (or part) base; the entity
# adds its identity, and the API's request and response bodies derive from the same
# bases (``graphsvc/api/schemas.py``), as Dispatch derives ``IncidentCreate`` and
# ``IncidentRead`` from ``IncidentBase``.


class Dated(_Model):
    """A fact effective from ``at`` (now when omitted)."""

    at: Instant | None = None


class AccountFields(_Model):
    name: Name
    tier: Tier = Tier.standard


class Account(AccountFields):
    id: Id


class DealFields(_Model):
    account_id: Id
    name: Name
    owner_email: Email
    amount: Amount | None = None
    currency: Currency | None = None
    stage: Text | None = None
    status: DealStatus = DealStatus.open
    close_date: date | None = None


class Deal(DealFields):
    id: Id


class StakeholderFields(_Model):
    account_id: Id
    name: Name
    title: Text | None = None
    email: Email | None = None


class Stakeholder(StakeholderFields):
    id: Id


class TeamMember(_Model):
    email: Email
    name: Text | None = None


class CommitteeSeat(_Model):
    """Which stakeholder on which deal's committee."""

    deal_id: Id
    stakeholder_id: Id


class CommitteePart(_Model):
    """The part a stakeholder plays on a committee."""

    role: Role
    stance: Stance = Stance.unknown
    ally: bool = False
    influence_rating: Rating | None = None
    self_weight: SelfWeight | None = None


class Membership(CommitteeSeat, CommitteePart, Dated):
    """A stakeholder's part in one deal, effective from ``at`` (now when omitted)."""


class MembershipEnd(CommitteeSeat, Dated):
    pass


class InfluenceEnds(_Model):
    """``source_id`` sways ``target_id``."""

    source_id: Id
    target_id: Id


class InfluenceStrength(_Model):
    strength: Strength


class Influence(InfluenceEnds, InfluenceStrength, Dated):
    """``source_id`` sways ``target_id`` with ``strength`` in (0, 1]."""

    @model_validator(mode="after")
    def _not_self(self) -> Influence:
        if self.source_id == self.target_id:
            raise ValueError("target_id: a stakeholder cannot influence themself")
        return self


class InfluenceEnd(InfluenceEnds, Dated):
    pass


class ReportingEnds(_Model):
    """``stakeholder_id`` reports to ``manager_id``."""

    stakeholder_id: Id
    manager_id: Id


class ReportingLine(ReportingEnds, Dated):
    """``stakeholder_id`` reports to ``manager_id`` from ``at``."""

    @model_validator(mode="after")
    def _not_self(self) -> ReportingLine:
        if self.stakeholder_id == self.manager_id:
            raise ValueError("manager_id: a stakeholder cannot report to themself")
        return self


class ReportingEnd(ReportingEnds, Dated):
    pass


class InteractionFields(_Model):
    deal_id: Id
    at: Instant
    channel: Channel
    stakeholder_ids: list[Id] = Field(default_factory=list, max_length=1000)
    team_member_emails: list[Email] = Field(default_factory=list, max_length=1000)
    summary: Text | None = None
    next_step_at: Instant | None = None

    @field_validator("stakeholder_ids", "team_member_emails")
    @classmethod
    def _unique(cls, values: list[str]) -> list[str]:
        return list(dict.fromkeys(values))


class Interaction(InteractionFields):
    """A recorded contact between our team and stakeholders on one deal."""

    id: Id = Field(default_factory=lambda: uuid.uuid4().hex)


class Bundle(_Model):
    """Everything at once, in dependency order; the import format of the API and CLI."""

    accounts: list[Account] = Field(default_factory=list)
    deals: list[Deal] = Field(default_factory=list)
    stakeholders: list[Stakeholder] = Field(default_factory=list)
    team_members: list[TeamMember] = Field(default_factory=list)
    memberships: list[Membership] = Field(default_factory=list)
    membership_ends: list[MembershipEnd] = Field(default_factory=list)
    influences: list[Influence] = Field(default_factory=list)
    influence_ends: list[InfluenceEnd] = Field(default_factory=list)
    reporting_lines: list[ReportingLine] = Field(default_factory=list)
    reporting_ends: list[ReportingEnd] = Field(default_factory=list)
    interactions: list[Interaction] = Field(default_factory=list)

    def item_count(self) -> int:
        return sum(len(getattr(self, name)) for name in type(self).model_fields)
