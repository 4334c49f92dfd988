"""The alert ledger, kept in the graph store: which e-mail went to whom for which week.

One ``:AlertEmail`` node per (workspace, kind, recipient, ISO week) holds the message id,
the status (``pending`` while being sent, then ``sent`` or ``rejected``) and when it was
sent; one ``:AlertDealFlags`` node per deal of a sent owner e-mail holds the flag codes
it carried, which next week's e-mail compares against (flags marked NEW, flags
CLEARED). The queries are ``queries/alert_*.cypher``, one idempotent statement each,
run through the store's runner. As in the store, lookups go by one indexed ``key``
string (the parts joined by U+001F) rather than by several properties at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypedDict, Unpack

from graphsvc.alerts.schemas import Addressed, AlertKind, DealAlert, IsoWeek
from graphsvc.domain.models import from_ms, to_ms
from graphsvc.store.codecs import KEY_SEPARATOR

# Longer than any one message can take (connect, retries with backoff): a claim this old
# belongs to a run that died.
CLAIM_TTL = timedelta(minutes=30)


class LedgerKey(TypedDict):
    """Which e-mail of the ledger: one per workspace, week, kind and recipient, with the
    Message-ID every attempt at it carries."""

    workspace: str
    kind: AlertKind
    recipient: str
    week: IsoWeek
    message_id: str


class LedgerStatus(StrEnum):
    pending = "pending"  # claimed or attempted, not delivered yet
    sent = "sent"
    rejected = "rejected"


@dataclass(frozen=True)
class LedgerEntry(Addressed):
    week: str
    status: LedgerStatus
    detail: str | None = None
    sent_at: datetime | None = None
    updated_at: datetime | None = None
    deal_count: int = 0

    @property
    def settled(self) -> bool:
        """Nothing more to send for it this week (``pending`` is sent again, with the
        same Message-ID, because the earlier run may have died before the server had it)."""
        return self.status in (LedgerStatus.sent, LedgerStatus.rejected)


@dataclass(frozen=True)
class PreviousDeal:
    deal_id: str
    deal_name: str
    flag_codes: tuple[str, ...]


@dataclass(frozen=True)
class PreviousEmail:
    owner: str
    week: str
    deals: dict[str, PreviousDeal]


def _key(*parts: str) -> str:
    # The store's key separator: it cannot occur in ids or addresses.
    return KEY_SEPARATOR.join(parts)


def _instant(row: dict[str, Any], name: str) -> datetime | None:
    value = row.get(name)
    return from_ms(value) if value is not None else None


def week_number(week: IsoWeek) -> int:
    """``2026-W48`` -> 202648: an integer both backends order and aggregate the same way."""
    return week.year * 100 + week.week


class AlertLedger:
    """Read and write the ledger through a store runner (``store.runner``)."""

    def __init__(self, runner: Any) -> None:
        self.runner = runner

    def week(self, *, workspace: str, week: IsoWeek) -> dict[tuple[AlertKind, str], LedgerEntry]:
        """Every e-mail recorded for ``week``, keyed by (kind, recipient)."""
        rows = self.runner.read("alert_ledger_week", {"week_key": _key(workspace, str(week))})
        entries = {}
        for row in rows:
            entry = LedgerEntry(
                kind=AlertKind(row["kind"]),
                recipient=row["recipient"],
                week=str(week),
                message_id=row["message_id"],
                status=LedgerStatus(row["status"]),
                detail=row.get("detail"),
                sent_at=_instant(row, "sent_at"),
                updated_at=_instant(row, "updated_at"),
                deal_count=int(row.get("deal_count") or 0),
            )
            entries[(entry.kind, entry.recipient)] = entry
        return entries

    def previous_emails(self, *, workspace: str, week: IsoWeek) -> dict[str, PreviousEmail]:
        """Each owner's latest owner e-mail sent before ``week``, with its deals' flags."""
        rows = self.runner.read(
            "alert_previous_flags", {"workspace": workspace, "week_no": week_number(week)}
        )
        emails: dict[str, PreviousEmail] = {}
        for row in rows:
            owner = row["owner"]
            email = emails.setdefault(owner, PreviousEmail(owner=owner, week=row["week"], deals={}))
            email.deals[row["deal_id"]] = PreviousDeal(
                deal_id=row["deal_id"],
                deal_name=row.get("deal_name") or row["deal_id"],
                flag_codes=tuple(row.get("flag_codes") or ()),
            )
        return emails

    def claim(
        self,
        *,
        run_id: str,
        at: datetime,
        stale_after: timedelta = CLAIM_TTL,
        **key: Unpack[LedgerKey],
    ) -> tuple[bool, LedgerStatus]:
        """Take the e-mail for this run: ``(True, pending)``; ``(False, status)`` when it is
        settled (sent or rejected meanwhile) or another live run holds it. A claim older
        than ``stale_after`` counts as abandoned (its run died)."""
        rows = self.runner.write(
            "alert_ledger_claim",
            {
                **self._ids(key),
                "run_id": run_id,
                "now": to_ms(at),
                "stale_before": to_ms(at - stale_after),
            },
        )
        if not rows:  # pragma: no cover - MERGE always returns its row
            return False, LedgerStatus.pending
        return bool(rows[0].get("ours")), LedgerStatus(rows[0]["status"])

    @staticmethod
    def _ids(key: LedgerKey) -> dict[str, Any]:
        """The query parameters that name the e-mail's entry (and its week and flags)."""
        workspace, kind, recipient, week = (
            key["workspace"],
            key["kind"],
            key["recipient"],
            key["week"],
        )
        return {
            "key": _key(workspace, kind.value, recipient, str(week)),
            "week_key": _key(workspace, str(week)),
            "flags_key": _key(workspace, recipient, str(week)),
            "workspace": workspace,
            "kind": kind.value,
            "recipient": recipient,
            "week": str(week),
            "week_no": week_number(week),
            "message_id": key["message_id"],
        }

    def record(
        self,
        *,
        status: LedgerStatus,
        at: datetime,
        deals: Sequence[DealAlert] = (),
        detail: str | None = None,
        **key: Unpack[LedgerKey],
    ) -> None:
        """Write one e-mail's outcome (and drop the run's claim); with ``sent``, also its
        deals' flag codes. ``pending`` after a failed attempt leaves it to the next run."""
        ids = self._ids(key)
        flags_key = ids["flags_key"]
        self.runner.write(
            "alert_ledger_record",
            {
                **ids,
                "status": status.value,
                "detail": detail,
                "now": to_ms(at),
                "sent_at": to_ms(at) if status == LedgerStatus.sent else None,
                "deal_count": len(deals),
                "deals": [
                    {
                        "key": _key(flags_key, d.deal_id),
                        "deal_id": d.deal_id,
                        "deal_name": d.deal_name,
                        "flag_codes": d.flag_codes,
                    }
                    for d in deals
                ]
                if status == LedgerStatus.sent
                else [],
            },
        )
