"""Per-deal analysis: ranking, top decision-maker, support, flags, history, forecast,
next best contacts and warm paths to the decision-maker.

Responses are cached by (workspace, operation, deal, parameters, workspace revision):
the revision is read from the shared store on every request (with the caller's key, in
one query), so a write through any API process is visible in the next analysis served
by every process.

Every response says the instant it answers for. A request without ``as_of`` answers
for the instant it arrives: an answer computed earlier is served only while it is
provably still the answer (:mod:`graphsvc.analysis.horizon`: no fact, trend reference
or contact-flag day count has moved since), with that request's instant as its
``as_of``; past that, it is computed again.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from starlette.concurrency import run_in_threadpool

from graphsvc.analysis.schemas import (
    DealAdvice,
    DealAnalysis,
    DealResult,
    Forecast,
    Interval,
    NextBestContacts,
    SupportHistory,
    WarmPaths,
)
from graphsvc.analysis.service import AnalysisService
from graphsvc.api.cache import AnalysisCache
from graphsvc.api.deps import Analysis, Cache, Principal, ReadKey
from graphsvc.api.params import AsOf, DealId, as_of_key
from graphsvc.api.schemas import JSONBytes, to_json_bytes
from graphsvc.domain.models import Instant, from_ms, to_ms, utcnow
from graphsvc.errors import ValidationFailed

router = APIRouter(prefix="/v1/deals/{deal_id}", tags=["analysis"])


_STEP = {
    Interval.day: timedelta(days=1),
    Interval.week: timedelta(weeks=1),
    Interval.month: timedelta(days=28),
}
MAX_POINTS = 2000


async def cached(
    cache: AnalysisCache,
    principal: Principal,
    key: tuple[Hashable, ...],
    compute: Callable[[], Any],
) -> Response:
    """The cached body under (workspace, revision, key); the revision was read from the
    store with the caller's key, in this request, so no process serves a stale answer.
    A hit is answered on the event loop; a miss computes in the thread pool."""
    entry = (principal.workspace, principal.revision, *key)
    body = cache.peek(entry)
    if body is None:
        body = await run_in_threadpool(
            cache.get_or_compute, entry, lambda: to_json_bytes(compute())
        )
    return JSONBytes(content=body)


@dataclass(frozen=True, slots=True)
class NowAnswer:
    """A body computed as of ``at_ms`` that stays the answer until ``until_ms``, kept
    around its ``as_of`` so each request gets its own instant spliced in (bytes, no
    serialisation on a hit)."""

    head: bytes
    tail: bytes
    at_ms: int
    until_ms: int

    @classmethod
    def of(cls, result: DealResult, until: datetime) -> NowAnswer:
        body = to_json_bytes(result)
        # as_of is the second field of every DealResult, so its first match is its own.
        head, tail = body.split(_as_of_member(result.as_of), 1)
        return cls(head=head, tail=tail, at_ms=to_ms(result.as_of), until_ms=to_ms(until))

    def body_at(self, instant: datetime) -> bytes | None:
        """The answer as of ``instant``, or None when it may no longer be the answer."""
        if not self.at_ms <= to_ms(instant) < self.until_ms:
            return None
        return self.head + _as_of_member(instant) + self.tail


def _as_of_member(instant: datetime) -> bytes:
    return to_json_bytes({"as_of": instant})[1:-1]


def request_instant() -> datetime:
    """Now, at the store's precision (epoch milliseconds)."""
    return from_ms(to_ms(utcnow()))


async def answered_now(
    cache: AnalysisCache,
    principal: Principal,
    key: tuple[Hashable, ...],
    compute: Callable[[datetime], tuple[DealResult, datetime]],
) -> Response:
    """The answer as of this request's instant: a cached answer while it provably still
    holds (with this instant as its as_of), else computed as of this instant with the
    instant until which it holds (``compute``)."""
    instant = request_instant()
    entry = (principal.workspace, principal.revision, *key, "now")
    held = cache.peek(entry, count=False)
    body = held.body_at(instant) if isinstance(held, NowAnswer) else None
    if body is not None:
        cache.metrics.cache.labels("hit").inc()
    else:

        def fresh() -> NowAnswer:
            result, until = compute(instant)
            answer = NowAnswer.of(result, until)
            cache.put(entry, answer)
            return answer

        answer = await run_in_threadpool(fresh)
        body = answer.head + _as_of_member(instant) + answer.tail
    return JSONBytes(content=body)


