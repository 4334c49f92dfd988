"""Risk flags of an open deal as of an instant.

=========================== ======== ====================================================
code                        severity fires when
=========================== ======== ====================================================
DM_NEVER_CONTACTED          high     the top decision-maker has no interaction on this
                                     deal up to the instant
DM_NOT_RECENTLY_CONTACTED   medium   their last contact is older than ``dm_recent_days``
DM_UNCONFIRMED              medium   no member holds a decision-making role
SUPPORT_SHRINKING           high /   the trend is shrinking; high when the share fell by
                            medium   ``shrinking_high_threshold`` (15 points) or more
NO_ALLY                     medium   no member is an ally
INFLUENTIAL_BLOCKER         high     a member with stance -1 or -2 among the
                                     ``key_people`` (3) highest scores
NO_PATH_TO_DM               medium   no ally and no supporter (+1/+2) reaches the top
                                     decision-maker along influence lines (source to
                                     target) or reporting lines (either way); the top
                                     decision-maker being one of them counts as reached
SINGLE_THREADED             medium   >= 3 members and every interaction so far involved
                                     the same single stakeholder (and nobody else)
STALE                       medium   no interaction in the last ``stale_days`` (30)
NO_NEXT_STEP                low      the latest interaction sets no next step, or it is
                                     before the instant (or there is no interaction)
KEY_PERSON_STANCE_UNKNOWN   low      one of the ``key_people`` highest scores has an
                                     unknown stance
MAP_INCOMPLETE              low      map completeness below 100%
=========================== ======== ====================================================

Closed (won / lost) deals get no flags. Flags are listed by severity, then in the order
of this table.
"""

from __future__ import annotations

from collections import deque

from graphsvc.analysis._build import checked
from graphsvc.analysis.params import DEFAULT_PARAMS, AnalysisParams
from graphsvc.analysis.ranking import MemberScores
from graphsvc.analysis.schemas import Flag, FlagCode, Severity, SupportSummary, Trend
from graphsvc.domain.models import DealStatus, Stance
from graphsvc.domain.snapshot import DealSnapshot

DAY_MS = 86_400_000
_CODE_ORDER = {code: i for i, code in enumerate(FlagCode)}
_STANCE_NUMBER = {stance: stance.numeric for stance in Stance}


def _friend_ids(snapshot: DealSnapshot) -> set[str]:
    return {m.stakeholder.id for m in snapshot.members if m.ally or _STANCE_NUMBER[m.stance] >= 1}


def _walk_back(snapshot: DealSnapshot, target_id: str, stop_at: set[str] | None = None) -> set[str]:
    """Everyone who reaches ``target_id`` along influence lines (source to target) or
    reporting lines (either way); stops early once it meets anyone in ``stop_at``."""
    incoming: dict[str, list[str]] = {}
    for line in snapshot.influences:
        incoming.setdefault(line.target_id, []).append(line.source_id)
    for line in snapshot.reporting:
        incoming.setdefault(line.target_id, []).append(line.source_id)
        incoming.setdefault(line.source_id, []).append(line.target_id)
    seen = {target_id}
    queue = deque([target_id])
    while queue:
        for prev in incoming.get(queue.popleft(), ()):
            if prev not in seen:
                seen.add(prev)
                if stop_at is not None and prev in stop_at:
                    return seen
                queue.append(prev)
    return seen


def friends_reaching(snapshot: DealSnapshot, target_id: str) -> list[str]:
    """Allies and supporters who can reach ``target_id`` through influence or reporting lines.

    Examples
    --------
    >>> from graphsvc.analysis._examples import committee
    >>> snap = committee([("a", "Other", 3, "supporter"), ("b", "Other"), ("c", "Decision Maker")],
    ...                  influences=[("a", "b", 1.0), ("b", "c", 0.5)])
    >>> friends_reaching(snap, "c")
    ['a']
    """
    friends = _friend_ids(snapshot)
    return sorted((_walk_back(snapshot, target_id) - {target_id}) & friends)


