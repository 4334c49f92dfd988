"""Small pure parts: ISO weeks, the instant a week describes, the managers file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from graphsvc.alerts.delivery import eml_filename
from graphsvc.alerts.planning import load_managers, week_as_of
from graphsvc.alerts.scheduler import WeeklySlot
from graphsvc.alerts.schemas import AlertKind, IsoWeek
from graphsvc.errors import ConfigurationError, ValidationFailed


def test_iso_weeks() -> None:
    assert str(IsoWeek.parse("2026-W48")) == "2026-W48"
    assert IsoWeek.parse(" 2026-W01 ").monday() == datetime(2025, 12, 29).date()
    assert IsoWeek(2026, 1).previous() == IsoWeek(2025, 52)
    assert IsoWeek(2026, 52).next() == IsoWeek(2026, 53)  # 2026 has 53 ISO weeks
    assert IsoWeek(2026, 53).next() == IsoWeek(2027, 1)
    assert IsoWeek(2026, 9) < IsoWeek(2026, 10) and str(IsoWeek(2026, 9)) < str(IsoWeek(2026, 10))
    for bad in ("2026-48", "2026-W5", "2025-W53", "2026-W00"):
        with pytest.raises(ValidationFailed):
            IsoWeek.parse(bad)


def test_a_week_is_described_as_of_its_slot_or_now() -> None:
    slot = WeeklySlot(tz=ZoneInfo("America/New_York"), weekday=0, hour=7)
    now = datetime(2026, 11, 26, 15, tzinfo=UTC)  # Thursday of 2026-W48
    assert week_as_of(IsoWeek(2026, 48), slot=slot, now=now) == now
    assert week_as_of(IsoWeek(2026, 47), slot=slot, now=now) == datetime(
        2026,
        11,
        16,
        12,
        tzinfo=UTC,  # Monday 07:00 EST
    )
    with pytest.raises(ValidationFailed, match="has not started"):
        week_as_of(IsoWeek(2026, 49), slot=slot, now=now)


def test_managers_file_json_and_toml(tmp_path: Path) -> None:
    assert load_managers(None) == {}
    as_json = tmp_path / "managers.json"
    as_json.write_text('{"Boss@X.com": ["b@x.com", "A@x.com", "a@x.com"]}')
    assert load_managers(as_json) == {"boss@x.com": ["a@x.com", "b@x.com"]}
    as_toml = tmp_path / "managers.toml"
    as_toml.write_text('[managers]\n"boss@x.com" = ["a@x.com"]\n')
    assert load_managers(as_toml) == {"boss@x.com": ["a@x.com"]}
    broken = tmp_path / "broken.json"
    broken.write_text('{"boss@x.com": "a@x.com"}')
    with pytest.raises(ConfigurationError, match="list of owner addresses"):
        load_managers(broken)
    with pytest.raises(ConfigurationError, match="cannot read"):
        load_managers(tmp_path / "missing.json")


def test_eml_filenames_are_safe() -> None:
    name = eml_filename(AlertKind.owner, "../../etc/passwd@x.com", IsoWeek(2026, 48))
    assert "/" not in name and name.endswith(".eml")
