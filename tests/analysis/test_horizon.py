"""The horizon of an answer "as of now" (graphsvc/analysis/horizon.py): before it, the
analysis as of any later instant is the same answer apart from its as_of. Checked
against the engine itself on random histories with contacts and next steps."""

from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from graphsvc.analysis._examples import T0
from graphsvc.analysis.engine import analyze, support_histories
from graphsvc.analysis.horizon import (
    NEVER,
    analysis_unchanged_until,
    committee_unchanged_until,
    history_until,
)
from graphsvc.analysis.support import DAY_MS
from graphsvc.domain.snapshot import DealHistory, InteractionRecord
from tests.analysis.strategies import histories

HOUR_MS = 3_600_000
T0_MS = T0  # epoch ms


@st.composite
def with_contacts(draw) -> DealHistory:
    """A random history plus contacts (some with next steps), dated at any hour."""
    history = draw(histories())
    people = sorted(history.stakeholders)
    contacts = []
    for i in range(draw(st.integers(0, 6)) if people else 0):
        at = T0_MS + draw(st.integers(0, 140 * 24)) * HOUR_MS
        step = draw(st.one_of(st.none(), st.integers(1, 40 * 24)))
        contacts.append(
            InteractionRecord(
                id=f"i{i}",
                at=at,
                channel=draw(st.sampled_from(["meeting", "call", "email"])),
                stakeholder_ids=tuple(
                    draw(st.lists(st.sampled_from(people), min_size=1, max_size=3, unique=True))
                ),
                team_member_emails=("rep@us.example",),
                next_step_at=None if step is None else at + step * HOUR_MS,
            )
        )
    contacts.sort(key=lambda c: c.at)
    # Every fact, future ones included, as the service reads them for the horizon.
    return dataclasses.replace(history, interactions=tuple(contacts), as_of=NEVER)


def _without_instant(history: DealHistory, at: int) -> dict:
    """The analysis as of ``at`` as the store reads the deal then, apart from ``as_of``."""
    return analyze([history_until(history, at)])[0].model_dump(exclude={"as_of"})


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(with_contacts(), st.integers(0, 150 * 24), st.integers(0, 10_000))
def test_the_answer_holds_until_its_horizon(history, hours, share) -> None:
    at = T0_MS + hours * HOUR_MS + 1234
    assume(history.first_fact_at() is not None and history.interactions)
    until = analysis_unchanged_until(history, at)
    assert until > at
    # Any instant before the horizon (up to 60 days on) gives the same answer.
    last = min(until - 1, at + 60 * DAY_MS)
    later = at + (last - at) * share // 10_000
    assert _without_instant(history, later) == _without_instant(history, at)
    assert _without_instant(history, last) == _without_instant(history, at)
    assert committee_unchanged_until(history, at) >= until


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(with_contacts(), st.integers(0, 150 * 24), st.integers(0, 10_000))
def test_watching_only_the_top_decision_maker_still_holds_with_the_chart(
    history, hours, share
) -> None:
    """The kept results' horizon: only the top decision-maker's contact day counts are
    watched (facts alone decide who it is), and the 12 weekly chart points count."""
    at = T0_MS + hours * HOUR_MS + 1234
    assume(history.first_fact_at() is not None and history.interactions)
    top = analyze([history_until(history, at)])[0].top_decision_maker
    watched = () if top is None else (top.stakeholder_id,)
    until = analysis_unchanged_until(history, at, chart_points=12, watched=watched)
    assert until > at
    assert until <= analysis_unchanged_until(history, at, watched=watched)
    last = min(until - 1, at + 60 * DAY_MS)
    later = at + (last - at) * share // 10_000

    def chart(instant: int) -> list[float]:
        seen = history_until(history, instant)
        return [p.share for p in support_histories([seen], max_points=12)[0]]

    for instant in (later, last):
        assert _without_instant(history, instant) == _without_instant(history, at)
        assert chart(instant) == chart(at)
