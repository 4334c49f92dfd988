"""Hypothesis strategies: random committees and histories."""

from __future__ import annotations

from hypothesis import strategies as st

from graphsvc.analysis._examples import committee, history_from_events
from graphsvc.domain.models import Role, Stance

ROLES = [r.value for r in Role]
STANCES = [s.value for s in Stance]


@st.composite
def committees(draw, *, min_size: int = 0, max_size: int = 9):
    n = draw(st.integers(min_size, max_size))
    ids = [f"s{i:02d}" for i in range(n)]
    members = [
        (
            sid,
            draw(st.sampled_from(ROLES)),
            draw(st.one_of(st.none(), st.integers(1, 5))),
            draw(st.sampled_from(STANCES)),
            draw(st.booleans()),
            draw(st.one_of(st.none(), st.floats(0.05, 1.0))),
        )
        for sid in ids
    ]
    pairs = [(a, b) for a in ids for b in ids if a != b]
    influences = (
        draw(st.lists(st.sampled_from(pairs), unique=True, max_size=2 * n)) if pairs else []
    )
    strengths = [draw(st.floats(0.01, 1.0)) for _ in influences]
    reporting = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=n)) if pairs else []
    return committee(
        members,
        influences=[(a, b, w) for (a, b), w in zip(influences, strengths)],
        reporting=reporting,
    )


@st.composite
def histories(draw, *, max_people: int = 7):
    people = [f"p{i}" for i in range(draw(st.integers(0, max_people)))]
    events = []
    for _ in range(draw(st.integers(0, 4 * max(1, len(people))))):
        if not people:
            break
        sid = draw(st.sampled_from(people))
        day = draw(st.integers(0, 120))
        if draw(st.integers(0, 5)) == 0:
            events.append((day, sid, {}))
        else:
            events.append(
                (
                    day,
                    sid,
                    {
                        "role": draw(st.sampled_from(ROLES)),
                        "stance": draw(st.sampled_from(STANCES)),
                        "ally": draw(st.booleans()),
                        "rating": draw(st.one_of(st.none(), st.integers(1, 5))),
                    },
                )
            )
    pairs = [(a, b) for a in people for b in people if a != b]
    lines = []
    reports = []
    if pairs:
        for _ in range(draw(st.integers(0, 10))):
            a, b = draw(st.sampled_from(pairs))
            lines.append(
                (
                    draw(st.integers(0, 120)),
                    a,
                    b,
                    draw(st.floats(0.05, 1.0)),
                    draw(st.integers(0, 4)) > 0,
                )
            )
        for _ in range(draw(st.integers(0, 5))):
            a, b = draw(st.sampled_from(pairs))
            reports.append((draw(st.integers(0, 120)), a, b, draw(st.integers(0, 4)) > 0))
    return history_from_events(
        events, influences=lines, reporting=reports, as_of_day=draw(st.integers(60, 130))
    )
