"""The cold scan's read (GraphStore.fleet_fact_chunks): a chunk of deals as arrays,
folded a whole chunk at a time (graphsvc/domain/chunk.py), gives the per-fact read's
committees at every instant, on both stores; FalkorDB's own version of the query
(queries/deal_history_compact.falkordb.cypher, replies joined by the server) decodes to
exactly what the shared query gives."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import product

from graphsvc import queries
from graphsvc.analysis import engine
from graphsvc.analysis._chunk_horizon import chunk_support_changes, chunk_unchanged_until
from graphsvc.analysis._chunked import same_scores as chunk_same_scores
from graphsvc.analysis._chunked import weekly_shares
from graphsvc.analysis.folding import chunk_trend_pairs, trend_snapshots
from graphsvc.analysis.horizon import (
    NEVER,
    analysis_unchanged_until,
    committee_unchanged_until,
    support_changes,
)
from graphsvc.analysis.params import DEFAULT_PARAMS
from graphsvc.analysis.ranking import same_scores
from graphsvc.domain.chunk import FactChunk
from graphsvc.domain.models import from_ms, to_ms
from graphsvc.domain.snapshot import DealHistory
from graphsvc.store import compact
from graphsvc.store.codecs import membership_state
from graphsvc.store.repository import GraphStore
from tests.store.test_compact_read import DAY, NOW, _per_fact, _seed

DAY_MS = 86_400_000


def test_chunks_fold_the_per_fact_committees_at_every_instant(
    store: GraphStore, workspace: str
) -> None:
    workspace = _seed(store)
    at = to_ms(NOW)
    histories = {h.deal.id: h for h in _per_fact(store, workspace, NOW)}
    # Small chunks, so the read-ahead threads hand over several of them in order.
    chunks = list(store.fleet_fact_chunks(workspace=workspace, as_of=NOW, batch_size=7))
    assert [d.id for c in chunks for d in c.deals] == list(histories)
    assert len(chunks) > 1
    for chunk in chunks:
        old = [histories[d.id] for d in chunk.deals]
        assert chunk.first_fact_at() == [h.first_fact_at() for h in old]
        # One instant for the whole chunk, and one per deal (each deal's first fact,
        # and a ms before it: nobody on the committee yet).
        firsts = [h.first_fact_at() or at for h in old]
        for instants in (
            [at] * len(old),
            [at - 7 * DAY_MS] * len(old),
            [at - 50 * DAY_MS] * len(old),
            firsts,
            [first - 1 for first in firsts],
            [at + DAY_MS] * len(old),  # later than the read: the read's instant
        ):
            expected = [h.snapshot(t) for h, t in zip(old, instants, strict=True)]
            assert chunk.snapshots(instants) == expected
        now, then = chunk_trend_pairs(chunk)
        pairs = [trend_snapshots(h) for h in old]
        assert now == [p[0] for p in pairs]
        assert then == [p[1] for p in pairs]
        # A fact folds into one object, whatever the fold: the trend's two committees
        # share the members and lines that did not change.
        for a, b in zip(now, then, strict=True):
            same = {id(m) for m in a.members} & {id(m) for m in b.members}
            assert len(same) == len([m for m in b.members if m in a.members])


def test_chunks_of_an_earlier_instant_and_of_given_deals(store: GraphStore, workspace: str) -> None:
    workspace = _seed(store)
    earlier = NOW - 45 * DAY
    ids = list({h.deal.id: h for h in _per_fact(store, workspace, earlier)})
    wanted = [ids[3], "no-such-deal", ids[0], ids[3], "deal-empty"]
    chunks = list(
        store.fleet_fact_chunks(workspace=workspace, as_of=earlier, deal_ids=wanted, batch_size=2)
    )
    got = [s for c in chunks for s in c.snapshots([to_ms(earlier)] * len(c))]
    old = store.deal_histories(workspace=workspace, deal_ids=wanted, as_of=earlier)
    assert [s.deal.id for s in got] == [ids[3], ids[0], "deal-empty"]
    assert got == [h.snapshot() for h in old]


def test_falkordb_own_compact_query_decodes_to_the_shared_one(
    store: GraphStore, workspace: str
) -> None:
    """Both query files run on FalkorDB (the shared one is plain Cypher), so FalkorDB's
    joined replies are checked against the lists of the shared query, fact for fact;
    Neo4j runs the shared file."""
    shared = queries.load(compact.QUERY)
    own = queries.load(compact.QUERY, store.runner.backend)
    if store.runner.backend != "falkordb":
        assert own == shared
        return
    assert own != shared and "string.join" in own
    workspace = _seed(store)
    ids = [h.deal.id for h in _per_fact(store, workspace, NOW)]
    params = compact.compact_params(workspace, ids)
    for as_of in (to_ms(NOW), to_ms(NOW - 45 * DAY), to_ms(NOW + 9 * DAY)):
        replies = [
            compact.decode_chunk(
                store.runner.execute(text, params, read_only=True), workspace, ids, as_of
            )
            for text in (shared, own)
        ]
        assert replies[0].histories() == replies[1].histories()
        assert sum(len(i) for i in replies[1].interactions) > 0
        assert len(replies[1].line_at) > 0 and len(replies[1].member_at) > 0


def test_engine_analyses_a_chunk_as_its_histories(store: GraphStore, workspace: str) -> None:
    """The engine reads a chunk's lines as arrays and decides from arrays which
    committees keep their scores (graphsvc/analysis/_chunked.py): exactly the results
    of the same deals' histories, now and earlier, risks and full analyses."""
    workspace = _seed(store)
    at = to_ms(NOW)
    chunks = list(store.fleet_fact_chunks(workspace=workspace, as_of=NOW, batch_size=9))
    assert sum(len(chunk) for chunk in chunks) > 20
    for chunk in chunks:
        histories = chunk.histories()
        for as_of in (None, at - 20 * DAY_MS, at - 200 * DAY_MS):
            risks = engine.analyze(chunk, as_of=as_of, ranking=False)
            assert risks == engine.analyze(histories, as_of=as_of, ranking=False)
        assert engine.analyze(chunk) == engine.analyze(histories)
    assert any(r.flags for chunk in chunks for r in engine.analyze(chunk, ranking=False))


