"""Per-deal analysis: ranking, top decision-maker, support, flags, history, forecast,
next best contacts and warm paths to the decision-maker.

Responses are cached by (workspace, operation, deal, parameters, workspace revision):
the revision is read from the shared store on every request (with the caller's key, in
one query), so a write through any API process is visible in the next analysis served
by every process.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from starlette.concurrency import run_in_threadpool

from graphsvc.analysis.schemas import (
    DealAnalysis,
    Forecast,
    Interval,
    NextBestContacts,
    SupportHistory,
    WarmPaths,
)
from graphsvc.api.cache import AnalysisCache
from graphsvc.api.deps import Analysis, Cache, Principal, ReadKey
from graphsvc.api.errors import error_responses
from graphsvc.api.params import AsOf, DealId, as_of_key
from graphsvc.api.schemas import JSONBytes, to_json_bytes
from graphsvc.domain.models import Instant, utcnow
from graphsvc.errors import ValidationFailed

router = APIRouter(prefix="/v1/deals/{deal_id}", tags=["analysis"],
                   responses=error_responses(401, 404, 422))


_STEP = {Interval.day: timedelta(days=1), Interval.week: timedelta(weeks=1),
         Interval.month: timedelta(days=28)}
MAX_POINTS = 2000


async def cached(cache: AnalysisCache, principal: Principal, key: tuple[Hashable, ...],
                 compute: Callable[[], Any]) -> Response:
    """The cached body under (workspace, revision, key); the revision was read from the
    store with the caller's key, in this request, so no process serves a stale answer.
    A hit is answered on the event loop; a miss computes in the thread pool."""
    entry = (principal.workspace, principal.revision, *key)
    body = cache.peek(entry)
    if body is None:
        body = await run_in_threadpool(cache.get_or_compute, entry,
                                       lambda: to_json_bytes(compute()))
    return JSONBytes(content=body)


@router.get("/analysis", response_model=DealAnalysis,
            summary="Who matters, the top decision-maker, the support base and the risk flags")
async def deal_analysis(deal_id: DealId, principal: ReadKey, analysis: Analysis,
                  cache: Cache, as_of: AsOf = None) -> Response:
    return await cached(cache, principal, ("analysis", deal_id, as_of_key(as_of)),
                  lambda: analysis.analyze(workspace=principal.workspace, deal_id=deal_id,
                                           as_of=as_of))


@router.get("/support-history", response_model=SupportHistory,
            summary="The support base at regular points from the deal's first fact")
async def support_history(
    deal_id: DealId, principal: ReadKey, analysis: Analysis, cache: Cache,
    start: Annotated[Instant | None, Query(alias="from", description="First instant")] = None,
    end: Annotated[Instant | None, Query(alias="to",
                                         description="Last instant (default and at most: now)")
                   ] = None,
    interval: Interval = Interval.week,
) -> Response:
    # Points after now would only repeat the present: the history ends now at the latest.
    now = utcnow()
    last = min(end, now) if end is not None else None
    if start is not None and (min(last or now, now) - start) / _STEP[interval] > MAX_POINTS:
        raise ValidationFailed(
            f"at most {MAX_POINTS} points per history; choose a later `from` or a longer "
            "interval", detail=[{"loc": ["query", "from"],
                                 "msg": f"more than {MAX_POINTS} {interval.value}s before `to`"}])

    def compute() -> SupportHistory:
        points = analysis.support_history(workspace=principal.workspace, deal_id=deal_id,
                                          start=start, end=last, interval=interval)
        return SupportHistory(deal_id=deal_id, interval=interval, points=points)

    key = ("support_history", deal_id, as_of_key(start), as_of_key(last), interval.value)
    return await cached(cache, principal, key, compute)


@router.get("/forecast", response_model=Forecast,
            summary="Friedkin-Johnsen forecast of each member's stance (-2..2)")
async def forecast(deal_id: DealId, principal: ReadKey, analysis: Analysis,
             cache: Cache, as_of: AsOf = None) -> Response:
    return await cached(cache, principal, ("forecast", deal_id, as_of_key(as_of)),
                  lambda: analysis.forecast(workspace=principal.workspace, deal_id=deal_id,
                                            as_of=as_of))


@router.get("/next-best-contacts", response_model=NextBestContacts,
            summary="Whom to win over next, ranked by the predicted gain in support")
async def next_best_contacts(deal_id: DealId, principal: ReadKey, analysis: Analysis,
                       cache: Cache, as_of: AsOf = None) -> Response:
    return await cached(cache, principal, ("next_best_contacts", deal_id, as_of_key(as_of)),
                        lambda: analysis.next_best_contacts(workspace=principal.workspace,
                                                            deal_id=deal_id, as_of=as_of))


@router.get("/paths-to-decision-maker", response_model=WarmPaths,
            summary="The strongest warm paths from our team to the top decision-maker")
async def paths_to_decision_maker(deal_id: DealId, principal: ReadKey,
                            analysis: Analysis, cache: Cache, as_of: AsOf = None) -> Response:
    return await cached(cache, principal, ("warm_paths", deal_id, as_of_key(as_of)),
                        lambda: analysis.warm_paths(workspace=principal.workspace,
                                                    deal_id=deal_id, as_of=as_of))

