"""``GET /v1/risks``: the workspace's open deals at risk, highest severity first.

Built from the kept per-deal results (:mod:`graphsvc.analysis.results`): only deals
whose inputs changed since their result was kept (or whose due time passed) are
re-analysed on the request path, never the whole workspace; then filtered and paged.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from graphsvc.analysis.schemas import DealRisk, FlagCode, Severity
from graphsvc.api.deps import Analysis, AppSettings, ReadKey
from graphsvc.api.schemas import RiskItem, RiskPage, render
from graphsvc.domain.cursor import decode_offset, encode_offset

router = APIRouter(tags=["risks"])


def _risk_items(analyses: list[DealRisk]) -> list[RiskItem]:
    items = []
    for result in analyses:
        if result.status != "open" or not result.flags:
            continue
        worst = result.worst_severity
        assert worst is not None
        flags = sorted(result.flags, key=lambda f: (-f.severity.weight, f.code.value))
        items.append(
            RiskItem(
                deal_id=result.deal_id,
                deal_name=result.deal_name,
                owner_email=result.owner_email,
                amount=result.amount,
                severity=worst.value,
                flags=flags,
            )
        )
    items.sort(
        key=lambda i: (
            -Severity(i.severity).weight,
            -sum(f.severity.weight for f in i.flags),
            -(i.amount or 0.0),
            i.deal_id,
        )
    )
    return items


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
    workspace = principal.workspace

    items = _risk_items(analysis.kept.risks(workspace=workspace))
    owner_key = owner.strip().lower() if owner else None
    selected = []
    for item in items:
        if owner_key and item.owner_email != owner_key:
            continue
        flags = [
            f
            for f in item.flags
            if (severity is None or f.severity == severity) and (code is None or f.code == code)
        ]
        if not flags:
            continue
        selected.append(
            item if len(flags) == len(item.flags) else item.model_copy(update={"flags": flags})
        )
    start = decode_offset(cursor) if cursor else 0
    size = min(limit or settings.page_limit_default, settings.page_limit_max)
    page = selected[start : start + size]
    next_cursor = encode_offset(start + size) if start + size < len(selected) else None
    return render(RiskPage(items=page, next_cursor=next_cursor))
