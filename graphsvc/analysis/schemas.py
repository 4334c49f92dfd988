"""Result types of the analysis (pydantic, so the API serialises them as they are).

These shapes are the contract between analysis, API, deal map and e-mails: add
fields freely, do not rename or remove them.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from graphsvc.domain.models import Role, Stance


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True)


class _Person(_Result):
    """Every row about one committee member starts with who it is."""

    stakeholder_id: str
    name: str


class DealResult(_Result):
    """Every per-deal answer starts with the deal and the instant it answers for."""

    deal_id: str
    as_of: datetime


class _SupportLevels(_Result):
    """The support base of a committee at one instant (weights: influence shares)."""

    share: float = Field(ge=0, le=1)
    opposition: float = Field(ge=0, le=1)
    allies: int
    completeness: float = Field(default=0.0, ge=0, le=1)


class Severity(StrEnum):
    high = "high"
    medium = "medium"
    low = "low"

    @property
    def weight(self) -> int:
        return {"high": 3, "medium": 2, "low": 1}[self.value]


class FlagCode(StrEnum):
    DM_NEVER_CONTACTED = "DM_NEVER_CONTACTED"
    DM_NOT_RECENTLY_CONTACTED = "DM_NOT_RECENTLY_CONTACTED"
    DM_UNCONFIRMED = "DM_UNCONFIRMED"
    SUPPORT_SHRINKING = "SUPPORT_SHRINKING"
    NO_ALLY = "NO_ALLY"
    INFLUENTIAL_BLOCKER = "INFLUENTIAL_BLOCKER"
    NO_PATH_TO_DM = "NO_PATH_TO_DM"
    SINGLE_THREADED = "SINGLE_THREADED"
    STALE = "STALE"
    NO_NEXT_STEP = "NO_NEXT_STEP"
    KEY_PERSON_STANCE_UNKNOWN = "KEY_PERSON_STANCE_UNKNOWN"
    MAP_INCOMPLETE = "MAP_INCOMPLETE"


class Coverage(StrEnum):
    """How well our team has covered a member (thresholds in analysis/coverage docs)."""

    none = "none"
    brief = "brief"
    multiple = "multiple"
    in_depth = "in_depth"


class Interval(StrEnum):
    """Step between two points of a support history, counted back from its end."""

    day = "day"
    week = "week"
    month = "month"


class Trend(StrEnum):
    growing = "growing"
    shrinking = "shrinking"
    stable = "stable"


class ScoreComponents(_Result):
    """Each component is 0..1; ``score = 100 * sum(weight_k * component_k) / sum(weights)``."""

    authority: float
    network: float
    rating: float


class RankedMember(_Person):
    title: str | None = None
    role: Role
    stance: Stance
    ally: bool
    rank: int
    score: float = Field(ge=0, le=100)
    components: ScoreComponents
    coverage: Coverage = Coverage.none
    interaction_count: int = 0
    last_contact_at: datetime | None = None


class TopDecisionMaker(_Person):
    confirmed: bool
    contacted: bool
    last_contact_at: datetime | None = None


class TrendMover(_Person):
    delta: float  # change of this member's contribution to the share, in share units


class SupportSummary(_SupportLevels):
    neutral: float = Field(ge=0, le=1)
    missing_roles: list[str] = Field(default_factory=list)
    trend: Trend = Trend.stable
    trend_delta: float = 0.0  # share now minus share ``trend_weeks`` ago
    trend_weeks: int = 4
    movers: list[TrendMover] = Field(default_factory=list)


class Flag(_Result):
    code: FlagCode
    severity: Severity
    message: str
    stakeholder_ids: list[str] = Field(default_factory=list)


class SupportPoint(_SupportLevels):
    at: datetime


class DealRisk(DealResult):
    """What the fleet scan gives for each deal: who decides, the support base and its
    trend, the risk flags, and the ``key_people`` highest-ranked members (the ones the
    flags speak about). :class:`DealAnalysis` adds the whole ranking."""

    deal_name: str
    owner_email: str
    status: str
    amount: float | None = None
    top_decision_maker: TopDecisionMaker | None
    support: SupportSummary
    flags: list[Flag]
    key_people: list[RankedMember] = Field(default_factory=list)

    @property
    def worst_severity(self) -> Severity | None:
        return max((f.severity for f in self.flags), key=lambda s: s.weight, default=None)


class DealAnalysis(DealRisk):
    """One deal's full analysis: :class:`DealRisk` plus every member ranked."""

    ranking: list[RankedMember]


class ForecastMember(_Person):
    initial: float
    predicted: float


class Forecast(DealResult):
    stakeholders: list[ForecastMember]
    current_support: float
    predicted_support: float


class NextBestContact(_Person):
    rank: int
    support_gain: float
    dm_stance_gain: float
    reason: str
    approach_via: list[str] = Field(default_factory=list)


class PathHop(_Result):
    from_id: str
    from_name: str
    to_id: str
    to_name: str
    kind: str  # met | influences | influenced_by | reports_to | manages
    deal_id: str | None = None
    explanation: str


class WarmPath(_Result):
    team_member_email: str
    strength: float
    hops: list[PathHop]


class SupportHistory(_Result):
    """A deal's support base at regular instants, oldest first."""

    deal_id: str
    interval: Interval
    points: list[SupportPoint]


class NextBestContacts(DealResult):
    items: list[NextBestContact]


class WarmPaths(DealResult):
    """The strongest warm paths to the deal's top decision-maker (``None`` only for an
    empty committee); ``paths`` is empty when nobody on our team can reach them."""

    top_decision_maker_id: str | None = None
    paths: list[WarmPath]


class DealAdvice(DealResult):
    """The advice beside a deal's analysis, from one read of its facts: the forecast,
    every next best contact and the warm paths, with the committee's names (the deal
    page names the people to approach through). Kept in the store like the full
    analysis (:mod:`graphsvc.analysis.kept_advice`)."""

    forecast: Forecast
    next_best_contacts: NextBestContacts
    warm_paths: WarmPaths
    names: dict[str, str]

    def at(self, instant: datetime) -> DealAdvice:
        """The same advice answering for ``instant`` (a kept one, while it holds)."""
        return self.model_copy(
            update={
                "as_of": instant,
                "forecast": self.forecast.model_copy(update={"as_of": instant}),
                "next_best_contacts": self.next_best_contacts.model_copy(update={"as_of": instant}),
                "warm_paths": self.warm_paths.model_copy(update={"as_of": instant}),
            }
        )
