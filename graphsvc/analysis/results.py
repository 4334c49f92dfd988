"""Kept analysis results: each open deal's :class:`DealRisk`, kept in the store with the
revision it was computed from, re-analysed only when a write could have changed it or
when time alone could have (its due time).

Why in the store (and not in a per-process cache): the API runs several worker
processes, the alert job and the CLI are processes of their own, and each must answer
from results no older than a write any of them has seen acknowledged. A result kept in
the store is shared by all of them, survives restarts, and is checked against the
store's own revision marks in the same read, so no process can serve a result that
another process's write has made stale.

How staleness is known without a scan: every write statement that can change a deal's
analysis sets that deal's ``arev`` (analysis-input revision) to the workspace revision
of the write, in the same statement (``queries/*_record.cypher``, ``*_upsert.cypher``,
``stakeholder_delete.cypher``): a committee fact marks its deal; an influence or
reporting line marks every deal either person sits on; an interaction marks its deal
(and the one it moved from); a person's new name marks their deals. A kept result
carries ``rev``, the workspace revision read *before* its histories were read, so
every write it may have missed has ``arev > rev``. A result is fresh when ``rev >=
arev``, its engine tag is the running engine's, and the instant asked for lies between
the one it was computed for and its due time.

Time without writes: ``STALE``, ``DM_NOT_RECENTLY_CONTACTED``, ``NO_NEXT_STEP``, the trend
and the chart move with the clock; :func:`~graphsvc.analysis.horizon.analysis_unchanged_until`
gives the first instant the result could differ (``due``), computed from every fact of
the deal (future-dated ones included). Past it, the result is re-analysed.

Writes of results are single idempotent statements (``deal_result_keep.cypher``): a crash
leaves each deal's old or new result, never a mix; an older one never replaces a newer.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from graphsvc.analysis import engine
from graphsvc.analysis._kept_compute import kept_answers, watched
from graphsvc.analysis.heap import freeze_long_lived
from graphsvc.analysis.horizon import NEVER, analysis_unchanged_until, history_until
from graphsvc.analysis.kept_rows import (
    KeptRow,
    KeptView,
    RefreshReport,
    batches,
    columns_of,
    compact_columns,
    engine_tag,
    keep_params,
    kept_row,
)
from graphsvc.analysis.params import AnalysisParams
from graphsvc.analysis.rebuild import RebuildLease, RebuildStatus
from graphsvc.analysis.schemas import DealAnalysis, DealRisk
from graphsvc.domain.models import END_OF_TIME, from_ms, to_ms, utcnow
from graphsvc.store.codecs import node_key
from graphsvc.store.repository import GraphStore

CHART_WEEKS = 12  # the weekly support points kept with each result (the sparkline)


Progress = Callable[[int, int], None]
DealIds = Sequence[str] | None  # some deals only (None: every open deal)
_NOT_RUNNING = RebuildStatus(running=False)


class KeptResults:
    """The kept per-deal results of a store (see the module docstring)."""

    def __init__(
        self,
        *,
        store: GraphStore,
        params: AnalysisParams,
        batch_size: int = 1000,
        inline_max: int = 25,
        lease_seconds: float = 60.0,
    ) -> None:
        self.store = store
        self.params = params
        self.batch_size = batch_size
        # At most this many stale deals are re-analysed on a request path (a view); the
        # rest go to the background rebuild and the answer says it is incomplete.
        self.inline_max = inline_max
        self.engine = engine_tag(params)
        self.lease = RebuildLease(runner=store.runner, lease_seconds=lease_seconds)
        # Parsed bodies of this process by deal id, with the (rev, at, due, engine) they
        # belong to: reading and parsing bodies is the cost of a read, so only those
        # this process has not seen are fetched; what is fresh is decided by the
        # store's reply alone.
        self._parsed: dict[str, tuple[tuple[int, int, int, str], DealRisk]] = {}
        self._views: dict[str, KeptView] = {}
        self._background: dict[str, threading.Thread] = {}
        self._background_lock = threading.Lock()
        self._stopping = threading.Event()

    @property
    def runner(self) -> Any:
        return self.store.runner

    def risks(
        self, *, workspace: str, at: datetime | None = None, deal_ids: DealIds = None
    ) -> list[DealRisk]:
        """Every open deal's result (only those of ``deal_ids`` when given) as of ``at``
        (default now), in deal id order: kept results that are fresh, the others
        re-analysed (and kept) first. Complete, so it may take as long as a scan when
        nothing is kept: for jobs (the weekly e-mail, the CLI), not request paths (those
        use :meth:`view`)."""
        moment = to_ms(at) if at is not None else to_ms(utcnow())
        results, _ = self._refresh(workspace, moment, force=False, progress=None, deal_ids=deal_ids)
        when = from_ms(moment)
        return [r.model_copy(update={"as_of": when}) for r in results]

    def due_of(self, deal_id: str) -> int | None:
        """The due time (epoch ms) of the deal's result :meth:`risks` last returned."""
        return known[0][2] if (known := self._parsed.get(deal_id)) is not None else None

    def refresh(self, *, workspace: str, at: datetime | None = None) -> RefreshReport:
        """Re-analyse (and keep) the stale results only; returns what was done. Reads
        the freshness of every open deal and the facts of the stale ones, no kept body."""
        if at is None:  # as of now: what changed since this process's last view
            view, refreshed = self._view(workspace, cap=None)
            return RefreshReport(open_deals=view.open_deals, refreshed=refreshed)
        moment = to_ms(at)
        # The revision first: every write the histories below may miss has arev > rev.
        revision = self.store.workspace_revision(workspace=workspace)
        rows = self.runner.read("deal_result_status", {"ws": workspace})
        stale = sorted(r["id"] for r in rows if not self._is_fresh(r, moment))
        for batch in batches(stale, self.batch_size):
            self._analyze_and_keep(workspace, batch, revision, moment)
        return RefreshReport(open_deals=len(rows), refreshed=len(stale))

    def rebuild(
        self, *, workspace: str, at: datetime | None = None, progress: Progress | None = None
    ) -> RefreshReport:
        """Re-analyse every open deal and keep the results (after an engine change, or on
        demand); ``progress(done, total)`` after each batch."""
        moment = to_ms(at) if at is not None else to_ms(utcnow())
        results, refreshed = self._refresh(workspace, moment, force=True, progress=progress)
        return RefreshReport(open_deals=len(results), refreshed=refreshed)

    # -- request paths: never a workspace-wide scan

    def view(self, *, workspace: str, inline_max: int | None = None) -> KeptView:
        """The open deals' kept results as of now, for a request: one compact read; at
        most ``inline_max`` (default :attr:`inline_max`) stale deals re-analysed here,
        the most recently written first (so a caller reads its own write); any others
        are handed to the background rebuild (:meth:`start_background`) and counted as
        ``pending``: the view then holds only what is fresh."""
        return self._view(workspace, cap=self.inline_max if inline_max is None else inline_max)[0]

    def _view(self, workspace: str, *, cap: int | None) -> tuple[KeptView, int]:
        """The view (see :meth:`view`; ``cap`` None: every stale deal analysed here) and
        how many deals it analysed."""
        moment = to_ms(utcnow())
        revision = self.store.workspace_revision(workspace=workspace)
        # The last view of this process, while it is provably still the answer: complete,
        # no write since (the store's revision, read just now) and no due time passed.
        last = self._views.get(workspace)
        if last and not last.pending and last.revision == revision and moment < last.until:
            return last, 0
        rows: dict[str, KeptRow] = {}
        stale: list[tuple[int, str]] = []
        columns: dict[str, dict[str, Any]] = {}
        if last is not None and last.revision <= revision:
            # Only what changed since the last complete view: the deals written since
            # (arev), those deleted since, and those whose due time has passed.
            rows = {row.deal_id: row for row in last.rows}
            for deal_id in self._gone_since(workspace, last.revision):
                rows.pop(deal_id, None)
            replies = self.runner.read(
                "deal_result_rows_since", {"ws": workspace, "since": last.revision}
            )
            # A view that left deals to the background: they may be kept by now.
            seen = {row["id"] for row in replies}
            waiting = [node_key(workspace, d) for d in last.waiting if d not in seen]
            if waiting:
                replies = [*replies, *self.runner.read("deal_result_rows_of", {"keys": waiting})]
            for row in replies:
                rows.pop(row["id"], None)
                if row["status"] == "open":
                    self._sort_row(row, moment, rows, stale, columns)
            for row in [r for r in rows.values() if r.due <= moment]:
                del rows[row.deal_id]
                stale.append((0, row.deal_id))
                columns[row.deal_id] = columns_of(row)
            open_deals = len(rows) + len(stale)
        else:
            replies = self.runner.read("deal_result_rows", {"ws": workspace})
            for row in replies:
                self._sort_row(row, moment, rows, stale, columns)
            open_deals = len(replies)
        stale.sort()
        inline = [deal_id for _, deal_id in (stale if cap is None else stale[:cap])]
        for batch in batches(inline, self.batch_size):
            for risk, compact in self._analyze_and_keep(workspace, batch, revision, moment):
                rows[risk.deal_id] = kept_row({**columns[risk.deal_id], **compact})
        # A deal closed or deleted between the read and the analysis has no result.
        pending = len(stale) - len(inline)
        if pending:
            self.start_background(workspace=workspace)
        view = KeptView(
            rows=[rows[deal_id] for deal_id in sorted(rows)],
            open_deals=open_deals,
            pending=pending,
            rebuild=self.lease.status(workspace=workspace) if pending else _NOT_RUNNING,
            revision=revision,
            until=min((row.due for row in rows.values()), default=NEVER),
            waiting=tuple(deal_id for _, deal_id in stale[len(inline) :]),
        )
        # Kept with deals pending too: the next request reads changes and those, not all.
        self._views[workspace] = view
        # The first full read is kept (and updated by changes): out of the collector's way.
        freeze_long_lived(len(view.rows) if last is None else 0)
        return view, len(inline)

    def _sort_row(
        self,
        row: dict[str, Any],
        moment: int,
        rows: dict[str, KeptRow],
        stale: list[tuple[int, str]],
        columns: dict[str, dict[str, Any]],
    ) -> None:
        """File a reply row under fresh (``rows``) or stale (with its deal's columns)."""
        if self._is_fresh(row, moment) and row["flags"] is not None:
            rows[row["id"]] = kept_row(row)
        else:
            stale.append((-int(row["arev"]), row["id"]))
            columns[row["id"]] = row

    def _gone_since(self, workspace: str, revision: int) -> list[str]:
        rows = self.runner.read("deal_result_gone", {"ws": workspace, "since": revision})
        return [row["id"] for row in rows]

    def start_background(self, *, workspace: str) -> bool:
        """Start bringing every stale result of the workspace up to date in a thread of
        this process, unless one runs here already; across processes only the holder
        of the store's lease works (the others' threads end at once). True when a
        thread was started."""
        with self._background_lock:
            running = self._background.get(workspace)
            if running is not None and running.is_alive():
                return False
            thread = threading.Thread(
                target=self._run_background,
                args=(workspace,),
                name=f"graphsvc-kept-{workspace}",
                daemon=True,
            )
            self._background[workspace] = thread
            thread.start()
            return True

    def wait_background(self, *, workspace: str, timeout: float | None = None) -> bool:
        """Wait for this process's background rebuild of the workspace; True when none
        runs (any more)."""
        with self._background_lock:
            thread = self._background.get(workspace)
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def stop(self, timeout: float | None = 30.0) -> None:
        """Stop every background rebuild of this process (before the store closes):
        each ends after its current batch and releases its lease."""
        self._stopping.set()
        with self._background_lock:
            threads = list(self._background.values())
        for thread in threads:
            thread.join(timeout)
        self._stopping.clear()

    def _run_background(self, workspace: str) -> None:
        try:
            self.rebuild_stale(workspace=workspace, background=True)
        except Exception:  # the next request starts another; kept results stay served
            logging.getLogger("graphsvc.analysis").exception(
                "background rebuild of %r failed", workspace
            )

    def rebuild_stale(
        self,
        *,
        workspace: str,
        force: bool = False,
        background: bool = False,
        progress: Progress | None = None,
    ) -> RefreshReport | None:
        """Bring the workspace's stale results (every result with ``force``) up to date
        under the store's rebuild lease, publishing progress (``GET
        /v1/analysis/rebuild``) after each batch. None when another process holds the
        lease."""
        with self.lease.held(workspace=workspace) as lease:
            if lease is None:
                return None
            moment = to_ms(utcnow())
            rows = self.runner.read("deal_result_status", {"ws": workspace})
            stale = sorted(r["id"] for r in rows if force or not self._is_fresh(r, moment))
            lease.publish(done=0, total=len(stale))
            done = 0
            for batch in batches(stale, self.batch_size):
                if background and self._stopping.is_set():
                    break
                moment = to_ms(utcnow())
                revision = self.store.workspace_revision(workspace=workspace)
                self._analyze_and_keep(workspace, batch, revision, moment)
                done += len(batch)
                if not lease.publish(done=done, total=len(stale)):
                    break  # another process took the lease over (ours had expired)
                if progress is not None:
                    progress(done, len(stale))
            return RefreshReport(open_deals=len(rows), refreshed=done)

    # -- one deal's full analysis, kept on demand

    def full_analysis(
        self, *, workspace: str, deal_id: str, at: datetime
    ) -> tuple[DealAnalysis, int] | None:
        """The deal's full analysis (whole ranking) as of ``at`` and until when it holds
        (epoch ms): the kept one when fresh (same rules as the per-deal results), else
        computed from one read of the deal's facts and kept. None: no such deal."""
        moment = to_ms(at)
        key = node_key(workspace, deal_id)
        rows = self.runner.read("deal_result_full", {"key": key})
        if not rows:
            return None
        row = rows[0]
        if self._is_fresh(row, moment) and row["body"] is not None:
            analysis = DealAnalysis.model_validate_json(row["body"])
            return analysis.model_copy(update={"as_of": from_ms(moment)}), int(row["due"])
        revision = self.store.workspace_revision(workspace=workspace)
        found = self.store.deal_histories(
            workspace=workspace, deal_ids=[deal_id], as_of=END_OF_TIME
        )
        if not found:
            return None
        [history] = found
        [analysis] = engine.analyze([history_until(history, moment)], params=self.params)
        due = analysis_unchanged_until(
            history, moment, params=self.params, watched=watched(analysis)
        )
        body = analysis.model_dump_json()
        self.runner.write(
            "deal_result_keep_full",
            keep_params(
                workspace=workspace,
                key=key,
                revision=revision,
                moment=moment,
                due=due,
                engine=self.engine,
                body=body,
            ),
        )
        return analysis, due

    # -- internals

    def _is_fresh(self, row: dict[str, Any], moment: int) -> bool:
        return (
            row["rev"] is not None
            and int(row["rev"]) >= int(row["arev"])
            and row["engine"] == self.engine
            and row["due"] is not None
            and row["at"] is not None
            # The result holds from the instant it was computed for until its due time:
            # an answer for an earlier instant (an e-mail's as-of) is not this one.
            and int(row["at"]) <= moment < int(row["due"])
        )

    @staticmethod
    def _version(row: dict[str, Any]) -> tuple[int, int, int, str]:
        """What identifies a kept result (revision, instant, due time, engine):
        >>> KeptResults._version({"rev": 7, "at": 1, "due": 2, "engine": "e"})
        (7, 1, 2, 'e')"""
        return (int(row["rev"]), int(row["at"]), int(row["due"]), str(row["engine"]))

    def _refresh(
        self,
        workspace: str,
        moment: int,
        *,
        force: bool,
        progress: Progress | None,
        deal_ids: DealIds = None,
    ) -> tuple[list[DealRisk], int]:
        store = self.store
        # The revision first: every write the histories below may miss has arev > rev.
        revision = store.workspace_revision(workspace=workspace)
        if deal_ids is None:
            rows = self.runner.read("deal_result_status", {"ws": workspace})
        else:
            keys = [node_key(workspace, deal_id) for deal_id in deal_ids]
            rows = self.runner.read("deal_result_status_of", {"keys": keys})
        kept: dict[str, DealRisk] = {}
        stale: list[str] = []
        parsed: dict[str, tuple[tuple[int, int, int, str], DealRisk]] = {}
        unparsed: dict[str, tuple[int, int, int, str]] = {}
        for row in rows:
            if force or not self._is_fresh(row, moment):
                stale.append(row["id"])
                continue
            version = self._version(row)
            known = self._parsed.get(row["id"])
            if known is not None and known[0] == version:
                parsed[row["id"]] = known
                kept[row["id"]] = known[1]
            else:
                unparsed[row["id"]] = version
        # Bodies of fresh results this process has not parsed yet (after a restart, or
        # kept by another process), in chunks; one that changed since the status read
        # is re-analysed rather than trusted.
        ids = sorted(unparsed)
        for chunk in batches(ids, max(1, store.settings.store_batch_size)):
            keys = [node_key(workspace, deal_id) for deal_id in chunk]
            found = {
                body_row["key"]: body_row
                for body_row in self.runner.read("deal_result_bodies", {"keys": keys})
            }
            for deal_id, key in zip(chunk, keys, strict=True):
                body_row = found.get(key)
                if body_row is None or self._version(body_row) != unparsed[deal_id]:
                    stale.append(deal_id)
                    continue
                risk = DealRisk.model_validate_json(body_row["body"])
                parsed[deal_id] = (unparsed[deal_id], risk)
                kept[deal_id] = risk
        self._parsed = parsed if deal_ids is None else {**self._parsed, **parsed}  # only those held
        stale.sort()
        done = 0
        for batch in batches(stale, self.batch_size):
            for risk, _ in self._analyze_and_keep(workspace, batch, revision, moment):
                kept[risk.deal_id] = risk
            done += len(batch)
            if progress is not None:
                progress(done, len(stale))
        return [kept[deal_id] for deal_id in sorted(kept)], len(stale)

    def _analyze_and_keep(
        self, workspace: str, deal_ids: Sequence[str], revision: int, moment: int
    ) -> list[tuple[DealRisk, dict[str, Any]]]:
        """Analyse the deals as of ``moment`` and keep each result with its compact
        columns; returns each open deal's result and compact columns."""
        if not deal_ids:
            return []
        store = self.store
        # One read per chunk, decoded as of the instant (what a scan as of it sees) and
        # with every fact, future-dated ones included (the due time needs them).
        pairs = store.fleet_fact_chunk_pairs(
            workspace=workspace, deal_ids=deal_ids, at=from_ms(moment)
        )
        kept = kept_answers(pairs, moment=moment, params=self.params, chart_points=CHART_WEEKS)
        rows = []
        answers = []
        for risk, spark, due in kept:
            compact = compact_columns(risk, spark)
            rows.append(
                {
                    "key": node_key(workspace, risk.deal_id),
                    "rev": revision,
                    "at": moment,
                    "due": due,
                    "engine": self.engine,
                    "body": risk.model_dump_json(),
                    **compact,
                }
            )
            self._parsed[risk.deal_id] = ((revision, moment, due, self.engine), risk)
            answers.append((risk, {**compact, "due": due}))
        for chunk in batches(rows, max(1, store.settings.store_batch_size)):
            self.runner.write("deal_result_keep", {"ws": workspace, "rows": chunk})
        return answers
