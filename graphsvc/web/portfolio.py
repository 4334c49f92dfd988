"""The portfolio page's rows: the open deals of a workspace with their analysis.

Results come from the analysis service's fleet scan (:meth:`AnalysisService.scan_details`,
12 weekly support points per deal), joined with the deal columns the analysis does not
carry. The joined rows are kept per workspace; after a write (a new revision) or
``analysis_cache_seconds`` (time-dependent flags) they are rebuilt in the background
while the kept ones are still served, marked as refreshing. Filtering, sorting and paging
a 10,000-deal portfolio work on rows in memory, never on a scan in the request (except
the very first one of a workspace). Results kept per deal by revision (issue 15) will
replace the whole-workspace rebuild.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

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


def _severity_rank(value: str | None) -> int:
    return Severity(value).weight if value else 0


def _sort_value(row: PortfolioRow, key: str) -> tuple[object, ...]:
    values: dict[str, tuple[object, ...]] = {
        "deal": (row.deal_name.lower(),),
        "account": (row.account_name.lower(),),
        "owner": (row.owner_email,),
        "amount": (row.amount is not None, row.amount or 0.0),
        "stage": ((row.stage or "").lower(),),
        "close": (row.close_date is not None, row.close_date or date.min),
        "support": (row.share,),
        "trend": (row.trend_delta,),
        "risk": (_severity_rank(row.worst_severity), row.flag_count),
        "flags": (row.flag_count,),
    }
    return (*values[key], row.deal_id)


class PortfolioService:
    """Rows of the portfolio page (keyword-only verbs)."""

    def __init__(
        self,
        *,
        store: GraphStore,
        analysis: AnalysisService,
        repository: WebRepository,
        max_age_seconds: float,
    ) -> None:
        self.store = store
        self.analysis = analysis
        self.repository = repository
        self.max_age_seconds = max_age_seconds
        self._kept: dict[str, tuple[int, float, list[PortfolioRow]]] = {}
        self._building: set[str] = set()
        self._lock = threading.Lock()

    def rows(self, *, workspace: str) -> tuple[list[PortfolioRow], bool]:
        """The workspace's rows, and whether they are being refreshed. Rows kept for an
        older revision (or older than ``max_age_seconds``) are answered at once while a
        background thread rebuilds them (one at a time per workspace); only the very
        first request of a workspace waits for its scan."""
        revision = self.store.workspace_revision(workspace=workspace)
        with self._lock:
            kept = self._kept.get(workspace)
            fresh = (
                kept is not None
                and kept[0] == revision
                and time.monotonic() - kept[1] < self.max_age_seconds
            )
            if kept is not None and not fresh and workspace not in self._building:
                self._building.add(workspace)
                threading.Thread(
                    target=self._rebuild,
                    args=(workspace, revision),
                    name="graphsvc-portfolio",
                    daemon=True,
                ).start()
            if kept is not None:
                return kept[2], not fresh
        rows = self._build(workspace)
        with self._lock:
            self._kept[workspace] = (revision, time.monotonic(), rows)
        return rows, False

    def _rebuild(self, workspace: str, revision: int) -> None:
        try:
            rows = self._build(workspace)
            with self._lock:
                self._kept[workspace] = (revision, time.monotonic(), rows)
        except Exception:  # the next request tries again; the old rows stay served
            logging.getLogger("graphsvc.web").exception("portfolio refresh failed")
        finally:
            with self._lock:
                self._building.discard(workspace)

    def _build(self, workspace: str) -> list[PortfolioRow]:
        deals = {d.id: d for d in self.repository.portfolio_deals(workspace=workspace)}
        rows: list[PortfolioRow] = []
        for details in self.analysis.scan_details(
            workspace=workspace, history_weeks=12, next_best=0
        ):
            risk = details.analysis
            deal = deals.get(risk.deal_id)
            if deal is None:  # deleted or closed between the two reads
                continue
            worst = risk.flags[0] if risk.flags else None
            rows.append(
                PortfolioRow(
                    deal_id=deal.id,
                    deal_name=deal.name,
                    account_id=deal.account_id,
                    account_name=deal.account_name or deal.account_id,
                    owner_email=deal.owner_email,
                    amount=deal.amount,
                    currency=deal.currency,
                    stage=deal.stage,
                    close_date=deal.close_date,
                    share=risk.support.share,
                    trend=risk.support.trend.value,
                    trend_delta=risk.support.trend_delta,
                    spark=tuple(p.share for p in details.support_history[-12:]),
                    worst_severity=worst.severity.value if worst else None,
                    worst_flag=worst.code.value if worst else None,
                    worst_message=worst.message if worst else None,
                    flag_count=len(risk.flags),
                    flag_codes=tuple(f.code.value for f in risk.flags),
                )
            )
        return rows

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
        rows = sorted(rows, key=lambda r: _sort_value(r, key), reverse=query.descending)
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
