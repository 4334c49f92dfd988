"""Bundle imports: every aggregate at once, checked together, written in order.

Composes the aggregate repositories: an import needs all of them, and their writes go
through one pipeline of the shared core, in dependency order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from pydantic import BaseModel, ValidationError

from graphsvc.domain.models import Bundle, utcnow
from graphsvc.errors import ValidationFailed
from graphsvc.store.accounts import AccountRepository
from graphsvc.store.codecs import KEY_SEPARATOR, stored_fingerprint, with_stable_id
from graphsvc.store.committee import CommitteeRepository
from graphsvc.store.core import (
    MAX_ERRORS,
    ImportCounts,
    RepositoryBase,
    StoreCore,
    UpsertCounts,
    check_workspace,
    raise_reference_errors,
)
from graphsvc.store.deals import DealRepository
from graphsvc.store.interactions import InteractionRepository
from graphsvc.store.lines import INFLUENCE_ENDS, REPORTING_ENDS, LineRepository
from graphsvc.store.stakeholders import StakeholderRepository, TeamMemberRepository


class BundleRepository(RepositoryBase):
    def __init__(
        self,
        core: StoreCore,
        *,
        accounts: AccountRepository,
        deals: DealRepository,
        stakeholders: StakeholderRepository,
        team_members: TeamMemberRepository,
        committee: CommitteeRepository,
        lines: LineRepository,
        interactions: InteractionRepository,
    ) -> None:
        super().__init__(core)
        self.accounts = accounts
        self.deals = deals
        self.stakeholders = stakeholders
        self.team_members = team_members
        self.committee = committee
        self.lines = lines
        self.interactions = interactions

    def import_bundle(
        self, *, workspace: str, bundle: Bundle, by: str | None = None
    ) -> ImportCounts:
        """Validate the whole bundle (fields, then references to the bundle itself and to
        what is stored), then write it in dependency order. Nothing is written when
        anything is invalid; re-importing the same bundle changes nothing. ``by`` (the
        API key's name, ``import:<file>``, the CLI user) is kept on every fact and record
        written."""
        ws = check_workspace(workspace)
        if not isinstance(bundle, Bundle):
            bundle = _validate_bundle(bundle)
        if any("id" not in x.model_fields_set for x in bundle.interactions):
            bundle = bundle.model_copy(
                update={"interactions": [with_stable_id(x) for x in bundle.interactions]}
            )
        bundle = _at_one_instant(bundle, utcnow())
        self._check(ws, bundle)
        counts = ImportCounts()
        by_kind = counts.by_kind
        with self.core.pipelined():
            by_kind["accounts"] = self.accounts.write(ws, bundle.accounts, by=by)
            by_kind["deals"] = self.deals.write(ws, bundle.deals, by=by)
            by_kind["stakeholders"] = self.stakeholders.write(ws, bundle.stakeholders, by=by)
            by_kind["team_members"] = self.team_members.write(ws, bundle.team_members)
            by_kind["memberships"] = self.committee.write(ws, bundle.memberships, by=by)
            by_kind["membership_ends"] = self.committee.write(ws, bundle.membership_ends, by=by)
            by_kind["influences"] = self.lines.write_influences(ws, bundle.influences, by=by)
            by_kind["influence_ends"] = self.lines.write_influences(
                ws, bundle.influence_ends, by=by
            )
            by_kind["reporting_lines"] = self.lines.write_reporting(
                ws, bundle.reporting_lines, by=by
            )
            by_kind["reporting_ends"] = self.lines.write_reporting(ws, bundle.reporting_ends, by=by)
            by_kind["interactions"] = self.interactions.write(ws, bundle.interactions, by=by)
        for kind in ("membership_ends", "influence_ends", "reporting_ends"):
            by_kind[kind] = _ended(by_kind[kind], len(getattr(bundle, kind)))
        return counts

    def stored_fingerprints(self, *, workspace: str) -> dict[str, dict[str, str]]:
        """Kind (``account``, ``deal``, ``stakeholder``, ``interaction``) -> id -> the
        fingerprint ``h`` each is stored with. One read of the workspace
        (``node_fingerprints.cypher``), one string per node since a re-import reads some
        500,000."""
        ws = check_workspace(workspace)
        stored: dict[str, dict[str, str]] = defaultdict(dict)
        for row in self.runner.read("node_fingerprints", {"ws": ws, "sep": KEY_SEPARATOR}):
            kind, natural_id, fingerprint = row["node"].split(KEY_SEPARATOR, 2)
            stored[kind][natural_id] = fingerprint
        return dict(stored)

    def without_stored(
        self,
        *,
        workspace: str,
        bundle: Bundle,
        fingerprints: dict[str, dict[str, str]] | None = None,
    ) -> tuple[Bundle, dict[str, int]]:
        """The bundle less the accounts, deals, stakeholders and interactions that are
        stored with exactly these values, and how many were left out per kind: a large
        re-import (a CRM export) then writes only what changed. Facts are kept as given.
        ``fingerprints``: :meth:`stored_fingerprints`, when the caller read them already
        (else they are read here)."""
        if fingerprints is None:
            fingerprints = self.stored_fingerprints(workspace=workspace)
        kept: dict[str, list[Any]] = {}
        left_out: dict[str, int] = {}
        for kind, label in (
            ("accounts", "account"),
            ("deals", "deal"),
            ("stakeholders", "stakeholder"),
            ("interactions", "interaction"),
        ):
            held = fingerprints.get(label, {})
            models = getattr(bundle, kind)
            kept[kind] = (
                [m for m in models if held.get(m.id) != stored_fingerprint(m)] if held else models
            )
            left_out[kind] = len(models) - len(kept[kind])
        return bundle.model_copy(update=kept), left_out

    def _check(self, ws: str, bundle: Bundle) -> None:
        pending = {
            "account": {a.id for a in bundle.accounts},
            "deal": {d.id for d in bundle.deals},
            "stakeholder": {s.id for s in bundle.stakeholders},
        }
        lines = self.lines
        checks: list[tuple[str, Callable[[], None]]] = [
            ("deals", lambda: self.deals.check_references(ws, bundle.deals, "deals", pending)),
            (
                "stakeholders",
                lambda: self.stakeholders.check_references(
                    ws, bundle.stakeholders, "stakeholders", pending
                ),
            ),
            (
                "memberships",
                lambda: self.committee.check_references(
                    ws, bundle.memberships, "memberships", pending
                ),
            ),
            (
                "membership_ends",
                lambda: self.committee.check_references(
                    ws, bundle.membership_ends, "membership ends", pending
                ),
            ),
            (
                "influences",
                lambda: lines.check_references(
                    ws, bundle.influences, INFLUENCE_ENDS, "influences", pending
                ),
            ),
            (
                "influence_ends",
                lambda: lines.check_references(
                    ws, bundle.influence_ends, INFLUENCE_ENDS, "influence ends", pending
                ),
            ),
            (
                "reporting_lines",
                lambda: lines.check_references(
                    ws, bundle.reporting_lines, REPORTING_ENDS, "reporting lines", pending
                ),
            ),
            (
                "reporting_ends",
                lambda: lines.check_references(
                    ws, bundle.reporting_ends, REPORTING_ENDS, "reporting ends", pending
                ),
            ),
            (
                "interactions",
                lambda: self.interactions.check_references(
                    ws, bundle.interactions, "interactions", pending
                ),
            ),
        ]
        errors: list[dict[str, Any]] = []
        for kind, check in checks:
            try:
                check()
            except ValidationFailed as exc:
                found = cast(list[dict[str, Any]], exc.detail)
                errors.extend({"loc": [kind, *e["loc"]], "msg": e["msg"]} for e in found)
        raise_reference_errors(errors, "bundle")


def _validate_bundle(raw: Any) -> Bundle:
    try:
        return Bundle.model_validate(raw.model_dump() if isinstance(raw, BaseModel) else raw)
    except ValidationError as exc:
        raise ValidationFailed(
            "invalid bundle; nothing written",
            detail=[
                {"loc": list(e["loc"]), "msg": e["msg"]} for e in exc.errors(include_url=False)
            ][:MAX_ERRORS],
        ) from exc


_FACT_KINDS = (
    "memberships",
    "membership_ends",
    "influences",
    "influence_ends",
    "reporting_lines",
    "reporting_ends",
)


def _at_one_instant(bundle: Bundle, now: datetime) -> Bundle:
    """The bundle with every undated fact dated ``now``: one import is one instant, so a
    deal imported a moment ago shows no trend between its own facts (issue 12)."""
    update = {}
    for kind in _FACT_KINDS:
        facts = getattr(bundle, kind)
        if any(f.at is None for f in facts):
            update[kind] = [
                f if f.at is not None else f.model_copy(update={"at": now}) for f in facts
            ]
    return bundle.model_copy(update=update) if update else bundle


def _ended(counts: UpsertCounts, total: int) -> UpsertCounts:
    # An end that ended something counts as an update of that membership or line.
    return UpsertCounts(updated=counts.updated, unchanged=total - counts.updated)
