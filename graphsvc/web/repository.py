"""What the web app keeps in the store besides the domain facts: each deal's change log
(who did what on the deal page, with the facts that undo it), each deal's map layout,
and two reads the pages need (the portfolio's deal columns, the person search).
All through ``queries/web_*.cypher``, the same on FalkorDB and Neo4j."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from graphsvc.store.repository import check_workspace, node_key


@dataclass(frozen=True)
class ChangeEntry:
    key: str
    at: int
    actor: str
    action: str
    summary: str
    undo: list[dict[str, Any]] | None
    undone_by: str | None
    seq: int


@dataclass(frozen=True)
class SignedFact:
    """A fact of the deal with its author (see ``web_deal_fact_log.cypher``): kind is
    member, influence, reporting, interaction or withdrawal (of an interaction); state
    the fact's stored state (the channel of an interaction)."""

    kind: str
    source_id: str
    target_id: str | None
    at: int
    recorded: int
    by: str
    state: str


@dataclass(frozen=True)
class PortfolioDeal:
    id: str
    name: str
    account_id: str
    account_name: str | None
    owner_email: str
    amount: float | None
    currency: str | None
    stage: str | None
    close_date: date | None


@dataclass(frozen=True)
class PersonHit:
    id: str
    name: str
    title: str | None
    account_id: str


def _close_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    return date.fromisoformat(str(value))


class WebRepository:
    def __init__(self, runner: Any) -> None:
        self.runner = runner

    # -- change log

    def record_change(
        self,
        *,
        workspace: str,
        deal_id: str,
        at: int,
        actor: str,
        action: str,
        summary: str,
        undo: list[dict[str, Any]] | None,
    ) -> ChangeEntry:
        ws = check_workspace(workspace)
        key = node_key(ws, "change:" + uuid.uuid4().hex)
        rows = self.runner.write(
            "web_change_record",
            {
                "ws": ws,
                "key": key,
                "deal_key": node_key(ws, deal_id),
                "at": at,
                "actor": actor,
                "action": action,
                "summary": summary,
                "undo": json.dumps(undo, separators=(",", ":")) if undo is not None else None,
            },
        )
        return ChangeEntry(
            key=key,
            at=at,
            actor=actor,
            action=action,
            summary=summary,
            undo=undo,
            undone_by=None,
            seq=int(rows[0]["seq"]),
        )

    def changes(self, *, workspace: str, deal_id: str, limit: int = 50) -> list[ChangeEntry]:
        ws = check_workspace(workspace)
        rows = self.runner.read(
            "web_change_list", {"deal_key": node_key(ws, deal_id), "limit": limit}
        )
        return [
            ChangeEntry(
                key=r["key"],
                at=int(r["at"]),
                actor=r["actor"],
                action=r["action"],
                summary=r["summary"],
                undo=json.loads(r["undo"]) if r.get("undo") else None,
                undone_by=r.get("undone_by"),
                seq=int(r["seq"]),
            )
            for r in rows
        ]

    def mark_undone(self, *, key: str, actor: str) -> bool:
        rows = self.runner.write("web_change_mark_undone", {"key": key, "actor": actor})
        return bool(rows and rows[0]["first"])

    # -- authors of facts

    def fact_log(self, *, workspace: str, deal_id: str) -> list[SignedFact]:
        """The deal's signed facts (whoever wrote them), in no particular order."""
        ws = check_workspace(workspace)
        rows = self.runner.read("web_deal_fact_log", {"deal_key": node_key(ws, deal_id)})
        return [
            SignedFact(
                kind=r["kind"],
                source_id=r["source_id"],
                target_id=r.get("target_id"),
                at=int(r["at"]),
                recorded=int(r["recorded"] if r.get("recorded") is not None else r["at"]),
                by=r["by"],
                state=r["state"] if isinstance(r["state"], str) else json.dumps(r["state"]),
            )
            for r in rows
        ]

    # -- map layout

    def layout(self, *, workspace: str, deal_id: str) -> tuple[str, dict[str, Any]]:
        ws = check_workspace(workspace)
        rows = self.runner.read("web_map_layout_get", {"key": node_key(ws, deal_id)})
        if not rows:
            return "network", {}
        return rows[0]["layout"] or "network", json.loads(rows[0]["positions"] or "{}")

    def save_layout(
        self,
        *,
        workspace: str,
        deal_id: str,
        layout: str | None,
        positions: dict[str, Any] | None,
        now: int,
        by: str,
    ) -> None:
        ws = check_workspace(workspace)
        self.runner.write(
            "web_map_layout_put",
            {
                "key": node_key(ws, deal_id),
                "layout": layout,
                "positions": json.dumps(positions, separators=(",", ":"))
                if positions is not None
                else None,
                "now": now,
                "by": by,
            },
        )

    # -- reads for the pages

    def portfolio_deals(self, *, workspace: str) -> list[PortfolioDeal]:
        rows = self.runner.read("web_portfolio_deals", {"ws": check_workspace(workspace)})
        return [
            PortfolioDeal(
                id=r["id"],
                name=r["name"],
                account_id=r["account_id"],
                account_name=r.get("account_name"),
                owner_email=r["owner_email"],
                amount=r.get("amount"),
                currency=r.get("currency"),
                stage=r.get("stage"),
                close_date=_close_date(r.get("close_date")),
            )
            for r in rows
        ]

    def search_people(self, *, workspace: str, text: str, limit: int = 20) -> list[PersonHit]:
        rows = self.runner.read(
            "web_stakeholder_search",
            {"ws": check_workspace(workspace), "text": text.strip().lower(), "limit": limit},
        )
        return [
            PersonHit(id=r["id"], name=r["name"], title=r.get("title"), account_id=r["account_id"])
            for r in rows
        ]
