"""The edits the deal page sends (JSON, one per request), validated like the REST API's
bodies: the same field types (:mod:`graphsvc.domain.models`), and then the store's own
validation when the facts are recorded.

Every edit names the ``revision`` of the deal the page showed; an edit made on an older
revision is refused with the fresh state (``409``), never applied over someone else's.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from graphsvc.domain.models import (
    Channel,
    Email,
    Id,
    Name,
    Rating,
    Role,
    SelfWeight,
    Stance,
    Strength,
    Text,
)


class _Edit(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    revision: str = Field(min_length=1, max_length=64)


class MemberFields(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    role: Role
    stance: Stance = Stance.unknown
    ally: bool = False
    influence_rating: Rating | None = None
    self_weight: SelfWeight | None = None


class SetMember(_Edit, MemberFields):
    action: Literal["set_member"]
    stakeholder_id: Id


class AddPerson(_Edit, MemberFields):
    """Add someone already known in the workspace (``stakeholder_id``), or a new person
    (``name``, optional ``title`` and ``email``) at the deal's account."""

    action: Literal["add_person"]
    stakeholder_id: Id | None = None
    name: Name | None = Field(default=None, max_length=200)
    title: Text | None = Field(default=None, max_length=200)
    email: Email | None = None


class RemoveMember(_Edit):
    action: Literal["remove_member"]
    stakeholder_id: Id


class SetInfluence(_Edit):
    action: Literal["set_influence"]
    source_id: Id
    target_id: Id
    strength: Strength = 0.5


class EndInfluence(_Edit):
    action: Literal["end_influence"]
    source_id: Id
    target_id: Id


class SetReporting(_Edit):
    """``stakeholder_id`` reports to ``manager_id`` (an earlier manager's line ends)."""

    action: Literal["set_reporting"]
    stakeholder_id: Id
    manager_id: Id


class EndReporting(_Edit):
    action: Literal["end_reporting"]
    stakeholder_id: Id
    manager_id: Id


class LogInteraction(_Edit):
    action: Literal["log_interaction"]
    on: date
    channel: Channel
    stakeholder_ids: list[Id] = Field(min_length=1, max_length=200)
    team_member_emails: list[Email] = Field(default_factory=list, max_length=50)
    summary: Text | None = Field(default=None, max_length=2000)
    next_step_on: date | None = None


class AddNote(_Edit):
    action: Literal["note"]
    stakeholder_id: Id
    text: str = Field(min_length=1, max_length=2000)


class Undo(_Edit):
    action: Literal["undo"]


Edit = Annotated[
    SetMember
    | AddPerson
    | RemoveMember
    | SetInfluence
    | EndInfluence
    | SetReporting
    | EndReporting
    | LogInteraction
    | AddNote
    | Undo,
    Field(discriminator="action"),
]


class EditRequest(BaseModel):
    edit: Edit


class LayoutIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    layout: Literal["network", "orgchart"] | None = None
    positions: dict[str, tuple[float, float]] | None = Field(default=None, max_length=2000)
