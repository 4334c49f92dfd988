"""API keys stored in the graph store, looked up by the sha256 of the presented key.

A key is ``gsk_`` followed by 256 random bits (url-safe base64). Only its sha256 and
a short public prefix are stored, so a copy of the database grants nothing. The
queries are ``queries/api_key_*.cypher``, run through the store's runner like every
other store operation.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from graphsvc.domain.models import from_ms, to_ms
from graphsvc.errors import Conflict, NotFound
from graphsvc.store.repository import check_workspace

KEY_PREFIX = "gsk_"
_PUBLIC_PREFIX_LEN = len(KEY_PREFIX) + 6


class Scope(StrEnum):
    """What a key may do: ``read`` < ``write`` < ``admin`` (each includes the ones before)."""

    read = "read"
    write = "write"
    admin = "admin"

    @property
    def level(self) -> int:
        return {"read": 1, "write": 2, "admin": 3}[self.value]

    def allows(self, needed: Scope) -> bool:
        return self.level >= needed.level


class ApiKeyRecord(BaseModel):
    """An API key as stored, without any secret (the hash stays in the store). The API's
    ``ApiKeyOut`` is this record."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    workspace: str
    scope: Scope
    prefix: str
    name: str | None = None
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def public(self) -> dict[str, Any]:
        """JSON-friendly view (instants as ISO-8601 with their offset)."""
        return {
            **self.model_dump(mode="json"),
            "created_at": self.created_at.isoformat(),
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
        }


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _record(row: dict[str, Any]) -> ApiKeyRecord:
    revoked = row.get("revoked_at")
    return ApiKeyRecord(
        id=row["id"],
        workspace=row["workspace"],
        scope=Scope(row["scope"]),
        prefix=row.get("prefix") or "",
        created_at=from_ms(row["created_at"]),
        revoked_at=from_ms(revoked) if revoked is not None else None,
        name=row.get("name"),
    )


class KeyRepository:
    """Create, look up, list and revoke API keys through a store runner."""

    def __init__(self, runner: Any) -> None:
        self.runner = runner

    def create(
        self, *, workspace: str, scope: Scope | str, name: str | None = None
    ) -> tuple[str, ApiKeyRecord]:
        """Return ``(key, record)``; the key itself is never stored and cannot be shown again."""
        # The store's own rule, so a key can never name a workspace the store refuses.
        check_workspace(workspace)
        key = new_key()
        rows = self.runner.write(
            "api_key_create",
            {
                "id": secrets.token_hex(8),
                "hash": hash_key(key),
                "workspace": workspace,
                "scope": Scope(scope).value,
                "prefix": key[:_PUBLIC_PREFIX_LEN],
                "name": name,
                "created_at": to_ms(datetime.now(UTC)),
            },
        )
        return key, _record(rows[0])

    def authenticate(self, key: str) -> ApiKeyRecord | None:
        """The active key record for a presented key, or None (unknown or revoked)."""
        found = self.authenticate_with_revision(key)
        return found[0] if found else None

    def authenticate_with_revision(self, key: str) -> tuple[ApiKeyRecord, int] | None:
        """``(record, workspace revision)`` for an active key, in one query, else None."""
        if not key.startswith(KEY_PREFIX) or len(key) > 256:
            return None
        rows = self.runner.read("api_key_authenticate", {"hash": hash_key(key)})
        if not rows:
            return None
        record = _record(rows[0])
        if not record.active:
            return None
        return record, int(rows[0].get("rev") or 0)

    def list(self, *, workspace: str | None = None) -> list[ApiKeyRecord]:
        rows = self.runner.read("api_key_list", {"workspace": workspace})
        return [_record(row) for row in rows]

    def get(self, *, key_id: str, workspace: str | None = None) -> ApiKeyRecord:
        rows = self.runner.read("api_key_get", {"id": key_id})
        if not rows or (workspace is not None and rows[0]["workspace"] != workspace):
            raise NotFound(f"no API key {key_id!r}")
        return _record(rows[0])

    def revoke(self, *, key_id: str, workspace: str | None = None) -> ApiKeyRecord:
        """Revoke by key id (or by the full key). A key revoked before is a 409
        :class:`Conflict` naming when (the first instant stands): the caller asked for
        something that had already happened, and must not read it as its own doing."""
        if key_id.startswith(KEY_PREFIX):
            rows = self.runner.read("api_key_by_hash", {"hash": hash_key(key_id)})
            if not rows:
                raise NotFound("no such API key")
            key_id = rows[0]["id"]
        self.get(key_id=key_id, workspace=workspace)
        rows = self.runner.write("api_key_revoke", {"id": key_id, "at": to_ms(datetime.now(UTC))})
        if not rows:
            raise NotFound(f"no API key {key_id!r}")
        record = _record(rows[0])
        if rows[0].get("already_revoked"):
            assert record.revoked_at is not None
            raise Conflict(
                f"API key {key_id!r} was already revoked at "
                f"{record.revoked_at.isoformat(timespec='seconds')}"
            )
        return record
