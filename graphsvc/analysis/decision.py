"""The top decision-maker of a deal, and whether our team ever reached them.

The top decision-maker is the member holding Decision Maker, Economic Decision Maker or
Economic Buyer with the best rank (confirmed). When nobody holds such a role, it is the
member highest in the reporting lines (largest reporting position, see
:mod:`graphsvc.analysis.ranking`; ties go to the better rank), marked unconfirmed.
"""

from __future__ import annotations

from typing import Literal

from graphsvc.analysis._build import checked
from graphsvc.analysis.params import DEFAULT_PARAMS, AnalysisParams
from graphsvc.analysis.ranking import MemberScores, score_members
from graphsvc.analysis.schemas import TopDecisionMaker
from graphsvc.domain.models import DECISION_ROLES, from_ms
from graphsvc.domain.snapshot import DealSnapshot


def top_dm_index(
    snapshot: DealSnapshot, scores: MemberScores, *, decimals: int = 9
) -> tuple[int, bool] | None:
    """Index (in ``snapshot.members``) of the top decision-maker and whether confirmed."""
    members = snapshot.members
    if not members:
        return None
    for i in scores.order:
        if members[i].role in DECISION_ROLES:
            return i, True
    ranks = scores.rank_of()
    best = min(
        range(len(members)),
        key=lambda i: (-round(float(scores.position[i]), decimals), int(ranks[i])),
    )
    return best, False


def last_contact(snapshot: DealSnapshot, stakeholder_id: str) -> int | None:
    """Epoch ms of the latest interaction (up to the snapshot) involving the stakeholder."""
    last: int | None = None
    for record in snapshot.interactions:
        if stakeholder_id in record.stakeholder_ids and (last is None or record.at > last):
            last = record.at
    return last


def describe_top_dm(
    snapshot: DealSnapshot,
    scores: MemberScores,
    found: tuple[int, bool] | Literal[False] | None = False,
) -> TopDecisionMaker | None:
    """The :class:`TopDecisionMaker` row for a scored snapshot (``None`` if empty);
    ``found``: :func:`top_dm_index`'s answer when already known."""
    if found is False:
        found = top_dm_index(snapshot, scores)
    if found is None:
        return None
    index, confirmed = found
    member = snapshot.members[index]
    last = last_contact(snapshot, member.id)
    return checked(
        TopDecisionMaker,
        dict(
            stakeholder_id=member.id,
            name=member.stakeholder.name,
            confirmed=confirmed,
            contacted=last is not None,
            last_contact_at=None if last is None else from_ms(last),
        ),
    )


def top_decision_maker(
    snapshot: DealSnapshot, *, params: AnalysisParams = DEFAULT_PARAMS
) -> TopDecisionMaker | None:
    """The top decision-maker as of the snapshot, with their contact status.

    Parameters
    ----------
    snapshot : DealSnapshot
        The committee as of an instant; interactions after it are not in it, so a
        contact after the instant does not count.
    params : AnalysisParams
        Ranking weights.

    Returns
    -------
    TopDecisionMaker or None
        ``None`` for an empty committee.

    Examples
    --------
    >>> from graphsvc.analysis._examples import committee, contact
    >>> snap = committee([("a", "Influencer"), ("b", "Economic Buyer")],
    ...                  interactions=[contact(3, "a")])
    >>> dm = top_decision_maker(snap)
    >>> (dm.stakeholder_id, dm.confirmed, dm.contacted)
    ('b', True, False)
    """
    if not snapshot.members:
        return None
    return describe_top_dm(snapshot, score_members(snapshot, params=params))
