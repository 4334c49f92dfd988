"""Users, sessions, sign-in links and sign-in throttles in the graph store.

Every operation is one named query of ``queries/web_*.cypher`` through the store's
runner (the same on FalkorDB and Neo4j). Secrets are stored only as hashes: passwords
as argon2 hashes (made by the service), session cookies and sign-in links as sha256.
Roles travel as one JSON map (workspace -> role) on the user, because a user belongs
to a handful of workspaces and both backends store strings alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from graphsvc.domain.models import from_ms
from graphsvc.users.schemas import UserRead, WorkspaceRole


@dataclass(frozen=True)
class StoredUser:
    user: UserRead
    password_hash: str


@dataclass(frozen=True)
class StoredSession:
    email: str
    csrf: str
    created_at: int
    seen_at: int
    name: str | None
    roles: dict[str, WorkspaceRole]
    disabled: bool


def _roles(text: str | None) -> dict[str, WorkspaceRole]:
    if not text:
        return {}
    return {ws: WorkspaceRole(role) for ws, role in json.loads(text).items()}


def roles_json(roles: dict[str, WorkspaceRole]) -> str:
    return json.dumps(
        {ws: WorkspaceRole(r).value for ws, r in sorted(roles.items())}, separators=(",", ":")
    )


def _user(row: dict[str, Any]) -> StoredUser:
    user = UserRead(
        email=row["email"],
        name=row["name"],
        roles=_roles(row.get("roles")),
        disabled=bool(row.get("disabled")),
        created_at=from_ms(row["created_at"]),
    )
    return StoredUser(user=user, password_hash=row.get("password_hash") or "")


class UserRepository:
    """Plain reads and writes; the rules (hashing, expiry, throttling) are the service's."""

    def __init__(self, runner: Any) -> None:
        self.runner = runner

    # -- users

    def create(
        self,
        *,
        email: str,
        name: str,
        password_hash: str,
        roles: dict[str, WorkspaceRole],
        now: int,
        by: str,
    ) -> tuple[StoredUser, bool]:
        rows = self.runner.write(
            "web_user_create",
            {
                "email": email,
                "name": name,
                "password_hash": password_hash,
                "roles": roles_json(roles),
                "now": now,
                "by": by,
            },
        )
        return _user(rows[0]), bool(rows[0].get("created"))

    def get(self, *, email: str) -> StoredUser | None:
        rows = self.runner.read("web_user_get", {"email": email})
        return _user(rows[0]) if rows else None

    def all(self) -> list[StoredUser]:
        return [_user(row) for row in self.runner.read("web_user_list", {})]

    def update(
        self,
        *,
        email: str,
        now: int,
        by: str,
        roles: dict[str, WorkspaceRole] | None = None,
        password_hash: str | None = None,
        disabled: bool | None = None,
    ) -> StoredUser | None:
        rows = self.runner.write(
            "web_user_update",
            {
                "email": email,
                "now": now,
                "by": by,
                "roles": roles_json(roles) if roles is not None else None,
                "password_hash": password_hash,
                "disabled": disabled,
            },
        )
        return _user(rows[0]) if rows else None

    # -- sessions

    def create_session(
        self, *, session_hash: str, email: str, csrf: str, now: int, address: str | None
    ) -> None:
        self.runner.write(
            "web_session_create",
            {"hash": session_hash, "email": email, "csrf": csrf, "now": now, "address": address},
        )

    def get_session(self, *, session_hash: str) -> StoredSession | None:
        rows = self.runner.read("web_session_get", {"hash": session_hash})
        if not rows:
            return None
        row = rows[0]
        return StoredSession(
            email=row["email"],
            csrf=row["csrf"],
            created_at=int(row["created_at"]),
            seen_at=int(row["seen_at"]),
            name=row.get("name"),
            roles=_roles(row.get("roles")),
            # A session whose user is gone counts as disabled.
            disabled=row.get("disabled") is None or bool(row.get("disabled")),
        )

    def touch_session(self, *, session_hash: str, now: int) -> None:
        self.runner.write("web_session_touch", {"hash": session_hash, "now": now})

    def delete_session(self, *, session_hash: str) -> None:
        self.runner.write("web_session_delete", {"hash": session_hash})

    def delete_sessions_of(self, *, email: str) -> int:
        rows = self.runner.write("web_session_delete_user", {"email": email})
        return int(rows[0]["deleted"]) if rows else 0

    # -- sign-in links

    def create_signin_link(self, *, link_hash: str, email: str, expires_at: int, now: int) -> None:
        self.runner.write(
            "web_signin_link_create",
            {"hash": link_hash, "email": email, "expires_at": expires_at, "now": now},
        )

    def redeem_signin_link(self, *, link_hash: str, now: int) -> str | None:
        """The link's e-mail when this call used it first and in time, else None."""
        rows = self.runner.write("web_signin_link_redeem", {"hash": link_hash, "now": now})
        if not rows or not rows[0]["usable"]:
            return None
        return str(rows[0]["email"])

    # -- throttles

    def throttle_counts(self, *, keys: list[str], since: int) -> dict[str, int]:
        rows = self.runner.read("web_login_throttle_get", {"keys": keys})
        return {row["key"]: int(row["count"]) for row in rows if int(row["started"]) >= since}

    def throttle_hit(self, *, key: str, now: int, window_ms: int) -> int:
        rows = self.runner.write(
            "web_login_throttle_hit", {"key": key, "now": now, "window_ms": window_ms}
        )
        return int(rows[0]["count"])

    def throttle_clear(self, *, key: str) -> None:
        self.runner.write("web_login_throttle_clear", {"key": key})
