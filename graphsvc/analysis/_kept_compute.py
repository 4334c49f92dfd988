"""What a kept result holds, computed from chunks of the compact read: each open deal's
:class:`~graphsvc.analysis.schemas.DealRisk` as of an instant, its weekly sparkline, and
its due time.

Each chunk comes read once and decoded twice (``GraphStore.fleet_fact_chunk_pairs``):
as of the instant, which the analysis runs on the way the cold scan does (a whole chunk
at a time, its lines as arrays), and with every fact, future-dated ones included. The
sparkline folds the chunk as of the instant at each deal's weekly points
(:func:`~graphsvc.analysis._chunked.weekly_shares`, the shares of
:func:`~graphsvc.analysis.engine.support_histories`). The due time
(:func:`~graphsvc.analysis.horizon.analysis_unchanged_until`) is the earlier of the
deal's next fact after the instant (read on the arrays of every fact) and the bound
computed from the facts as of the instant, which is exactly the bound of every fact:
its first term is that next fact, and the rest only reads the facts as of the instant
(``history_until``); that rest is read on the chunk's arrays too
(:func:`~graphsvc.analysis._chunk_horizon.chunk_unchanged_until`).
"""

from __future__ import annotations

from collections.abc import Iterable

from graphsvc.analysis import engine
from graphsvc.analysis._chunk_horizon import chunk_unchanged_until
from graphsvc.analysis._chunked import weekly_shares
from graphsvc.analysis.params import AnalysisParams
from graphsvc.analysis.schemas import DealRisk
from graphsvc.domain.chunk import FactChunk

# Per open deal: its result, its sparkline's support shares, and its due time.
KeptAnswer = tuple[DealRisk, tuple[float, ...], int]


def kept_answers(
    pairs: Iterable[tuple[FactChunk, FactChunk]],
    *,
    moment: int,
    params: AnalysisParams,
    chart_points: int,
) -> list[KeptAnswer]:
    """The open deals of every ``(every fact, as of moment)`` chunk pair, analysed as
    of ``moment`` (epoch ms), in the order read."""
    answers: list[KeptAnswer] = []
    for everything, cut in pairs:
        opened = [d for d, deal in enumerate(cut.deals) if deal.status == "open"]
        if not opened:
            continue
        risks = engine.analyze(cut, as_of=moment, ranking=False, params=params)
        charts = weekly_shares(cut, points=chart_points, params=params)
        dues = chunk_unchanged_until(
            cut,
            opened,
            params=params,
            chart_points=chart_points,
            watched=[watched(risks[d]) for d in opened],
        )
        next_fact = everything.next_fact_after(moment)
        for d, due in zip(opened, dues, strict=True):
            answers.append((risks[d], charts[d], min(due, next_fact[d])))
    return answers


def watched(risk: DealRisk) -> tuple[str, ...]:
    """Whose contact day counts the result shows: its top decision-maker's."""
    top = risk.top_decision_maker
    return () if top is None else (top.stakeholder_id,)
