"""Deal events from the kept analysis results: what changed between what was last
evented of a deal and its current result (pure functions).

The results are those of the flag engine the weekly e-mail reads
(:class:`~graphsvc.analysis.results.KeptResults`), so a change made anywhere (API, CLI,
import, web page), or a flag that time alone raises (``STALE``), gives the same events.
An event's id is derived from the workspace, the deal, the generation of the deal's
evented state and the change, so writing the same events again (after a crash) is a
no-op and a receiver can de-duplicate by id.

Examples
--------
>>> before = EventedState(flags=("NO_NEXT_STEP",), bucket=3, dm="ann", gen=4)
>>> after = EventedState(flags=("STALE",), bucket=3, dm="ann", gen=4)
>>> [change.event_type.value for change in changes(before, after)]
['deal.risk_raised', 'deal.risk_cleared']
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphsvc.analysis.schemas import DealRisk
from graphsvc.domain.models import Deal
from graphsvc.store.codecs import KEY_SEPARATOR, node_key
from graphsvc.store.webhook_outbox import event_body
from graphsvc.webhooks.schemas import EventType

EMPTY_GEN = 0
OPEN = "open"
DELETED = "deleted"  # the deal is gone: nothing more to say of it


@dataclass(frozen=True)
class EventedState:
    """What subscribers were last told of a deal: its flag codes, support bucket (the
    share divided by the step, rounded down) and top decision-maker."""

    flags: tuple[str, ...]
    bucket: int | None
    dm: str | None
    gen: int = EMPTY_GEN
    status: str = OPEN  # won or lost once deal.closed was raised; deleted

    def reopened(self) -> EventedState:
        """A deal evented as closed that is open again starts as a new one (it raises
        its flags and decision-maker), in the generation it is at."""
        return EventedState(flags=(), bucket=None, dm=None, gen=self.gen)


@dataclass(frozen=True)
class Change:
    event_type: EventType
    detail: str  # what distinguishes it among the deal's changes of one generation


@dataclass(frozen=True)
class DealEvents:
    """One deal's new state and the events that lead to it (may be none)."""

    deal_id: str
    previous_gen: int
    state: EventedState
    rev: int
    events: list[dict[str, Any]]

    def row(self, workspace: str) -> dict[str, Any]:
        return {
            "key": node_key(workspace, self.deal_id),
            "deal_id": self.deal_id,
            "gen": self.previous_gen,
            "flags": list(self.state.flags),
            "bucket": self.state.bucket,
            "dm": self.state.dm,
            "status": self.state.status,
            "rev": self.rev,
            "events": self.events,
        }


def support_bucket(share: float, step: float) -> int:
    """Which multiple of ``step`` the share has reached (a tiny tolerance keeps 0.3 / 0.1
    in bucket 3).

    >>> support_bucket(0.29, 0.1), support_bucket(0.3, 0.1), support_bucket(1.0, 0.25)
    (2, 3, 4)
    """
    return math.floor(share / step + 1e-9)


def state_of(risk: DealRisk, *, step: float, gen: int = EMPTY_GEN) -> EventedState:
    dm = risk.top_decision_maker.stakeholder_id if risk.top_decision_maker else None
    return EventedState(
        flags=tuple(sorted({flag.code.value for flag in risk.flags})),
        bucket=support_bucket(risk.support.share, step),
        dm=dm,
        gen=gen,
    )


def changes(before: EventedState, after: EventedState) -> list[Change]:
    """The events between two states, in a fixed order (flags raised, flags cleared,
    support, decision-maker). A deal never evented before (bucket ``None``) raises its
    flags and its decision-maker, not a support crossing."""
    found = [Change(EventType.deal_risk_raised, code) for code in after.flags]
    found = [c for c in found if c.detail not in before.flags]
    found += [
        Change(EventType.deal_risk_cleared, code)
        for code in before.flags
        if code not in after.flags
    ]
    if before.bucket is not None and before.bucket != after.bucket:
        found.append(Change(EventType.deal_support_changed, f"{before.bucket}>{after.bucket}"))
    if before.dm != after.dm and (before.bucket is not None or after.dm is not None):
        found.append(Change(EventType.deal_decision_maker_changed, f"{before.dm}>{after.dm}"))
    return found


def event_id(workspace: str, deal_id: str, gen: int, change: Change) -> str:
    parts = (workspace, deal_id, str(gen), change.event_type.value, change.detail)
    return "evt_" + hashlib.sha256(KEY_SEPARATOR.join(parts).encode()).hexdigest()[:32]


