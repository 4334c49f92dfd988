"""Path and query parameter types shared by the routers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Path, Query

from graphsvc.domain.models import Id, Instant

_ID_DOC = "The caller's own id (a CRM id): 1-128 printable characters."

AccountId = Annotated[Id, Path(min_length=1, max_length=128, description=_ID_DOC)]
DealId = Annotated[Id, Path(min_length=1, max_length=128, description=_ID_DOC)]
StakeholderId = Annotated[Id, Path(min_length=1, max_length=128, description=_ID_DOC)]
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
