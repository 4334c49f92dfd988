"""The background rebuild's lease: one process at a time per workspace brings the kept
analysis results up to date (:meth:`graphsvc.analysis.results.KeptResults.rebuild_stale`),
and every process can see how far it got.

The lease lives in the store (on the workspace's node, see
``queries/analysis_rebuild_*.cypher``), because the processes that may start a rebuild
(API workers, the web app, the CLI) share nothing else. The holder renews it after each
batch; a holder that dies stops renewing, and once the lease has run out another process
may claim it. Progress (done of total) is published with each renewal.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graphsvc.domain.models import from_ms, to_ms, utcnow


@dataclass(frozen=True, slots=True)
class RebuildStatus:
    """A workspace's background rebuild as the store knows it: whether one runs (its
    lease is held and not run out), and the progress of the latest one.

    Examples
    --------
    >>> RebuildStatus(running=True, done=250, total=1000)
    RebuildStatus(running=True, done=250, total=1000, started_at=None, finished_at=None)
    """

    running: bool
    done: int = 0
    total: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None


@dataclass
class HeldLease:
    """A lease this process holds: :meth:`publish` renews it with the progress."""

    lease: RebuildLease
    workspace: str
    done: int = 0

    def publish(self, *, done: int, total: int) -> bool:
        """Publish progress and renew; False when the lease was lost (it ran out and
        another process claimed it): the caller stops."""
        self.done = done
        return self.lease.renew(workspace=self.workspace, done=done, total=total)


class RebuildLease:
    """Claim, renew, release and read the rebuild lease of a workspace."""

    def __init__(self, *, runner: Any, lease_seconds: float = 60.0) -> None:
        self.runner = runner
        self.lease_ms = round(lease_seconds * 1000)
        # Unique per object: two stores opened in one process are two claimants.
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"

    @contextmanager
    def held(self, *, workspace: str) -> Iterator[HeldLease | None]:
        """The lease for the duration of the block (None: another process holds it);
        released at the end, whatever happens."""
        now = to_ms(utcnow())
        rows = self.runner.write(
            "analysis_rebuild_claim",
            {
                "ws": workspace,
                "owner": self.owner,
                "now": now,
                "until": now + self.lease_ms,
                "total": 0,
            },
        )
        if not rows or not rows[0]["claimed"]:
            yield None
            return
        held = HeldLease(lease=self, workspace=workspace)
        try:
            yield held
        finally:
            self.runner.write(
                "analysis_rebuild_release",
                {"ws": workspace, "owner": self.owner, "now": to_ms(utcnow()), "done": held.done},
            )

    def renew(self, *, workspace: str, done: int, total: int) -> bool:
        rows = self.runner.write(
            "analysis_rebuild_progress",
            {
                "ws": workspace,
                "owner": self.owner,
                "done": done,
                "total": total,
                "until": to_ms(utcnow()) + self.lease_ms,
            },
        )
        return bool(rows)

    def status(self, *, workspace: str) -> RebuildStatus:
        rows = self.runner.read("analysis_rebuild_status", {"ws": workspace})
        if not rows:
            return RebuildStatus(running=False)
        row = rows[0]
        running = row["owner"] is not None and int(row["until"] or 0) >= to_ms(utcnow())
        return RebuildStatus(
            running=running,
            done=int(row["done"] or 0),
            total=int(row["total"] or 0),
            started_at=None if row["started"] is None else from_ms(row["started"]),
            finished_at=None if row["finished"] is None else from_ms(row["finished"]),
        )
