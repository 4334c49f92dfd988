"""Next best contact: whom to win over next, and how.

For each member who is not yet a supporter (stance below +1, unknown included), we set
their initial stance to +1 and rerun the Friedkin-Johnsen forecast
(:mod:`graphsvc.analysis.forecast`). Because the equilibrium is linear in ``x0``
(``x* = M x0``) this is one column of ``M`` per candidate, not a new solve:

* ``support_gain``: predicted support level after minus before (share units);
* ``dm_stance_gain``: the top decision-maker's predicted stance after minus before.

Candidates are ranked by ``support_gain + next_best_dm_weight * dm_stance_gain``
(ties: better influence rank first).

**Blocker rule.** An opposed member (stance -1 or -2) whom a *reachable* friend can
influence (an ally or supporter who is an ally or has been contacted on this deal, and
who has an influence line to them or is their manager) is never the first
recommendation when there is any other candidate, and their reason says to go through
that friend first (``approach_via``).
"""

from __future__ import annotations

import numpy as np

from graphsvc.analysis._build import checked
from graphsvc.analysis.decision import top_dm_index
from graphsvc.analysis.forecast import (
    friedkin_johnsen_operator,
    influence_matrix,
    initial_stances,
)
from graphsvc.analysis.params import DEFAULT_PARAMS, AnalysisParams
from graphsvc.analysis.ranking import MemberScores, score_members
from graphsvc.analysis.schemas import NextBestContact
from graphsvc.analysis.support import influence_weights
from graphsvc.domain.snapshot import DealSnapshot


def _reachable_friends(snapshot: DealSnapshot, target_id: str) -> list[tuple[str, float, str]]:
    """(friend id, strength, how) for reachable allies/supporters who can sway ``target_id``."""
    contacted = {sid for record in snapshot.interactions for sid in record.stakeholder_ids}
    friends = {
        m.id: m
        for m in snapshot.members
        if (m.ally or m.stance.numeric >= 1) and (m.ally or m.id in contacted)
    }
    found: dict[str, tuple[float, str]] = {}
    for line in snapshot.influences:
        if line.target_id == target_id and line.source_id in friends:
            found[line.source_id] = (line.strength, "influences")
    for line in snapshot.reporting:
        if line.source_id == target_id and line.target_id in friends:
            held = found.get(line.target_id)
            if held is None or held[0] < 1.0:
                found[line.target_id] = (1.0, "manages")
    return sorted(((sid, s, how) for sid, (s, how) in found.items()), key=lambda t: (-t[1], t[0]))


def _stance_word(value: int, known: bool) -> str:
    if not known:
        return "stance unknown"
    return {2: "champion", 1: "supporter", 0: "neutral", -1: "skeptic", -2: "blocker"}[value]


