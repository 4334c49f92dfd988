"""Every threshold and weight of the analysis, in one frozen value.

The pure functions take an :class:`AnalysisParams` (defaults when omitted); the service
builds one from the typed settings with :meth:`AnalysisParams.from_settings`, so the
same numbers drive the API, the deal map, the CLI and the e-mails.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from graphsvc.config import Settings
from graphsvc.domain.models import Role

# Formal authority of each role on a buying committee, 0..1. Ordered by how much a role
# decides the outcome (the brief's "decision power"): the people who sign and own the
# budget first, then sponsors and technical gatekeepers, then users.
DEFAULT_ROLE_AUTHORITY: tuple[tuple[Role, float], ...] = (
    (Role.economic_decision_maker, 1.00),
    (Role.decision_maker, 0.95),
    (Role.economic_buyer, 0.90),
    (Role.executive_sponsor, 0.80),
    (Role.technical_buyer, 0.60),
    (Role.champion, 0.50),
    (Role.influencer, 0.50),
    (Role.evaluator, 0.40),
    (Role.gatekeeper, 0.35),
    (Role.business_user, 0.30),
    (Role.other, 0.20),
)

# Tokens of ``required_roles`` that are not plain role names.
REQUIRED_DECISION_MAKER = "decision_maker"
REQUIRED_ALLY_OR_CHAMPION = "ally_or_champion"


@dataclass(frozen=True, slots=True)
class AnalysisParams:
    """Weights and thresholds of the influence analysis.

    Ranking: ``score = 100 * (wa*authority + wn*network + wr*rating) / (wa + wn + wr)``,
    each component in 0..1 (see :mod:`graphsvc.analysis.ranking`).

    Examples
    --------
    >>> AnalysisParams().trend_weeks
    4
    >>> AnalysisParams(stale_days=14).stale_days
    14
    """

    # --- ranking ------------------------------------------------------------------
    weight_authority: float = 0.40
    weight_network: float = 0.35
    weight_rating: float = 0.25
    role_authority: tuple[tuple[Role, float], ...] = DEFAULT_ROLE_AUTHORITY
    # Share of the authority component that comes from the role (the rest comes from
    # the member's position in the reporting lines).
    authority_role_share: float = 0.6
    pagerank_alpha: float = 0.85
    # Per-node L1 tolerance of the power iteration; tight, so the per-deal (networkx)
    # and fleet (scipy) paths agree far inside 1e-9 on the 0-100 scale.
    pagerank_tol: float = 1e-15
    pagerank_max_iter: int = 2000
    # An unrated member counts as the middle of the 1-5 scale (3 -> 0.5).
    unrated_rating: float = 0.5
    # Scores are compared at this many decimals when ranking, so that float noise of
    # ~1e-13 between the two computation paths cannot reorder exact ties.
    rank_decimals: int = 9

    # --- decision-maker contact ------------------------------------------------------
    dm_recent_days: int = 45

    # --- support -------------------------------------------------------------------
    trend_weeks: int = 4
    trend_threshold: float = 0.05
    shrinking_high_threshold: float = 0.15
    required_roles: tuple[str, ...] = (
        REQUIRED_DECISION_MAKER,
        REQUIRED_ALLY_OR_CHAMPION,
        Role.executive_sponsor.value,
    )
    movers: int = 3
    # Coverage of a member from the interactions that involved them on this deal:
    # none = 0; brief = 1; multiple = at least ``coverage_multiple_min``; in_depth = at
    # least ``coverage_in_depth_min`` of which at least ``coverage_in_depth_meetings``
    # were meetings (face time, not just mail).
    coverage_multiple_min: int = 2
    coverage_in_depth_min: int = 4
    coverage_in_depth_meetings: int = 2

    # --- flags ---------------------------------------------------------------------
    stale_days: int = 30
    key_people: int = 3
    single_threaded_min_members: int = 3

    # --- forecast / next best contact ------------------------------------------------
    default_self_weight: float = 0.5
    # Ranking of next best contacts: support gain (share units) plus this many share
    # units per point of the top decision-maker's predicted stance.
    next_best_dm_weight: float = 0.25

    # --- warm paths ----------------------------------------------------------------
    warm_paths: int = 3
    path_max_hops: int = 5
    path_reports_to_strength: float = 0.7
    path_manages_strength: float = 0.8
    # Going against an influence line (asking someone who listens to X to talk to X)
    # is weaker than going with it.
    path_influenced_by_factor: float = 0.5
    # A team member who met a stakeholder k times knows them with strength 1 - 0.5**k.
    path_met_base: float = 0.5

    _role_map: dict[Role, float] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_role_map", dict(self.role_authority))
        if min(self.weight_authority, self.weight_network, self.weight_rating) < 0:
            raise ValueError("ranking weights must be >= 0")
        if self.weight_total <= 0:
            raise ValueError("at least one ranking weight must be > 0")
        if not 0 < self.pagerank_alpha < 1:
            raise ValueError("pagerank_alpha must be in (0, 1)")

    @property
    def weight_total(self) -> float:
        return self.weight_authority + self.weight_network + self.weight_rating

    def role_value(self, role: Role) -> float:
        """Formal authority of a role, 0..1 (0 for a role missing from the table)."""
        return self._role_map.get(role, 0.0)

    def with_changes(self, **changes: Any) -> AnalysisParams:
        return replace(self, **changes)

    @classmethod
    def from_settings(cls, settings: Settings) -> AnalysisParams:
        """The parameters the typed settings configure (the rest keep their defaults)."""
        return cls(
            weight_authority=settings.weight_authority,
            weight_network=settings.weight_network,
            weight_rating=settings.weight_rating,
            default_self_weight=settings.default_self_weight,
            dm_recent_days=settings.dm_recent_days,
            stale_days=settings.stale_days,
            trend_weeks=settings.trend_weeks,
            trend_threshold=settings.trend_threshold,
            shrinking_high_threshold=settings.shrinking_high_threshold,
            required_roles=tuple(settings.required_roles),
        )


DEFAULT_PARAMS = AnalysisParams()
