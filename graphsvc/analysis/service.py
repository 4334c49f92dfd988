"""The analysis service: loads as-of histories from the store and runs the pure analysis.

Verbs (keyword-only): :meth:`analyze`, :meth:`support_history`, :meth:`forecast`,
:meth:`next_best_contacts`, :meth:`warm_paths`, :meth:`advice` (the three, from one
read; as of now kept in the store: :meth:`advice_now`), :meth:`scan` (all open deals) and
:meth:`scan_details` (the scan plus, per deal, the recent weekly support history and
the best next contacts, for the weekly e-mails: batched, never one store query per
deal). One deal and the whole workspace go through the same engine
(:mod:`graphsvc.analysis.engine`). Instants are timezone-aware datetimes (``None``: now).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from graphsvc.analysis import engine
from graphsvc.analysis.forecast import forecast as forecast_snapshot
from graphsvc.analysis.kept_advice import KeptAdvice
from graphsvc.analysis.params import AnalysisParams
from graphsvc.analysis.paths import Acquaintances
from graphsvc.analysis.paths import warm_paths as warm_paths_snapshot
from graphsvc.analysis.repository import read_acquaintances
from graphsvc.analysis.results import KeptResults
from graphsvc.analysis.schemas import (
    DealAdvice,
    DealAnalysis,
    DealRisk,
    Forecast,
    Interval,
    NextBestContact,
    NextBestContacts,
    SupportPoint,
    WarmPaths,
)
from graphsvc.config import Settings, get_settings
from graphsvc.domain.models import END_OF_TIME, from_ms, to_ms
from graphsvc.domain.snapshot import DealHistory, DealSnapshot
from graphsvc.errors import NotFound, ValidationFailed
from graphsvc.store.repository import GraphStore


@dataclass(frozen=True, slots=True)
class DealDetails:
    """One open deal as the weekly e-mail needs it."""

    analysis: DealRisk
    support_history: list[SupportPoint]
    next_best_contacts: list[NextBestContact]


class AnalysisService:
    """Analysis of the deals of a store, per deal or for a whole workspace."""

    def __init__(
        self,
        *,
        store: GraphStore,
        settings: Settings | None = None,
        params: AnalysisParams | None = None,
        batch_size: int = 1000,
    ) -> None:
        self.store = store
        self.settings = settings or get_settings()
        self.params = params or AnalysisParams.from_settings(self.settings)
        self.batch_size = batch_size
        self._kept: KeptResults | None = None
        self._kept_advice: KeptAdvice | None = None

    @property
    def kept(self) -> KeptResults:
        """The kept per-deal results (:mod:`graphsvc.analysis.results`): what every
        portfolio view reads instead of a scan."""
        if self._kept is None:
            self._kept = KeptResults(
                store=self.store,
                params=self.params,
                batch_size=self.batch_size,
                inline_max=self.settings.analysis_inline_max,
                lease_seconds=self.settings.analysis_rebuild_lease_seconds,
            )
        return self._kept

    @property
    def kept_advice(self) -> KeptAdvice:
        """The kept advice of each deal (:mod:`graphsvc.analysis.kept_advice`)."""
        if self._kept_advice is None:
            self._kept_advice = KeptAdvice(
                store=self.store, engine=self.kept.engine, compute=self.advice_of
            )
        return self._kept_advice

    def close(self) -> None:
        """Stop this process's background rebuilds (before the store closes)."""
        if self._kept is not None:
            self._kept.stop()

    # -- one deal

    def history(
        self, *, workspace: str, deal_id: str, as_of: datetime | None = None
    ) -> DealHistory:
        """The deal's facts up to ``as_of`` (default now): what every per-deal verb (and
        the deal map) analyses. Raises ``NotFound`` for an unknown deal, and
        ``ValidationFailed`` for an instant before the deal's first fact: the deal did
        not exist then, and an empty committee with its flags would be a made-up answer.
        """
        try:
            history = self.store.deal_history(workspace=workspace, deal_id=deal_id, as_of=as_of)
        except NotFound as exc:  # say where we looked: a typo may be in either name
            raise NotFound(f"no deal {deal_id!r} in workspace {workspace!r}") from exc
        if as_of is not None and history.first_fact_at() is None:
            # Rare (a request for the past with nothing in it), so the second read is cheap.
            first = self.store.deal_history(workspace=workspace, deal_id=deal_id).first_fact_at()
            if first is not None and first > history.as_of:
                since = from_ms(first).isoformat()
                raise ValidationFailed(
                    f"deal {deal_id!r} has no data before {since}",
                    detail=[{"loc": ["query", "as_of"], "msg": f"no data before {since}"}],
                )
        return history

    def analyze(
        self, *, workspace: str, deal_id: str, as_of: datetime | None = None
    ) -> DealAnalysis:
        """Ranking, top decision-maker, support base and flags of one deal as of an instant
        (the engine on a fleet of one: the same answer as the scan gives for it)."""
        history = self.history(workspace=workspace, deal_id=deal_id, as_of=as_of)
        return engine.analyze([history], params=self.params)[0]

    def analyze_now(
        self, *, workspace: str, deal_id: str, at: datetime
    ) -> tuple[DealAnalysis, datetime]:
        """:meth:`analyze` as of ``at`` (an instant of now) and until when the answer
        holds: the full analysis kept in the store when it is fresh, else computed from
        one read of the deal's facts and kept (:meth:`KeptResults.full_analysis`)."""
        found = self.kept.full_analysis(workspace=workspace, deal_id=deal_id, at=at)
        if found is None:
            raise NotFound(f"no deal {deal_id!r} in workspace {workspace!r}")
        analysis, until = found
        return analysis, END_OF_TIME if until >= to_ms(END_OF_TIME) else from_ms(until)

    def support_history(
        self,
        *,
        workspace: str,
        deal_id: str,
        start: datetime | None = None,
        end: datetime | None = None,
        interval: Interval | str = Interval.week,
    ) -> list[SupportPoint]:
        """Support points every day / week / month (an :class:`Interval` or its name) from
        ``start`` (default: the deal's first fact) to ``end`` (default: now)."""
        try:
            step = Interval(interval)
        except ValueError:
            names = ", ".join(i.value for i in Interval)
            raise ValidationFailed(
                f"interval must be one of {names}",
                detail=[{"loc": ["interval"], "msg": f"not one of {names}"}],
            ) from None
        if start is not None and end is not None and start > end:
            raise ValidationFailed(
                "start is after end", detail=[{"loc": ["start"], "msg": "after end"}]
            )
        history = self.store.deal_history(workspace=workspace, deal_id=deal_id, as_of=end)
        return engine.support_histories(
            [history],
            start=None if start is None else to_ms(start),
            interval=step,
            params=self.params,
        )[0]

    def forecast(self, *, workspace: str, deal_id: str, as_of: datetime | None = None) -> Forecast:
        """Friedkin-Johnsen forecast of every member's stance and the predicted support."""
        history = self.history(workspace=workspace, deal_id=deal_id, as_of=as_of)
        return forecast_snapshot(history.snapshot(), params=self.params)

    def next_best_contacts(
        self,
        *,
        workspace: str,
        deal_id: str,
        as_of: datetime | None = None,
        limit: int | None = None,
    ) -> NextBestContacts:
        """Members not yet supporting us, ranked by what winning them over would gain."""
        history = self.history(workspace=workspace, deal_id=deal_id, as_of=as_of)
        return self._next_best(deal_id, history.snapshot(), limit)

    def _next_best(
        self, deal_id: str, snapshot: DealSnapshot, limit: int | None
    ) -> NextBestContacts:
        [items] = engine.next_best_contacts([snapshot], limit=limit, params=self.params)
        return NextBestContacts(deal_id=deal_id, as_of=from_ms(snapshot.as_of), items=items)

    def warm_paths(
        self,
        *,
        workspace: str,
        deal_id: str,
        as_of: datetime | None = None,
        limit: int | None = None,
    ) -> WarmPaths:
        """The top decision-maker (from the deal's analysis, the same as :meth:`analyze`
        names) and the strongest paths from our team to them (top 3)."""
        history = self.history(workspace=workspace, deal_id=deal_id, as_of=as_of)
        return self._warm_paths(workspace, deal_id, history, history.snapshot(), limit)[0]

    def _warm_paths(
        self,
        workspace: str,
        deal_id: str,
        history: DealHistory,
        snapshot: DealSnapshot,
        limit: int | None = None,
    ) -> tuple[WarmPaths, Acquaintances]:
        """The warm paths and what their search read (the kept advice's inputs)."""
        [analysis] = engine.analyze([history], ranking=False, params=self.params)
        target = analysis.top_decision_maker
        if target is None:  # an empty committee
            return WarmPaths(deal_id=deal_id, as_of=analysis.as_of, paths=[]), Acquaintances()
        # Rings around the whole committee: a path has at most path_max_hops hops, one
        # of which is "met", so people further out cannot be on one.
        acquaintances = read_acquaintances(
            self.store.runner,
            workspace=workspace,
            around=[m.id for m in snapshot.members],
            as_of=snapshot.as_of,
            depth=max(1, self.params.path_max_hops - 2),
        )
        paths = warm_paths_snapshot(
            snapshot, acquaintances, target=target.stakeholder_id, params=self.params, limit=limit
        )
        found = WarmPaths(
            deal_id=deal_id,
            as_of=analysis.as_of,
            top_decision_maker_id=target.stakeholder_id,
            paths=paths,
        )
        return found, acquaintances

    def advice(self, *, workspace: str, deal_id: str, as_of: datetime | None = None) -> DealAdvice:
        """The forecast, every next best contact and the warm paths as of ``as_of``, from
        one read of the deal's facts (as of now: :meth:`advice_now`, kept)."""
        history = self.history(workspace=workspace, deal_id=deal_id, as_of=as_of)
        return self.advice_of(workspace=workspace, history=history)[0]

    def advice_of(
        self, *, workspace: str, history: DealHistory
    ) -> tuple[DealAdvice, Acquaintances]:
        """:meth:`advice` of a history already read, and what its warm paths read."""
        deal_id = history.deal.id
        snapshot = history.snapshot()
        paths, around = self._warm_paths(workspace, deal_id, history, snapshot)
        advice = DealAdvice(
            deal_id=deal_id,
            as_of=from_ms(snapshot.as_of),
            forecast=forecast_snapshot(snapshot, params=self.params),
            next_best_contacts=self._next_best(deal_id, snapshot, None),
            warm_paths=paths,
            names={sid: info.name for sid, info in history.stakeholders.items()},
        )
        return advice, around

    def advice_now(
        self, *, workspace: str, deal_id: str, at: datetime
    ) -> tuple[DealAdvice, datetime]:
        """:meth:`advice` as of ``at`` (an instant of now) and until when it holds: the
        advice kept in the store while it is fresh, else computed from one read of the
        deal's facts and kept (:class:`~graphsvc.analysis.kept_advice.KeptAdvice`)."""
        found = self.kept_advice.get(workspace=workspace, deal_id=deal_id, at=at)
        if found is None:
            raise NotFound(f"no deal {deal_id!r} in workspace {workspace!r}")
        advice, until = found
        return advice, END_OF_TIME if until >= to_ms(END_OF_TIME) else from_ms(until)

    # -- the whole workspace

    def scan(self, *, workspace: str, as_of: datetime | None = None) -> list[DealRisk]:
        """Every open deal assessed (same top decision-maker, support, flags and key
        people's scores as :meth:`analyze`), in deal id order; batched store reads."""
        # The compact read: chunks of deals read ahead on background threads while the
        # engine analyses the previous chunk (graphsvc/store/compact.py).
        chunks = self.store.fleet_fact_chunks(workspace=workspace, as_of=as_of)
        return engine.analyze_stream(chunks, params=self.params)

    def details_of(
        self,
        *,
        workspace: str,
        deal_ids: list[str],
        as_of: datetime,
        history_weeks: int = 12,
        next_best: int = 1,
    ) -> Iterator[DealDetails]:
        """:meth:`scan_details` for the given deals only (those the kept results show at
        risk, for the weekly e-mail), in the order given; batched reads."""
        # The compact read (few, large replies), each deal's facts then as a DealHistory:
        # the weekly points fold it at many instants.
        for chunk in self.store.fleet_histories_compact(
            workspace=workspace, deal_ids=deal_ids, as_of=as_of, batch_size=self.batch_size
        ):
            batch = [compact.history() for compact in chunk]
            analyses, histories, contacts = engine.scan_details(
                batch,
                history_points_kept=history_weeks + 1,
                next_best=next_best,
                params=self.params,
            )
            for analysis, points, best in zip(analyses, histories, contacts, strict=True):
                yield DealDetails(
                    analysis=analysis, support_history=points, next_best_contacts=best
                )

    def scan_details(
        self,
        *,
        workspace: str,
        as_of: datetime | None = None,
        history_weeks: int = 12,
        next_best: int = 1,
    ) -> Iterator[DealDetails]:
        """The scan, plus per deal the last ``history_weeks`` weeks of weekly support
        points and the best ``next_best`` contacts; batched reads, vectorised analysis."""
        for chunk in self.store.fleet_histories_compact(
            workspace=workspace, as_of=as_of, batch_size=self.batch_size
        ):
            batch = [compact.history() for compact in chunk]
            analyses, histories, contacts = engine.scan_details(
                batch,
                history_points_kept=history_weeks + 1,
                next_best=next_best,
                params=self.params,
            )
            for analysis, points, best in zip(analyses, histories, contacts, strict=True):
                yield DealDetails(
                    analysis=analysis, support_history=points, next_best_contacts=best
                )
