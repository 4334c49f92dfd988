"""The one store read the analysis needs beyond deal histories: the acquaintance graph
around a deal, for warm paths (a small repository on the store's runner, as
DEVELOPERS.md allows; queries ``acquaintance_lines`` and ``acquaintance_contacts``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from graphsvc.analysis.horizon import NEVER
from graphsvc.analysis.paths import Acquaintances
from graphsvc.domain.snapshot import LineFact
from graphsvc.store.repository import Runner, node_key


def read_acquaintances(
    runner: Runner,
    *,
    workspace: str,
    around: Sequence[str],
    as_of: int,
    depth: int = 3,
    max_people: int = 2000,
) -> Acquaintances:
    """People within ``depth`` influence/reporting hops of ``around`` (any deal of the
    workspace) as of ``as_of`` (epoch ms), every line fact touching them up to it (folded
    later, as of the snapshot), which team members met them on which deal, everyone the
    search read (``seen``) and the first dated line or meeting of theirs after ``as_of``
    (``next_change``): what kept warm paths depend on.

    Costs ``depth`` line queries (one per ring, ids batched) plus one interaction query.
    """
    names: dict[str, str] = {}
    facts: dict[tuple[bool, str, str, int, int], LineFact] = {}
    next_change = NEVER
    frontier = sorted(set(around))
    seen = set(frontier)
    for _ in range(max(0, depth)):
        if not frontier:
            break
        rows = runner.read(
            "acquaintance_lines", {"keys": [node_key(workspace, sid) for sid in frontier]}
        )
        found: set[str] = set()
        for row in rows:
            at = int(row["at"])
            if at > as_of:  # not yet in effect: only when it will be
                next_change = min(next_change, at)
                continue
            names[row["near_id"]] = row["near_name"]
            names[row["far_id"]] = row["far_name"]
            active, strength = json.loads(row["state"])
            key = (bool(row["reporting"]), row["source_id"], row["target_id"], at, int(row["seq"]))
            facts[key] = LineFact(
                source_id=row["source_id"],
                target_id=row["target_id"],
                at=at,
                seq=int(row["seq"]),
                active=bool(active),
                strength=float(strength) if strength is not None else 1.0,
            )
            found.add(row["far_id"])
        frontier = sorted(found - seen)[: max(0, max_people - len(seen))]
        seen.update(frontier)
    contacts = []
    for row in runner.read(
        "acquaintance_contacts", {"ws": workspace, "ids": sorted(seen), "as_of": as_of}
    ):
        if row["next_at"] is not None:
            next_change = min(next_change, int(row["next_at"]))
        if int(row["meetings"]):
            contacts.append(
                (
                    row["email"],
                    row["stakeholder_id"],
                    row["deal_id"],
                    int(row["meetings"]),
                    int(row["last_at"]),
                )
            )
    ordered = sorted(facts.items())
    return Acquaintances(
        names=names,
        influence_facts=tuple(fact for (reporting, *_), fact in ordered if not reporting),
        reporting_facts=tuple(fact for (reporting, *_), fact in ordered if reporting),
        contacts=tuple(contacts),
        seen=tuple(sorted(seen)),
        next_change=next_change,
    )
