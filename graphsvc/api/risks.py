"""``GET /v1/risks``: the workspace's open deals at risk, highest severity first; and the
background analysis behind it (``GET``/``POST /v1/analysis/rebuild``).

Built from the kept per-deal results (:mod:`graphsvc.analysis.results`) in one compact
store read, never a workspace-wide scan: a few deals whose inputs changed since their
result was kept (or whose due time passed) are re-analysed on the request path, the
most recently written first; when more are stale (a new workspace, a large import, an
engine upgrade) the rest are analysed in the background and the answer says so
(``complete: false``, ``pending_deals``, ``rebuild``), still with HTTP 200: what it lists
is right, it lists only what is known. Rows are filtered, sorted and paged as plain
data; only the page is serialised.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from operator import itemgetter
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from starlette.concurrency import run_in_threadpool

from graphsvc.analysis.kept_rows import SEVERITY_WEIGHTS
from graphsvc.analysis.rebuild import RebuildStatus
from graphsvc.analysis.results import KeptRow
from graphsvc.analysis.schemas import FlagCode, Severity
from graphsvc.api.deps import Analysis, AppSettings, ReadKey, WriteKey
from graphsvc.api.schemas import AnalysisRebuildOut, RiskPage, render
from graphsvc.domain.cursor import decode_offset, encode_offset

router = APIRouter(tags=["risks"])

_SEVERITY_NAMES = {s.weight: s.value for s in Severity}


def _risk_items(
    rows: list[KeptRow], *, severity: Severity | None, code: FlagCode | None, owner: str | None
) -> list[tuple[tuple[Any, ...], KeptRow, Sequence[dict[str, Any]]]]:
    """The rows with flags (those the filters leave), with their sort key and flags.
    Every request ranks the workspace's open deals: the per-row work is kept to a tuple
    (the flags' weight is summed once per kept row)."""
    items: list[tuple[tuple[Any, ...], KeptRow, Sequence[dict[str, Any]]]] = []
    every_flag = severity is None and code is None
    for row in rows:
        if not row.flags or (owner and row.owner_email != owner):
            continue
        flags = (
            row.flags
            if every_flag
            else [
                f
                for f in row.flags
                if (severity is None or f["severity"] == severity.value)
                and (code is None or f["code"] == code.value)
            ]
        )
        if not flags:
            continue
        # Ranked by the deal's worst flag and its whole flag weight, whatever the filter.
        key = (-row.worst, -row.flag_weight, -(row.amount or 0.0), row.deal_id)
        items.append((key, row, flags))
    items.sort(key=itemgetter(0))
    return items


def _rebuild_out(rebuild: RebuildStatus) -> dict[str, Any]:
    return asdict(rebuild)  # the fields of AnalysisRebuildOut


@router.get(
    "/v1/risks",
    response_model=RiskPage,
    summary="Open deals with risk flags, highest severity first",
)
def list_risks(
    principal: ReadKey,
    analysis: Analysis,
    settings: AppSettings,
    severity: Severity | None = None,
    code: FlagCode | None = None,
    owner: Annotated[str | None, Query(max_length=300, description="Owner e-mail")] = None,
    limit: Annotated[int | None, Query(ge=1)] = None,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """Open deals with risk flags, highest severity first. Answered from the kept
    per-deal analyses; when some deals have none up to date yet (a new workspace, a
    large import), they are analysed in the background and the answer has `complete:
    false`, with `pending_deals` and the `rebuild` progress: ask again later."""
    view = analysis.kept.view(workspace=principal.workspace)
    owner_key = owner.strip().lower() if owner else None
    selected = _risk_items(view.rows, severity=severity, code=code, owner=owner_key)
    start = decode_offset(cursor) if cursor else 0
    size = min(limit or settings.page_limit_default, settings.page_limit_max)
    page = [
        {
            "deal_id": row.deal_id,
            "deal_name": row.deal_name,
            "owner_email": row.owner_email,
            "account_id": row.account_id,
            "amount": row.amount,
            "severity": _SEVERITY_NAMES[row.worst],
            "flags": sorted(flags, key=lambda f: (-SEVERITY_WEIGHTS[f["severity"]], f["code"])),
        }
        for _, row, flags in selected[start : start + size]
    ]
    next_cursor = encode_offset(start + size) if start + size < len(selected) else None
    body: dict[str, Any] = {
        "items": page,
        "next_cursor": next_cursor,
        "complete": view.complete,
        "open_deals": view.open_deals,
        "pending_deals": view.pending,
        "rebuild": None if view.complete else _rebuild_out(view.rebuild),
    }
    return render(body)


@router.get(
    "/v1/analysis/rebuild",
    response_model=AnalysisRebuildOut,
    summary="Progress of the background analysis of the workspace's deals",
)
def get_analysis_rebuild(principal: ReadKey, analysis: Analysis) -> Response:
    """Whether a process is bringing the workspace's kept analyses up to date, and how
    far the latest run got (deals done of its total)."""
    return render(_rebuild_out(analysis.kept.lease.status(workspace=principal.workspace)))


@router.post(
    "/v1/analysis/rebuild",
    response_model=AnalysisRebuildOut,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Bring every stale analysis of the workspace up to date, in the background",
)
async def start_analysis_rebuild(principal: WriteKey, analysis: Analysis) -> Response:
    """Start the background analysis of every open deal whose kept analysis is stale
    (one process at a time per workspace); follow it with `GET /v1/analysis/rebuild`."""
    kept = analysis.kept
    workspace = principal.workspace
    kept.start_background(workspace=workspace)
    current = await run_in_threadpool(kept.lease.status, workspace=workspace)
    return render(_rebuild_out(current), status_code=status.HTTP_202_ACCEPTED)
