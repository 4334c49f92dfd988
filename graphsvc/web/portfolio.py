"""The portfolio page's rows: the open deals of a workspace with their analysis.

Read from the kept per-deal results (:meth:`graphsvc.analysis.results.KeptResults.view`:
one compact store read with each deal's support share, trend, 12-week sparkline and
flags beside the deal's own columns), so the first request of a workspace is as fast as
any other and every process shows the same rows. When many deals have no up-to-date
result yet (a new workspace, a large import), they are analysed in the background and
the page says its figures are being completed. Filtering, sorting and paging work on
rows in memory; the rows are rebuilt only when the store's revision moved or a kept
result's due time passed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from graphsvc.analysis.results import KeptRow, KeptView
from graphsvc.analysis.schemas import Severity
from graphsvc.analysis.service import AnalysisService
from graphsvc.store.repository import GraphStore
from graphsvc.web.repository import WebRepository

SortKey = Literal[
    "deal", "account", "owner", "amount", "stage", "close", "support", "trend", "risk", "flags"
]
SORT_KEYS: tuple[str, ...] = (
    "deal",
    "account",
    "owner",
    "amount",
    "stage",
    "close",
    "support",
    "trend",
    "risk",
    "flags",
)
SPARK_WIDTH = 96
SPARK_HEIGHT = 24


@dataclass(frozen=True)
class PortfolioRow:
    deal_id: str
    deal_name: str
    account_id: str
    account_name: str
    owner_email: str
    amount: float | None
    currency: str | None
    stage: str | None
    close_date: date | None
    share: float
    trend: str
    trend_delta: float
    spark: tuple[float, ...]
    worst_severity: str | None
    worst_flag: str | None
    worst_message: str | None
    flag_count: int
    flag_codes: tuple[str, ...]

    @property
    def sparkline_points(self) -> str:
        """The 12-week support line as SVG polyline points (share 0..1 upwards)."""
        if not self.spark:
            return ""
        step = SPARK_WIDTH / max(1, len(self.spark) - 1)
        return " ".join(
            f"{i * step:.1f},{(1 - s) * (SPARK_HEIGHT - 2) + 1:.1f}"
            for i, s in enumerate(self.spark)
        )


@dataclass(frozen=True)
class PortfolioQuery:
    mine: bool = True
    owner: str | None = None
    severity: str | None = None
    flag: str | None = None
    account: str | None = None
    search: str | None = None
    sort: str = "risk"
    descending: bool = True
    page: int = 1
    per_page: int = 50


@dataclass
class PortfolioPage:
    rows: list[PortfolioRow]
    total: int
    page: int
    pages: int
    owners: list[str] = field(default_factory=list)
    accounts: list[tuple[str, str]] = field(default_factory=list)
    flag_codes: list[str] = field(default_factory=list)
    mine_count: int = 0
    refreshing: bool = False


def _portfolio_row(kept: KeptRow, accounts: dict[str, str | None]) -> PortfolioRow:
    worst = kept.flags[0] if kept.flags else None
    return PortfolioRow(
        deal_id=kept.deal_id,
        deal_name=kept.deal_name,
        account_id=kept.account_id,
        account_name=accounts.get(kept.account_id) or kept.account_id,
        owner_email=kept.owner_email,
        amount=kept.amount,
        currency=kept.currency,
        stage=kept.stage,
        close_date=_close_date(kept.close_date),
        share=kept.share,
        trend=kept.trend,
        trend_delta=kept.trend_delta,
        spark=kept.spark,
        worst_severity=worst["severity"] if worst else None,
        worst_flag=worst["code"] if worst else None,
        worst_message=worst["message"] if worst else None,
        flag_count=len(kept.flags),
        flag_codes=tuple(f["code"] for f in kept.flags),
    )


def _close_date(value: object) -> date | None:
    if value in (None, ""):
        return None
    return date.fromisoformat(str(value))


def _severity_rank(value: str | None) -> int:
    return Severity(value).weight if value else 0


_SORT_KEYS: dict[str, Callable[[PortfolioRow], tuple[object, ...]]] = {
    "deal": lambda row: (row.deal_name.lower(), row.deal_id),
    "account": lambda row: (row.account_name.lower(), row.deal_id),
    "owner": lambda row: (row.owner_email, row.deal_id),
    "amount": lambda row: (row.amount is not None, row.amount or 0.0, row.deal_id),
    "stage": lambda row: ((row.stage or "").lower(), row.deal_id),
    "close": lambda row: (row.close_date is not None, row.close_date or date.min, row.deal_id),
    "support": lambda row: (row.share, row.deal_id),
    "trend": lambda row: (row.trend_delta, row.deal_id),
    "risk": lambda row: (_severity_rank(row.worst_severity), row.flag_count, row.deal_id),
    "flags": lambda row: (row.flag_count, row.deal_id),
}


class PortfolioService:
    """Rows of the portfolio page (keyword-only verbs)."""

    def __init__(
        self,
        *,
        store: GraphStore,
        analysis: AnalysisService,
        repository: WebRepository,
        max_age_seconds: float | None = None,  # unused: kept results carry due times
    ) -> None:
        self.store = store
        self.analysis = analysis
        self.repository = repository
        # The rows of the latest view per workspace, and each row by the kept row it was
        # made of: a view after a write shares every unchanged kept row with the one
        # before, so only the changed deals' rows are made again.
        self._rows: dict[str, tuple[KeptView, list[PortfolioRow]]] = {}
        self._made: dict[str, dict[str, tuple[KeptRow, PortfolioRow]]] = {}
        self._lock = threading.Lock()

    def rows(self, *, workspace: str) -> tuple[list[PortfolioRow], bool]:
        """The workspace's rows, and whether some deals are still being analysed (in
        the background; their rows come once they are)."""
        view = self.analysis.kept.view(workspace=workspace)
        with self._lock:
            known = self._rows.get(workspace)
        if known is not None and known[0] is view:
            return known[1], not view.complete
        accounts = {
            row["id"]: row["name"]
            for row in self.store.runner.read("deal_result_accounts", {"ws": workspace})
        }
        with self._lock:
            made = self._made.get(workspace, {})
        rows = []
        for kept in view.rows:
            before = made.get(kept.deal_id)
            row = (
                before[1]
                if before is not None
                and before[0] is kept
                and before[1].account_name == (accounts.get(kept.account_id) or kept.account_id)
                else _portfolio_row(kept, accounts)
            )
            rows.append(row)
        with self._lock:
            self._rows[workspace] = (view, rows)
            self._made[workspace] = {
                kept.deal_id: (kept, row) for kept, row in zip(view.rows, rows, strict=True)
            }
        return rows, not view.complete

    def page(self, *, workspace: str, user_email: str, query: PortfolioQuery) -> PortfolioPage:
        """Filter, search, sort and page the workspace's rows."""
        everything, refreshing = self.rows(workspace=workspace)
        rows = everything
        mine_count = sum(1 for r in everything if r.owner_email == user_email)
        if query.mine:
            rows = [r for r in rows if r.owner_email == user_email]
        if query.owner:
            rows = [r for r in rows if r.owner_email == query.owner.strip().lower()]
        if query.severity:
            floor = _severity_rank(query.severity)
            rows = [r for r in rows if _severity_rank(r.worst_severity) >= floor]
        if query.flag:
            rows = [r for r in rows if query.flag in r.flag_codes]
        if query.account:
            rows = [r for r in rows if r.account_id == query.account]
        if query.search:
            needle = query.search.strip().lower()
            rows = [
                r
                for r in rows
                if needle in r.deal_name.lower()
                or needle in r.account_name.lower()
                or needle in r.owner_email
            ]
        key = query.sort if query.sort in SORT_KEYS else "risk"
        rows = sorted(rows, key=_SORT_KEYS[key], reverse=query.descending)
        per_page = max(1, min(query.per_page, 200))
        pages = max(1, -(-len(rows) // per_page))
        page = min(max(1, query.page), pages)
        shown = rows[(page - 1) * per_page : page * per_page]
        return PortfolioPage(
            rows=shown,
            total=len(rows),
            page=page,
            pages=pages,
            owners=sorted({r.owner_email for r in everything}),
            accounts=sorted(
                {(r.account_id, r.account_name) for r in everything}, key=lambda a: a[1].lower()
            ),
            flag_codes=sorted({c for r in everything for c in r.flag_codes}),
            mine_count=mine_count,
            refreshing=refreshing,
        )
