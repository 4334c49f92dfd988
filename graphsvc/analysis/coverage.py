"""Coverage: how well our team has reached each committee member.

From the interactions on this deal that involved a member up to the instant: ``none``
(0), ``brief`` (1), ``multiple`` (>= 2), ``in_depth`` (>= 4, of which >= 2 meetings);
thresholds in :class:`~graphsvc.analysis.params.AnalysisParams`.
"""

from __future__ import annotations

from collections.abc import Iterable

from graphsvc.analysis.params import DEFAULT_PARAMS, AnalysisParams
from graphsvc.analysis.schemas import Coverage
from graphsvc.domain.snapshot import DealSnapshot


def coverage_level(
    count: int, meetings: int, *, params: AnalysisParams = DEFAULT_PARAMS
) -> Coverage:
    """Coverage from a member's interaction count and how many were meetings.

    Examples
    --------
    >>> [coverage_level(c, m).value for c, m in [(0, 0), (1, 1), (3, 0), (4, 2)]]
    ['none', 'brief', 'multiple', 'in_depth']
    """
    if count <= 0:
        return Coverage.none
    if count >= params.coverage_in_depth_min and meetings >= params.coverage_in_depth_meetings:
        return Coverage.in_depth
    if count >= params.coverage_multiple_min:
        return Coverage.multiple
    return Coverage.brief


_NOT_COVERED: tuple[Coverage, int, int | None] = (Coverage.none, 0, None)


def member_coverage(
    snapshot: DealSnapshot,
    *,
    params: AnalysisParams = DEFAULT_PARAMS,
    only: Iterable[str] | None = None,
) -> dict[str, tuple[Coverage, int, int | None]]:
    """``id -> (coverage, interaction count, last contact ms)`` for every member (or for
    the members in ``only``).

    Examples
    --------
    >>> from graphsvc.analysis._examples import committee, contact
    >>> snap = committee([("a", "Other"), ("b", "Other")], interactions=[contact(1, "a")])
    >>> {k: (v[0].value, v[1]) for k, v in member_coverage(snap).items()}
    {'a': ('brief', 1), 'b': ('none', 0)}
    """
    result: dict[str, tuple[Coverage, int, int | None]] = dict.fromkeys(
        [m.stakeholder.id for m in snapshot.members] if only is None else only, _NOT_COVERED
    )
    counts: dict[str, list[int]] = {}
    for record in snapshot.interactions:
        meeting = record.channel == "meeting"
        for sid in record.stakeholder_ids:
            held = counts.get(sid)
            if held is None:
                if sid not in result:
                    continue  # not (or no longer) on the committee
                held = counts[sid] = [0, 0, record.at]
            held[0] += 1
            held[1] += meeting
            if record.at > held[2]:
                held[2] = record.at
    for sid, (count, meetings, last) in counts.items():
        result[sid] = (coverage_level(count, meetings, params=params), count, last)
    return result
