"""A small hand-built portfolio with known risks, for the end-to-end alert tests.

Week ``WEEK`` (2026-W40, Monday 2026-09-28 07:00 UTC is its slot). Every owner has one
deal at risk (the top decision-maker was never contacted: ``DM_NEVER_CONTACTED``, high)
and one healthy deal (every medium/high check passes, so it stays out of the e-mail).
``owner00`` also has a hostile-named deal and a bigger deal with a high flag of
another kind; the never-contacted one must still come first.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from graphsvc.alerts.schemas import IsoWeek
from graphsvc.domain.models import Bundle, Channel, DealStatus, Role, Stance
from graphsvc.examples import ExampleBuilder

WEEK = IsoWeek(2026, 40)
SLOT = datetime(2026, 9, 28, 7, tzinfo=UTC)
HOSTILE_DEAL = '<script>alert("pwn")</script> Acme & Sons\r\nBcc: victim@example.com'
HOSTILE_PERSON = "<img src=x onerror=alert(1)>"


def owner(i: int) -> str:
    return f"owner{i:02d}@example.com"


def _committee(
    book: ExampleBuilder,
    deal_id: str,
    *,
    dm_name: str = "Dana Decider",
    dm_contacted: bool,
    blocker: bool = False,
    at: datetime,
) -> None:
    people = [
        (f"{deal_id}-dm", dm_name, Role.economic_buyer, Stance.neutral, False, 5),
        (f"{deal_id}-champ", "Chris Champion", Role.champion, Stance.champion, True, 4),
        (f"{deal_id}-eval", "Eve Evaluator", Role.evaluator, Stance.supporter, False, 2),
        (f"{deal_id}-spons", "Sam Sponsor", Role.executive_sponsor, Stance.supporter, False, 3),
    ]
    if blocker:
        people.append((f"{deal_id}-block", "Bo Blocker", Role.influencer, Stance.blocker, False, 5))
    for sid, name, role, stance, ally, rating in people:
        book.seat(
            deal_id,
            sid,
            role,
            at=at - timedelta(days=90),
            stance=stance,
            ally=ally,
            rating=rating,
            name=name,
        )
    book.influences(f"{deal_id}-champ", f"{deal_id}-dm", 0.8, at=at - timedelta(days=90))
    contacted = [f"{deal_id}-champ", f"{deal_id}-eval", f"{deal_id}-spons"]
    if dm_contacted:
        contacted.append(f"{deal_id}-dm")
    for k, sid in enumerate(contacted):
        book.met(
            deal_id,
            sid,
            at=at - timedelta(days=3 + k),
            channel=Channel.meeting,
            next_step_at=at + timedelta(days=10),
            interaction_id=f"{deal_id}-i{k}",
        )


def portfolio(owners: int = 10, *, opted_out: int | None = None) -> Bundle:
    """``owners`` owners (plus ``opted_out``, an extra owner index, when given)."""
    book = ExampleBuilder()
    book.account("acc", "Acme")
    indexes = list(range(owners)) + ([opted_out] if opted_out is not None else [])
    for i in indexes:
        risky, healthy = f"risky-{i:02d}", f"healthy-{i:02d}"
        book.deal(risky, name=f"Risky deal {i}", owner_email=owner(i), amount=1000.0 * (i + 1))
        book.deal(healthy, name=f"Healthy deal {i}", owner_email=owner(i), amount=5000.0)
        _committee(book, risky, dm_contacted=False, at=SLOT)
        _committee(book, healthy, dm_contacted=True, at=SLOT)
    # owner00: a hostile name on a never-contacted deal, a bigger deal with an influential
    # blocker (high too, DM contacted), and a won deal (never alerted).
    book.deal("hostile", name=HOSTILE_DEAL, owner_email=owner(0), amount=5000.0)
    book.deal("blocked", name="Blocked big deal", owner_email=owner(0), amount=9_000_000.0)
    book.deal("won", name="Won deal", owner_email=owner(0), amount=1.0, status=DealStatus.won)
    _committee(book, "hostile", dm_name=HOSTILE_PERSON, dm_contacted=False, at=SLOT)
    _committee(book, "blocked", dm_contacted=True, blocker=True, at=SLOT)
    _committee(book, "won", dm_contacted=False, at=SLOT)
    return book.bundle()


def contact_dm(deal_id: str, at: datetime) -> Bundle:
    """The top decision-maker of ``deal_id`` met (clears DM_NEVER_CONTACTED)."""
    book = ExampleBuilder()
    book.met(
        deal_id,
        f"{deal_id}-dm",
        at=at,
        channel=Channel.meeting,
        next_step_at=at + timedelta(days=14),
        interaction_id=f"{deal_id}-dm-met",
    )
    return book.bundle()


def add_blocker(deal_id: str, at: datetime) -> Bundle:
    """An influential blocker joins ``deal_id`` (raises INFLUENTIAL_BLOCKER)."""
    book = ExampleBuilder()
    book.seat(
        deal_id,
        f"{deal_id}-newblock",
        Role.influencer,
        at=at,
        stance=Stance.blocker,
        rating=5,
        name="Nora Newblocker",
    )
    return book.bundle()


def risky_deal(deal_id: str, owner_email: str) -> Bundle:
    """One deal at risk (never-contacted decision-maker) for ``owner_email``."""
    book = ExampleBuilder()
    book.deal(deal_id, owner_email=owner_email, amount=100.0)
    _committee(book, deal_id, dm_contacted=False, at=SLOT)
    return book.bundle()
