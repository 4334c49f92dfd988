"""The stored state an import of a CRM export compares with (reads only; the writes go
through :meth:`GraphStore.import_bundle`). A small repository on the store's runner,
like :mod:`graphsvc.keys`. Facts come back one string each (see the queries), since a
large export compares some 600,000 of them.

The state is read whole, for the workspace, in three queries, without knowing the
export: so it can be read while the export is parsed (on another thread, see
:func:`graphsvc.imports.service.import_export_files`), and the export's instant and ids
are applied afterwards, in :class:`StoredImportState`. Three workspace-wide reads cost
about a third of reading the same facts by the export's ids, 1,000 keys a query."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass

from graphsvc.store.repository import KEY_SEPARATOR, GraphStore, check_workspace

MembershipState = tuple[bool, str | None, str | None, bool, int | None, float | None]
# (at, seq, state) of the latest fact of a pair so far
_Latest = dict[tuple[str, str], tuple[int, int, str]]


@dataclass(frozen=True)
class StoredImportState:
    """A workspace's records and facts as an import compares them.

    ``fingerprints``: kind (``account``, ``deal``, ``stakeholder``, ``interaction``) ->
    id -> the stored fingerprint ``h``; ``member_facts`` and ``reporting_facts``: every
    membership and reporting fact, packed as the queries return them."""

    fingerprints: dict[str, dict[str, str]]
    member_facts: list[str]
    reporting_facts: list[str]

    @property
    def deal_ids(self) -> set[str]:
        return set(self.fingerprints.get("deal", ()))

    def membership_states(
        self, *, deal_ids: Collection[str], at: int
    ) -> dict[tuple[str, str], str]:
        """(deal id, stakeholder id) -> the membership state in effect at ``at``, for the
        pairs of ``deal_ids``, as stored: compact JSON
        ``[active,role,stance,ally,influence_rating,self_weight]`` (left encoded: most are
        only compared, see :func:`decode_membership`)."""
        latest: _Latest = {}
        for fact in self.member_facts:
            deal_id, person, fact_at, seq, state = fact.split(KEY_SEPARATOR, 4)
            if deal_id in deal_ids and int(fact_at) <= at:
                _keep_latest(latest, (deal_id, person), (int(fact_at), int(seq), state))
        return {pair: state for pair, (_at, _seq, state) in latest.items()}

    def managers(self, *, stakeholder_ids: Collection[str], at: int) -> dict[str, set[str]]:
        """Stakeholder id -> the managers they report to at ``at``, for
        ``stakeholder_ids``."""
        latest: _Latest = {}
        for fact in self.reporting_facts:
            person, _kind, fact_at, seq, state, manager = fact.split(KEY_SEPARATOR, 5)
            if person in stakeholder_ids and int(fact_at) <= at:
                _keep_latest(latest, (person, manager), (int(fact_at), int(seq), state))
        result: dict[str, set[str]] = {}
        for (person, manager), (_at, _seq, state) in latest.items():
            if state.startswith("[true"):  # the state is [active, strength]
                result.setdefault(person, set()).add(manager)
        return result


class ImportStateRepository:
    def __init__(self, store: GraphStore) -> None:
        self.store = store

    def read(self, *, workspace: str) -> StoredImportState:
        ws = check_workspace(workspace)
        params = {"ws": ws, "sep": KEY_SEPARATOR}
        runner = self.store.runner
        return StoredImportState(
            fingerprints=self.store.bundles.stored_fingerprints(workspace=ws),
            member_facts=[row["fact"] for row in runner.read("import_member_states", params)],
            reporting_facts=[row["fact"] for row in runner.read("import_reporting_states", params)],
        )


def decode_membership(state: str) -> MembershipState:
    active, role, stance, ally, rating, weight = json.loads(state)
    return (bool(active), role, stance, bool(ally), rating, weight)


def active_with_role(role: str) -> str:
    """The prefix of a stored state that is active with ``role`` (the store writes
    compact JSON, see ``repository._state``)."""
    return "[true," + json.dumps(role, ensure_ascii=False) + ","


def _keep_latest(latest: _Latest, pair: tuple[str, str], candidate: tuple[int, int, str]) -> None:
    held = latest.get(pair)
    if held is None or candidate[:2] > held[:2]:
        latest[pair] = candidate