def rank_next_best(
    snapshot: DealSnapshot,
    scores: MemberScores,
    operator: np.ndarray,
    *,
    baseline: np.ndarray | None = None,
    params: AnalysisParams = DEFAULT_PARAMS,
    limit: int | None = None,
) -> list[NextBestContact]:
    """Next best contacts from a scored snapshot and its Friedkin-Johnsen operator ``M``.

    ``baseline`` is the equilibrium ``M x0`` when already known (then only the
    candidates' columns of ``operator`` are read)."""
    members = snapshot.members
    if not members:
        return []
    names = {m.id: m.stakeholder.name for m in members}
    x0 = initial_stances(snapshot)
    weights = influence_weights(scores.score)
    if baseline is None:
        baseline = operator @ x0
    base_level = float(np.dot(weights, np.clip(baseline, 0.0, 1.0)))
    found = top_dm_index(snapshot, scores, decimals=params.rank_decimals)
    dm_index = found[0] if found is not None else None
    ranks = scores.rank_of()
    candidates = [i for i, m in enumerate(members) if m.stance.numeric < 1]
    if not candidates:
        return []
    cand = np.array(candidates)
    # Predicted stances with candidate j won over: one column of M per candidate.
    moved = baseline[:, None] + operator[:, cand] * (1.0 - x0[cand])[None, :]
    gains = weights @ np.clip(moved, 0.0, 1.0) - base_level
    if dm_index is not None:
        dm_gains = moved[dm_index, :] - baseline[dm_index]
    else:
        dm_gains = np.zeros(len(candidates))
    influenced: dict[str, list[str]] = {}
    for line in sorted(snapshot.influences, key=lambda line: (-line.strength, line.target_id)):
        influenced.setdefault(line.source_id, []).append(line.target_id)

    rows: list[tuple[tuple, dict]] = []
    for k, i in enumerate(candidates):
        member = members[i]
        value = float(gains[k]) + params.next_best_dm_weight * float(dm_gains[k])
        via = _reachable_friends(snapshot, member.id) if member.stance.numeric <= -1 else []
        stance = _stance_word(member.stance.numeric, member.stance.value_or_none is not None)
        if via:
            via_names = ", ".join(names[sid] for sid, _, _ in via)
            hows = {how for _, _, how in via}
            relation = (
                "influence"
                if hows == {"influences"}
                else "manage"
                if hows == {"manages"}
                else "influence or manage"
            )
            reason = (
                f"Do not open with {member.stakeholder.name} ({member.role.value}, {stance}): "
                f"go through {via_names} first, who {relation} them and are on our side. "
                f"Winning them over would raise predicted support by {gains[k] * 100:.1f} points."
            )
        else:
            parts = [
                f"Winning {member.stakeholder.name} ({member.role.value}, {stance})"
                f" over to supporter "
                f"would raise predicted support by {gains[k] * 100:.1f} points"
            ]
            if dm_index is not None and dm_index != i and abs(dm_gains[k]) > 1e-9:
                parts.append(
                    f" and the top decision-maker's predicted stance by {dm_gains[k]:+.2f}"
                )
            reason = "".join(parts) + "."
            if dm_index == i:
                reason += " They are the top decision-maker."
            targets = influenced.get(member.id, [])
            if targets:
                reason += " They influence " + ", ".join(names.get(t, t) for t in targets[:3]) + "."
            if not any(member.id in r.stakeholder_ids for r in snapshot.interactions):
                reason += " Not contacted on this deal yet."
        rows.append(
            (
                (-round(value, 12), int(ranks[i])),
                {
                    "stakeholder_id": member.id,
                    "name": member.stakeholder.name,
                    "support_gain": float(gains[k]),
                    "dm_stance_gain": float(dm_gains[k]),
                    "reason": reason,
                    "approach_via": [sid for sid, _, _ in via],
                },
            )
        )
    rows.sort(key=lambda row: row[0])
    if rows[0][1]["approach_via"]:
        first_open = next((j for j, row in enumerate(rows) if not row[1]["approach_via"]), None)
        if first_open is not None:
            rows.insert(0, rows.pop(first_open))
    if limit is not None:
        rows = rows[:limit]
    return [
        checked(NextBestContact, dict(rank=r, **fields))
        for r, (_, fields) in enumerate(rows, start=1)
    ]


def next_best_contacts(
    snapshot: DealSnapshot,
    *,
    params: AnalysisParams = DEFAULT_PARAMS,
    limit: int | None = None,
) -> list[NextBestContact]:
    """Members not yet supporting us, ranked by what winning them over would gain.

    Parameters
    ----------
    snapshot : DealSnapshot
        The committee as of an instant.
    params : AnalysisParams
        Self-weight, ranking weights and ``next_best_dm_weight``.
    limit : int, optional
        Keep only the first ``limit``.

    Returns
    -------
    list[NextBestContact]
        Best first; empty when the committee is empty or everyone already supports us.

    Examples
    --------
    B influences the decision-maker C; winning B over moves C too, so B comes first.

    >>> from graphsvc.analysis._examples import committee
    >>> snap = committee([("a", "Other", 3, "neutral"), ("b", "Influencer", 3, "neutral"),
    ...                   ("c", "Decision Maker", 3, "neutral")],
    ...                  influences=[("b", "c", 1.0)])
    >>> [c.stakeholder_id for c in next_best_contacts(snap)]
    ['b', 'c', 'a']
    """
    if not snapshot.members:
        return []
    scores = score_members(snapshot, params=params)
    operator = friedkin_johnsen_operator(influence_matrix(snapshot, params=params))
    return rank_next_best(snapshot, scores, operator, params=params, limit=limit)
