"""The alert ledger on the real store: idempotent writes, the week's entries, and each
owner's previous e-mail with its deals' flag codes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from graphsvc.alerts.repository import AlertLedger, LedgerStatus
from graphsvc.alerts.schemas import AlertKind, DealAlert, FlagNote, IsoWeek
from graphsvc.analysis.schemas import FlagCode, Severity, SupportSummary
from graphsvc.store.repository import GraphStore

AT = datetime(2026, 11, 23, 7, tzinfo=UTC)


def _deal(deal_id: str, codes: list[FlagCode]) -> DealAlert:
    return DealAlert(
        deal_id=deal_id,
        deal_name=f"Deal {deal_id}",
        worst=Severity.high,
        flags=[FlagNote(code=c, severity=Severity.high, message=c.value, new=True) for c in codes],
        support=SupportSummary(share=0, opposition=0, neutral=0, allies=0, completeness=0),
    )


def _record(
    ledger: AlertLedger,
    workspace: str,
    owner: str,
    week: str,
    status: LedgerStatus,
    deals: list[DealAlert] | None = None,
) -> None:
    ledger.record(
        workspace=workspace,
        kind=AlertKind.owner,
        recipient=owner,
        week=IsoWeek.parse(week),
        message_id=f"<{week}.{owner}>",
        status=status,
        at=AT,
        deals=deals or [],
    )


def test_week_entries_and_idempotent_writes(store: GraphStore, workspace: str) -> None:
    ledger = AlertLedger(store.runner)
    week = IsoWeek(2026, 48)
    assert ledger.week(workspace=workspace, week=week) == {}
    _record(ledger, workspace, "a@example.com", "2026-W48", LedgerStatus.pending)
    entry = ledger.week(workspace=workspace, week=week)[(AlertKind.owner, "a@example.com")]
    assert (entry.status, entry.settled, entry.sent_at) == (LedgerStatus.pending, False, None)

    deals = [_deal("d1", [FlagCode.NO_ALLY])]
    for _ in range(2):  # the same write twice leaves one entry
        _record(ledger, workspace, "a@example.com", "2026-W48", LedgerStatus.sent, deals)
    entries = ledger.week(workspace=workspace, week=week)
    assert list(entries) == [(AlertKind.owner, "a@example.com")]
    entry = entries[(AlertKind.owner, "a@example.com")]
    assert (entry.status, entry.settled, entry.sent_at, entry.deal_count) == (
        LedgerStatus.sent,
        True,
        AT,
        1,
    )
    assert entry.message_id == "<2026-W48.a@example.com>"
    # Another workspace sees nothing of it.
    assert ledger.week(workspace=workspace + "-other", week=week) == {}


def test_previous_emails_take_each_owners_latest_sent_week(
    store: GraphStore, workspace: str
) -> None:
    ledger = AlertLedger(store.runner)
    _record(
        ledger,
        workspace,
        "a@example.com",
        "2026-W44",
        LedgerStatus.sent,
        [_deal("old", [FlagCode.STALE])],
    )
    _record(
        ledger,
        workspace,
        "a@example.com",
        "2026-W46",
        LedgerStatus.sent,
        [_deal("d1", [FlagCode.NO_ALLY, FlagCode.STALE]), _deal("d2", [FlagCode.NO_PATH_TO_DM])],
    )
    _record(ledger, workspace, "a@example.com", "2026-W47", LedgerStatus.pending)  # never sent
    _record(
        ledger,
        workspace,
        "b@example.com",
        "2026-W47",
        LedgerStatus.rejected,
        [_deal("d3", [FlagCode.STALE])],
    )
    _record(
        ledger,
        workspace,
        "c@example.com",
        "2026-W48",
        LedgerStatus.sent,
        [_deal("d4", [FlagCode.STALE])],
    )  # the week itself does not count

    previous = ledger.previous_emails(workspace=workspace, week=IsoWeek(2026, 48))
    assert set(previous) == {"a@example.com"}
    a = previous["a@example.com"]
    assert a.week == "2026-W46"
    assert {d.deal_id: d.flag_codes for d in a.deals.values()} == {
        "d1": ("NO_ALLY", "STALE"),
        "d2": ("NO_PATH_TO_DM",),
    }
    assert a.deals["d1"].deal_name == "Deal d1"
    # Looking back from W49, c's W48 e-mail is the latest.
    assert set(ledger.previous_emails(workspace=workspace, week=IsoWeek(2026, 49))) == {
        "a@example.com",
        "c@example.com",
    }


def test_claims_keep_two_runs_from_sending_the_same_email(
    store: GraphStore, workspace: str
) -> None:
    ledger = AlertLedger(store.runner)
    week = IsoWeek(2026, 48)

    def claim(run_id: str, at: datetime = AT) -> tuple[bool, LedgerStatus]:
        return ledger.claim(
            workspace=workspace,
            kind=AlertKind.owner,
            recipient="a@example.com",
            week=week,
            message_id="<m>",
            run_id=run_id,
            at=at,
        )

    assert claim("run-1") == (True, LedgerStatus.pending)
    assert claim("run-1") == (True, LedgerStatus.pending)  # idempotent for its own run
    assert claim("run-2") == (False, LedgerStatus.pending)  # held by a live run
    assert claim("run-2", AT + timedelta(minutes=31)) == (True, LedgerStatus.pending)  # stale
    # A failed attempt releases the claim: the next run takes it at once.
    _record(ledger, workspace, "a@example.com", "2026-W48", LedgerStatus.pending)
    assert claim("run-3") == (True, LedgerStatus.pending)
    _record(
        ledger,
        workspace,
        "a@example.com",
        "2026-W48",
        LedgerStatus.sent,
        [_deal("d1", [FlagCode.NO_ALLY])],
    )
    assert claim("run-4", AT + timedelta(days=1)) == (False, LedgerStatus.sent)
    entry = ledger.week(workspace=workspace, week=week)[(AlertKind.owner, "a@example.com")]
    assert entry.status == LedgerStatus.sent and entry.deal_count == 1
