"""A demo portfolio written for the first run: three accounts, eight open deals.

Each deal tells one story a sales team knows (see :attr:`DealScenario.story`): a
healthy deal, one whose support base grows, one where it shrinks, one whose top
decision-maker was never contacted, one single-threaded, a stale one, one with an
influential blocker, one without a confirmed decision-maker. Committees hold 6 to 25
people with realistic titles, reporting lines and influence lines, and six months of
dated stance changes and interactions.

The people and the stories are data (:mod:`graphsvc.demo.cast`,
:mod:`graphsvc.demo.stories`); this module hangs them in time and writes the bundle.

Loading it twice must duplicate nothing, so every id is fixed and every instant is an
offset in days from :func:`demo_anchor` (the start of the current ISO week in UTC), not
from the current second: within one week, two loads write exactly the same facts. The
offsets are chosen against the analysis defaults (trend window 4 weeks, stale after 30
days, decision-maker contact older than 45 days): changes meant to move the trend sit
within the last 20 days before the anchor, which is inside the window whatever day of
the week "now" is.
"""

from __future__ import annotations

import random
import re
import unicodedata
from datetime import UTC, date, datetime, timedelta

from graphsvc.demo.cast import ACCOUNTS, TEAM
from graphsvc.demo.stories import DEAL_STORIES, DealScenario
from graphsvc.domain.models import Bundle, Channel, Interaction
from graphsvc.examples import ExampleBuilder

DEMO_WORKSPACE = "demo"
_HISTORY_DAYS = 182  # six months of history before the anchor


def demo_anchor(now: datetime | None = None) -> datetime:
    """Monday 00:00 UTC of the ISO week holding ``now``: the instant every fact hangs from.

    Examples
    --------
    >>> demo_anchor(datetime(2026, 11, 26, 15, 30, tzinfo=UTC)).isoformat()
    '2026-11-23T00:00:00+00:00'
    """
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    monday = moment.date() - timedelta(days=moment.weekday())
    return datetime(monday.year, monday.month, monday.day, tzinfo=UTC)


def demo_scenarios() -> tuple[DealScenario, ...]:
    """The eight deal stories, in the order the demo prints them."""
    return DEAL_STORIES


# --------------------------------------------------------------------------- building


def _email_for(name: str, domain: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    plain = re.sub(r"^Dr\.\s+", "", plain)
    parts = [re.sub(r"[^a-z]", "", p.lower()) for p in plain.split()]
    parts = [p for p in parts if p]
    return f"{parts[0]}.{parts[-1]}@{domain}"


_VERBS = {
    Channel.meeting: ("Workshop on", "On-site meeting about", "Review of"),
    Channel.call: ("Call about", "Follow-up call on", "Check-in call on"),
    Channel.email: ("Sent material on", "E-mail follow-up on", "Shared notes on"),
}


def _interactions(
    scenario: DealScenario, anchor: datetime, names: dict[str, str]
) -> list[Interaction]:
    # A string seed is hashed the same way in every process, unlike hash().
    rng = random.Random(f"graphsvc-demo:{scenario.deal.id}")
    planned: list[tuple[datetime, Channel, tuple[str, ...], str]] = []
    day = scenario.first_contact_day + rng.randint(1, 5)
    while day <= scenario.last_contact_day:
        size = min(len(scenario.reach), rng.choice((1, 1, 2, 2, 3)))
        people = tuple(sorted(rng.sample(scenario.reach, size)))
        channel = rng.choice((Channel.meeting, Channel.call, Channel.call, Channel.email))
        topic = rng.choice(scenario.topics)
        summary = f"{rng.choice(_VERBS[channel])} {topic} with " + ", ".join(
            names[p] for p in people
        )
        at = anchor + timedelta(days=day, hours=rng.choice((9, 10, 11, 14, 15, 16)))
        planned.append((at, channel, people, summary))
        day += max(2, scenario.cadence_days + rng.randint(-3, 3))
    for offset, channel, people, summary in scenario.meetings:
        planned.append((anchor + timedelta(days=offset, hours=13), channel, people, summary))
    planned.sort(key=lambda item: item[0])

    result: list[Interaction] = []
    for number, (at, channel, people, summary) in enumerate(planned, start=1):
        last = number == len(planned)
        next_step = (
            anchor + timedelta(days=scenario.next_step_day, hours=10)
            if last
            else at + timedelta(days=7)
        )
        team = list(scenario.team[:1])
        if channel == Channel.meeting:
            team = list(scenario.team)
        result.append(
            Interaction(
                id=f"{scenario.deal.id}-{number:03d}",
                deal_id=scenario.deal.id,
                at=at,
                channel=channel,
                stakeholder_ids=list(people),
                team_member_emails=team,
                summary=summary,
                next_step_at=next_step,
            )
        )
    return result


def demo_portfolio(now: datetime | None = None) -> Bundle:
    """The whole demo portfolio as one :class:`Bundle`, its instants hung from
    :func:`demo_anchor` of ``now``.

    Examples
    --------
    >>> bundle = demo_portfolio(datetime(2026, 11, 26, tzinfo=UTC))
    >>> len(bundle.accounts), len(bundle.deals)
    (3, 8)
    >>> bundle == demo_portfolio(datetime(2026, 11, 29, tzinfo=UTC))
    True
    """
    anchor = demo_anchor(now)
    book = ExampleBuilder(workspace=DEMO_WORKSPACE)
    names: dict[str, str] = {}
    start = anchor - timedelta(days=_HISTORY_DAYS)
    for spec in ACCOUNTS:
        book.account(spec.account.id, spec.account.name, tier=spec.account.tier)
        for sid, name, title, manager in spec.people:
            names[sid] = name
            book.person(
                sid,
                name,
                title=title,
                email=_email_for(name, spec.domain),
                account_id=spec.account.id,
            )
            if manager is not None:
                book.reports_to(sid, manager, at=start)
        for src, dst, strength in spec.influences:
            book.influences(src, dst, strength, at=start)
    for email, name in TEAM.items():
        book.team_member(email, name)

    for scenario in DEAL_STORIES:
        close = (anchor + timedelta(days=75)).date()
        deal = book.add_deal(
            scenario.deal.model_copy(update={"close_date": date(close.year, close.month, 1)})
        )
        for seat in scenario.seats:
            for day, stance, ally in seat.timeline:
                deal.seat(
                    seat.stakeholder_id,
                    seat.role,
                    at=anchor + timedelta(days=day),
                    stance=stance,
                    ally=ally,
                    rating=seat.rating,
                )
        for contact in _interactions(scenario, anchor, names):
            book.add_interaction(contact)
    return book.bundle()
