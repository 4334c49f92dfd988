"""What recording or ending a dated fact (a committee seat, a line) answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Recorded:
    """A fact as recorded: the instant it takes effect and whether it changed anything
    (``created``, ``updated`` or ``unchanged``)."""

    at: datetime
    outcome: str


@dataclass(frozen=True)
class Ended:
    """How many memberships or lines in effect at ``at`` ended then (their history stays)."""

    ended: int
    at: datetime
