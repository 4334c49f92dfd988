"""Users of the web app: who they are, their role per workspace, their sessions.

People sign in to the web app; machines keep using API keys (``graphsvc/keys``).
A user belongs to the workspaces named in ``roles`` and to no other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from graphsvc.domain.models import Email


class WorkspaceRole(StrEnum):
    """What a user may do in one workspace: viewer < editor < admin."""

    viewer = "viewer"
    editor = "editor"
    admin = "admin"

    @property
    def level(self) -> int:
        return {"viewer": 1, "editor": 2, "admin": 3}[self.value]

    def allows(self, needed: WorkspaceRole) -> bool:
        return self.level >= needed.level


class UserBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    email: Email
    name: str = Field(min_length=1, max_length=200)


class UserCreate(UserBase):
    password: str = Field(min_length=10, max_length=1024)
    roles: dict[str, WorkspaceRole] = Field(default_factory=dict)


class UserRead(UserBase):
    roles: dict[str, WorkspaceRole] = Field(default_factory=dict)
    disabled: bool = False
    created_at: datetime

    def role_in(self, workspace: str) -> WorkspaceRole | None:
        return self.roles.get(workspace)


@dataclass(frozen=True)
class SignedIn:
    """A request's signed-in user, from a valid session."""

    email: str
    name: str
    roles: dict[str, WorkspaceRole]
    csrf_token: str
    session_hash: str
    workspaces: list[str] = field(default_factory=list)

    def role_in(self, workspace: str) -> WorkspaceRole | None:
        return self.roles.get(workspace)
