"""What recording or ending a dated fact (a committee seat, a line) answers, and the
conditional write of one such fact (``If-Match``/``If-None-Match`` on its pair's
version tag, see :mod:`graphsvc.store.pair_facts`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from graphsvc.services.versioned import Condition, check_written, expected_tag
from graphsvc.store.pair_facts import PairVersion, PairWrite


@dataclass(frozen=True)
class Recorded:
    """A fact as recorded: the instant it takes effect, whether it changed anything
    (``created``, ``updated`` or ``unchanged``) and its pair's version tag after it."""

    at: datetime
    outcome: str
    tag: str = ""


@dataclass(frozen=True)
class Ended:
    """How many memberships or lines in effect at ``at`` ended then (their history stays)."""

    ended: int
    at: datetime


def write_fact(
    *,
    condition: Condition,
    current: Callable[[], PairVersion],
    write: Callable[[str | None], PairWrite],
    what: str,
) -> PairWrite:
    """Write one fact of a pair under ``condition``: 412 when the pair's version is not
    the expected one (checked again inside the writing statement), 404 when the pair's
    nodes went away meanwhile. ``current`` reads the version (404 when not in effect)."""
    expect = expected_tag(condition, lambda: (None, current().tag), what)
    written = write(expect)
    check_written(written.counts, condition, what)
    return written
