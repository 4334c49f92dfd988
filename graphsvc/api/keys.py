"""``/v1/keys``: manage the workspace's API keys with an ``admin`` key.

The CLI (``graphsvc keys``) does the same for any workspace, from the server's shell.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, ConfigDict, Field

from graphsvc.api.conditional import JsonBodyOnly, location
from graphsvc.api.deps import AdminKey, Keys
from graphsvc.api.errors import error_responses
from graphsvc.api.schemas import ApiKeyOut, render
from graphsvc.keys import Scope

router = APIRouter(
    prefix="/v1/keys",
    tags=["keys"],
    dependencies=[JsonBodyOnly],
)

KeyId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9a-f]+$")]


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scope: Scope
    name: str | None = Field(default=None, max_length=200)


class KeyCreated(ApiKeyOut):
    key: str = Field(description="The key itself: shown this once, stored only hashed.")


class KeyList(BaseModel):
    items: list[ApiKeyOut]


@router.get("", response_model=KeyList, summary="The workspace's API keys (never the keys)")
def list_keys(principal: AdminKey, keys: Keys) -> Response:
    records = keys.list(workspace=principal.workspace)
    return render(KeyList(items=[ApiKeyOut.of(r) for r in records]))


@router.post(
    "",
    response_model=KeyCreated,
    status_code=201,
    summary="Create an API key in the caller's workspace; the key is shown once",
)
def create_key(body: KeyIn, principal: AdminKey, keys: Keys) -> Response:
    key, record = keys.create(workspace=principal.workspace, scope=body.scope, name=body.name)
    response = render(KeyCreated(key=key, **record.model_dump()), status_code=201)
    response.headers["Location"] = location("v1", "keys", record.id)
    return response


@router.delete(
    "/{key_id}",
    response_model=ApiKeyOut,
    summary="Revoke an API key",
    responses=error_responses(409),
)
def revoke_key(key_id: KeyId, principal: AdminKey, keys: Keys) -> Response:
    """Revoke a key of the caller's workspace; 409 when it was already revoked."""
    return render(ApiKeyOut.of(keys.revoke(key_id=key_id, workspace=principal.workspace)))
