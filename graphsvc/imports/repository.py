"""The stored state an import of a CRM export compares with (reads only; the writes go
through :meth:`GraphStore.import_bundle`). A small repository on the store's runner,
like :mod:`graphsvc.keys`. Facts come back one string each (see the queries), since a
large export compares some 600,000 of them."""

from __future__ import annotations

import json
from collections.abc import Iterable

from graphsvc.store.repository import KEY_SEPARATOR, GraphStore, check_workspace, node_key

# Deals (or people) per read: bounds one reply while keeping round trips few.
_CHUNK = 1000

MembershipState = tuple[bool, str | None, str | None, bool, int | None, float | None]
# (at, seq, state) of the latest fact of a pair so far
_Latest = dict[tuple[str, str], tuple[int, int, str]]


class ImportStateRepository:
    def __init__(self, store: GraphStore) -> None:
        self.runner = store.runner

    def deal_ids(self, *, workspace: str) -> set[str]:
        rows = self.runner.read("import_deal_ids", {"ws": check_workspace(workspace)})
        return {row["id"] for row in rows}

    def membership_states(
        self, *, workspace: str, deal_ids: Iterable[str], at: int
    ) -> dict[tuple[str, str], str]:
        """(deal id, stakeholder id) -> the membership state in effect at ``at``, as
        stored: compact JSON ``[active,role,stance,ally,influence_rating,self_weight]``
        (left encoded: most are only compared, see :func:`decode_membership`)."""
        ws = check_workspace(workspace)
        latest: _Latest = {}
        for chunk in _chunks(sorted(set(deal_ids))):
            rows = self.runner.read(
                "import_member_states",
                {"deal_keys": [node_key(ws, d) for d in chunk], "at": at, "sep": KEY_SEPARATOR},
            )
            for row in rows:
                deal_id, person, fact_at, seq, state = row["fact"].split(KEY_SEPARATOR, 4)
                _keep_latest(latest, (deal_id, person), (int(fact_at), int(seq), state))
        return {pair: state for pair, (_at, _seq, state) in latest.items()}

    def managers(
        self, *, workspace: str, stakeholder_ids: Iterable[str], at: int
    ) -> dict[str, set[str]]:
        """Stakeholder id -> the managers they report to at ``at``."""
        ws = check_workspace(workspace)
        latest: _Latest = {}
        for chunk in _chunks(sorted(set(stakeholder_ids))):
            rows = self.runner.read(
                "import_reporting_states",
                {
                    "stakeholder_keys": [node_key(ws, s) for s in chunk],
                    "at": at,
                    "sep": KEY_SEPARATOR,
                },
            )
            for row in rows:
                person, _kind, fact_at, seq, state, manager = row["fact"].split(KEY_SEPARATOR, 5)
                _keep_latest(latest, (person, manager), (int(fact_at), int(seq), state))
        result: dict[str, set[str]] = {}
        for (person, manager), (_at, _seq, state) in latest.items():
            if state.startswith("[true"):  # the state is [active, strength]
                result.setdefault(person, set()).add(manager)
        return result


def decode_membership(state: str) -> MembershipState:
    active, role, stance, ally, rating, weight = json.loads(state)
    return (bool(active), role, stance, bool(ally), rating, weight)


def active_with_role(role: str) -> str:
    """The prefix of a stored state that is active with ``role`` (the store writes
    compact JSON, see ``repository._state``)."""
    return "[true," + json.dumps(role, ensure_ascii=False) + ","


def _chunks(ids: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _keep_latest(latest: _Latest, pair: tuple[str, str], candidate: tuple[int, int, str]) -> None:
    held = latest.get(pair)
    if held is None or candidate[:2] > held[:2]:
        latest[pair] = candidate
