"""Reading the cells of a CRM report CSV: headers matched loosely, yes/no, dates,
amounts and a deal's status from its stage, each failing with the column it is in."""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

from graphsvc.domain.models import DealStatus

_TRUE = {"1", "true", "yes", "y", "x", "t"}
_FALSE = {"0", "false", "no", "n", "", "f"}
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y")


@lru_cache(maxsize=4096)
def normalize_header(name: str) -> str:
    """``name`` lower-cased with only letters and digits kept. Cached: besides headers it
    reads picklist values (roles, stages, subtypes), a few distinct ones on each of
    hundreds of thousands of rows."""
    return re.sub(r"[^0-9a-z]", "", name.strip().lstrip("\ufeff").lower())


class RowError(Exception):
    """A cell that cannot be read: its column and why."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


def read_bool(value: str, column: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise RowError(column, f"{value!r} is not yes/no")


def read_date(value: str, column: str) -> date | None:
    text = value.strip()
    if not text:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise RowError(column, f"{value!r} is not a date (YYYY-MM-DD or MM/DD/YYYY)")


def read_amount(value: str, column: str) -> float | None:
    text = value.strip().replace(",", "")
    text = re.sub(r"^[A-Z]{3}\s*|^[$€£]", "", text)
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise RowError(column, f"{value!r} is not an amount") from None


def status_of_stage(stage: str | None) -> DealStatus:
    normal = normalize_header(stage or "")
    if normal == "closedwon":
        return DealStatus.won
    if normal == "closedlost":
        return DealStatus.lost
    return DealStatus.open
