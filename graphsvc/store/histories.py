"""Deal histories: every fact of a deal up to an instant, for one deal or a fleet.

A deal's history is one query (``deal_history.cypher``) whether for one deal or for a
chunk of 500: memberships with the stakeholders, their influence and reporting facts,
and the interactions, each ``UNWIND``-ing the ids. Facts travel as one string each,
their ``packed`` property (built once when recorded, see the record queries), because
the fleet scan reads some 200 facts per deal and every value returned costs.
:meth:`HistoryRepository.fleet_fact_chunks` is the cold scan's read: the same facts
as one :class:`~graphsvc.domain.chunk.FactChunk` of arrays per chunk (see
:mod:`graphsvc.store.compact`; a big one decodes on processes of its own,
:mod:`graphsvc.store.scan_processes`); ``fleet_histories_compact`` gives them as
:class:`~graphsvc.domain.compact.CompactHistory`, and ``fleet_fact_chunk_pairs`` both
as of an instant and with every fact (the kept results).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from itertools import pairwise
from operator import itemgetter

from graphsvc.domain.chunk import FactChunk
from graphsvc.domain.compact import CompactHistory
from graphsvc.domain.models import END_OF_TIME, Deal, to_ms
from graphsvc.domain.snapshot import (
    DealHistory,
    DealSnapshot,
    InteractionRecord,
    LineFact,
    MembershipFact,
    StakeholderInfo,
)
from graphsvc.errors import NotFound
from graphsvc.store.codecs import (
    KEY_SEPARATOR,
    Canonical,
    deal_from_props,
    facts_within,
    interaction_record,
    line_state,
    membership_fact,
    node_key,
)
from graphsvc.store.compact import read_ahead, read_compact
from graphsvc.store.core import RepositoryBase, StoreCore, as_of_ms, check_workspace
from graphsvc.store.scan_processes import ScanProcesses

# Deals per history query: bounds one reply (~25 kB per deal) while keeping a fleet scan
# of 10,000 deals to 20 round trips.
HISTORY_CHUNK = 500
# fleet_fact_chunk_pairs reads this many deals first, alone, so that the analysis starts
# while the server reads the rest.
PAIR_FIRST_CHUNK = 10
# Open deal ids per page: ids are small, so a 10,000-deal workspace takes one read.
OPEN_IDS_PAGE = 20_000


class HistoryRepository(RepositoryBase):
    """Read-only: histories and snapshots of deals as of an instant."""

    def __init__(self, core: StoreCore) -> None:
        super().__init__(core)
        # A big cold scan decodes its replies on processes of its own, started for it.
        self.scan_processes = ScanProcesses(core.settings)

    def close(self) -> None:
        self.scan_processes.close()

    def deal_history(
        self, *, workspace: str, deal_id: str, as_of: datetime | None = None
    ) -> DealHistory:
        """Every fact of the deal up to ``as_of`` (now), inclusive; see DealHistory."""
        histories = self.deal_histories(workspace=workspace, deal_ids=[deal_id], as_of=as_of)
        if not histories:
            raise NotFound(f"no deal {deal_id!r}")
        return histories[0]

    def snapshot(
        self, *, workspace: str, deal_id: str, as_of: datetime | None = None
    ) -> DealSnapshot:
        """The deal's committee as of ``as_of`` (now)."""
        return self.deal_history(workspace=workspace, deal_id=deal_id, as_of=as_of).snapshot()

    def deal_histories(
        self, *, workspace: str, deal_ids: Sequence[str], as_of: datetime | None = None
    ) -> list[DealHistory]:
        """Histories of many deals up to ``as_of`` (now): one query per chunk of 500
        deals (never one per deal); unknown ids are left out, input order is kept."""
        ws = check_workspace(workspace)
        at = as_of_ms(as_of)
        ids = list(dict.fromkeys(deal_ids))
        histories: list[DealHistory] = []
        for start in range(0, len(ids), HISTORY_CHUNK):
            histories.extend(self._histories(ws, ids[start : start + HISTORY_CHUNK], at))
        return histories

    def open_deal_histories(
        self, *, workspace: str, as_of: datetime | None = None, batch_size: int = HISTORY_CHUNK
    ) -> Iterator[list[DealHistory]]:
        """Every open deal's history, ``batch_size`` deals at a time, in id order (the
        fleet scan). Open means open now; the facts are those up to ``as_of``.

        Two queries per batch (a page of ids, then the histories). The next batch is
        read on a background thread while the caller works on the current one, so on
        two cores the store read and the analysis overlap."""
        ws = check_workspace(workspace)
        at = as_of_ms(as_of)
        size = max(1, batch_size)

        def fetch(after: str | None) -> tuple[list[str], list[DealHistory]]:
            rows = self.runner.read("deal_open_ids", {"ws": ws, "after": after, "limit": size})
            ids = [row["id"] for row in rows]
            histories: list[DealHistory] = []
            for start in range(0, len(ids), HISTORY_CHUNK):
                histories.extend(self._histories(ws, ids[start : start + HISTORY_CHUNK], at))
            return ids, histories

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="graphstore-scan") as pool:
            ahead = pool.submit(fetch, None)
            try:
                while True:
                    ids, histories = ahead.result()
                    more = len(ids) == size
                    if more:
                        ahead = pool.submit(fetch, ids[-1])
                    if histories:
                        yield histories
                    if not more:
                        return
            finally:
                ahead.cancel()

    def fleet_histories_compact(
        self,
        *,
        workspace: str,
        as_of: datetime | None = None,
        deal_ids: Sequence[str] | None = None,
        batch_size: int = HISTORY_CHUNK,
    ) -> Iterator[list[CompactHistory]]:
        """The facts of many deals up to ``as_of`` (now), ``batch_size`` deals a chunk,
        as :class:`CompactHistory` (see :mod:`graphsvc.store.compact`): ``deal_ids`` in
        the order given (unknown ones left out), or by default every deal open now, in id
        order. One query per chunk, read two chunks ahead of the caller on background
        threads."""
        ws, at, chunks = self._chunked(workspace, as_of, deal_ids, batch_size)
        return read_ahead(chunks, lambda chunk: read_compact(self.runner, ws, chunk, at))

    def fleet_fact_chunks(
        self,
        *,
        workspace: str,
        as_of: datetime | None = None,
        deal_ids: Sequence[str] | None = None,
        batch_size: int = HISTORY_CHUNK,
    ) -> Iterator[FactChunk]:
        """:meth:`fleet_histories_compact` as one :class:`FactChunk` per chunk: the cold
        fleet scan's read, folded a whole chunk at a time."""
        ws, at, chunks = self._chunked(workspace, as_of, deal_ids, batch_size)
        return self.scan_processes.fact_chunks(self.runner, ws, chunks, [at], build=itemgetter(0))

    def fleet_fact_chunk_pairs(
        self, *, workspace: str, deal_ids: Sequence[str], at: datetime
    ) -> Iterator[tuple[FactChunk, FactChunk]]:
        """Per chunk of the deals (in the order given, unknown ones left out): every
        fact, future-dated ones included, and the facts as read as of ``at``; one query
        each, its reply parsed once and cut at both instants (the kept results need
        both: the facts as of the instant they answer for, and the later ones for how
        long the answer holds)."""
        # A small first chunk, then chunks of up to HISTORY_CHUNK: the analysis of the
        # first overlaps the server's read of the next. Refreshing 85 deals after writes,
        # this took 10% less CPU than four chunks of about 21 deals (each chunk folds and
        # encodes once per weekly point, whatever its size) and no more time.
        ws, moment, chunks = self._chunked(
            workspace, at, deal_ids, HISTORY_CHUNK, first=PAIR_FIRST_CHUNK
        )
        every = to_ms(END_OF_TIME)
        return self.scan_processes.fact_chunks(
            self.runner, ws, chunks, [every, moment], build=_pair
        )

    def _chunked(
        self,
        workspace: str,
        as_of: datetime | None,
        deal_ids: Sequence[str] | None,
        batch_size: int,
        *,
        first: int | None = None,
    ) -> tuple[str, int, list[list[str]]]:
        """The workspace, the instant, and the deals (by default every open one) in
        chunks of ``batch_size``, the first of ``first`` when given."""
        ws = check_workspace(workspace)
        at = as_of_ms(as_of)
        if deal_ids is None:
            ids = self.open_deal_ids(workspace=ws)
        else:
            ids = list(dict.fromkeys(deal_ids))
        size = max(1, batch_size)
        cuts = [0, *range(max(1, first or size), len(ids), size), len(ids)]
        return ws, at, [ids[start:end] for start, end in pairwise(cuts) if start < end]

    def open_deal_ids(self, *, workspace: str) -> list[str]:
        """The ids of the workspace's open deals, in id order."""
        ws = check_workspace(workspace)
        ids: list[str] = []
        while True:
            after = ids[-1] if ids else None
            rows = self.runner.read(
                "deal_open_ids", {"ws": ws, "after": after, "limit": OPEN_IDS_PAGE}
            )
            ids.extend(row["id"] for row in rows)
            if len(rows) < OPEN_IDS_PAGE:
                return ids

    def _histories(self, ws: str, deal_ids: list[str], as_of: int) -> list[DealHistory]:
        rows = self.runner.read(
            "deal_history", {"deal_keys": [node_key(ws, d) for d in deal_ids], "as_of": as_of}
        )
        deals: dict[str, Deal] = {}
        members: dict[str, dict[str, StakeholderInfo]] = defaultdict(dict)
        facts: dict[str, list[MembershipFact]] = defaultdict(list)
        influences: dict[str, list[LineFact]] = defaultdict(list)
        reporting: dict[str, list[LineFact]] = defaultdict(list)
        interactions: dict[str, list[InteractionRecord]] = {}
        # Every mention of a stakeholder id shares one string object: the analysis looks
        # ids up in dicts and tuples millions of times, and equal objects that are also
        # identical compare at once (and stay in cache).
        canonical = Canonical()
        for row in rows:
            part, owner, items = row["part"], row["id"], row["items"]
            if part == "members":
                deals[owner] = deal_from_props(row["deal"])
                for person, member_facts in items:
                    if person is None:  # a deal without members
                        continue
                    sid, account_id, name, title, email = json.loads(person)
                    sid = canonical(sid)
                    own = [membership_fact(sid, fact) for fact in member_facts]
                    # Only people who sat on the deal count; an end that arrived for
                    # someone who never joined (facts come in any order) is not shown.
                    if not any([f.active for f in own]):
                        continue
                    members[owner][sid] = StakeholderInfo(
                        id=sid, account_id=account_id, name=name, title=title, email=email
                    )
                    facts[owner].extend(own)
            elif part == "lines":
                source = canonical(owner)
                for packed in items:
                    kind, at, seq, state, target = packed.split(KEY_SEPARATOR, 4)
                    active, strength = line_state(state)
                    (reporting if kind == "R" else influences)[owner].append(
                        LineFact(
                            source_id=source,
                            target_id=canonical(target),
                            at=int(at),
                            seq=int(seq),
                            active=active,
                            strength=strength,
                        )
                    )
            else:
                records = [interaction_record(item, canonical) for item in items]
                records.sort(key=lambda x: (x.at, x.id))
                interactions[owner] = records
        histories = []
        for did in deal_ids:
            if did not in deals:
                continue
            ids = members[did]
            histories.append(
                DealHistory(
                    workspace=ws,
                    deal=deals[did],
                    as_of=as_of,
                    stakeholders=dict(ids),
                    membership_facts=tuple(facts[did]),
                    influence_facts=facts_within(influences, ids),
                    reporting_facts=facts_within(reporting, ids),
                    interactions=tuple(interactions.get(did, ())),
                )
            )
        return histories


def _pair(chunks: list[FactChunk]) -> tuple[FactChunk, FactChunk]:
    every, then = chunks
    return every, then
