"""Types of the weekly risk alerts: ISO weeks, what one e-mail says, what a run did.

The e-mail content types (:class:`OwnerAlert`, :class:`ManagerDigest`) are plain
values built by the service and turned into messages by the pure functions of
``compose.py``; :class:`RunReport` is what ``graphsvc alerts send`` prints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from graphsvc.analysis.schemas import (
    FlagCode,
    NextBestContact,
    Severity,
    SupportPoint,
    SupportSummary,
    TopDecisionMaker,
)
from graphsvc.errors import ValidationFailed

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True, order=True)
class IsoWeek:
    """An ISO 8601 week such as ``2026-W48``; its string form sorts chronologically."""

    year: int
    week: int

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        match = _WEEK.match(text.strip())
        if match is None:
            raise ValidationFailed(
                f"not an ISO week: {text!r} (expected e.g. 2026-W48)",
                detail=[{"loc": ["week"], "msg": "expected YYYY-Www, e.g. 2026-W48"}],
            )
        year, week = int(match.group(1)), int(match.group(2))
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError as exc:
            raise ValidationFailed(
                f"{text!r}: year {year} has no week {week}",
                detail=[{"loc": ["week"], "msg": str(exc)}],
            ) from exc
        return cls(year, week)

    @classmethod
    def of(cls, day: date | datetime) -> IsoWeek:
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    def __str__(self) -> str:
        return f"{self.year:04d}-W{self.week:02d}"

    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    def previous(self) -> IsoWeek:
        return IsoWeek.of(self.monday() - timedelta(days=7))

    def next(self) -> IsoWeek:
        return IsoWeek.of(self.monday() + timedelta(days=7))

    def slot(self, *, tz: ZoneInfo, weekday: int = 0, hour: int = 7) -> datetime:
        """The instant this week's e-mails are due: ``weekday`` (0 = Monday) at ``hour``
        local time in ``tz`` (timezone-aware)."""
        day = self.monday() + timedelta(days=weekday)
        return datetime.combine(day, time(hour=hour), tzinfo=tz)


class AlertKind(StrEnum):
    owner = "owner"
    digest = "digest"


class _Alert(BaseModel):
    model_config = ConfigDict(frozen=True)


class FlagNote(_Alert):
    """A flag as an e-mail shows it: ``new`` when last week's e-mail did not carry it."""

    code: FlagCode
    severity: Severity
    message: str
    new: bool


class DealAlert(_Alert):
    """One at-risk deal in an owner's e-mail."""

    deal_id: str
    deal_name: str
    amount: float | None = None
    worst: Severity
    flags: list[FlagNote]
    cleared: list[FlagCode] = Field(default_factory=list)
    support: SupportSummary
    history: list[SupportPoint] = Field(default_factory=list)
    top_decision_maker: TopDecisionMaker | None = None
    next_best: NextBestContact | None = None
    map_url: str | None = None
    map_expires_at: datetime | None = None

    @property
    def flag_codes(self) -> list[str]:
        return [note.code.value for note in self.flags]


class ResolvedDeal(_Alert):
    """A deal last week's e-mail carried that is no longer at risk (or no longer open)."""

    deal_id: str
    deal_name: str
    cleared: list[FlagCode]


class OwnerAlert(_Alert):
    """Everything one owner's weekly e-mail says; deals already in e-mail order."""

    workspace: str
    owner: str
    week: str
    as_of: datetime
    deals: list[DealAlert]
    resolved: list[ResolvedDeal] = Field(default_factory=list)
    previous_week: str | None = None  # the week of the e-mail "new" is measured against


class OwnerSummary(_Alert):
    owner: str
    deals_at_risk: int
    high: int
    amount_at_risk: float
    new_flags: int
    worst_deal: DealAlert


class ManagerDigest(_Alert):
    """A manager's weekly overview of their team's owners (owners in digest order)."""

    workspace: str
    manager: str
    week: str
    as_of: datetime
    owners: list[OwnerSummary]
    quiet_owners: list[str] = Field(default_factory=list)  # team owners with nothing at risk


class DeliveryStatus(StrEnum):
    sent = "sent"
    rejected = "rejected"  # permanent (5xx) refusal: recorded, not retried by a rerun
    failed = "failed"  # transient failure after the retries: a rerun tries again
    not_attempted = "not_attempted"  # the run stopped before this one (dead server)
    already_sent = "already_sent"  # the ledger has it for this week
    written = "written"  # dry run: an .eml file, nothing sent


@dataclass(frozen=True)
class Addressed:
    """One weekly e-mail: its kind, its recipient and its Message-ID (the same on every
    attempt). The ledger's entries and a run's deliveries both name one."""

    kind: AlertKind
    recipient: str
    message_id: str


@dataclass(frozen=True)
class Delivery(Addressed):
    status: DeliveryStatus
    deals: int = 0
    detail: str = ""
    path: str | None = None  # the .eml file of a dry run


@dataclass
class RunReport:
    workspace: str
    week: str
    dry_run: bool
    at_risk_deals: int = 0
    deliveries: list[Delivery] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def count(self, status: DeliveryStatus) -> int:
        return sum(1 for d in self.deliveries if d.status == status)

    @property
    def failures(self) -> list[Delivery]:
        bad = {DeliveryStatus.failed, DeliveryStatus.not_attempted}
        return [d for d in self.deliveries if d.status in bad]

    @property
    def rejections(self) -> list[Delivery]:
        return [d for d in self.deliveries if d.status == DeliveryStatus.rejected]

    @property
    def exit_code(self) -> int:
        """0 all done; 1 some e-mails still to send (rerun); 2 some recipients refused."""
        if self.failures:
            return 1
        if self.rejections:
            return 2
        return 0
