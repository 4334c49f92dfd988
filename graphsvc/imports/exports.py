"""What every CRM export reader shares: the files of a zip or a folder, CSV tables read
with their row numbers, value parsers, problems that name the file, the row and the
column, and the neutral :class:`CrmExport` that both readers produce.

Rows are numbered as in a spreadsheet: the header is row 1, the first record row 2 (a
quoted value spanning several lines is still one row).
"""

from __future__ import annotations

import csv
import gc
import io
import threading
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from graphsvc.domain.models import Account, Deal, Interaction, Role, Stakeholder, TeamMember
from graphsvc.errors import ValidationFailed

MAX_PROBLEMS = 500
# Each CSV field may be long (Salesforce's Description holds 32,000 characters).
csv.field_size_limit(1 << 24)


_gc_lock = threading.Lock()
_gc_state = {"pausers": 0, "was_enabled": True}


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause CPython's cyclic garbage collector while an export is imported.

    An import holds about a million young, long-lived objects (rows, models, query
    parameters); the collector re-scans them again and again as they pile up, which took
    three quarters of the parse time (measured: 19 s with it, 4 s without, 2,000
    opportunities). Nothing an import builds needs a cycle freed before it ends.
    Counted, so overlapping imports (API threads) restore it only when the last ends."""
    with _gc_lock:
        if _gc_state["pausers"] == 0:
            _gc_state["was_enabled"] = gc.isenabled()
            gc.disable()
        _gc_state["pausers"] += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_state["pausers"] -= 1
            if _gc_state["pausers"] == 0 and _gc_state["was_enabled"]:
                gc.enable()


@dataclass(frozen=True)
class Problem:
    """An error or a warning about one place of an export."""

    file: str
    row: int | None
    column: str | None
    message: str

    def as_detail(self) -> dict[str, Any]:
        loc: list[Any] = [self.file]
        if self.row is not None:
            loc.append(self.row)
        if self.column is not None:
            loc.append(self.column)
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "loc": loc,
            "msg": self.message,
        }


class Problems:
    """Errors (nothing is written when there is one) and warnings, by object type."""

    def __init__(self) -> None:
        self.errors: list[tuple[str, Problem]] = []
        self.warnings: list[tuple[str, Problem]] = []

    def error(
        self, kind: str, file: str, row: int | None, column: str | None, message: str
    ) -> None:
        self.errors.append((kind, Problem(file, row, column, message)))

    def warn(self, kind: str, file: str, row: int | None, column: str | None, message: str) -> None:
        self.warnings.append((kind, Problem(file, row, column, message)))

    def raise_if_any(self, what: str) -> None:
        if not self.errors:
            return
        count = len(self.errors)
        raise ValidationFailed(
            f"{count} problem(s) in the {what}; nothing imported",
            detail=[p.as_detail() for _, p in self.errors[:MAX_PROBLEMS]],
        )


# CSV files, and JSON for HubSpot's association labels (hubspot_associations.py).
_READ_SUFFIXES = (".csv", ".json")


class ExportFiles:
    """The CSV (and JSON) files of an export (a zip, or a folder), found by base name
    ignoring case, whatever folder of the archive they are in. Other files are ignored."""

    def __init__(
        self, files: dict[str, bytes], *, newest_file_time: datetime | None, origin: str
    ) -> None:
        self._files = {
            PurePosixPath(name).name.lower(): (PurePosixPath(name).name, data)
            for name, data in files.items()
        }
        self.newest_file_time = newest_file_time
        self.origin = origin

    @classmethod
    def from_zip(cls, data: bytes, *, origin: str = "the zip") -> ExportFiles:
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as exc:
            raise ValidationFailed(
                f"{origin} is not a zip archive: {exc}",
                detail=[{"loc": [origin], "msg": f"not a zip archive: {exc}"}],
            ) from None
        files: dict[str, bytes] = {}
        newest: datetime | None = None
        with archive:
            for info in archive.infolist():
                if info.is_dir() or not info.filename.lower().endswith(_READ_SUFFIXES):
                    continue
                files[info.filename] = archive.read(info)
                # Zip entry times carry no zone; Salesforce's servers write UTC.
                stamp = datetime(*info.date_time, tzinfo=UTC)
                newest = stamp if newest is None or stamp > newest else newest
        return cls(files, newest_file_time=newest, origin=origin)

    @classmethod
    def from_folder(cls, folder: Path) -> ExportFiles:
        files: dict[str, bytes] = {}
        newest: datetime | None = None
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix.lower() in _READ_SUFFIXES:
                files[str(path.relative_to(folder))] = path.read_bytes()
                stamp = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
                newest = stamp if newest is None or stamp > newest else newest
        return cls(files, newest_file_time=newest, origin=str(folder))

    def names(self) -> list[str]:
        return sorted(name for name, _ in self._files.values())

    def has(self, name: str) -> bool:
        return name.lower() in self._files

    def find(self, predicate: Callable[[str], bool]) -> list[str]:
        """Names of the files whose lower-cased base name satisfies ``predicate``."""
        return sorted(name for key, (name, _) in self._files.items() if predicate(key))

    def text(self, name: str) -> str:
        real, data = self._files[name.lower()]
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise ValidationFailed(
            f"{real} is neither UTF-8 nor Windows-1252 text",
            detail=[{"file": real, "loc": [real], "msg": "neither UTF-8 nor Windows-1252 text"}],
        )


@dataclass
class Table:
    """One CSV file: its header (as written) and its records with their row numbers."""

    file: str
    columns: dict[str, int]  # lower-cased header -> index
    rows: list[tuple[int, list[str]]]
    _getters: dict[str, Callable[[list[str]], str]] = field(default_factory=dict)

    def has(self, column: str) -> bool:
        return column.lower() in self.columns

    def getter(self, column: str) -> Callable[[list[str]], str]:
        """A fast accessor of one column's stripped value ('' when absent); made once per
        column, since callers ask for it row by row."""
        made = self._getters.get(column)
        if made is not None:
            return made
        index = self.columns.get(column.lower())
        if index is None:
            made = _blank
        else:

            def made(values: list[str]) -> str:
                return values[index].strip()  # rows are padded to the header's width

        self._getters[column] = made
        return made


def _blank(values: list[str]) -> str:
    return ""


def read_table(
    files: ExportFiles,
    name: str,
    *,
    kind: str,
    required: tuple[str, ...],
    problems: Problems,
    optional_file: bool = False,
) -> Table | None:
    """The table of ``name`` with every ``required`` column, or None (and an error)."""
    if not files.has(name):
        if not optional_file:
            problems.error(
                kind,
                name,
                None,
                None,
                f"missing file {name} (files found: {', '.join(files.names()) or 'none'})",
            )
        return None
    text = files.text(name)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        problems.error(kind, name, 1, None, "the file is empty (no header row)")
        return None
    except csv.Error as exc:
        problems.error(kind, name, 1, None, f"the header cannot be read: {exc}")
        return None
    columns: dict[str, int] = {}
    for index, column in enumerate(header):
        columns.setdefault(column.strip().lstrip("\ufeff").lower(), index)
    missing = [c for c in required if c.lower() not in columns]
    for column in missing:
        problems.error(kind, name, 1, column, f"missing column {column}")
    if missing:
        return None
    rows: list[tuple[int, list[str]]] = []
    width = len(header)
    row = 1
    while True:  # once, and again after each unreadable row (the reader goes on after it)
        try:
            for values in reader:  # the hot loop of a large export: kept to C-level calls
                row += 1
                joined = "".join(values)
                if joined and not joined.isspace():  # blank rows are skipped
                    if len(values) < width:
                        values += [""] * (width - len(values))
                    rows.append((row, values))
            break
        except csv.Error as exc:
            row += 1
            problems.error(kind, name, row, None, f"unreadable row: {exc}")
    return Table(name, columns, rows)


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant as Salesforce writes it (``2024-03-05T14:00:00.000Z``, or
    ``+0000``); a naive one counts as UTC. Raises ValueError."""
    value = datetime.fromisoformat(text)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def parse_day(text: str) -> date:
    """A date ``2024-03-05`` (a datetime is cut to its UTC date). Raises ValueError."""
    if len(text) == 10:
        return date.fromisoformat(text)
    return parse_instant(text).date()


