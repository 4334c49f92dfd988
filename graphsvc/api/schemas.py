"""Request and response bodies of the REST API (JSON, snake_case).

Request bodies reuse the domain's field types, so the API and the store validate
alike. Instants in responses are ISO-8601 with an explicit offset (``+00:00``).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import Enum, StrEnum
from typing import Annotated, Any, Self

from fastapi.responses import Response
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    model_validator,
)

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
    Id,
    InfluenceEnds,
    InfluenceStrength,
    InteractionFields,
    ReportingEnds,
    Role,
    Stakeholder,
    StakeholderFields,
    Stance,
    from_ms,
)
from graphsvc.keys import ApiKeyRecord
from graphsvc.store.core import Authors
from graphsvc.store.notes import Note


def iso(value: datetime) -> str:
    return value.isoformat()


# Documented as what it is on the wire (a PlainSerializer alone reads as a bare string).
IsoTime = Annotated[
    datetime,
    PlainSerializer(iso, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


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


_AUTHOR_FIELDS = ("created_by", "updated_by")


class _IgnoresAuthors(BaseModel):
    """A record's body as a client may send back what it read: the authors the read
    answered (``created_by``, ``updated_by``) are the store's to set, and are ignored."""

    @model_validator(mode="before")
    @classmethod
    def _drop_authors(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if k not in _AUTHOR_FIELDS}
        return data


class AccountIn(_IgnoresAuthors, AccountFields):
    pass


class DealIn(_IgnoresAuthors, DealFields):
    pass


class StakeholderIn(_IgnoresAuthors, StakeholderFields):
    pass


class MembershipIn(CommitteePart, Dated):
    pass


class InfluenceIn(InfluenceStrength, Dated):
    pass


class ReportsToIn(Dated):
    pass


class InteractionIn(InteractionFields):
    pass


class InteractionCreate(InteractionFields):
    """An interaction to record, with the caller's own id (the CRM activity id) when it
    has one; without, an id is derived from the content (sending it again is a no-op)."""

    id: Id | None = Field(default=None, description="The caller's own id (CRM activity id)")


class NoteIn(BaseModel):
    """A note on a person of the deal: written once, never edited (withdraw it instead)."""

    model_config = ConfigDict(extra="forbid")

    stakeholder_id: Id = Field(description="The person the note is about")
    text: str = Field(min_length=1, max_length=2000, description="1 to 2,000 characters")


# ------------------------------------------------------------------ responses
# The domain entities as read back (Dispatch's ...Read).


class Authored(_Read):
    """A record with who created it and who changed it last (the API key's name, the
    signed-in user, or ``import:<file>``); null when written before authors were kept."""

    created_by: str | None = Field(default=None, description="Who created it")
    updated_by: str | None = Field(default=None, description="Who changed it last")

    @classmethod
    def authored(cls, value: BaseModel, authors: Authors) -> Self:
        """The response body of a stored record and its authors."""
        return cls.model_validate(
            {
                **value.model_dump(),
                "created_by": authors.created_by,
                "updated_by": authors.updated_by,
            }
        )


class AccountOut(Account, Authored):
    pass


class DealOut(Deal, Authored):
    pass


class DealPage(_Out):
    items: list[DealOut]
    next_cursor: str | None = None


class StakeholderOut(Stakeholder, Authored):
    pass


class Outcome(StrEnum):
    created = "created"
    updated = "updated"
    unchanged = "unchanged"


class _Recorded(_Read):
    """A dated fact as recorded."""

    at: IsoTime
    outcome: Outcome = Field(description="What the write did")


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
    since: IsoTime


class CommitteeOut(_Out):
    deal_id: str
    as_of: IsoTime
    items: list[CommitteeMember]


class InteractionOut(InteractionFields, _Read):
    id: str


class InteractionList(_Out):
    items: list[InteractionOut]
    next_cursor: str | None = None


class MembershipFactOut(_Out):
    deal_id: str
    at: IsoTime = Field(description="When the fact takes effect")
    recorded_at: IsoTime | None = Field(description="When it was recorded")
    active: bool = Field(description="False: the membership ended then")
    role: Role | None = None
    stance: Stance | None = None
    ally: bool
    influence_rating: int | None = None
    self_weight: float | None = None


class LineDirection(StrEnum):
    influences = "influences"
    influenced_by = "influenced_by"
    reports_to = "reports_to"
    manages = "manages"


class LineFactOut(_Out):
    direction: LineDirection
    other_id: str
    at: IsoTime
    recorded_at: IsoTime | None
    active: bool
    strength: float | None = None


