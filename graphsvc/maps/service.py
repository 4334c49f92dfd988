"""Build a deal's map page as of an instant: one store read, then pure analysis and rendering.

:func:`map_page_from_history` is pure (a :class:`DealHistory` in, a page out): the
analysis engine the API serves (:mod:`graphsvc.analysis.engine`), its results described
in the map's plain data (:mod:`graphsvc.maps.frames`), rendered by :mod:`visual`. The
:class:`MapService` adds the store read. Pages for the API hold one frame (their as-of
control asks the server again); pages written to disk (``mode="file"``) embed the map at
each weekly support-history point up to the instant, so their as-of control works
without a server.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from graphsvc.analysis import engine
from graphsvc.analysis.folding import trend_pairs_at
from graphsvc.analysis.params import AnalysisParams
from graphsvc.analysis.schemas import Interval
from graphsvc.analysis.service import AnalysisService
from graphsvc.config import Settings
from graphsvc.domain.models import to_ms
from graphsvc.domain.snapshot import DealHistory
from graphsvc.errors import ValidationFailed
from graphsvc.maps.frames import chart_points, map_frame
from graphsvc.store.repository import GraphStore
from graphsvc.visual.render import PageMode, RenderedMap, render_deal_map

# Weekly frames embedded in a file page: a quarter back, enough for a deal review.
MAX_FILE_FRAMES = 13
MAX_CHART_WEEKS = 104
_WEEK_MS = 7 * 86_400_000


def parse_as_of(value: str | None) -> datetime | None:
    """A date means the end of that day (UTC), so the day's own records count.

    Examples
    --------
    >>> parse_as_of("2026-03-01").isoformat()
    '2026-03-01T23:59:59.999000+00:00'
    >>> parse_as_of("2026-03-01T08:00:00+02:00").isoformat()
    '2026-03-01T06:00:00+00:00'
    """
    if value is None or value == "":
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime.combine(day, time(23, 59, 59, 999000), tzinfo=UTC)
        instant = datetime.fromisoformat(value)
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=UTC)
        # Out-of-range offsets at the ends of the calendar overflow here.
        return instant.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise ValidationFailed(
            "as_of is not a date or instant",
            detail=[
                {"loc": ["query", "as_of"], "msg": "expected YYYY-MM-DD or an ISO-8601 instant"}
            ],
        ) from exc


def map_page_from_history(
    history: DealHistory,
    *,
    as_of: int | None = None,
    params: AnalysisParams | None = None,
    mode: PageMode = "served",
    max_frames: int = MAX_FILE_FRAMES,
) -> RenderedMap:
    """The map page of ``history``'s deal as of ``as_of`` (epoch ms; default the history's).

    Examples
    --------
    >>> from tests.visual.sample import sample_deal
    >>> page = map_page_from_history(sample_deal(10).history)
    >>> "application/json" in page.html
    True
    """
    params = params or AnalysisParams()
    t = history.as_of if as_of is None else min(as_of, history.as_of)
    first = history.first_fact_at()
    # The chart covers at most two years back: weekly points stay a few hundred at most.
    start = None if first is None else max(min(first, t), t - MAX_CHART_WEEKS * _WEEK_MS)
    points = engine.support_histories(
        [history], start=start, end=t, interval=Interval.week, params=params
    )[0]
    instants = [t]
    if mode == "file":
        earlier = sorted({to_ms(p.at) for p in points if to_ms(p.at) < t})
        instants = [*earlier[-(max_frames - 1) :], t] if max_frames > 1 else [t]
    # The frames are one fleet: the deal at each instant, analysed in one engine pass.
    now, then = trend_pairs_at(history, instants, params=params)
    analyses = engine.analyze_snapshots(now, then, params=params)
    frames = [
        map_frame(snapshot, analysis) for snapshot, analysis in zip(now, analyses, strict=True)
    ]
    return render_deal_map(
        frames, history=chart_points(points), mode=mode, stale_days=params.stale_days
    )


class MapService:
    """Deal maps from the store."""

    def __init__(self, *, store: GraphStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.analysis = AnalysisService(store=store, settings=settings)
        self.params = self.analysis.params

    def get(
        self,
        *,
        workspace: str,
        deal_id: str,
        as_of: datetime | None = None,
        mode: PageMode = "served",
    ) -> RenderedMap:
        """The deal's map page as of ``as_of`` (default now); raises ``NotFound``, and
        ``ValidationFailed`` for an instant before the deal's first fact."""
        if as_of is not None and as_of > datetime.now(UTC):
            as_of = None  # nothing is known about the future: the map as of now
        history = self.analysis.history(workspace=workspace, deal_id=deal_id, as_of=as_of)
        return map_page_from_history(history, params=self.params, mode=mode)
