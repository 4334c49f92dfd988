"""Interactions: recorded contacts between our team and stakeholders on a deal."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from graphsvc.domain.models import Interaction, to_ms
from graphsvc.domain.snapshot import InteractionRecord
from graphsvc.store.codecs import (
    FAR_FUTURE_MS,
    INTERACTION_FIELDS,
    STATE_JSON,
    Canonical,
    interaction_record,
    node_key,
    node_props,
    with_stable_id,
)
from graphsvc.store.core import (
    Pending,
    Reference,
    RepositoryBase,
    StoreCore,
    UpsertCounts,
    check_workspace,
    validate_batch,
)
from graphsvc.store.deals import DealRepository


class InteractionRepository(RepositoryBase):
    """``(:Interaction)`` nodes by id, each on one deal; team members they name are
    added (by e-mail) when unknown."""

    def __init__(self, core: StoreCore, *, deals: DealRepository) -> None:
        super().__init__(core)
        self.deals = deals

    def record(self, *, workspace: str, interactions: Sequence[Interaction]) -> list[Interaction]:
        """Upsert interactions by id and return them as stored. Without an id, one is
        derived from the content (re-sending is idempotent). Team members present are
        added (by e-mail) when unknown."""
        ws = check_workspace(workspace)
        models = [with_stable_id(x) for x in validate_batch(Interaction, interactions)]
        self.check_references(ws, models, "interaction batch")
        self.write(ws, models)
        return models

    def check_references(
        self, ws: str, models: Sequence[Interaction], what: str, pending: Pending | None = None
    ) -> None:
        """The deal and every stakeholder named exist (or are ``pending``)."""
        refs: list[Reference] = []
        for i, x in enumerate(models):
            refs.append((i, ("deal_id",), "deal", x.deal_id))
            refs.extend(
                (i, ("stakeholder_ids", k), "stakeholder", sid)
                for k, sid in enumerate(x.stakeholder_ids)
            )
        self.core.check_refs(ws, refs, what, pending)

    def write(self, ws: str, models: Sequence[Interaction]) -> UpsertCounts:
        latest = {x.id: x for x in models}
        rows = []
        for x in latest.values():
            values = {
                "id": x.id,
                "deal_id": x.deal_id,
                "at": to_ms(x.at),
                "channel": x.channel.value,
                "stakeholder_ids": list(x.stakeholder_ids),
                "team_member_emails": list(x.team_member_emails),
                "summary": x.summary,
                "next_step_at": to_ms(x.next_step_at) if x.next_step_at else None,
            }
            deal_key = node_key(ws, x.deal_id)
            # packed: what a deal history returns for an interaction, in one value.
            packed = STATE_JSON.encode([values[k] for k in INTERACTION_FIELDS])
            rows.append(
                {
                    "key": node_key(ws, x.id),
                    "deal_key": deal_key,
                    "props": node_props(ws, values, x.id, deal_key=deal_key, packed=packed),
                }
            )

        def team_members(chunk: list[dict[str, Any]]) -> dict[str, Any]:
            emails = sorted(
                {e for row in chunk for e in row["props"].get("team_member_emails", ())}
            )
            return {"team_members": [{"key": node_key(ws, e), "email": e} for e in emails]}

        return self.core.upsert("interaction_upsert", ws, rows, team_members)

    def of_deal(
        self, *, workspace: str, deal_id: str, as_of: datetime | None = None
    ) -> list[InteractionRecord]:
        """The deal's interactions up to ``as_of`` (default: all), oldest first; 404
        when the deal does not exist."""
        ws = check_workspace(workspace)
        self.deals.get(workspace=ws, deal_id=deal_id)
        at = to_ms(as_of) if as_of is not None else FAR_FUTURE_MS
        rows = self.runner.read(
            "deal_history_interactions", {"deal_keys": [node_key(ws, deal_id)], "as_of": at}
        )
        canonical = Canonical()
        return [
            interaction_record([row["packed"], row["stakeholder_ids"]], canonical) for row in rows
        ]