def _flag(risk: DealRisk, code: str) -> dict[str, Any]:
    for flag in risk.flags:
        if flag.code.value == code:
            return flag.model_dump(mode="json")
    return {"code": code}


def _data(change: Change, risk: DealRisk, before: EventedState, step: float) -> dict[str, Any]:
    deal = {"id": risk.deal_id, "name": risk.deal_name, "owner_email": risk.owner_email}
    data: dict[str, Any] = {"deal": deal}
    if change.event_type in (EventType.deal_risk_raised, EventType.deal_risk_cleared):
        data["flag"] = _flag(risk, change.detail)
    elif change.event_type is EventType.deal_support_changed:
        share = risk.support.share
        now_level = support_bucket(share, step)
        assert before.bucket is not None
        data["support"] = {
            "share": share,
            "previous_level": round(before.bucket * step, 6),
            "level": round(now_level * step, 6),
            "direction": "up" if now_level > before.bucket else "down",
            "step": step,
        }
    else:
        dm = risk.top_decision_maker
        data["decision_maker"] = dm.model_dump(mode="json") if dm is not None else None
        data["previous_decision_maker_id"] = before.dm
    data["flags"] = [flag.code.value for flag in risk.flags]
    return data


def deal_events(
    *,
    workspace: str,
    risk: DealRisk,
    before: EventedState,
    rev: int,
    step: float,
    created_ms: int,
) -> DealEvents | None:
    """The deal's events since ``before`` (None when nothing subscribers hear of changed)."""
    if before.status != OPEN:
        before = before.reopened()
    after = state_of(risk, step=step)
    found = changes(before, after)
    if not found and before.bucket is not None:
        return None
    events = []
    for position, change in enumerate(found):
        identifier = event_id(workspace, risk.deal_id, before.gen, change)
        body = event_body(
            event_id=identifier,
            event_type=change.event_type.value,
            created_ms=created_ms,
            workspace=workspace,
            data=_data(change, risk, before, step),
        )
        events.append(_event_row(identifier, change, created_ms, position, risk.deal_id, body))
    return DealEvents(
        deal_id=risk.deal_id, previous_gen=before.gen, state=after, rev=rev, events=events
    )


def _event_row(
    identifier: str, change: Change, created_ms: int, position: int, deal_id: str, body: str
) -> dict[str, Any]:
    return {
        "id": identifier,
        "type": change.event_type.value,
        "created": created_ms,
        "pos": position,
        "lane": "deal" + KEY_SEPARATOR + deal_id,  # after the deal's earlier events
        "body": body,
    }


def closing_events(
    *,
    workspace: str,
    deal_id: str,
    deal: Deal | None,
    before: EventedState,
    rev: int,
    created_ms: int,
    silent: bool = False,
) -> DealEvents | None:
    """A deal evented open that is open no more: ``deal.closed`` (won or lost, with its
    amount and close date) once; a deleted one (``deal`` None) is only marked. None
    while it is open (it is in the results again at the next round). ``silent``: the
    new state only (a baseline)."""
    if deal is not None and deal.status.value == OPEN:
        return None
    status = DELETED if deal is None else deal.status.value
    after = EventedState(flags=(), bucket=None, dm=None, status=status)
    events = []
    if deal is not None and not silent:
        change = Change(EventType.deal_closed, status)
        identifier = event_id(workspace, deal_id, before.gen, change)
        data = {
            "deal": {"id": deal.id, "name": deal.name, "owner_email": deal.owner_email},
            "outcome": status,
            "amount": deal.amount,
            "currency": deal.currency,
            "close_date": deal.close_date.isoformat() if deal.close_date else None,
            "stage": deal.stage,
            "flags": list(before.flags),  # those it carried when it closed
        }
        body = event_body(
            event_id=identifier,
            event_type=change.event_type.value,
            created_ms=created_ms,
            workspace=workspace,
            data=data,
        )
        events.append(_event_row(identifier, change, created_ms, 0, deal_id, body))
    return DealEvents(deal_id=deal_id, previous_gen=before.gen, state=after, rev=rev, events=events)


def baseline(
    risks: Sequence[DealRisk], states: Mapping[str, EventedState], *, step: float
) -> list[DealEvents]:
    """Each deal's current state with no events (from the generation it is at): what
    is true when a workspace's first subscription starts is no news."""
    return [
        DealEvents(
            deal_id=r.deal_id,
            previous_gen=states[r.deal_id].gen if r.deal_id in states else EMPTY_GEN,
            state=state_of(r, step=step),
            rev=0,
            events=[],
        )
        for r in risks
    ]
