"""Influence ranking: who matters most on a buying committee, and why.

Each member gets three components, each 0..1:

* **authority**: ``s * role + (1 - s) * position`` with ``s = authority_role_share``
  (0.6). ``role`` is the role's formal authority (``AnalysisParams.role_authority``:
  Economic Decision Maker 1.0 ... Other 0.2). ``position`` is the member's place in the
  reporting lines among the committee: ``0.5 * below / (n - 1) + 0.5 / (1 + above)``,
  where ``below`` counts the members who report to them directly or indirectly and
  ``above`` those they report to directly or indirectly. The top of a chain that
  everyone reports into scores 1; someone outside every reporting line 0.5.
* **network**: weighted PageRank (damping ``pagerank_alpha`` = 0.85) on the
  *who-listens-to-whom* graph. An influence line "A sways B with strength s" becomes
  the edge **B -> A** with weight ``s``: B passes attention to A, so rank accumulates on
  the people others listen to. Dangling members (who listen to nobody) spread evenly,
  as in networkx. The value is divided by the committee's highest PageRank, so the
  most listened-to member has 1.
* **rating**: the team's own 1-5 influence rating mapped to ``(r - 1) / 4``; unrated
  members count as ``unrated_rating`` (0.5, the middle of the scale).

``score = 100 * (wa*authority + wn*network + wr*rating) / (wa + wn + wr)``.
Rank 1 is the highest score; ties (compared at ``rank_decimals``) go to the higher
authority, then to the smaller stakeholder id, so ranks are deterministic. Stance does
not enter the score: who matters does not depend on whether they like us.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np

from graphsvc.analysis._build import trusted_many
from graphsvc.analysis.coverage import member_coverage
from graphsvc.analysis.params import DEFAULT_PARAMS, AnalysisParams
from graphsvc.analysis.schemas import Coverage, RankedMember, ScoreComponents
from graphsvc.domain.models import from_ms
from graphsvc.domain.snapshot import DealSnapshot


@dataclass(frozen=True, slots=True)
class MemberScores:
    """Components and scores of a committee, aligned with ``snapshot.members``.

    ``order`` lists member indices from rank 1 down.
    """

    authority: np.ndarray
    network: np.ndarray
    rating: np.ndarray
    position: np.ndarray
    score: np.ndarray
    order: tuple[int, ...]

    @property
    def size(self) -> int:
        return len(self.score)

    def rank_of(self) -> np.ndarray:
        ranks = np.empty(self.size, dtype=np.int64)
        ranks[list(self.order)] = np.arange(1, self.size + 1)
        return ranks


def role_authority(
    snapshot: DealSnapshot, *, params: AnalysisParams = DEFAULT_PARAMS
) -> np.ndarray:
    """Formal authority of each member's role (0..1), in ``snapshot.members`` order.

    Examples
    --------
    >>> from graphsvc.analysis._examples import committee
    >>> role_authority(committee([("a", "Decision Maker"), ("b", "Other")])).tolist()
    [0.95, 0.2]
    """
    return np.array([params.role_value(m.role) for m in snapshot.members], dtype=float)


def reporting_position(snapshot: DealSnapshot) -> np.ndarray:
    """Position of each member in the committee's reporting lines, 0..1.

    ``0.5 * below / (n - 1) + 0.5 / (1 + above)``; see the module docstring.

    Examples
    --------
    A reports to B, B reports to C: C is on top of everyone.

    >>> from graphsvc.analysis._examples import committee
    >>> snap = committee([("a", "Other"), ("b", "Other"), ("c", "Other")],
    ...                  reporting=[("a", "b"), ("b", "c")])
    >>> [round(float(v), 4) for v in reporting_position(snap)]
    [0.1667, 0.5, 1.0]
    """
    n = len(snapshot.members)
    if n == 0:
        return np.zeros(0)
    graph = nx.DiGraph()
    graph.add_nodes_from(m.id for m in snapshot.members)
    # manager -> report: descendants are the people below someone.
    graph.add_edges_from((line.target_id, line.source_id) for line in snapshot.reporting)
    below = np.array([len(nx.descendants(graph, m.id)) for m in snapshot.members], dtype=float)
    above = np.array([len(nx.ancestors(graph, m.id)) for m in snapshot.members], dtype=float)
    return position_from_counts(below, above, n)


def position_from_counts(below: np.ndarray, above: np.ndarray, n: int | np.ndarray) -> np.ndarray:
    """The position formula on counts (shared by the per-deal and the fleet paths)."""
    span = np.maximum(np.asarray(n, dtype=float) - 1.0, 1.0)
    return 0.5 * below / span + 0.5 / (1.0 + above)


def network_influence(
    snapshot: DealSnapshot, *, params: AnalysisParams = DEFAULT_PARAMS
) -> np.ndarray:
    """Weighted PageRank on who-listens-to-whom, divided by its maximum (0..1).

    Examples
    --------
    A sways B and C: both listen to A, who gets the highest PageRank.

    >>> from graphsvc.analysis._examples import committee
    >>> snap = committee([("a", "Other"), ("b", "Other"), ("c", "Other")],
    ...                  influences=[("a", "b", 1.0), ("a", "c", 1.0)])
    >>> [round(float(v), 4) for v in network_influence(snap)]
    [1.0, 0.3704, 0.3704]

    By hand (alpha = 0.85, A dangling): ``b = 0.85 a / 3 + 0.05`` and
    ``a = 0.85 (2 b + a / 3) + 0.05`` give ``a = 0.5745``, ``b = 0.2128``, ``b / a = 0.3704``.
    """
    n = len(snapshot.members)
    if n == 0:
        return np.zeros(0)
    pagerank = listening_pagerank(snapshot, params=params)
    values = np.array([pagerank[m.id] for m in snapshot.members], dtype=float)
    return values / values.max()


def listening_pagerank(
    snapshot: DealSnapshot, *, params: AnalysisParams = DEFAULT_PARAMS
) -> dict[str, float]:
    """Raw networkx PageRank of each member on the listener -> influencer graph."""
    graph = nx.DiGraph()
    graph.add_nodes_from(m.id for m in snapshot.members)
    graph.add_weighted_edges_from(
        (line.target_id, line.source_id, line.strength) for line in snapshot.influences
    )
    result: dict[str, float] = nx.pagerank(
        graph,
        alpha=params.pagerank_alpha,
        weight="weight",
        tol=params.pagerank_tol,
        max_iter=params.pagerank_max_iter,
    )
    return result


def rating_component(
    snapshot: DealSnapshot, *, params: AnalysisParams = DEFAULT_PARAMS
) -> np.ndarray:
    """The team's 1-5 rating as ``(r - 1) / 4``; unrated members get ``unrated_rating``.

    Examples
    --------
    >>> from graphsvc.analysis._examples import committee
    >>> rating_component(committee([("a", "Other", 5), ("b", "Other", None)])).tolist()
    [1.0, 0.5]
    """
    return np.array(
        [
            params.unrated_rating if m.influence_rating is None else (m.influence_rating - 1) / 4
            for m in snapshot.members
        ],
        dtype=float,
    )


def combine(
    *,
    role: np.ndarray,
    position: np.ndarray,
    network: np.ndarray,
    rating: np.ndarray,
    ids: Sequence[str],
    params: AnalysisParams = DEFAULT_PARAMS,
) -> MemberScores:
    """Turn component arrays into scores and a rank order (shared by both paths)."""
    share = params.authority_role_share
    authority = share * role + (1.0 - share) * position
    score = (
        100.0
        * (
            params.weight_authority * authority
            + params.weight_network * network
            + params.weight_rating * rating
        )
        / params.weight_total
    )
    score = np.clip(score, 0.0, 100.0)
    keyed = np.round(score, params.rank_decimals)
    auth_keyed = np.round(authority, params.rank_decimals)
    order = tuple(sorted(range(len(ids)), key=lambda i: (-keyed[i], -auth_keyed[i], ids[i])))
    return MemberScores(
        authority=authority,
        network=network,
        rating=rating,
        position=position,
        score=score,
        order=order,
    )


def same_scores(a: DealSnapshot, b: DealSnapshot) -> bool:
    """Whether two committees must get the same scores: scores depend on who sits there,
    their roles and ratings, and the lines, never on stance, ally or self-weight.

    Examples
    --------
    >>> from graphsvc.analysis._examples import committee
    >>> before = committee([("a", "Other", 3, "blocker")])
    >>> same_scores(before, committee([("a", "Other", 3, "champion")]))
    True
    """
    if len(a.members) != len(b.members) or a.influences != b.influences:
        return False
    if a.reporting != b.reporting:
        return False
    for x, y in zip(a.members, b.members, strict=True):
        if x is not y and (
            x.stakeholder.id != y.stakeholder.id
            or x.role != y.role
            or x.influence_rating != y.influence_rating
        ):
            return False
    return True


def score_members(
    snapshot: DealSnapshot, *, params: AnalysisParams = DEFAULT_PARAMS
) -> MemberScores:
    """Components, scores and rank order of every member (per-deal path, networkx).

    Examples
    --------
    >>> from graphsvc.analysis._examples import committee
    >>> scores = score_members(committee([("a", "Decision Maker", 5), ("b", "Other", 1)]))
    >>> scores.order
    (0, 1)
    >>> [round(float(s), 2) for s in scores.score]
    [90.8, 47.8]

    By hand: a has authority ``0.6 * 0.95 + 0.4 * 0.5 = 0.77``, network 1 (no lines:
    equal PageRank), rating 1, so ``100 * (0.4 * 0.77 + 0.35 + 0.25) = 90.8``.
    """
    ids = [m.id for m in snapshot.members]
    return combine(
        role=role_authority(snapshot, params=params),
        position=reporting_position(snapshot),
        network=network_influence(snapshot, params=params),
        rating=rating_component(snapshot, params=params),
        ids=ids,
        params=params,
    )


def ranked_members(
    snapshot: DealSnapshot,
    scores: MemberScores,
    *,
    coverage: dict | None = None,
    limit: int | None = None,
) -> list[RankedMember]:
    """Build the result rows, rank 1 first (the first ``limit`` only, when given).
    ``coverage`` maps id -> (Coverage, count, last_ms)."""
    members = snapshot.members
    order = scores.order if limit is None else scores.order[:limit]
    authority = scores.authority.tolist()
    network = scores.network.tolist()
    rating = scores.rating.tolist()
    components = trusted_many(
        ScoreComponents,
        [{"authority": authority[i], "network": network[i], "rating": rating[i]} for i in order],
    )
    score = scores.score.tolist()
    none = (Coverage.none, 0, None)
    cover = coverage or {}
    values: list[dict] = []
    for rank, i in enumerate(order, start=1):
        member = members[i]
        info = member.stakeholder
        level, count, last = cover.get(info.id, none)
        values.append(
            {
                "stakeholder_id": info.id,
                "name": info.name,
                "title": info.title,
                "role": member.role,
                "stance": member.stance,
                "ally": member.ally,
                "rank": rank,
                "score": score[i],
                "components": components[rank - 1],
                "coverage": level,
                "interaction_count": count,
                "last_contact_at": None if last is None else from_ms(last),
            }
        )
    rows = trusted_many(RankedMember, values)
    return rows


def rank_members(
    snapshot: DealSnapshot, *, params: AnalysisParams = DEFAULT_PARAMS
) -> list[RankedMember]:
    """Rank every committee member by influence score (rank 1 = most influential).

    Parameters
    ----------
    snapshot : DealSnapshot
        The committee as of some instant.
    params : AnalysisParams
        Weights and role table.

    Returns
    -------
    list[RankedMember]
        One row per member with its score (0-100) and components; empty for an empty
        committee.

    Examples
    --------
    >>> from graphsvc.analysis._examples import committee
    >>> rows = rank_members(committee([("a", "Other"), ("b", "Decision Maker")]))
    >>> [(r.stakeholder_id, r.rank) for r in rows]
    [('b', 1), ('a', 2)]
    """
    if not snapshot.members:
        return []
    scores = score_members(snapshot, params=params)
    return ranked_members(snapshot, scores, coverage=member_coverage(snapshot, params=params))
