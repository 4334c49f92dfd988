"""Stakeholders (people at the customer) and our own team members."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from graphsvc.domain.models import Deal, Stakeholder, TeamMember
from graphsvc.errors import NotFound
from graphsvc.store.codecs import STATE_JSON, deal_from_props, node_key, node_props
from graphsvc.store.core import (
    NodeRepository,
    Pending,
    RepositoryBase,
    UpsertCounts,
    as_of_ms,
    check_workspace,
    validate_batch,
)


class StakeholderRepository(NodeRepository[Stakeholder]):
    kind = "stakeholder"
    model = Stakeholder

    def upsert(self, *, workspace: str, stakeholders: Sequence[Stakeholder]) -> UpsertCounts:
        ws = check_workspace(workspace)
        models = validate_batch(Stakeholder, stakeholders)
        self.check_references(ws, models, "stakeholder batch")
        return self.write(ws, models)

    def check_references(
        self, ws: str, models: Sequence[Stakeholder], what: str, pending: Pending | None = None
    ) -> None:
        """Every stakeholder's account exists (or is ``pending``)."""
        self.core.check_refs(
            ws,
            [(i, ("account_id",), "account", s.account_id) for i, s in enumerate(models)],
            what,
            pending,
        )

    def write(self, ws: str, models: list[Stakeholder]) -> UpsertCounts:
        """Write validated stakeholders whose references were checked."""
        latest = {s.id: s for s in models}
        rows = []
        for s in latest.values():
            account_key = node_key(ws, s.account_id)
            # packed: what a deal history returns for a member, in one value.
            packed = STATE_JSON.encode([s.id, s.account_id, s.name, s.title, s.email])
            rows.append(
                {
                    "key": node_key(ws, s.id),
                    "account_key": account_key,
                    "props": node_props(
                        ws, s.model_dump(mode="json"), s.id, account_key=account_key, packed=packed
                    ),
                }
            )
        return self._upsert_rows(ws, rows)

    def get(self, *, workspace: str, stakeholder_id: str) -> Stakeholder:
        return self._get(check_workspace(workspace), stakeholder_id)

    def delete(self, *, workspace: str, stakeholder_id: str) -> None:
        """Delete a person with all their facts; their id leaves the interactions."""
        ws = check_workspace(workspace)
        rows = self.runner.write(
            "stakeholder_delete",
            {"ws": ws, "key": node_key(ws, stakeholder_id), "id": stakeholder_id},
        )
        if not rows or not rows[0]["deleted"]:
            raise NotFound(f"no stakeholder {stakeholder_id!r}")

    def deals(
        self, *, workspace: str, stakeholder_id: str, as_of: datetime | None = None
    ) -> list[Deal]:
        """The deals the stakeholder sits on as of ``as_of`` (now), ordered by id."""
        ws = check_workspace(workspace)
        self.get(workspace=ws, stakeholder_id=stakeholder_id)
        rows = self.runner.read(
            "stakeholder_deals", {"key": node_key(ws, stakeholder_id), "as_of": as_of_ms(as_of)}
        )
        latest: dict[str, dict[str, Any]] = {}
        for row in rows:
            held = latest.get(row["deal_id"])
            if held is None or (row["at"], row["seq"]) > (held["at"], held["seq"]):
                latest[row["deal_id"]] = row
        return [deal_from_props(row["props"]) for _, row in sorted(latest.items()) if row["active"]]


class TeamMemberRepository(RepositoryBase):
    """Our account team, by e-mail (interactions add the ones they name)."""

    def upsert(self, *, workspace: str, team_members: Sequence[TeamMember]) -> UpsertCounts:
        ws = check_workspace(workspace)
        return self.write(ws, validate_batch(TeamMember, team_members))

    def write(self, ws: str, models: list[TeamMember]) -> UpsertCounts:
        latest = {m.email: m for m in models}
        rows = [
            {
                "key": node_key(ws, m.email),
                "props": node_props(ws, m.model_dump(mode="json"), m.email),
            }
            for m in latest.values()
        ]
        return self.core.upsert("team_member_upsert", ws, rows)
