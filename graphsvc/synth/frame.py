"""The frame every generated fact sits in: its id scheme and the span of time it covers."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Frame:
    """Ids carry ``id_prefix`` (so two portfolios can share a store); facts fall between
    ``start`` (``months`` before ``now``) and ``now``.

    Examples
    --------
    >>> from datetime import UTC
    >>> start = datetime(2026, 1, 1, tzinfo=UTC)
    >>> frame = Frame("x-", start=start, now=start + timedelta(days=31))
    >>> frame.id("sh", 12, 3)
    'x-sh-000012-003'
    """

    id_prefix: str
    start: datetime
    now: datetime

    def id(self, kind: str, *parts: int) -> str:
        return f"{self.id_prefix}{kind}-" + "-".join(
            f"{p:06d}" if i == 0 else f"{p:03d}" for i, p in enumerate(parts)
        )

    def instant(self, rng: random.Random, lo: datetime, hi: datetime) -> datetime:
        span = max(1, int((hi - lo).total_seconds()))
        # whole minutes: clean figures, and still distinct enough for ordering
        return (lo + timedelta(seconds=rng.randrange(span))).replace(second=0, microsecond=0)
