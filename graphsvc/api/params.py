"""Path and query parameter types shared by the routers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Path, Query
from pydantic import BeforeValidator

from graphsvc.api.path_ids import restore_slashes
from graphsvc.domain.models import Id, Instant

_ID_DOC = (
    "The caller's own id (a CRM id): 1-128 printable characters, percent-encoded (`/` as `%2F`)."
)
# An id with "/" arrives with a stand-in for it (graphsvc.api.path_ids).
_FromPath = BeforeValidator(restore_slashes)

AccountId = Annotated[Id, Path(min_length=1, max_length=128, description=_ID_DOC), _FromPath]
DealId = Annotated[Id, Path(min_length=1, max_length=128, description=_ID_DOC), _FromPath]
StakeholderId = Annotated[Id, Path(min_length=1, max_length=128, description=_ID_DOC), _FromPath]
InteractionId = Annotated[
    Id,
    Path(
        min_length=1,
        max_length=128,
        description="The caller's own id (the CRM activity id), percent-encoded.",
    ),
    _FromPath,
]
UpdatedSince = Annotated[
    Instant | None,
    Query(description="Only records written (created or changed) at or after this instant."),
]
Limit = Annotated[int | None, Query(ge=1, description="Page size (capped)")]
Cursor = Annotated[
    str | None, Query(max_length=1024, description="`next_cursor` of the previous page")
]
AsOf = Annotated[
    Instant | None,
    Query(description="ISO-8601 instant (naive counts as UTC); default now."),
]
EndAt = Annotated[
    Instant | None,
    Query(description="When the membership or line ends (ISO-8601); default now."),
]


def as_of_key(value: datetime | None) -> int | None:
    from graphsvc.domain.models import to_ms

    return to_ms(value) if value is not None else None
