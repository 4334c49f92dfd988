"""ExampleBuilder: the Bundle it writes and the history it folds say the same thing.

The builder claims that :meth:`ExampleBuilder.history` is what the store reads back
for the facts of :meth:`ExampleBuilder.bundle`; the round trip through the real store
(both backends) checks that claim at several instants, ends of seats and lines
included. The other tests pin down how one deal's history is cut out of a book.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from graphsvc.domain.models import Channel, Role, Stance
from graphsvc.examples import ExampleBuilder
from graphsvc.store.repository import GraphStore
from tests.visual.sample import sample_deal

START = datetime(2026, 3, 2, 9, tzinfo=UTC)
DAY = timedelta(days=1)


def two_deal_book() -> ExampleBuilder:
    """Two deals of one account sharing a person, with every kind of end."""
    book = ExampleBuilder(workspace="ws")
    book.account("acc", "Acme")
    first = book.deal("d1", name="Platform", owner_email="rep@example.com")
    second = book.deal("d2", name="Analytics", owner_email="rep@example.com")
    first.seat("cfo", Role.economic_decision_maker, at=START, rating=5, name="Cy Fo")
    first.seat("cio", Role.technical_buyer, at=START, stance=Stance.neutral)
    first.seat("champ", Role.champion, at=START + DAY, stance=Stance.champion, ally=True)
    first.seat("cio", Role.technical_buyer, at=START + 10 * DAY, stance=Stance.supporter)
    first.leaves("champ", at=START + 20 * DAY)
    second.seat("cfo", Role.decision_maker, at=START, rating=4)
    second.seat("ops", Role.evaluator, at=START)
    book.influences("champ", "cfo", 0.8, at=START + DAY)
    book.influences("cio", "cfo", 0.5, at=START)
    book.stops_influencing("cio", "cfo", at=START + 15 * DAY)
    book.influences("ops", "cfo", 0.6, at=START)
    book.reports_to("cio", "cfo", at=START)
    book.stops_reporting_to("cio", "cfo", at=START + 12 * DAY)
    book.team_member("rep@example.com", "Rita Rep")
    first.met("champ", "cio", at=START + 3 * DAY, team=["rep@example.com"], summary="Demo")
    first.met("cfo", at=START + 30 * DAY, channel=Channel.call, next_step_at=START + 40 * DAY)
    second.met("ops", at=START + 2 * DAY)
    return book


def test_a_deals_history_holds_its_own_people_lines_and_contacts() -> None:
    history = two_deal_book().history("d1", as_of=START + 25 * DAY)
    assert list(history.stakeholders) == ["cfo", "cio", "champ"]
    assert [(f.stakeholder_id, f.seq, f.active) for f in history.membership_facts] == [
        ("cfo", 0, True),
        ("cio", 1, True),
        ("champ", 2, True),
        ("cio", 3, True),
        ("champ", 4, False),
    ]
    # ops never sat on d1: the line ops -> cfo is not part of d1's history
    assert [(f.source_id, f.target_id, f.active) for f in history.influence_facts] == [
        ("champ", "cfo", True),
        ("cio", "cfo", True),
        ("cio", "cfo", False),
    ]
    assert [f.active for f in history.reporting_facts] == [True, False]
    # the call on day 30 is after as_of
    assert [i.summary for i in history.interactions] == ["Demo"]


def test_the_bundle_lists_every_fact_once_in_recording_order() -> None:
    bundle = two_deal_book().bundle()
    assert [s.id for s in bundle.stakeholders] == ["cfo", "cio", "champ", "ops"]
    assert [(m.deal_id, m.stakeholder_id) for m in bundle.memberships] == [
        ("d1", "cfo"),
        ("d1", "cio"),
        ("d1", "champ"),
        ("d1", "cio"),
        ("d2", "cfo"),
        ("d2", "ops"),
    ]
    assert [(e.deal_id, e.stakeholder_id) for e in bundle.membership_ends] == [("d1", "champ")]
    assert len(bundle.influences) == 3 and len(bundle.influence_ends) == 1
    assert len(bundle.reporting_lines) == 1 and len(bundle.reporting_ends) == 1
    assert [i.id for i in bundle.interactions] == ["d1-i0000", "d1-i0001", "d2-i0002"]


def test_the_store_reads_back_what_the_builder_folds(store: GraphStore, workspace: str) -> None:
    book = two_deal_book()
    sample = sample_deal(25, seed=5, end=START + 60 * DAY, deal_id="d3", workspace=workspace)
    store.import_bundle(workspace=workspace, bundle=book.bundle())
    store.import_bundle(workspace=workspace, bundle=sample.bundle)
    checked = 0
    for deal_id, first_day in (("d1", 0), ("d2", 0), ("d3", -90)):
        for day in range(first_day, 61, 4):
            as_of = START + day * DAY + timedelta(hours=5)
            stored = store.deal_history(workspace=workspace, deal_id=deal_id, as_of=as_of)
            if deal_id == "d3":
                built = sample.history.snapshot(stored.as_of)
            else:
                built = book.history(deal_id, as_of=as_of).snapshot()
            assert stored.snapshot().members == built.members, (deal_id, day)
            assert stored.snapshot().influences == built.influences, (deal_id, day)
            assert stored.snapshot().reporting == built.reporting, (deal_id, day)
            assert stored.snapshot().interactions == built.interactions, (deal_id, day)
            checked += 1
    assert checked > 30
