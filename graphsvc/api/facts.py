"""The HTTP side of recording and ending a dated fact between two records (a committee
seat, an influence or a reporting line), the same for every kind: the service verb is
called with the pair's two ends, the instant and the write condition, and the answer
carries the pair's version as ``ETag``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import Response
from pydantic import BaseModel

from graphsvc.api.conditional import render_recorded
from graphsvc.api.schemas import EndedOut, render
from graphsvc.services.facts import Ended, Recorded
from graphsvc.services.versioned import Condition


def put_fact(
    record: Callable[..., Recorded],
    answer: type[BaseModel],
    *,
    workspace: str,
    actor: str,
    condition: Condition,
    at: datetime | None,
    ends: dict[str, str],
    arguments: dict[str, Any] | None = None,
    shown: dict[str, Any] | None = None,
) -> Response:
    """Record a fact made by ``actor`` with ``record(**ends, **arguments)`` and answer it
    as ``answer`` with the ends and ``shown`` (default: the arguments), its instant and
    outcome."""
    extra = arguments or {}
    recorded = record(workspace=workspace, actor=actor, condition=condition, at=at, **ends, **extra)
    fields = {**ends, **(extra if shown is None else shown)}
    model = answer(**fields, at=recorded.at, outcome=recorded.outcome)
    return render_recorded(model, recorded.tag)


def end_fact(
    end: Callable[..., Ended],
    *,
    workspace: str,
    actor: str,
    condition: Condition,
    at: datetime | None,
    ends: dict[str, str],
) -> Response:
    """End a fact in effect with ``end(**ends)``, made by ``actor``; how many ended and
    when."""
    result = end(workspace=workspace, actor=actor, condition=condition, at=at, **ends)
    return render(EndedOut(ended=result.ended, at=result.at))
