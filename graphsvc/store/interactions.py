"""Interactions: recorded contacts between our team and stakeholders on a deal."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from graphsvc.domain.cursor import decode_cursor, encode_cursor
from graphsvc.domain.models import Interaction, from_ms, to_ms, utcnow
from graphsvc.domain.snapshot import InteractionRecord
from graphsvc.errors import NotFound, ValidationFailed
from graphsvc.store.codecs import (
    FAR_FUTURE_MS,
    INTERACTION_FIELDS,
    KEY_SEPARATOR,
    STATE_JSON,
    Canonical,
    interaction_record,
    interaction_values,
    node_key,
    node_props,
    with_stable_id,
)
from graphsvc.store.core import (
    Page,
    Pending,
    Reference,
    RepositoryBase,
    StoreCore,
    UpsertCounts,
    check_workspace,
    validate_batch,
    with_expectations,
)
from graphsvc.store.deals import DealRepository


class InteractionRepository(RepositoryBase):
    """``(:Interaction)`` nodes by id, each on one deal; team members they name are
    added (by e-mail) when unknown."""

    def __init__(self, core: StoreCore, *, deals: DealRepository) -> None:
        super().__init__(core)
        self.deals = deals

    def record(
        self, *, workspace: str, interactions: Sequence[Interaction], by: str | None = None
    ) -> list[Interaction]:
        """Upsert interactions by id and return them as stored. Without an id, one is
        derived from the content (re-sending is idempotent). Team members present are
        added (by e-mail) when unknown. ``by`` (who recorded them) is kept on each one
        written; an unchanged re-send keeps its first author."""
        ws = check_workspace(workspace)
        models = [with_stable_id(x) for x in validate_batch(Interaction, interactions)]
        self.check_references(ws, models, "interaction batch")
        self.write(ws, models, by=by)
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

    def write(
        self,
        ws: str,
        models: Sequence[Interaction],
        expect: Mapping[str, str] | None = None,
        *,
        by: str | None = None,
    ) -> UpsertCounts:
        """Write validated interactions whose references were checked; ``expect`` makes
        an id's write conditional (see :meth:`AccountRepository.upsert`)."""
        rows = with_expectations(self.rows(ws, models, by=by), expect)
        return self.core.upsert("interaction_upsert", ws, rows, _team_members(ws))

    def write_each(
        self, ws: str, models: Sequence[Interaction], *, by: str | None = None
    ) -> dict[str, str]:
        """Write validated interactions whose references were checked; each one's outcome."""
        return self.core.upsert_each(
            "interaction_upsert", ws, self.rows(ws, models, by=by), _team_members(ws)
        )

    def rows(
        self, ws: str, models: Sequence[Interaction], *, by: str | None = None
    ) -> list[dict[str, Any]]:
        """The statement rows of validated interactions (see the upsert query); ``by``
        is stored as ``recorded_by``, outside the content tag."""
        latest = {x.id: x for x in models}
        rows = []
        for x in latest.values():
            values = interaction_values(x)
            deal_key = node_key(ws, x.deal_id)
            # packed: what a deal history returns for an interaction, in one value.
            packed = STATE_JSON.encode([values[k] for k in INTERACTION_FIELDS])
            props = node_props(ws, values, x.id, deal_key=deal_key, packed=packed)
            if by is not None:
                props["recorded_by"] = by
            rows.append({"key": node_key(ws, x.id), "deal_key": deal_key, "props": props})
        return rows

    def get_tagged(self, *, workspace: str, interaction_id: str) -> tuple[Interaction, str]:
        """The interaction with the caller's id and its content tag; 404 when none."""
        ws = check_workspace(workspace)
        rows = self.runner.read("interaction_get", {"key": node_key(ws, interaction_id)})
        if not rows:
            raise NotFound(f"no interaction {interaction_id!r}")
        props = rows[0]["props"]
        return interaction_from_props(props), str(props["h"])

    def content_tag(self, ws: str, interaction: Interaction) -> str:
        """The tag the interaction is stored with (its stored values' fingerprint)."""
        return str(self.rows(ws, [interaction])[0]["props"]["h"])

    def delete(self, *, workspace: str, interaction_id: str, by: str | None = None) -> None:
        """What deleting an interaction means: its withdrawal from now on, by ``by``
        (:meth:`withdraw`); 404 when there is none in effect."""
        self.withdraw(workspace=workspace, interaction_id=interaction_id, at=to_ms(utcnow()), by=by)

    def withdraw(self, *, workspace: str, interaction_id: str, at: int, by: str | None) -> None:
        """Withdraw the interaction from ``at`` (epoch ms) on, signed ``by``: history
        keeps it as of earlier instants (see ``interaction_withdraw.cypher``); 404 when
        there is none in effect."""
        ws = check_workspace(workspace)
        rows = self.runner.write(
            "interaction_withdraw",
            {
                "ws": ws,
                "key": node_key(ws, interaction_id),
                "id": interaction_id,
                "sep": KEY_SEPARATOR,
                "at": at,
                "by": by,
            },
        )
        if not rows or not rows[0]["withdrawn"]:
            raise NotFound(f"no interaction {interaction_id!r}")

    def page_of_deal(
        self,
        *,
        workspace: str,
        deal_id: str,
        as_of: datetime | None = None,
        limit: int = 50,
        cursor: str | None = None,
        updated_since: datetime | None = None,
    ) -> Page[Interaction]:
        """One page of the deal's interactions up to ``as_of``, oldest first (by instant,
        then id); 404 when the deal does not exist."""
        ws = check_workspace(workspace)
        self.deals.get(workspace=ws, deal_id=deal_id)
        after_at, after_id = _decode_position(cursor) if cursor else (None, None)
        rows = self.runner.read(
            "interaction_page",
            {
                "deal_key": node_key(ws, deal_id),
                "as_of": to_ms(as_of) if as_of is not None else FAR_FUTURE_MS,
                "after_at": after_at,
                "after_id": after_id,
                "limit": limit + 1,
                "updated_since": to_ms(updated_since) if updated_since is not None else None,
            },
        )
        items = [interaction_from_props(row["props"]) for row in rows[:limit]]
        more = len(rows) > limit
        next_cursor = _encode_position(items[-1]) if more and items else None
        return Page(items=items, next_cursor=next_cursor)

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


