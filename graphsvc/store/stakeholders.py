"""Stakeholders (people at the customer) and our own team members."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from graphsvc.domain.models import Deal, Stakeholder, TeamMember
from graphsvc.errors import Conflict, NotFound
from graphsvc.store.codecs import (
    KEY_SEPARATOR,
    STATE_JSON,
    deal_from_props,
    node_key,
    node_props,
    plain,
)
from graphsvc.store.core import (
    NodeRepository,
    Pending,
    RepositoryBase,
    UpsertCounts,
    as_of_ms,
    check_workspace,
    signed,
    validate_batch,
    with_expectations,
)


class StakeholderRepository(NodeRepository[Stakeholder]):
    kind = "stakeholder"
    model = Stakeholder

    def upsert(
        self,
        *,
        workspace: str,
        stakeholders: Sequence[Stakeholder],
        expect: Mapping[str, str] | None = None,
        by: str | None = None,
    ) -> UpsertCounts:
        """Create or replace stakeholders. ``expect`` makes the write of an id conditional,
        checked inside the writing statement: the stored content tag must equal it (``""``:
        the stakeholder must not exist yet); rows whose condition fails are counted
        ``precondition_failed`` and not written."""
        ws = check_workspace(workspace)
        models = validate_batch(Stakeholder, stakeholders)
        self.check_references(ws, models, "stakeholder batch")
        return self.write(ws, models, expect=expect, by=by)

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

    def rows(
        self, ws: str, models: list[Stakeholder], expect: Mapping[str, str] | None = None
    ) -> list[dict[str, Any]]:
        """The statement rows of validated stakeholders (see the upsert query)."""
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
        return with_expectations(rows, expect)

    def write(
        self,
        ws: str,
        models: list[Stakeholder],
        expect: Mapping[str, str] | None = None,
        *,
        by: str | None = None,
    ) -> UpsertCounts:
        """Write validated stakeholders whose references were checked."""
        return self._upsert_rows(ws, signed(self.rows(ws, models, expect), by))

    def write_each(
        self, ws: str, models: list[Stakeholder], *, by: str | None = None
    ) -> dict[str, str]:
        """Write validated stakeholders whose references were checked; each one's outcome."""
        return self.core.upsert_each(f"{self.kind}_upsert", ws, signed(self.rows(ws, models), by))

    def get(self, *, workspace: str, stakeholder_id: str) -> Stakeholder:
        return self._get(check_workspace(workspace), stakeholder_id)

    def delete(
        self, *, workspace: str, stakeholder_id: str, keep_committee_members: bool = False
    ) -> None:
        """Delete a person with all their facts; their id leaves the interactions. With
        ``keep_committee_members``, someone who ever sat on a committee is not deleted:
        409 :class:`Conflict` (erase them instead, see the stakeholder service)."""
        ws = check_workspace(workspace)
        rows = self.runner.write(
            "stakeholder_delete",
            {
                "ws": ws,
                "key": node_key(ws, stakeholder_id),
                "id": stakeholder_id,
                "sep": KEY_SEPARATOR,
                "keep_committee_members": keep_committee_members,
            },
        )
        if not rows:
            raise NotFound(f"no stakeholder {stakeholder_id!r}")
        if not rows[0]["deleted"]:
            seats = int(rows[0]["seats"])
            raise Conflict(
                f"stakeholder {stakeholder_id!r} sat on a committee ({seats} fact(s)): "
                "deleting them would change past support shares; erase their personal "
                "data instead (?erase=true)",
                detail={"membership_facts": seats},
            )

    def forget_kept_results(self, *, workspace: str, stakeholder_id: str) -> int:
        """Delete the kept analysis results and advice that can name the person (the
        erasure: see ``stakeholder_results_forget.cypher`` and
        ``stakeholder_advice_forget.cypher``); how many were deleted."""
        ws = check_workspace(workspace)
        forgotten = 0
        for query in ("stakeholder_results_forget", "stakeholder_advice_forget"):
            rows = self.runner.write(query, {"key": node_key(ws, stakeholder_id)})
            forgotten += int(rows[0]["forgotten"]) if rows else 0
        return forgotten

    def export(self, *, workspace: str, stakeholder_id: str) -> dict[str, Any]:
        """Everything held about a person, as plain data; 404 when none."""
        ws = check_workspace(workspace)
        rows = self.runner.read(
            "stakeholder_export",
            {"ws": ws, "key": node_key(ws, stakeholder_id), "id": stakeholder_id},
        )
        if not rows:
            raise NotFound(f"no stakeholder {stakeholder_id!r}")
        row = rows[0]
        return {
            "stakeholder": Stakeholder.model_validate(plain(row["props"])),
            "memberships": [_membership_fact(f) for f in _sorted_facts(row["memberships"])],
            "influences": [_line_fact(f, "influences") for f in _sorted_facts(row["influences"])]
            + [_line_fact(f, "influenced_by") for f in _sorted_facts(row["influenced_by"])],
            "reporting": [_line_fact(f, "reports_to") for f in _sorted_facts(row["reports_to"])]
            + [_line_fact(f, "manages") for f in _sorted_facts(row["reports"])],
            "interactions": sorted(
                (props for props in row["interactions"] if props),
                key=lambda props: (props["at"], props["id"]),
            ),
        }

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


def _sorted_facts(facts: list[Any]) -> list[list[Any]]:
    """Facts ``[other id, at, recorded, state]`` in time order (no empty ones)."""
    return sorted((f for f in facts if f), key=lambda f: (f[1], f[0], f[2] or 0))


def _membership_fact(fact: list[Any]) -> dict[str, Any]:
    deal_id, at, recorded, packed_state = fact
    active, role, stance, ally, rating, self_weight = json.loads(packed_state)
    return {
        "deal_id": deal_id,
        "at": at,
        "recorded": recorded,
        "active": active,
        "role": role,
        "stance": stance,
        "ally": ally,
        "influence_rating": rating,
        "self_weight": self_weight,
    }


def _line_fact(fact: list[Any], direction: str) -> dict[str, Any]:
    other_id, at, recorded, packed_state = fact
    active, strength = json.loads(packed_state)
    return {
        "direction": direction,
        "other_id": other_id,
        "at": at,
        "recorded": recorded,
        "active": active,
        "strength": strength,
    }
