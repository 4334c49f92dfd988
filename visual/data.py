"""What the deal map draws, as plain data: a rendering library's own small vocabulary.

``visual`` imports nothing from the application: whoever calls it (``graphsvc.maps``)
describes each frame of the map with these frozen dataclasses (people, lines, contacts,
the support base, the top decision-maker, flags), and :mod:`visual.render` turns them
into the page. Instants are epoch milliseconds (UTC); stances and role families are the
names below, which pick a node's colour and shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

StanceName = Literal["champion", "supporter", "neutral", "skeptic", "blocker", "unknown"]
RoleFamily = Literal["decision", "influence", "user", "gatekeeper", "other"]

#: The five-step stance scale from most for us to most against, then unknown.
STANCES: tuple[StanceName, ...] = (
    "champion",
    "supporter",
    "neutral",
    "skeptic",
    "blocker",
    "unknown",
)


@dataclass(frozen=True, slots=True)
class Components:
    """The three parts of an influence score, each 0..1."""

    authority: float
    network: float
    rating: float


@dataclass(frozen=True, slots=True)
class Person:
    """A committee member as the map shows them.

    ``rank`` is ``None`` for someone the analysis did not rank; then ``score`` is 0 and
    the tooltip's last contact comes from the frame's contacts.
    """

    id: str
    name: str
    role: str  # shown as it is
    family: RoleFamily  # node shape
    stance: StanceName  # node colour
    ally: bool = False
    title: str | None = None
    since_ms: int | None = None
    rank: int | None = None
    score: float = 0.0
    components: Components | None = None
    coverage: str = "none"
    interaction_count: int = 0
    last_contact_ms: int | None = None


@dataclass(frozen=True, slots=True)
class Link:
    """An influence line (source sways target) or a reporting line (source reports to
    target)."""

    source_id: str
    target_id: str
    strength: float = 1.0
    since_ms: int | None = None


@dataclass(frozen=True, slots=True)
class Contact:
    """One interaction of our team with committee members."""

    id: str
    at_ms: int
    channel: str
    stakeholder_ids: tuple[str, ...]
    team_member_emails: tuple[str, ...]
    summary: str | None = None


@dataclass(frozen=True, slots=True)
class DealCard:
    id: str
    name: str
    owner: str
    status: str
    stage: str | None = None
    amount: float | None = None
    currency: str | None = None
    close_date: str | None = None  # YYYY-MM-DD


@dataclass(frozen=True, slots=True)
class Mover:
    """A member whose own part of the support share moved (``delta`` in share units)."""

    name: str
    delta: float


@dataclass(frozen=True, slots=True)
class Support:
    share: float
    opposition: float
    neutral: float
    allies: int
    completeness: float
    missing_roles: tuple[str, ...] = ()
    trend: str = "stable"
    trend_delta: float = 0.0
    trend_weeks: int = 4
    movers: tuple[Mover, ...] = ()


@dataclass(frozen=True, slots=True)
class DecisionMaker:
    id: str
    name: str
    confirmed: bool
    contacted: bool
    last_contact_ms: int | None = None


@dataclass(frozen=True, slots=True)
class RiskFlag:
    """A risk flag: its code, severity (high, medium, low), message and the people it
    names."""

    code: str
    severity: str
    message: str
    stakeholder_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MapFrame:
    """The committee and what the analysis says of it, as of one instant."""

    as_of_ms: int
    deal: DealCard
    members: tuple[Person, ...]
    support: Support
    influences: tuple[Link, ...] = ()
    reporting: tuple[Link, ...] = ()
    contacts: tuple[Contact, ...] = ()
    top_decision_maker: DecisionMaker | None = None
    flags: tuple[RiskFlag, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class ChartPoint:
    """The support base at one instant, for the page's small chart."""

    at_ms: int
    share: float
    opposition: float
    allies: int
    completeness: float = 0.0
