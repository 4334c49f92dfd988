"""Delivering one week's e-mails exactly once: the ledger check, sending with retries
reported, the dry run's ``.eml`` files.

The ledger (``repository.py``) makes a run exactly-once: an e-mail already sent or
rejected for the week is skipped, and each e-mail is claimed before it is sent, so a
concurrent run cannot send it too. Every message is composed by the pure functions of
``compose.py``; only the sender (:class:`~graphsvc.alerts.sender.SmtpSender`) touches
the network.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from graphsvc.alerts import compose
from graphsvc.alerts.repository import AlertLedger, LedgerKey, LedgerStatus
from graphsvc.alerts.schemas import (
    AlertKind,
    DealAlert,
    Delivery,
    DeliveryStatus,
    IsoWeek,
    ManagerDigest,
    OwnerAlert,
    RunReport,
)
from graphsvc.alerts.sender import MailServerUnusable, SendOutcome
from graphsvc.config import Settings

log = logging.getLogger("graphsvc.alerts")

# One e-mail to deliver: its kind, its recipient and what it says.
Outgoing = tuple[AlertKind, str, OwnerAlert | ManagerDigest]


class Sender(Protocol):
    def send(self, message: EmailMessage) -> SendOutcome: ...
    def close(self) -> None: ...


_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9@._+-]")


def eml_filename(kind: AlertKind, recipient: str, week: IsoWeek) -> str:
    return f"{week}-{kind.value}-{_UNSAFE_FILENAME.sub('_', recipient)}.eml"


class WeeklyDelivery:
    """Delivers a run's e-mails for one workspace and week, recording each in the ledger
    and each outcome in the run's report."""

    def __init__(
        self,
        *,
        settings: Settings,
        ledger: AlertLedger,
        clock: Callable[[], datetime],
        run_id: str,
    ) -> None:
        self.settings = settings
        self.ledger = ledger
        self.clock = clock
        self.run_id = run_id

    def deliver(
        self,
        outgoing: list[Outgoing],
        *,
        workspace: str,
        week: IsoWeek,
        date: datetime,
        report: RunReport,
        sender_factory: Callable[[], Sender],
        out_dir: Path | None = None,
    ) -> None:
        """Send the e-mails the ledger does not already hold (with ``report.dry_run``,
        write them to ``out_dir`` as ``.eml`` instead), dated ``date``."""
        dry_run = report.dry_run
        todo = self._not_yet_settled(outgoing, workspace=workspace, week=week, report=report)
        if dry_run:
            assert out_dir is not None
            out_dir.mkdir(parents=True, exist_ok=True)
        sender: Sender | None = None if dry_run else sender_factory()
        consecutive_failures = 0
        stop_reason: str | None = None
        try:
            for kind, recipient, content in todo:
                message_id = compose.message_id_for(
                    workspace=workspace,
                    kind=kind,
                    recipient=recipient,
                    week=str(week),
                    mail_from=self.settings.mail_from,
                )
                key = LedgerKey(
                    workspace=workspace,
                    kind=kind,
                    recipient=recipient,
                    week=week,
                    message_id=message_id,
                )
                deals: list[DealAlert] = content.deals if isinstance(content, OwnerAlert) else []
                report_as = functools.partial(Delivery, kind, recipient, message_id)
                if stop_reason is not None:
                    report.deliveries.append(
                        report_as(DeliveryStatus.not_attempted, detail=stop_reason)
                    )
                    continue
                try:
                    message = self._message(content, message_id=message_id, date=date)
                except compose.InvalidRecipient as exc:
                    # Permanent, like a 5xx refusal: recorded, reported, not retried.
                    if not dry_run:
                        self.ledger.record(
                            **key, status=LedgerStatus.rejected, at=self.clock(), detail=str(exc)
                        )
                    report.deliveries.append(
                        report_as(DeliveryStatus.rejected, deals=len(deals), detail=str(exc))
                    )
                    continue
                if dry_run:
                    assert out_dir is not None
                    path = out_dir / eml_filename(kind, recipient, week)
                    path.write_bytes(message.as_bytes())
                    report.deliveries.append(
                        report_as(DeliveryStatus.written, deals=len(deals), path=str(path))
                    )
                    continue
                assert sender is not None
                delivery, unusable = self._deliver_one(sender, message, key=key, deals=deals)
                report.deliveries.append(delivery)
                if delivery.status != DeliveryStatus.failed:
                    consecutive_failures = 0
                    continue
                consecutive_failures += 1
                if unusable is not None:
                    stop_reason = unusable
                elif consecutive_failures >= self.settings.alerts_max_consecutive_failures:
                    # The server is taken as down: trying each remaining e-mail through
                    # all its retries would only delay the report.
                    stop_reason = (
                        f"stopped after {consecutive_failures} consecutive failures; "
                        "rerun to send the rest"
                    )
        finally:
            if sender is not None:
                sender.close()

    def _not_yet_settled(
        self, outgoing: list[Outgoing], *, workspace: str, week: IsoWeek, report: RunReport
    ) -> list[Outgoing]:
        """The e-mails still to send; those the ledger holds as sent or rejected are
        reported as already sent."""
        ledger = self.ledger.week(workspace=workspace, week=week)
        todo: list[Outgoing] = []
        for kind, recipient, content in outgoing:
            entry = ledger.get((kind, recipient))
            if entry is not None and entry.settled:
                report.deliveries.append(
                    Delivery(
                        kind,
                        recipient,
                        entry.message_id,
                        DeliveryStatus.already_sent,
                        deals=entry.deal_count,
                        detail=entry.status.value,
                    )
                )
            else:
                todo.append((kind, recipient, content))
        return todo

    def _deliver_one(
        self,
        sender: Sender,
        message: EmailMessage,
        *,
        key: LedgerKey,
        deals: list[DealAlert],
    ) -> tuple[Delivery, str | None]:
        """Claim, send and record one e-mail; also the reason to stop the run when the
        server cannot take any e-mail (login refused, certificate, sender refused)."""
        record = functools.partial(self.ledger.record, **key)
        # Claimed before sending, so a concurrent run cannot send it too. A run that dies
        # mid-send leaves the claim, which goes stale; the next run then sends again
        # with the same Message-ID rather than silently skipping it.
        claimed, status = self.ledger.claim(**key, run_id=self.run_id, at=self.clock())
        recipient = key["recipient"]
        delivery = functools.partial(
            Delivery, key["kind"], recipient, key["message_id"], deals=len(deals)
        )
        if not claimed and status != LedgerStatus.pending:
            return delivery(
                DeliveryStatus.already_sent, detail=f"{status.value} by another run"
            ), None
        if not claimed:
            return delivery(DeliveryStatus.not_attempted, detail="being sent by another run"), None
        try:
            outcome = sender.send(message)
        except MailServerUnusable as exc:
            log.error("cannot send alerts: %s", exc.message)
            record(status=LedgerStatus.pending, at=self.clock(), detail=exc.message)
            return delivery(DeliveryStatus.failed, detail=exc.message), exc.message
        if outcome.status == "sent":
            record(status=LedgerStatus.sent, at=self.clock(), deals=deals)
            return delivery(DeliveryStatus.sent), None
        if outcome.status == "rejected":
            log.warning("%s rejected by the server: %s", recipient, outcome.detail)
            record(
                status=LedgerStatus.rejected, at=self.clock(), deals=deals, detail=outcome.detail
            )
            return delivery(DeliveryStatus.rejected, detail=outcome.detail), None
        log.warning(
            "sending to %s failed after %d attempts: %s",
            recipient,
            outcome.attempts,
            outcome.detail,
        )
        record(status=LedgerStatus.pending, at=self.clock(), detail=outcome.detail)
        return delivery(DeliveryStatus.failed, detail=outcome.detail), None

    def _message(
        self, content: OwnerAlert | ManagerDigest, *, message_id: str, date: datetime
    ) -> EmailMessage:
        write = (
            functools.partial(compose.owner_email, content)
            if isinstance(content, OwnerAlert)
            else functools.partial(compose.digest_email, content)
        )
        return write(
            mail_from=self.settings.mail_from,
            reply_to=self.settings.mail_reply_to,
            message_id=message_id,
            date=date,
        )
