"""One run of the weekly risk alerts: scan, compose, send once, record.

:meth:`AlertService.send` (the ``graphsvc alerts send`` verb) runs the fleet scan as of
the week, keeps the open deals at risk, groups them by owner and sends each owner one
e-mail for the ISO week (and each configured manager one digest of their team). The
ledger (``repository.py``) makes it exactly-once: an e-mail already sent or rejected
for that week is skipped, so a rerun after a part-way failure sends only the missing
ones. Every message is composed by the pure functions of ``compose.py``; only
:class:`~graphsvc.alerts.sender.SmtpSender` touches the network.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import time
import tomllib
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

from graphsvc.alerts import compose
from graphsvc.alerts.repository import AlertLedger, LedgerStatus, PreviousEmail
from graphsvc.alerts.scheduler import WeeklySlot
from graphsvc.alerts.schemas import (
    AlertKind,
    DealAlert,
    Delivery,
    DeliveryStatus,
    IsoWeek,
    ManagerDigest,
    OwnerAlert,
    ResolvedDeal,
    RunReport,
)
from graphsvc.alerts.sender import MailServerUnusable, SendOutcome, SmtpSender
from graphsvc.analysis.schemas import (
    DealRisk,
    FlagCode,
    NextBestContact,
    Severity,
    SupportPoint,
)
from graphsvc.config import Settings
from graphsvc.errors import ConfigurationError, ValidationFailed
from graphsvc.maps.links import create_map_link

log = logging.getLogger("graphsvc.alerts")


class Sender(Protocol):
    def send(self, message: EmailMessage) -> SendOutcome: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class DealExtras:
    """What an owner's e-mail shows beyond the scan: the chart's history and whom to call."""

    history: list[SupportPoint]
    next_best: NextBestContact | None


class AlertInputs(Protocol):
    """Where the alerts get their analysis: every open deal as of an instant, with its
    weekly support history (``weeks`` weeks back) and its best next contact."""

    def scan(
        self, *, workspace: str, as_of: datetime, weeks: int
    ) -> Iterable[tuple[DealRisk, DealExtras]]: ...


def load_managers(path: Path | None) -> dict[str, list[str]]:
    """The manager -> owners mapping of ``alerts_managers_file`` (JSON or TOML), addresses
    lower-cased. JSON: ``{"manager@x": ["owner@x", ...]}``; TOML: a ``[managers]`` table
    (or top-level keys) of the same shape."""
    if path is None:
        return {}
    try:
        text = path.read_text(encoding="utf-8")
        raw: Any = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"cannot read the managers file {path}: {exc}") from exc
    if isinstance(raw, dict) and isinstance(raw.get("managers"), dict):
        raw = raw["managers"]
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, list) and all(isinstance(o, str) for o in v)
        for k, v in raw.items()
    ):
        raise ConfigurationError(
            f"the managers file {path} must map each manager's address to a list of owner addresses"
        )
    return {
        m.strip().lower(): sorted({o.strip().lower() for o in owners}) for m, owners in raw.items()
    }


_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9@._+-]")


def eml_filename(kind: AlertKind, recipient: str, week: IsoWeek) -> str:
    return f"{week}-{kind.value}-{_UNSAFE_FILENAME.sub('_', recipient)}.eml"


def week_as_of(week: IsoWeek, *, slot: WeeklySlot, now: datetime) -> datetime:
    """The instant a week's e-mails describe: now for the current week, the week's slot
    (e.g. Monday 07:00 local) for a past one, so a late rerun tells the same story."""
    current = slot.week_of(now)
    if week > current:
        raise ValidationFailed(
            f"{week} has not started yet (this week is {current})",
            detail=[{"loc": ["week"], "msg": "a future week"}],
        )
    return now if week == current else slot.slot_of(week)


class AlertService:
    """Weekly risk alerts for one workspace at a time (see the module docstring)."""

    def __init__(
        self,
        *,
        store: Any,
        settings: Settings,
        inputs: AlertInputs | None = None,
        sender_factory: Callable[[], Sender] | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.ledger = AlertLedger(store.runner)
        self.inputs = inputs or AnalysisInputs(store=store, settings=settings)
        self.sender_factory = sender_factory or (lambda: SmtpSender(settings))
        self.clock = clock or (lambda: datetime.now(UTC))
        self.slot = WeeklySlot.from_settings(settings)
        self.run_id = uuid.uuid4().hex

    # -- the verb ------------------------------------------------------------------------

    def send(
        self,
        *,
        workspace: str,
        week: IsoWeek | None = None,
        dry_run: bool = False,
        out_dir: Path | None = None,
    ) -> RunReport:
        """Send (or with ``dry_run`` write to ``out_dir`` as ``.eml``) this week's e-mails
        that the ledger does not already hold."""
        if dry_run and out_dir is None:
            raise ValidationFailed("a dry run needs an output directory (--out DIR)")
        now = self.clock()
        week = week or self.slot.week_of(now)
        as_of = week_as_of(week, slot=self.slot, now=now)
        report = RunReport(workspace=workspace, week=str(week), dry_run=dry_run)
        started = time.perf_counter()

        alerts, digests, at_risk = self.plan(workspace=workspace, week=week, as_of=as_of, now=now)
        report.at_risk_deals = at_risk
        report.timings["plan_s"] = time.perf_counter() - started

        ledger = self.ledger.week(workspace=workspace, week=week)
        todo: list[tuple[AlertKind, str, OwnerAlert | ManagerDigest]] = []
        candidates: list[tuple[AlertKind, str, OwnerAlert | ManagerDigest]] = [
            *((AlertKind.owner, a.owner, a) for a in alerts),
            *((AlertKind.digest, d.manager, d) for d in digests),
        ]
        for kind, recipient, content in candidates:
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

        if dry_run:
            assert out_dir is not None
            out_dir.mkdir(parents=True, exist_ok=True)
        sender: Sender | None = None if dry_run else self.sender_factory()
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
                deals: list[DealAlert] = []
                if stop_reason is not None:
                    report.deliveries.append(
                        Delivery(
                            kind,
                            recipient,
                            message_id,
                            DeliveryStatus.not_attempted,
                            detail=stop_reason,
                        )
                    )
                    continue
                if isinstance(content, OwnerAlert):
                    deals = content.deals
                try:
                    message = self._message(content, message_id=message_id, date=now)
                except compose.InvalidRecipient as exc:
                    # Permanent, like a 5xx refusal: recorded, reported, not retried.
                    if not dry_run:
                        self.ledger.record(
                            workspace=workspace,
                            kind=kind,
                            recipient=recipient,
                            week=week,
                            message_id=message_id,
                            status=LedgerStatus.rejected,
                            at=self.clock(),
                            detail=str(exc),
                        )
                    report.deliveries.append(
                        Delivery(
                            kind,
                            recipient,
                            message_id,
                            DeliveryStatus.rejected,
                            deals=len(deals),
                            detail=str(exc),
                        )
                    )
                    continue
                if dry_run:
                    assert out_dir is not None
                    path = out_dir / eml_filename(kind, recipient, week)
                    path.write_bytes(message.as_bytes())
                    report.deliveries.append(
                        Delivery(
                            kind,
                            recipient,
                            message_id,
                            DeliveryStatus.written,
                            deals=len(deals),
                            path=str(path),
                        )
                    )
                    continue
                assert sender is not None
                delivery, unusable = self._deliver(
                    sender,
                    message,
                    workspace=workspace,
                    week=week,
                    kind=kind,
                    recipient=recipient,
                    message_id=message_id,
                    deals=deals,
                )
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
        report.timings["total_s"] = time.perf_counter() - started
        return report

    def _deliver(
        self,
        sender: Sender,
        message: EmailMessage,
        *,
        workspace: str,
        week: IsoWeek,
        kind: AlertKind,
        recipient: str,
        message_id: str,
        deals: list[DealAlert],
    ) -> tuple[Delivery, str | None]:
        """Claim, send and record one e-mail; also the reason to stop the run when the
        server cannot take any e-mail (login refused, certificate, sender refused)."""
        record = functools.partial(
            self.ledger.record,
            workspace=workspace,
            kind=kind,
            recipient=recipient,
            week=week,
            message_id=message_id,
        )
        # Claimed before sending, so a concurrent run cannot send it too. A run that dies
        # mid-send leaves the claim, which goes stale; the next run then sends again
        # with the same Message-ID rather than silently skipping it.
        claimed, status = self.ledger.claim(
            workspace=workspace,
            kind=kind,
            recipient=recipient,
            week=week,
            message_id=message_id,
            run_id=self.run_id,
            at=self.clock(),
        )
        if not claimed and status != LedgerStatus.pending:
            return Delivery(
                kind,
                recipient,
                message_id,
                DeliveryStatus.already_sent,
                deals=len(deals),
                detail=f"{status.value} by another run",
            ), None
        if not claimed:
            return Delivery(
                kind,
                recipient,
                message_id,
                DeliveryStatus.not_attempted,
                deals=len(deals),
                detail="being sent by another run",
            ), None
        try:
            outcome = sender.send(message)
        except MailServerUnusable as exc:
            log.error("cannot send alerts: %s", exc.message)
            record(status=LedgerStatus.pending, at=self.clock(), detail=exc.message)
            failed = Delivery(
                kind,
                recipient,
                message_id,
                DeliveryStatus.failed,
                deals=len(deals),
                detail=exc.message,
            )
            return failed, exc.message
        if outcome.status == "sent":
            record(status=LedgerStatus.sent, at=self.clock(), deals=deals)
            return Delivery(
                kind, recipient, message_id, DeliveryStatus.sent, deals=len(deals)
            ), None
        if outcome.status == "rejected":
            log.warning("%s rejected by the server: %s", recipient, outcome.detail)
            record(
                status=LedgerStatus.rejected, at=self.clock(), deals=deals, detail=outcome.detail
            )
            return Delivery(
                kind,
                recipient,
                message_id,
                DeliveryStatus.rejected,
                deals=len(deals),
                detail=outcome.detail,
            ), None
        log.warning(
            "sending to %s failed after %d attempts: %s",
            recipient,
            outcome.attempts,
            outcome.detail,
        )
        record(status=LedgerStatus.pending, at=self.clock(), detail=outcome.detail)
        return Delivery(
            kind,
            recipient,
            message_id,
            DeliveryStatus.failed,
            deals=len(deals),
            detail=outcome.detail,
        ), None

    def _message(
        self, content: OwnerAlert | ManagerDigest, *, message_id: str, date: datetime
    ) -> EmailMessage:
        if isinstance(content, OwnerAlert):
            return compose.owner_email(
                content,
                mail_from=self.settings.mail_from,
                reply_to=self.settings.mail_reply_to,
                message_id=message_id,
                date=date,
            )
        return compose.digest_email(
            content,
            mail_from=self.settings.mail_from,
            reply_to=self.settings.mail_reply_to,
            message_id=message_id,
            date=date,
        )

    # -- what to send --------------------------------------------------------------------

    def plan(
        self, *, workspace: str, week: IsoWeek, as_of: datetime, now: datetime
    ) -> tuple[list[OwnerAlert], list[ManagerDigest], int]:
        """The week's owner e-mails and manager digests from one fleet scan, and the
        number of deals at risk. Each at-risk deal is reduced to what its e-mail shows as
        it streams by, so a 10,000-deal fleet's full analyses are never all held."""
        try:
            min_severity = Severity(self.settings.alerts_min_severity.strip().lower())
        except ValueError:
            raise ConfigurationError(
                f"GRAPHSVC_ALERTS_MIN_SEVERITY={self.settings.alerts_min_severity!r}: "
                "expected high, medium or low"
            ) from None
        previous = self.ledger.previous_emails(workspace=workspace, week=week)
        by_owner: dict[str, list[DealAlert]] = defaultdict(list)
        for analysis, extra in self.inputs.scan(
            workspace=workspace, as_of=as_of, weeks=self.settings.alerts_history_weeks
        ):
            if compose.is_at_risk(analysis, min_severity=min_severity):
                owner = analysis.owner_email.lower()
                by_owner[owner].append(
                    self._deal_alert(workspace, now, analysis, extra, previous.get(owner))
                )
        alerts = {
            owner: self._owner_alert(workspace, week, as_of, owner, deals, previous.get(owner))
            for owner, deals in sorted(by_owner.items())
        }
        opted_out = {a.strip().lower() for a in self.settings.alerts_opt_out}
        digests = self._digests(workspace, week, as_of, alerts, opted_out)
        owner_alerts = [a for owner, a in alerts.items() if owner not in opted_out]
        return owner_alerts, digests, sum(len(d) for d in by_owner.values())

    def _deal_alert(
        self,
        workspace: str,
        now: datetime,
        analysis: DealRisk,
        extra: DealExtras,
        previous: PreviousEmail | None,
    ) -> DealAlert:
        before: Iterable[str] | None
        if previous is None:
            # The owner's first e-mail: "new" would be every flag, which says nothing.
            before = [f.code.value for f in analysis.flags]
        else:
            old = previous.deals.get(analysis.deal_id)
            before = old.flag_codes if old is not None else None
        notes, cleared = compose.flag_notes(analysis.flags, before)
        url, expires_at = create_map_link(
            settings=self.settings, workspace=workspace, deal_id=analysis.deal_id, now=now
        )
        return DealAlert.model_construct(
            deal_id=analysis.deal_id,
            deal_name=analysis.deal_name,
            amount=analysis.amount,
            worst=analysis.worst_severity or Severity.low,
            flags=notes,
            cleared=cleared,
            support=analysis.support,
            history=extra.history,
            top_decision_maker=analysis.top_decision_maker,
            next_best=extra.next_best,
            map_url=url,
            map_expires_at=expires_at,
        )

    def _owner_alert(
        self,
        workspace: str,
        week: IsoWeek,
        as_of: datetime,
        owner: str,
        deals: list[DealAlert],
        previous: PreviousEmail | None,
    ) -> OwnerAlert:
        deals.sort(key=compose.deal_order_key)
        resolved = []
        if previous is not None:
            current = {d.deal_id for d in deals}
            for old in sorted(previous.deals.values(), key=lambda d: d.deal_name):
                if old.deal_id not in current:
                    cleared = [FlagCode(c) for c in old.flag_codes if c in FlagCode.__members__]
                    resolved.append(
                        ResolvedDeal(deal_id=old.deal_id, deal_name=old.deal_name, cleared=cleared)
                    )
        return OwnerAlert(
            workspace=workspace,
            owner=owner,
            week=str(week),
            as_of=as_of,
            deals=deals,
            resolved=resolved,
            previous_week=previous.week if previous is not None else None,
        )

    def _digests(
        self,
        workspace: str,
        week: IsoWeek,
        as_of: datetime,
        alerts: dict[str, OwnerAlert],
        opted_out: set[str],
    ) -> list[ManagerDigest]:
        digests = []
        for manager, team in sorted(load_managers(self.settings.alerts_managers_file).items()):
            if manager in opted_out:
                continue
            # The opt-out stops an owner's own e-mail; their deals still count for
            # their manager.
            summaries = sorted(
                (compose.summarize_owner(alerts[o]) for o in team if o in alerts),
                key=compose.digest_order_key,
            )
            if not summaries:
                continue
            digests.append(
                ManagerDigest(
                    workspace=workspace,
                    manager=manager,
                    week=str(week),
                    as_of=as_of,
                    owners=summaries,
                    quiet_owners=[o for o in team if o not in alerts],
                )
            )
        return digests


class AnalysisInputs:
    """The kept per-deal results, plus the history and next best contact of the deals
    with flags (batched), as the alerts need them."""

    def __init__(self, *, store: Any, settings: Settings) -> None:
        from graphsvc.analysis.service import AnalysisService

        self.analysis = AnalysisService(store=store, settings=settings)

    def scan(
        self, *, workspace: str, as_of: datetime, weeks: int
    ) -> Iterator[tuple[DealRisk, DealExtras]]:
        # The kept per-deal results (graphsvc.analysis.results) say which deals have
        # flags; only those are read again for the chart's history and whom to call
        # (a deal without flags is never in an e-mail).
        risks = self.analysis.kept.risks(workspace=workspace, at=as_of)
        flagged = [r.deal_id for r in risks if r.flags]
        extras: dict[str, DealExtras] = {}
        for details in self.analysis.details_of(
            workspace=workspace,
            deal_ids=flagged,
            as_of=as_of,
            history_weeks=weeks,
            next_best=1,
        ):
            best = details.next_best_contacts
            extras[details.analysis.deal_id] = DealExtras(
                history=details.support_history, next_best=best[0] if best else None
            )
        for risk in risks:
            yield risk, extras.get(risk.deal_id, DealExtras(history=[], next_best=None))