def day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no", ""})


def parse_bool(text: str) -> bool:
    """Salesforce's ``true``/``false`` (``1``/``0`` from some tools); blank is false."""
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"{text!r} is not true or false")


def parse_amount(text: str) -> float | None:
    if not text:
        return None
    value = float(text.replace(",", ""))
    if value < 0 or value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{text!r} is not an amount of 0 or more")
    return value


def newest_stamp(tables: list[Table], columns: tuple[str, ...]) -> datetime | None:
    """The newest of ``columns`` over every table (ISO instants of one format compare as
    strings, so only each column's largest value is parsed)."""
    newest: datetime | None = None
    for table in tables:
        for column in columns:
            index = table.columns.get(column.lower())
            if index is None:
                continue
            cells = (values[index] for _, values in table.rows)
            largest = max(map(str.strip, cells), default="")
            if not largest:
                continue
            try:
                stamp = parse_instant(largest)
            except ValueError:
                continue  # reported by the reader of that column, if it reads it
            newest = stamp if newest is None or stamp > newest else newest
    return newest


@dataclass
class CrmExport:
    """One CRM export in our terms: what a reader produces and :mod:`sync` writes.

    ``roles`` holds each contact's role on each opportunity; ``managers`` each exported
    contact's manager (None: reports to nobody); ``owns_deal`` tells which stored deals
    this export would have listed, so a deal missing from it was deleted in the CRM;
    ``owns_contact`` likewise for people."""

    source: str
    exported_at: datetime
    exported_at_from: str
    accounts: list[Account] = field(default_factory=list)
    deals: list[Deal] = field(default_factory=list)
    stakeholders: list[Stakeholder] = field(default_factory=list)
    team_members: list[TeamMember] = field(default_factory=list)
    roles: dict[tuple[str, str], Role] = field(default_factory=dict)
    managers: dict[str, str | None] = field(default_factory=dict)
    interactions: list[Interaction] = field(default_factory=list)
    warnings: list[tuple[str, Problem]] = field(default_factory=list)
    ignored: dict[str, int] = field(default_factory=dict)
    owns_deal: Callable[[str], bool] = lambda _deal_id: False
    # Which stakeholder ids are this CRM's contacts: a seat or a line the team added here
    # for someone the CRM does not know is not the CRM's to end.
    owns_contact: Callable[[str], bool] = lambda _contact_id: False

    def record_count(self) -> int:
        return (
            len(self.accounts)
            + len(self.deals)
            + len(self.stakeholders)
            + len(self.roles)
            + len(self.interactions)
        )


def with_next_steps(done: list[Interaction], plans: dict[str, list[datetime]]) -> list[Interaction]:
    """The interactions, the latest of each deal carrying the deal's earliest planned
    activity as its next step (the analysis reads the next step of the latest one)."""
    latest: dict[str, int] = {}
    for index, interaction in enumerate(done):
        held = latest.get(interaction.deal_id)
        if held is None or (interaction.at, interaction.id) > (done[held].at, done[held].id):
            latest[interaction.deal_id] = index
    result = list(done)
    for deal_id, index in latest.items():
        if plans.get(deal_id):
            result[index] = done[index].model_copy(update={"next_step_at": min(plans[deal_id])})
    return result