def has_path_from_a_friend(snapshot: DealSnapshot, target_id: str) -> bool:
    """Whether any ally or supporter (other than the target) reaches ``target_id``."""
    friends = _friend_ids(snapshot) - {target_id}
    return bool(friends) and bool(_walk_back(snapshot, target_id, friends) & friends)


def _flag(code: FlagCode, severity: Severity, message: str, ids: list[str] | None = None) -> Flag:
    return checked(
        Flag, dict(code=code, severity=severity, message=message, stakeholder_ids=ids or [])
    )


def risk_flags(
    snapshot: DealSnapshot,
    *,
    scores: MemberScores,
    support: SupportSummary,
    top_dm: tuple[int, bool] | None,
    friend_reaches_dm: bool | None = None,
    params: AnalysisParams = DEFAULT_PARAMS,
) -> list[Flag]:
    """Every risk flag that holds for the deal as of the snapshot.

    Parameters
    ----------
    snapshot : DealSnapshot
        The committee and interactions as of the instant.
    scores : MemberScores
        Its scores (:func:`graphsvc.analysis.ranking.score_members`).
    support : SupportSummary
        Its support base and trend.
    top_dm : (int, bool) or None
        Index and confirmation of the top decision-maker
        (:func:`graphsvc.analysis.decision.top_dm_index`).
    friend_reaches_dm : bool, optional
        Whether an ally or supporter reaches the top decision-maker, when already known
        (the fleet computes it for all deals at once); else computed here.
    params : AnalysisParams
        Thresholds.

    Returns
    -------
    list[Flag]
        Highest severity first; empty for a closed deal.

    Examples
    --------
    >>> from graphsvc.analysis._examples import committee
    >>> from graphsvc.analysis.engine import analyze_snapshots
    >>> snap = committee([("a", "Decision Maker", 3, "supporter", True)])
    >>> [f.code.value for f in analyze_snapshots([snap])[0].flags]  # doctest: +NORMALIZE_WHITESPACE
    ['DM_NEVER_CONTACTED', 'STALE', 'NO_NEXT_STEP', 'MAP_INCOMPLETE']
    """
    if snapshot.deal.status != DealStatus.open:
        return []
    members = snapshot.members
    as_of = snapshot.as_of
    flags: list[Flag] = []

    if top_dm is not None:
        index, confirmed = top_dm
        dm = members[index]
        dm_id = dm.id
        last = max(
            [record.at for record in snapshot.interactions if dm_id in record.stakeholder_ids],
            default=None,
        )
        if last is None:
            flags.append(
                _flag(
                    FlagCode.DM_NEVER_CONTACTED,
                    Severity.high,
                    f"The top decision-maker, {dm.stakeholder.name}, has never been contacted"
                    " on this deal.",
                    [dm.id],
                )
            )
        elif as_of - last > params.dm_recent_days * DAY_MS:
            days = (as_of - last) // DAY_MS
            flags.append(
                _flag(
                    FlagCode.DM_NOT_RECENTLY_CONTACTED,
                    Severity.medium,
                    f"Last contact with the top decision-maker, {dm.stakeholder.name},"
                    f" was {days} days ago"
                    f" (more than {params.dm_recent_days}).",
                    [dm.id],
                )
            )
        if not confirmed:
            flags.append(
                _flag(
                    FlagCode.DM_UNCONFIRMED,
                    Severity.medium,
                    "No committee member holds a decision-making role; "
                    f"{dm.stakeholder.name} is assumed to decide as the most senior"
                    " in the reporting lines.",
                    [dm.id],
                )
            )
        if friend_reaches_dm is None and not (dm.ally or dm.stance.numeric >= 1):
            friend_reaches_dm = has_path_from_a_friend(snapshot, dm.id)
        if not (dm.ally or dm.stance.numeric >= 1) and not friend_reaches_dm:
            flags.append(
                _flag(
                    FlagCode.NO_PATH_TO_DM,
                    Severity.medium,
                    "No ally or supporter has an influence or reporting path to"
                    f" {dm.stakeholder.name}.",
                    [dm.id],
                )
            )
    else:
        flags.append(
            _flag(
                FlagCode.DM_UNCONFIRMED,
                Severity.medium,
                "The committee is empty: no decision-maker is known.",
            )
        )

    if support.trend == Trend.shrinking:
        fell = -support.trend_delta
        severity = (
            Severity.high if fell >= params.shrinking_high_threshold - 1e-12 else Severity.medium
        )
        flags.append(
            _flag(
                FlagCode.SUPPORT_SHRINKING,
                severity,
                f"Support fell by {fell * 100:.1f} points over {support.trend_weeks} weeks"
                f" (now {support.share * 100:.0f}%).",
                [m.stakeholder_id for m in support.movers if m.delta < 0],
            )
        )

    if not any(m.ally for m in members):
        flags.append(
            _flag(FlagCode.NO_ALLY, Severity.medium, "Nobody on the committee is an ally.")
        )

    key = [members[i] for i in scores.order[: params.key_people]]
    blockers = [m for m in key if m.stance.numeric <= -1]
    if blockers:
        names = ", ".join(m.stakeholder.name for m in blockers)
        flags.append(
            _flag(
                FlagCode.INFLUENTIAL_BLOCKER,
                Severity.high,
                f"Opposed and among the {params.key_people} most influential: {names}.",
                [m.id for m in blockers],
            )
        )

    interactions = snapshot.interactions
    first = interactions[0].stakeholder_ids if interactions else ()
    if (
        len(members) >= params.single_threaded_min_members
        and len(first) == 1
        and all(record.stakeholder_ids == first for record in interactions)
    ):
        (only,) = first
        name = next((m.stakeholder.name for m in members if m.id == only), only)
        flags.append(
            _flag(
                FlagCode.SINGLE_THREADED,
                Severity.medium,
                f"Every interaction so far involved only {name}, on a committee of {len(members)}.",
                [only],
            )
        )

    latest = None
    if interactions:
        newest = max([record.at for record in interactions])
        latest = max((r for r in interactions if r.at == newest), key=lambda r: r.id)
    if latest is None or as_of - latest.at > params.stale_days * DAY_MS:
        message = (
            "No interaction has been recorded on this deal."
            if latest is None
            else f"No interaction in the last {(as_of - latest.at) // DAY_MS} days"
            f" (more than {params.stale_days})."
        )
        flags.append(_flag(FlagCode.STALE, Severity.medium, message))
    if latest is None or latest.next_step_at is None or latest.next_step_at < as_of:
        message = (
            "No interaction, so no next step is planned."
            if latest is None
            else "The latest interaction sets no next step."
            if latest.next_step_at is None
            else "The next step set by the latest interaction is in the past."
        )
        flags.append(_flag(FlagCode.NO_NEXT_STEP, Severity.low, message))

    unknown = [m for m in key if m.stance == Stance.unknown]
    if unknown:
        flags.append(
            _flag(
                FlagCode.KEY_PERSON_STANCE_UNKNOWN,
                Severity.low,
                "Stance unknown for a key person: "
                + ", ".join(m.stakeholder.name for m in unknown)
                + ".",
                [m.id for m in unknown],
            )
        )

    if support.completeness < 1.0 - 1e-12:
        flags.append(
            _flag(
                FlagCode.MAP_INCOMPLETE,
                Severity.low,
                f"The map is {support.completeness * 100:.0f}% complete; missing: "
                + ", ".join(support.missing_roles)
                + ".",
            )
        )

    flags.sort(key=lambda f: (-f.severity.weight, _CODE_ORDER[f.code]))
    return flags