async def advice_answer(
    cache: AnalysisCache,
    principal: Principal,
    analysis: AnalysisService,
    part: Callable[[DealAdvice], DealResult],
    key: tuple[str, str],
    as_of: datetime | None,
    compute: Callable[[datetime], DealResult],
) -> Response:
    """One part of a deal's advice: as of now, from the advice kept in the store while it
    holds (shared by every process; :meth:`AnalysisService.advice_now`), reused here
    while provably unchanged (:func:`answered_now`); as of a given instant, ``compute``d
    (cached under it)."""
    if as_of is None:

        def held(now: datetime) -> tuple[DealResult, datetime]:
            advice, until = analysis.advice_now(
                workspace=principal.workspace, deal_id=key[1], at=now
            )
            return part(advice), until

        return await answered_now(cache, principal, key, held)
    at = as_of
    return await cached(cache, principal, (*key, as_of_key(at)), lambda: compute(at))


@router.get(
    "/analysis",
    response_model=DealAnalysis,
    summary="Who matters, the top decision-maker, the support base and the risk flags",
)
async def deal_analysis(
    deal_id: DealId, principal: ReadKey, analysis: Analysis, cache: Cache, as_of: AsOf = None
) -> Response:
    if as_of is None:
        # As of now: the full analysis kept in the store while it holds (shared by every
        # process and kept across restarts), computed and kept when it does not.
        return await answered_now(
            cache,
            principal,
            ("analysis", deal_id),
            lambda now: analysis.analyze_now(
                workspace=principal.workspace, deal_id=deal_id, at=now
            ),
        )
    return await cached(
        cache,
        principal,
        ("analysis", deal_id, as_of_key(as_of)),
        lambda: analysis.analyze(workspace=principal.workspace, deal_id=deal_id, as_of=as_of),
    )


@router.get(
    "/support-history",
    response_model=SupportHistory,
    summary="The support base at regular points from the deal's first fact",
)
async def support_history(
    deal_id: DealId,
    principal: ReadKey,
    analysis: Analysis,
    cache: Cache,
    start: Annotated[Instant | None, Query(alias="from", description="First instant")] = None,
    end: Annotated[
        Instant | None, Query(alias="to", description="Last instant (default and at most: now)")
    ] = None,
    interval: Interval = Interval.week,
) -> Response:
    # Points after now would only repeat the present: the history ends now at the latest,
    # and the points of "until now" move with the clock: they are keyed by this instant.
    now = request_instant()
    last = min(end, now) if end is not None else now
    if start is not None and (last - start) / _STEP[interval] > MAX_POINTS:
        raise ValidationFailed(
            f"at most {MAX_POINTS} points per history; choose a later `from` or a longer interval",
            detail=[
                {
                    "loc": ["query", "from"],
                    "msg": f"more than {MAX_POINTS} {interval.value}s before `to`",
                }
            ],
        )

    def compute() -> SupportHistory:
        points = analysis.support_history(
            workspace=principal.workspace, deal_id=deal_id, start=start, end=last, interval=interval
        )
        return SupportHistory(deal_id=deal_id, interval=interval, points=points)

    key = ("support_history", deal_id, as_of_key(start), as_of_key(last), interval.value)
    return await cached(cache, principal, key, compute)


@router.get(
    "/forecast",
    response_model=Forecast,
    summary="Friedkin-Johnsen forecast of each member's stance (-2..2)",
)
async def forecast(
    deal_id: DealId, principal: ReadKey, analysis: Analysis, cache: Cache, as_of: AsOf = None
) -> Response:
    return await advice_answer(
        cache,
        principal,
        analysis,
        lambda advice: advice.forecast,
        ("forecast", deal_id),
        as_of,
        lambda at: analysis.forecast(workspace=principal.workspace, deal_id=deal_id, as_of=at),
    )


@router.get(
    "/next-best-contacts",
    response_model=NextBestContacts,
    summary="Whom to win over next, ranked by the predicted gain in support",
)
async def next_best_contacts(
    deal_id: DealId, principal: ReadKey, analysis: Analysis, cache: Cache, as_of: AsOf = None
) -> Response:
    return await advice_answer(
        cache,
        principal,
        analysis,
        lambda advice: advice.next_best_contacts,
        ("next_best_contacts", deal_id),
        as_of,
        lambda at: analysis.next_best_contacts(
            workspace=principal.workspace, deal_id=deal_id, as_of=at
        ),
    )


@router.get(
    "/paths-to-decision-maker",
    response_model=WarmPaths,
    summary="The strongest warm paths from our team to the top decision-maker",
)
async def paths_to_decision_maker(
    deal_id: DealId, principal: ReadKey, analysis: Analysis, cache: Cache, as_of: AsOf = None
) -> Response:
    return await advice_answer(
        cache,
        principal,
        analysis,
        lambda advice: advice.warm_paths,
        ("warm_paths", deal_id),
        as_of,
        lambda at: analysis.warm_paths(workspace=principal.workspace, deal_id=deal_id, as_of=at),
    )