def _team_members(ws: str) -> Callable[[list[dict[str, Any]]], dict[str, Any]]:
    """The per-chunk parameter of the upsert: the distinct team members it names."""

    def team_members(chunk: list[dict[str, Any]]) -> dict[str, Any]:
        emails = sorted({e for row in chunk for e in row["props"].get("team_member_emails", ())})
        return {
            "team_members": [{"key": node_key(ws, e), "email": e} for e in emails],
            "sep": KEY_SEPARATOR,  # the people's keys (kept advice that read them is stale)
        }

    return team_members


def interaction_from_props(props: dict[str, Any]) -> Interaction:
    """An interaction as stored (instants are epoch milliseconds there)."""
    next_step = props.get("next_step_at")
    return Interaction(
        id=props["id"],
        deal_id=props["deal_id"],
        at=from_ms(int(props["at"])),
        channel=props["channel"],
        stakeholder_ids=list(props.get("stakeholder_ids") or []),
        team_member_emails=list(props.get("team_member_emails") or []),
        summary=props.get("summary"),
        next_step_at=from_ms(int(next_step)) if next_step is not None else None,
    )


def _encode_position(last: Interaction) -> str:
    return encode_cursor(json.dumps([to_ms(last.at), last.id]))


def _decode_position(cursor: str) -> tuple[int, str]:
    position = decode_cursor(cursor)
    try:
        at, natural_id = json.loads(position)
        if isinstance(at, int) and isinstance(natural_id, str):
            return at, natural_id
    except (ValueError, TypeError):
        pass
    raise ValidationFailed(
        "invalid cursor", detail=[{"loc": ["query", "cursor"], "msg": "not a cursor of this API"}]
    )
