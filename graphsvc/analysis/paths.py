"""Warm paths: the strongest introductions from our team to the top decision-maker.

A directed graph of who can get whom to listen:

* ``met``: a team member -> a stakeholder they were in an interaction with, on this deal
  or on **any other deal** of the workspace; strength ``1 - path_met_base ** k`` for
  ``k`` interactions together (1 -> 0.5, 2 -> 0.75, 3 -> 0.875).
* ``influences``: A -> B when A sways B, strength = the line's strength;
  ``influenced_by``: B -> A for the same line, weaker (``path_influenced_by_factor``):
  asking someone to talk to a person they listen to.
* ``reports_to``: report -> manager (``path_reports_to_strength``, 0.7);
  ``manages``: manager -> report (``path_manages_strength``, 0.8).

Influence and reporting lines come from the deal's own committee and from the
workspace around it (stakeholders met on other deals; :class:`Acquaintances`), all as
of the instant. A path's strength is the product of its hops' strengths; the strongest
paths (at most ``path_max_hops`` hops, the first from a team member) are found with
networkx's ``shortest_simple_paths`` on ``-log(strength)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import islice, pairwise

import networkx as nx

from graphsvc.analysis.decision import top_dm_index
from graphsvc.analysis.horizon import NEVER
from graphsvc.analysis.params import DEFAULT_PARAMS, AnalysisParams
from graphsvc.analysis.ranking import score_members
from graphsvc.analysis.schemas import PathHop, WarmPath
from graphsvc.domain.snapshot import DealSnapshot, LineFact

_SOURCE = ("source", "")


@dataclass(frozen=True, slots=True)
class Acquaintances:
    """What the workspace knows around a deal (:mod:`graphsvc.analysis.repository`).

    ``contacts``: ``(team email, stakeholder id, deal id, interactions, last at)``;
    line facts are unfolded and folded here as of the snapshot's instant. ``seen``: every
    person the search read (the committee and the rings around it), whose lines,
    meetings and names the paths depend on; ``next_change``: the first instant after the
    read's at which a dated line or meeting of theirs starts to count (epoch ms).
    """

    names: dict[str, str] = field(default_factory=dict)
    influence_facts: Sequence[LineFact] = ()
    reporting_facts: Sequence[LineFact] = ()
    contacts: Sequence[tuple[str, str, str, int, int]] = ()
    seen: Sequence[str] = ()
    next_change: int = NEVER


def _fold(facts: Sequence[LineFact], as_of: int) -> list[LineFact]:
    latest: dict[tuple[str, str], LineFact] = {}
    for fact in facts:
        if fact.at > as_of:
            continue
        key = (fact.source_id, fact.target_id)
        held = latest.get(key)
        if held is None or (fact.at, fact.seq) > (held.at, held.seq):
            latest[key] = fact
    return [f for _, f in sorted(latest.items()) if f.active]


def _add(
    graph: nx.DiGraph, a: tuple[str, str], b: tuple[str, str], strength: float, **data: object
) -> None:
    if strength <= 0:
        return
    held = graph.get_edge_data(a, b)
    if held is None or held["strength"] < strength:
        graph.add_edge(a, b, strength=strength, cost=-math.log(min(strength, 1.0)), **data)


def introduction_graph(
    snapshot: DealSnapshot,
    acquaintances: Acquaintances | None = None,
    *,
    params: AnalysisParams = DEFAULT_PARAMS,
) -> nx.DiGraph:
    """The directed, weighted who-can-reach-whom graph of the module docstring.

    Nodes are ``("team", email)`` and ``("person", stakeholder_id)``.
    """
    acq = acquaintances or Acquaintances()
    graph = nx.DiGraph()
    deal_id = snapshot.deal.id
    met: dict[tuple[str, str], dict[str, int]] = {}
    for record in snapshot.interactions:
        for email in record.team_member_emails:
            for sid in record.stakeholder_ids:
                per_deal = met.setdefault((email, sid), {})
                per_deal[deal_id] = per_deal.get(deal_id, 0) + 1
    for email, sid, other_deal, count, _last in acq.contacts:
        if other_deal == deal_id:
            continue  # this deal's own interactions come from the snapshot (as of)
        per_deal = met.setdefault((email, sid), {})
        per_deal[other_deal] = per_deal.get(other_deal, 0) + count
    for (email, sid), per_deal in sorted(met.items()):
        total = sum(per_deal.values())
        # Explain with this deal when possible, else the deal with the most contact.
        best = deal_id if deal_id in per_deal else max(sorted(per_deal), key=per_deal.__getitem__)
        _add(
            graph,
            ("team", email),
            ("person", sid),
            1.0 - params.path_met_base**total,
            kind="met",
            deal_id=best,
            count=total,
        )

    as_of = snapshot.as_of
    influences = [(line.source_id, line.target_id, line.strength) for line in snapshot.influences]
    influences += [
        (f.source_id, f.target_id, f.strength) for f in _fold(acq.influence_facts, as_of)
    ]
    reporting = [(line.source_id, line.target_id) for line in snapshot.reporting]
    reporting += [(f.source_id, f.target_id) for f in _fold(acq.reporting_facts, as_of)]
    for src, dst, strength in influences:
        _add(graph, ("person", src), ("person", dst), strength, kind="influences")
        _add(
            graph,
            ("person", dst),
            ("person", src),
            strength * params.path_influenced_by_factor,
            kind="influenced_by",
        )
    for report, manager in reporting:
        _add(
            graph,
            ("person", report),
            ("person", manager),
            params.path_reports_to_strength,
            kind="reports_to",
        )
        _add(
            graph,
            ("person", manager),
            ("person", report),
            params.path_manages_strength,
            kind="manages",
        )
    return graph


def _explain(kind: str, a: str, b: str, data: dict) -> str:
    strength = data["strength"]
    if kind == "met":
        times = data["count"]
        where = f"on deal {data['deal_id']}"
        return f"{a} met {b} {times} time{'s' if times != 1 else ''} ({where})."
    if kind == "influences":
        return f"{a} influences {b} (strength {strength:.2f})."
    if kind == "influenced_by":
        return f"{a} listens to {b}, so can open the door to them (strength {strength:.2f})."
    if kind == "reports_to":
        return f"{a} reports to {b}."
    return f"{a} manages {b}."


def paths_to(
    graph: nx.DiGraph,
    target: str,
    *,
    names: dict[str, str],
    limit: int = 3,
    max_hops: int = 5,
) -> list[WarmPath]:
    """The ``limit`` strongest paths from any team member to stakeholder ``target``."""
    goal = ("person", target)
    teams = [node for node in graph if node[0] == "team"]
    if goal not in graph or not teams:
        return []
    work = graph.copy()
    for node in teams:
        work.add_edge(_SOURCE, node, cost=0.0, strength=1.0, kind="start")
    found: list[WarmPath] = []
    # Paths come strongest first; skip the overlong ones, but do not search forever.
    for path in islice(nx.shortest_simple_paths(work, _SOURCE, goal, weight="cost"), 200):
        nodes = path[1:]
        if len(nodes) - 1 > max_hops:
            continue
        hops: list[PathHop] = []
        strength = 1.0
        for a, b in pairwise(nodes):
            data = work.edges[a, b]
            strength *= data["strength"]
            a_name = a[1] if a[0] == "team" else names.get(a[1], a[1])
            b_name = names.get(b[1], b[1])
            hops.append(
                PathHop(
                    from_id=a[1],
                    from_name=a_name,
                    to_id=b[1],
                    to_name=b_name,
                    kind=data["kind"],
                    deal_id=data.get("deal_id"),
                    explanation=_explain(data["kind"], a_name, b_name, data),
                )
            )
        found.append(WarmPath(team_member_email=nodes[0][1], strength=strength, hops=hops))
        if len(found) >= limit:
            break
    return found


def warm_paths(
    snapshot: DealSnapshot,
    acquaintances: Acquaintances | None = None,
    *,
    target: str | None = None,
    params: AnalysisParams = DEFAULT_PARAMS,
    limit: int | None = None,
) -> list[WarmPath]:
    """The strongest paths from our team members to the top decision-maker.

    Parameters
    ----------
    snapshot : DealSnapshot
        The committee as of an instant (its interactions say whom the team met here).
    acquaintances : Acquaintances, optional
        People, lines and contacts around the deal on other deals of the workspace.
    target : str, optional
        The top decision-maker's id when the deal's analysis already named them;
        else found here from the committee's scores.
    params : AnalysisParams
        Hop strengths, ``warm_paths`` (3) and ``path_max_hops``.
    limit : int, optional
        How many paths (default ``params.warm_paths``).

    Returns
    -------
    list[WarmPath]
        Strongest first, each hop explained; empty for an empty committee or when no
        team member can reach the top decision-maker.

    Examples
    --------
    The rep met A, who influences the decision-maker B with strength 0.8:

    >>> from graphsvc.analysis._examples import committee, contact
    >>> snap = committee([("a", "Influencer"), ("b", "Decision Maker")],
    ...                  influences=[("a", "b", 0.8)], interactions=[contact(1, "a")])
    >>> [(p.strength, [h.kind for h in p.hops]) for p in warm_paths(snap)]
    [(0.4, ['met', 'influences'])]
    """
    if not snapshot.members:
        return []
    if target is None:
        found = top_dm_index(
            snapshot, score_members(snapshot, params=params), decimals=params.rank_decimals
        )
        if found is None:
            return []
        target = snapshot.members[found[0]].id
    names = dict((acquaintances or Acquaintances()).names)
    names.update({m.id: m.stakeholder.name for m in snapshot.members})
    graph = introduction_graph(snapshot, acquaintances, params=params)
    return paths_to(
        graph,
        target,
        names=names,
        limit=params.warm_paths if limit is None else limit,
        max_hops=params.path_max_hops,
    )
