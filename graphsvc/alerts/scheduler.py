"""The long-lived weekly schedule behind ``graphsvc alerts schedule``.

Every week at ``alerts_weekday`` (0 = Monday) ``alerts_hour``:00 local time in
``alerts_timezone`` (zoneinfo, so daylight-saving changes move the UTC instant, not the
local hour) the job runs once. Waiting is ``threading.Event.wait``, so SIGTERM/SIGINT
(which set the event) end the process at once and cleanly, also mid-wait. A process
started after this week's slot (a restart, a deploy) runs the missed job at once if the
slot is less than ``alerts_catchup_hours`` old; the alert ledger makes that safe (a
week already sent sends nothing again).
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import FrameType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from graphsvc.alerts.schemas import IsoWeek
from graphsvc.config import Settings
from graphsvc.errors import ConfigurationError

log = logging.getLogger("graphsvc.alerts.scheduler")

# Re-check the clock at least this often: a suspended host or a stepped clock must not
# make the process oversleep the slot by days.
_MAX_WAIT_S = 300.0


@dataclass(frozen=True)
class WeeklySlot:
    tz: ZoneInfo
    weekday: int = 0
    hour: int = 7

    @classmethod
    def from_settings(cls, settings: Settings) -> WeeklySlot:
        try:
            tz = ZoneInfo(settings.alerts_timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigurationError(
                f"GRAPHSVC_ALERTS_TIMEZONE={settings.alerts_timezone!r} is not a known time zone"
            ) from exc
        if not 0 <= settings.alerts_weekday <= 6 or not 0 <= settings.alerts_hour <= 23:
            raise ConfigurationError("alerts_weekday must be 0-6 and alerts_hour 0-23")
        return cls(tz=tz, weekday=settings.alerts_weekday, hour=settings.alerts_hour)

    def week_of(self, moment: datetime) -> IsoWeek:
        return IsoWeek.of(moment.astimezone(self.tz))

    def slot_of(self, week: IsoWeek) -> datetime:
        """The week's run instant, in UTC. A local hour skipped by a DST change maps to
        the instant just after the gap (zoneinfo's fold=0 reading)."""
        local = week.slot(tz=self.tz, weekday=self.weekday, hour=self.hour)
        return local.astimezone(UTC)

    def next_after(self, moment: datetime) -> tuple[IsoWeek, datetime]:
        """The first slot strictly after ``moment``."""
        week = self.week_of(moment)
        for _ in range(3):
            at = self.slot_of(week)
            if at > moment:
                return week, at
            week = week.next()
        raise AssertionError("unreachable: a slot lies within three weeks")  # pragma: no cover

    def due_catch_up(self, moment: datetime, *, hours: float) -> IsoWeek | None:
        """This week's slot when it passed less than ``hours`` ago (a missed run)."""
        week = self.week_of(moment)
        at = self.slot_of(week)
        if at <= moment < at + timedelta(hours=hours):
            return week
        return None


class WeeklyScheduler:
    """Call ``job(week)`` at every weekly slot until :meth:`stop` (or a signal)."""

    def __init__(
        self,
        *,
        slot: WeeklySlot,
        job: Callable[[IsoWeek], object],
        catchup_hours: float = 24.0,
        clock: Callable[[], datetime] | None = None,
        stop_event: threading.Event | None = None,
    ) -> None:
        self.slot = slot
        self.job = job
        self.catchup_hours = catchup_hours
        self.clock = clock or (lambda: datetime.now(UTC))
        self.stopped = stop_event or threading.Event()
        self.runs: list[IsoWeek] = []

    def stop(self, *_: object) -> None:
        self.stopped.set()

    def install_signal_handlers(self) -> None:
        """SIGTERM and SIGINT stop the loop (main thread only, as Python requires)."""

        def _handler(signum: int, frame: FrameType | None) -> None:
            log.info("received %s, stopping", signal.Signals(signum).name)
            self.stopped.set()

        signal.signal(signal.SIGTERM, _handler)
        signal.signal(signal.SIGINT, _handler)

    def _run(self, week: IsoWeek) -> None:
        log.info("sending alerts for %s", week)
        try:
            self.job(week)
        except Exception:
            # A failed week must not end the schedule: the next run (or a manual rerun
            # for that week) sends what is missing.
            log.exception("alerts for %s failed", week)
        self.runs.append(week)

    def run_forever(self, *, on_ready: Callable[[datetime], object] | None = None) -> None:
        now = self.clock()
        missed = self.slot.due_catch_up(now, hours=self.catchup_hours)
        if missed is not None and not self.stopped.is_set():
            self._run(missed)
        next_week, next_at = self.slot.next_after(self.clock())
        if on_ready is not None:
            on_ready(next_at)
        while not self.stopped.is_set():
            remaining = (next_at - self.clock()).total_seconds()
            if remaining > 0:
                self.stopped.wait(min(remaining, _MAX_WAIT_S))
                continue
            self._run(next_week)
            next_week, next_at = self.slot.next_after(max(self.clock(), next_at))
            log.info("next alerts run: %s (%s)", next_at.isoformat(), next_week)
