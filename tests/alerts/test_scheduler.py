"""The weekly schedule: slots in a time zone across DST, the loop on a simulated clock,
and the real ``graphsvc alerts schedule`` process stopping cleanly on SIGTERM (on each
store)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from graphsvc.alerts.scheduler import WeeklyScheduler, WeeklySlot
from graphsvc.alerts.schemas import IsoWeek
from graphsvc.store.repository import GraphStore
from tests.alerts import scenario
from tests.helpers import store_env

BERLIN = WeeklySlot(tz=ZoneInfo("Europe/Berlin"), weekday=0, hour=7)


def test_slot_follows_the_local_hour_across_dst() -> None:
    # Winter: CET = UTC+1; summer: CEST = UTC+2 (DST began 2026-03-29).
    assert BERLIN.slot_of(IsoWeek(2026, 13)) == datetime(2026, 3, 23, 6, tzinfo=UTC)
    assert BERLIN.slot_of(IsoWeek(2026, 14)) == datetime(2026, 3, 30, 5, tzinfo=UTC)
    assert BERLIN.slot_of(IsoWeek(2026, 48)) == datetime(2026, 11, 23, 6, tzinfo=UTC)


def test_next_after() -> None:
    sunday_night = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)  # Monday 00:30 in Berlin
    monday = datetime(2026, 11, 23, 6, tzinfo=UTC)  # 07:00 in Berlin
    assert BERLIN.next_after(sunday_night) == (IsoWeek(2026, 48), monday)
    assert BERLIN.next_after(monday) == (IsoWeek(2026, 49), monday + timedelta(days=7))
    # The ISO year boundary: 2026-12-28 is Monday of 2026-W53.
    assert BERLIN.next_after(datetime(2026, 12, 25, tzinfo=UTC))[0] == IsoWeek(2026, 53)
    assert BERLIN.next_after(datetime(2026, 12, 29, tzinfo=UTC))[0] == IsoWeek(2027, 1)


class SimulatedTime(threading.Event):
    """A clock that only moves when the scheduler waits: the wait returns at once with
    the clock advanced by the timeout, so the loop runs without real sleeping."""

    def __init__(self, start: datetime) -> None:
        super().__init__()
        self.now = start
        self.waits: list[float] = []

    def clock(self) -> datetime:
        return self.now

    def wait(self, timeout: float | None = None) -> bool:
        assert timeout is not None and timeout > 0
        self.waits.append(timeout)
        self.now += timedelta(seconds=timeout)
        return self.is_set()


def test_loop_runs_once_per_week_at_the_slot_and_stops() -> None:
    sim = SimulatedTime(datetime(2026, 11, 20, 12, tzinfo=UTC))  # a Friday
    ran: list[tuple[IsoWeek, datetime]] = []

    def job(week: IsoWeek) -> None:
        ran.append((week, sim.now))
        if len(ran) == 3:
            sim.set()

    scheduler = WeeklyScheduler(slot=BERLIN, job=job, clock=sim.clock, stop_event=sim)
    scheduler.run_forever()
    assert ran == [
        (IsoWeek(2026, 48), datetime(2026, 11, 23, 6, tzinfo=UTC)),
        (IsoWeek(2026, 49), datetime(2026, 11, 30, 6, tzinfo=UTC)),
        (IsoWeek(2026, 50), datetime(2026, 12, 7, 6, tzinfo=UTC)),
    ]
    assert max(sim.waits) <= 300  # re-checks the clock, never one week-long wait


def test_a_failing_week_does_not_end_the_schedule() -> None:
    sim = SimulatedTime(datetime(2026, 11, 22, tzinfo=UTC))
    ran: list[IsoWeek] = []

    def job(week: IsoWeek) -> None:
        ran.append(week)
        if len(ran) == 2:
            sim.set()
        raise RuntimeError("smtp down")

    WeeklyScheduler(slot=BERLIN, job=job, clock=sim.clock, stop_event=sim).run_forever()
    assert ran == [IsoWeek(2026, 48), IsoWeek(2026, 49)]


def test_missed_slot_is_caught_up_within_the_window_only() -> None:
    late = SimulatedTime(datetime(2026, 11, 23, 9, tzinfo=UTC))  # 3 h after the slot
    ran: list[IsoWeek] = []

    def job(week: IsoWeek) -> None:
        ran.append(week)
        late.set()

    WeeklyScheduler(
        slot=BERLIN, job=job, clock=late.clock, stop_event=late, catchup_hours=12
    ).run_forever()
    assert ran == [IsoWeek(2026, 48)]

    too_late = SimulatedTime(datetime(2026, 11, 24, 9, tzinfo=UTC))  # 27 h after
    ran.clear()

    def job2(week: IsoWeek) -> None:
        ran.append(week)
        too_late.set()

    WeeklyScheduler(
        slot=BERLIN, job=job2, clock=too_late.clock, stop_event=too_late, catchup_hours=12
    ).run_forever()
    assert ran == [IsoWeek(2026, 49)]


def test_schedule_command_stops_cleanly_on_sigterm(
    store: GraphStore, workspace: str, tmp_path: Path
) -> None:
    # The workspace must exist: the command checks the configured ones at start.
    store.import_bundle(workspace=workspace, bundle=scenario.portfolio(1))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRAPHSVC_", "NEO4J_"))}
    env.update(store_env(store.settings))
    env.update(
        {
            "GRAPHSVC_ALERTS_WORKSPACES": json.dumps([workspace]),
            "GRAPHSVC_ALERTS_TIMEZONE": "Europe/Berlin",
            "GRAPHSVC_ALERTS_CATCHUP_HOURS": "0",
            "GRAPHSVC_ENVIRONMENT": "test",
            "COLUMNS": "200",  # the started line unwrapped
        }
    )
    process = subprocess.Popen(
        [sys.executable, "-c", "from graphsvc.cli import main; main()", "alerts", "schedule"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()  # printed once the loop is waiting
        assert "alerts scheduler started: next run" in first
        assert "+01:00" in first or "+02:00" in first  # shown in the configured zone
        assert first.rstrip().endswith(f"for {workspace}")
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert "alerts scheduler stopped" in out
