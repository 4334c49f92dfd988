"""Planning one week's alerts: which deals are at risk, whose e-mail shows them, and
which manager gets a digest of which owners.

Pure reading: the plan comes from one pass over the inputs (the scan adapter of
``service.py``) and the ledger's record of the previous e-mails (for "new" and
"cleared" flags); nothing is sent or written here.
"""

from __future__ import annotations

import json
import tomllib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from graphsvc.alerts import compose
from graphsvc.alerts.repository import AlertLedger, PreviousEmail
from graphsvc.alerts.scheduler import WeeklySlot
from graphsvc.alerts.schemas import (
    DealAlert,
    IsoWeek,
    ManagerDigest,
    OwnerAlert,
    ResolvedDeal,
)
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


class AlertPlanner:
    """The week's owner e-mails and manager digests for one workspace."""

    def __init__(self, *, settings: Settings, ledger: AlertLedger, inputs: AlertInputs) -> None:
        self.settings = settings
        self.ledger = ledger
        self.inputs = inputs

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