def test_chunk_same_scores_is_ranking_same_scores(store: GraphStore, workspace: str) -> None:
    workspace = _seed(store)
    at = to_ms(NOW)
    seen: set[bool] = set()
    for chunk in store.fleet_fact_chunks(workspace=workspace, as_of=NOW, batch_size=9):
        count = len(chunk)
        for earlier in (1, 10, 30, 90):
            pair = ([at] * count, [at - earlier * DAY_MS] * count)
            expected = [
                same_scores(a, b)
                for a, b in zip(chunk.snapshots(pair[0]), chunk.snapshots(pair[1]), strict=True)
            ]
            folds = chunk.fold(pair[0]), chunk.fold(pair[1])
            assert chunk_same_scores(chunk, *folds) == expected
            seen.update(expected)
    assert seen == {True, False}


def test_next_fact_after_an_instant_is_the_histories(store: GraphStore, workspace: str) -> None:
    """A chunk of every fact (future-dated ones included) says when each deal's facts
    next change, as its history does (the first term of a kept result's due time)."""
    workspace = _seed(store)
    at = to_ms(NOW)
    ids = [h.deal.id for h in _per_fact(store, workspace, NOW)]
    pairs = list(store.fleet_fact_chunk_pairs(workspace=workspace, deal_ids=ids, at=NOW))
    assert [d.id for everything, _ in pairs for d in everything.deals] == ids
    for everything, cut in pairs:
        assert [d.id for d in cut.deals] == [d.id for d in everything.deals]
        histories = [h.history() for h in everything.histories()]
        for moment in (at - 60 * DAY_MS, at - DAY_MS, at, at + 5 * DAY_MS):
            assert everything.next_fact_after(moment) == [
                committee_unchanged_until(h, moment) for h in histories
            ]
        # The chunk as of the instant holds what a read as of it holds.
        assert [h.history() for h in cut.histories()] == [
            h.history()
            for c in store.fleet_histories_compact(
                workspace=workspace, deal_ids=[d.id for d in cut.deals], as_of=NOW
            )
            for h in c
        ]


def _chunks_across_time(store: GraphStore) -> Iterator[tuple[FactChunk, list[DealHistory]]]:
    """The seeded portfolio's chunks of 7 deals as of three instants across its life
    (deals younger than the weekly chart, quiet ones, one with nobody on it), each with
    its deals' histories."""
    workspace = _seed(store)
    at = to_ms(NOW)
    for moment in (at, at - 30 * DAY_MS, at - 200 * DAY_MS):
        for chunk in store.fleet_fact_chunks(
            workspace=workspace, as_of=from_ms(moment), batch_size=7
        ):
            yield chunk, [h.history() for h in chunk.histories()]


def test_weekly_shares_of_a_chunk_are_support_histories(store: GraphStore, workspace: str) -> None:
    """The kept sparkline folded a chunk at a time (graphsvc/analysis/_chunked.py): the
    shares support_histories gives each deal's history, at several instants."""
    for chunk, histories in _chunks_across_time(store):
        expected = engine.support_histories(histories, max_points=12)
        assert weekly_shares(chunk, points=12, params=DEFAULT_PARAMS) == [
            tuple(p.share for p in points) for points in expected
        ]


def test_membership_states_are_parsed_once_for_every_read() -> None:
    """A membership state is parsed once and shared by every read (the codec's cache),
    whatever chunk it comes in, and parses to its values."""
    states = [f'[true,"Influencer","supporter",false,2,0.{k}]' for k in range(1, 6)]
    first = [membership_state(state) for state in states[:2]]
    assert membership_state(states[0]) is first[0]  # parsed once
    parsed = [membership_state(state) for state in states[1:]]
    assert [state[5] for state in parsed] == [0.2, 0.3, 0.4, 0.5]
    assert parsed[0] is first[1]


def test_due_times_of_a_chunk_are_those_of_its_histories(store: GraphStore, workspace: str) -> None:
    """The kept results' due times read on a chunk's arrays
    (graphsvc/analysis/_chunk_horizon.py): each deal's support changes after several
    instants, and its whole bound (watching everyone, no one, or its members' first),
    as horizon.py gives them from its history, at instants across the portfolio's
    life."""
    for chunk, histories in _chunks_across_time(store):
        moment = chunk.as_of
        for after in (-NEVER, moment - 90 * DAY_MS, moment - 7 * DAY_MS, moment):
            assert chunk_support_changes(chunk, [after] * len(chunk)) == [
                support_changes(h, after=after) for h in histories
            ]
        deals = range(len(chunk))
        for points, whose in product((0, 13), (None, (), "first")):
            watched = [sorted(h.stakeholders)[:1] if whose == "first" else whose for h in histories]
            assert chunk_unchanged_until(
                chunk, deals, params=DEFAULT_PARAMS, chart_points=points, watched=watched
            ) == [
                analysis_unchanged_until(
                    h, moment, params=DEFAULT_PARAMS, chart_points=points, watched=w
                )
                for h, w in zip(histories, watched, strict=True)
            ]
