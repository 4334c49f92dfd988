"""Write a :class:`CrmExport` into a workspace, recording only what changed since the
state in effect at the export's instant, dated at that instant.

* Accounts, deals, contacts and activities are upserted by their CRM id (an upsert that
  changes nothing is counted ``unchanged`` and writes nothing). A contact that moved to
  another account moves with it; its seats on deals stay as long as the CRM keeps them.
* Contact roles: a new or changed role is a membership fact at the export's instant.
  Only the role comes from the CRM: stance, ally, influence rating and self-weight that
  the team recorded here are carried over. A role that was in effect and is missing now
  (deleted in the CRM, with its contact or its opportunity) ends the membership at the
  export's instant; the history stays. Seats the team gave here to people the CRM does
  not know (ids that are not the CRM's) are left alone.
* Reporting lines follow each exported contact's manager the same way.

All checks run before the first write (the reader's, then the store's references), so
a bad export writes nothing; importing the same export twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graphsvc.domain.models import (
    Bundle,
    Membership,
    MembershipEnd,
    ReportingEnd,
    ReportingLine,
    Role,
    Stance,
    to_ms,
)
from graphsvc.imports.exports import CrmExport
from graphsvc.imports.repository import (
    ImportStateRepository,
    StoredImportState,
    active_with_role,
    decode_membership,
)
from graphsvc.store.repository import GraphStore, UpsertCounts

# Object types as the report names them, with the bundle kinds counted under each.
KINDS: dict[str, tuple[str, ...]] = {
    "accounts": ("accounts",),
    "deals": ("deals",),
    "contacts": ("stakeholders",),
    "users": ("team_members",),
    "contact_roles": ("memberships", "membership_ends"),
    "reporting_lines": ("reporting_lines", "reporting_ends"),
    "activities": ("interactions",),
}


@dataclass
class KindReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ended: int = 0
    warnings: int = 0
    errors: int = 0


@dataclass
class ExportImportReport:
    """What one import of an export did, per object type."""

    source: str
    exported_at: Any
    exported_at_from: str
    by_kind: dict[str, KindReport] = field(default_factory=dict)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    ignored: dict[str, int] = field(default_factory=dict)

    def total(self, name: str) -> int:
        return sum(getattr(k, name) for k in self.by_kind.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.source,
            "exported_at": self.exported_at.isoformat(),
            "exported_at_from": self.exported_at_from,
            "created": self.total("created"),
            "updated": self.total("updated"),
            "unchanged": self.total("unchanged"),
            "items": sum(self.total(n) for n in ("created", "updated", "unchanged")),
            "by_kind": {kind: vars(report) for kind, report in self.by_kind.items()},
            "warnings": self.warnings,
            "ignored": self.ignored,
        }


@dataclass
class _Plan:
    bundle: Bundle
    unchanged: dict[str, int]


def plan_export(*, stored: StoredImportState, export: CrmExport) -> _Plan:
    """The bundle of what to write: every record, and only the facts that differ from
    ``stored`` (the workspace's state, see :class:`ImportStateRepository`)."""
    at = export.exported_at
    at_ms = to_ms(at)
    exported = {d.id for d in export.deals}
    gone = {d for d in stored.deal_ids if export.owns_deal(d) and d not in exported}
    held = stored.membership_states(deal_ids=exported | gone, at=at_ms)

    memberships: list[Membership] = []
    unchanged_roles = 0
    in_effect = {role: active_with_role(role.value) for role in Role}
    for (deal_id, contact_id), role in export.roles.items():
        held_state = held.get((deal_id, contact_id))
        if held_state is not None and held_state.startswith(in_effect[role]):
            unchanged_roles += 1
            continue
        # What the team recorded here (stance, ally, ratings) stays; the role is the CRM's.
        state = decode_membership(held_state) if held_state is not None else None
        _active, _role, stance, ally, rating, weight = state or (
            False,
            None,
            None,
            False,
            None,
            None,
        )
        memberships.append(
            Membership(
                deal_id=deal_id,
                stakeholder_id=contact_id,
                role=Role(role),
                at=at,
                stance=Stance(stance) if stance else Stance.unknown,
                ally=ally,
                influence_rating=rating,
                self_weight=weight,
            )
        )
    ends = [
        MembershipEnd(deal_id=deal_id, stakeholder_id=contact_id, at=at)
        for (deal_id, contact_id) in sorted(
            pair
            for pair, state in held.items()
            if pair not in export.roles and state.startswith("[true,")
        )
        if export.owns_contact(contact_id)
    ]

    current = stored.managers(stakeholder_ids=export.managers, at=at_ms)
    lines: list[ReportingLine] = []
    line_ends: list[ReportingEnd] = []
    unchanged_lines = 0
    no_one: set[str] = set()
    for person, manager in export.managers.items():
        before = current.get(person, no_one)
        if len(before) > (manager in before):  # a manager besides the exported one
            line_ends += [
                ReportingEnd(stakeholder_id=person, manager_id=m, at=at)
                for m in sorted(before)
                if m != manager and export.owns_contact(m)
            ]
        if manager is None:
            continue
        if manager in before:
            unchanged_lines += 1
        else:
            lines.append(ReportingLine(stakeholder_id=person, manager_id=manager, at=at))

    bundle = Bundle(
        accounts=export.accounts,
        deals=export.deals,
        stakeholders=export.stakeholders,
        team_members=export.team_members,
        memberships=memberships,
        membership_ends=ends,
        reporting_lines=lines,
        reporting_ends=line_ends,
        interactions=export.interactions,
    )
    return _Plan(
        bundle=bundle,
        unchanged={"contact_roles": unchanged_roles, "reporting_lines": unchanged_lines},
    )


def import_export(
    *,
    store: GraphStore,
    workspace: str,
    export: CrmExport,
    step: Callable[[str], None] | None = None,
    actor: str | None = None,
    stored: StoredImportState | None = None,
) -> ExportImportReport:
    """Compare the export with the store, then write the differences all at once.
    ``step(name)`` is told when each stage starts (for a progress display); ``stored``:
    the workspace's state when the caller read it already (while parsing the export),
    else it is read here."""
    announce = step or (lambda _name: None)
    announce("comparing")
    if stored is None:
        stored = ImportStateRepository(store).read(workspace=workspace)
    plan = plan_export(stored=stored, export=export)
    # Records stored with the same values are left out before writing (counted
    # unchanged), so a newer export costs what changed, not what it holds.
    bundle, left_out = store.bundles.without_stored(
        workspace=workspace, bundle=plan.bundle, fingerprints=stored.fingerprints
    )
    for kind, count in left_out.items():
        report_kind = {"stakeholders": "contacts", "interactions": "activities"}.get(kind, kind)
        plan.unchanged[report_kind] = plan.unchanged.get(report_kind, 0) + count
    announce("writing")
    counts = store.import_bundle(workspace=workspace, bundle=bundle, by=actor).by_kind
    report = ExportImportReport(
        source=export.source,
        exported_at=export.exported_at,
        exported_at_from=export.exported_at_from,
        ignored=dict(export.ignored),
    )
    for kind, parts in KINDS.items():
        out = KindReport(unchanged=plan.unchanged.get(kind, 0))
        for part in parts:
            got = counts.get(part, UpsertCounts())
            if part.endswith("_ends"):
                out.ended += got.updated
            else:
                out.created += got.created
                out.updated += got.updated
                out.unchanged += got.unchanged
        report.by_kind[kind] = out
    for kind, problem in export.warnings:
        report.by_kind.setdefault(kind, KindReport()).warnings += 1
        report.warnings.append(
            {
                "file": problem.file,
                "row": problem.row,
                "column": problem.column,
                "msg": problem.message,
            }
        )
    return report