class NoteOut(_Out):
    """A note as recorded: who wrote it and when; ``withdrawn_at``/``withdrawn_by`` when
    it was taken back (only the subject-access export shows withdrawn notes)."""

    id: str
    deal_id: str
    stakeholder_id: str
    text: str
    at: IsoTime = Field(description="When it was written")
    by: str = Field(description="Who wrote it: a user, an API key's name, an import")
    withdrawn_at: IsoTime | None = None
    withdrawn_by: str | None = None

    @classmethod
    def of_note(cls, note: Note, deal_id: str) -> NoteOut:
        return cls(
            id=note.id,
            deal_id=deal_id,
            stakeholder_id=note.stakeholder_id,
            text=note.text,
            at=from_ms(note.at),
            by=note.by,
            withdrawn_at=from_ms(note.withdrawn_at) if note.withdrawn_at is not None else None,
            withdrawn_by=note.withdrawn_by,
        )


class NoteList(_Out):
    items: list[NoteOut]


class InteractionHeld(InteractionOut):
    """An interaction as the subject-access export shows it: with when and by whom it
    was withdrawn, if it was."""

    withdrawn_at: IsoTime | None = None
    withdrawn_by: str | None = None


class StakeholderExport(_Out):
    """Everything held about one person: the record, every dated fact about them (with
    when it was recorded) and the interactions that list them."""

    stakeholder: StakeholderOut
    memberships: list[MembershipFactOut]
    influences: list[LineFactOut]
    reporting: list[LineFactOut]
    interactions: list[InteractionHeld] = Field(
        description="Interactions that list them, withdrawn ones included"
    )
    notes: list[NoteOut] = Field(description="Notes about them, withdrawn ones included")

    @classmethod
    def of_data(cls, data: dict[str, Any]) -> StakeholderExport:
        def instant(ms: Any) -> datetime | None:
            return from_ms(int(ms)) if ms is not None else None

        def fact(values: dict[str, Any]) -> dict[str, Any]:
            recorded = values.pop("recorded")
            return {**values, "at": from_ms(int(values["at"])), "recorded_at": instant(recorded)}

        interactions = [
            InteractionHeld(
                id=p["id"],
                deal_id=p["deal_id"],
                at=from_ms(int(p["at"])),
                channel=Channel(p["channel"]),
                stakeholder_ids=list(p.get("stakeholder_ids") or []),
                team_member_emails=list(p.get("team_member_emails") or []),
                summary=p.get("summary"),
                next_step_at=instant(p.get("next_step_at")),
                withdrawn_at=instant(p.get("withdrawn_at")),
                withdrawn_by=p.get("withdrawn_by"),
            )
            for p in data["interactions"]
        ]
        return cls(
            stakeholder=StakeholderOut.of(data["stakeholder"]),
            memberships=[MembershipFactOut(**fact(dict(m))) for m in data["memberships"]],
            influences=[LineFactOut(**fact(dict(f))) for f in data["influences"]],
            reporting=[LineFactOut(**fact(dict(f))) for f in data["reporting"]],
            interactions=interactions,
            notes=[NoteOut.of_note(note, deal_id) for deal_id, note in data.get("notes", ())],
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


class AnalysisRebuildOut(_Out):
    """The workspace's background rebuild of kept analysis results."""

    running: bool = Field(description="A process is bringing kept results up to date now")
    done: int = Field(description="Deals re-analysed so far by the latest rebuild")
    total: int = Field(description="Deals the latest rebuild set out to re-analyse")
    started_at: IsoTime | None = Field(default=None, description="When the latest one started")
    finished_at: IsoTime | None = Field(
        default=None, description="When the latest one finished (null while it runs)"
    )


class RiskPage(_Out):
    items: list[RiskItem]
    next_cursor: str | None = None
    complete: bool = Field(
        default=True,
        description="False while some open deals have no up-to-date analysis yet (a new "
        "workspace, a large import, an engine upgrade): they are being analysed in the "
        "background and are left out of `items`; ask again (see `pending_deals` and "
        "`rebuild`).",
    )
    open_deals: int = Field(default=0, description="Open deals in the workspace")
    pending_deals: int = Field(
        default=0, description="Open deals whose analysis is being computed (not in `items`)"
    )
    rebuild: AnalysisRebuildOut | None = Field(
        default=None, description="The background analysis, when the answer is incomplete"
    )


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
    return json.dumps(
        value, default=_json_default, ensure_ascii=False, allow_nan=False, separators=(",", ":")
    ).encode("utf-8")


class JSONBytes(Response):
    media_type = "application/json"


def render(value: Any, *, status_code: int = 200) -> Response:
    """A JSON response built by :func:`to_json_bytes` (the route's ``response_model``
    still documents the shape)."""
    return JSONBytes(content=to_json_bytes(value), status_code=status_code)
