"""The compact kept columns of each deal's analysis result, as every list of deals reads
them (``/v1/risks``, the web portfolio): kept beside the result's body
(``queries/deal_result_keep.cypher``) so a list of 10,000 deals is one reply with two
short JSON strings a row, never 10,000 bodies to parse; and the engine tag every kept
result carries (a result of another tag is stale).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from graphsvc.analysis.horizon import NEVER
from graphsvc.analysis.params import AnalysisParams
from graphsvc.analysis.rebuild import RebuildStatus
from graphsvc.analysis.schemas import DealRisk, Severity

# Bump when the engine's output (or what is kept of it) for the same facts changes:
# every kept result of another engine tag is then stale (re-analysed in the background
# when read, or by ``analysis rebuild``). 2: the compact portfolio columns are kept.
ENGINE_VERSION = "2"


def engine_tag(params: AnalysisParams) -> str:
    """The running engine: its version and a digest of the analysis parameters (results
    computed with other thresholds are not this engine's answers).

    Examples
    --------
    >>> from graphsvc.analysis.params import DEFAULT_PARAMS
    >>> engine_tag(DEFAULT_PARAMS) == engine_tag(DEFAULT_PARAMS)
    True
    >>> engine_tag(DEFAULT_PARAMS).startswith(ENGINE_VERSION + ":")
    True
    """
    digest = hashlib.sha256(repr(params).encode())
    return f"{ENGINE_VERSION}:{digest.hexdigest()[:12]}"


@dataclass(frozen=True, slots=True)
class KeptRow:
    """One open deal as every list of deals shows it, read from the compact kept columns
    (no result body parsed): the deal's own columns, its support share, trend and
    ``CHART_WEEKS`` weekly sparkline, and its flags in the engine's order, worst first
    (plain JSON objects, as the API serves them; ``worst``: the worst severity's weight,
    0 without flags)."""

    deal_id: str
    deal_name: str
    owner_email: str
    account_id: str
    amount: float | None
    currency: str | None
    stage: str | None
    close_date: str | None
    share: float
    trend: str
    trend_delta: float
    spark: tuple[float, ...]
    flags: tuple[dict[str, Any], ...]
    worst: int
    due: int = NEVER  # epoch ms: when time alone may change it
    # The weights of all its flags' severities, summed: lists of deals at risk rank by
    # it after the worst severity (computed once per row, not per request).
    flag_weight: int = 0


@dataclass(frozen=True, slots=True)
class KeptView:
    """What a request may answer without a workspace-wide scan: the fresh rows (deal id
    order), how many open deals there are, how many of them have no fresh result yet
    (``pending``: handed to the background rebuild), and that rebuild's status."""

    rows: list[KeptRow]
    open_deals: int
    pending: int
    rebuild: RebuildStatus
    revision: int = 0  # the workspace revision it was read at
    until: int = 0  # epoch ms: the first due time among its rows
    waiting: tuple[str, ...] = ()  # the deals counted in pending (ids)

    @property
    def complete(self) -> bool:
        return self.pending == 0


@dataclass(frozen=True, slots=True)
class RefreshReport:
    """What one refresh of the kept results did: open deals seen, and how many were
    re-analysed."""

    open_deals: int
    refreshed: int


def compact_columns(risk: DealRisk, spark: tuple[float, ...]) -> dict[str, Any]:
    """What :class:`KeptRow` reads of a result, as kept beside its body."""
    worst = risk.worst_severity
    return {
        # In the engine's order: worst first, then by the flags' own order.
        "flags": json.dumps([f.model_dump(mode="json") for f in risk.flags], separators=(",", ":")),
        "worst": 0 if worst is None else worst.weight,
        "share": risk.support.share,
        "trend": risk.support.trend.value,
        "tdelta": risk.support.trend_delta,
        "spark": json.dumps(spark),
    }


def kept_row(row: dict[str, Any]) -> KeptRow:
    """A row of ``deal_result_rows`` whose result is fresh."""
    return KeptRow(
        deal_id=row["id"],
        deal_name=row["name"],
        owner_email=row["owner_email"],
        account_id=row["account_id"],
        amount=row["amount"],
        currency=row["currency"],
        stage=row["stage"],
        close_date=row["close_date"],
        share=_figure(row["share"]),
        trend=row["trend"],
        trend_delta=_figure(row["tdelta"]),
        spark=tuple(json.loads(row["spark"])),
        flags=(flags := tuple(json.loads(row["flags"]))),
        worst=int(row["worst"]),
        due=int(row["due"]),
        flag_weight=sum(SEVERITY_WEIGHTS[flag["severity"]] for flag in flags),
    )


# A kept flag's severity (its value) -> its weight.
SEVERITY_WEIGHTS = {severity.value: severity.weight for severity in Severity}


def _figure(value: float) -> float:
    """A kept figure at 15 significant digits: FalkorDB returns stored doubles so, and
    every process must show the same row whether it computed it or read it back.

    >>> _figure(0.8731667976080768)
    0.873166797608077
    """
    return float(f"{float(value):.15g}")


def columns_of(row: KeptRow) -> dict[str, Any]:
    """The deal's own columns of a kept row, as ``deal_result_rows`` names them."""
    return {
        "id": row.deal_id,
        "name": row.deal_name,
        "owner_email": row.owner_email,
        "account_id": row.account_id,
        "amount": row.amount,
        "currency": row.currency,
        "stage": row.stage,
        "close_date": row.close_date,
    }


def keep_params(
    *, workspace: str, key: str, revision: int, moment: int, due: int, engine: str, body: str
) -> dict[str, Any]:
    """The parameters of a statement that keeps one deal's answer on demand (the full
    analysis: ``deal_result_keep_full``; the advice: ``deal_advice_keep``): the revision
    it was computed from, the instant it answers for, its due time, the engine tag and
    the body (JSON)."""
    return {
        "ws": workspace,
        "key": key,
        "rev": revision,
        "at": moment,
        "due": due,
        "engine": engine,
        "body": body,
    }


def batches(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    """Slices of at most ``size`` items, in order:
    >>> [list(batch) for batch in batches([1, 2, 3], 2)]
    [[1, 2], [3]]"""
    for start in range(0, len(items), size):
        yield items[start : start + size]
