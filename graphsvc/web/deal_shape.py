"""Pure helpers of the deal page: the deal's revision (what an edit is checked against)
and the org chart's levels."""

from __future__ import annotations

import hashlib
import math
from typing import Any

import networkx as nx

from graphsvc.domain.snapshot import DealHistory, DealSnapshot
from graphsvc.maps.frames import role_family
from graphsvc.visual.network import member_node_id


def history_revision(
    history: DealHistory, last_change: int, notes: tuple[int, int] = (0, 0)
) -> str:
    """A short digest of everything the deal page shows: any new fact, interaction,
    person detail, change-log entry or note write (``notes``: how many, the latest
    revision that wrote one) changes it."""
    digest = hashlib.sha256()
    deal = history.deal
    digest.update(deal.model_dump_json().encode())
    for fact in sorted(history.membership_facts, key=lambda f: (f.at, f.seq)):
        digest.update(f"m{fact.stakeholder_id}|{fact.at}|{fact.seq}".encode())
    for kind, facts in (("i", history.influence_facts), ("r", history.reporting_facts)):
        for line in sorted(facts, key=lambda f: (f.at, f.seq)):
            digest.update(f"{kind}{line.source_id}|{line.target_id}|{line.at}|{line.seq}".encode())
    for record in history.interactions:
        digest.update(repr(record).encode())
    for sid in sorted(history.stakeholders):
        digest.update(repr(history.stakeholders[sid]).encode())
    digest.update(f"c{last_change}|n{notes[0]}|{notes[1]}".encode())
    return digest.hexdigest()[:16]


def orgchart_levels(snapshot: DealSnapshot, top_id: str | None) -> dict[str, int]:
    """Vis node id -> level of the org chart: the top decision-maker on top, managers
    above their reports, and people outside any reporting line grouped by role family
    on rows of their own below the tree; our team at the bottom."""
    members = {m.id: m for m in snapshot.members}
    manager_of = {line.source_id: line.target_id for line in snapshot.reporting}
    in_tree = set(manager_of) | set(manager_of.values())

    def depth(sid: str) -> int:
        seen = {sid}
        level = 0
        while sid in manager_of and manager_of[sid] not in seen:
            sid = manager_of[sid]
            seen.add(sid)
            level += 1
        return level

    levels: dict[str, int] = {}
    base = 1 if top_id else 0
    for sid in members:
        if sid == top_id:
            levels[member_node_id(sid)] = 0
        elif sid in in_tree:
            levels[member_node_id(sid)] = base + depth(sid)
    tree_bottom = max(levels.values(), default=-1) + 1
    families = ["decision", "influence", "user", "gatekeeper", "other"]
    loose = [m for sid, m in members.items() if member_node_id(sid) not in levels]
    used = sorted({families.index(role_family(m.role)) for m in loose})
    for m in loose:
        levels[member_node_id(m.id)] = tree_bottom + used.index(families.index(role_family(m.role)))
    return levels


def network_positions(
    frame: dict[str, Any], placed: dict[str, tuple[float, float]]
) -> dict[str, tuple[float, float]]:
    """A place for every node of the influence network: ``placed`` ones (dragged, kept
    in the store) stay where they are, the others are laid out around them by a seeded
    force-directed layout over the map's lines.

    A pure function of the nodes, the lines and ``placed``, whatever their order (nodes
    and lines are sorted first): every API process draws the same deal the same way,
    whichever people it saw before.

    The page draws these with physics off: a browser settling 200 people by simulation
    takes seconds and keeps the map moving under the user, while this takes some tens
    of milliseconds.

    Examples
    --------
    >>> frame = {"nodes": [{"id": "s:a"}, {"id": "s:b"}], "edges": [{"from": "s:a", "to": "s:b"}]}
    >>> first = network_positions(frame, {})
    >>> sorted(first) == ["s:a", "s:b"] and first == network_positions(frame, {})
    True
    >>> network_positions(frame, {"s:a": (10.0, 20.0)})["s:a"]
    (10.0, 20.0)
    >>> turned = {"nodes": frame["nodes"][::-1], "edges": [{"from": "s:b", "to": "s:a"}]}
    >>> network_positions(turned, {}) == first
    True
    """
    ids = sorted({node["id"] for node in frame["nodes"]})
    missing = [i for i in ids if i not in placed]
    if not missing:
        return {i: placed[i] for i in ids}
    graph = nx.Graph()
    # Sorted: the layout's random start is drawn per node in graph order.
    graph.add_nodes_from(ids)
    graph.add_edges_from(sorted({tuple(sorted((e["from"], e["to"]))) for e in frame["edges"]}))
    # vis-network pixels per unit of the layout: more room for a larger committee.
    scale = 120.0 + 45.0 * math.sqrt(len(ids))
    fixed = [i for i in ids if i in placed]
    if fixed:
        start = {i: (placed[i][0] / scale, placed[i][1] / scale) for i in fixed}
        found = nx.spring_layout(graph, pos=start, fixed=fixed, seed=7, iterations=50)
    else:
        found = nx.spring_layout(graph, seed=7, iterations=50)
    return {
        i: placed[i]
        if i in placed
        else (round(float(found[i][0]) * scale, 1), round(float(found[i][1]) * scale, 1))
        for i in ids
    }
