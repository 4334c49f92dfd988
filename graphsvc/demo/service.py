"""Loading the demo portfolio so that its stories stay true week after week.

Within one ISO week a load writes exactly the facts already stored, so nothing changes.
A load in a later week would hang the same stories from a later anchor, but the store
keeps history: the facts of the earlier load would stay, a week older, and the recent
stance changes each story depends on would drift out of the four-week trend window. So
when the stored demo hangs from another anchor, the demo's deals and accounts (with
their people, facts and interactions) are deleted first and the portfolio is written
afresh; API keys and anything outside the demo's own ids are left alone.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime

from graphsvc.demo.portfolio import DEMO_WORKSPACE, demo_portfolio
from graphsvc.domain.models import to_ms
from graphsvc.errors import Conflict, NotFound
from graphsvc.store.repository import GraphStore, ImportCounts


@dataclass(frozen=True)
class DemoLoad:
    counts: ImportCounts
    reanchored: bool  # an earlier week's demo was replaced

    @property
    def created(self) -> int:
        return sum(c.created for c in self.counts.by_kind.values())

    @property
    def updated(self) -> int:
        return sum(c.updated for c in self.counts.by_kind.values())

    @property
    def unchanged(self) -> int:
        return sum(c.unchanged for c in self.counts.by_kind.values())


def _stored_anchor_differs(
    store: GraphStore, workspace: str, probe_deal: str, probe_id: str, expected_ms: int
) -> bool:
    try:
        stored = store.list_interactions(workspace=workspace, deal_id=probe_deal)
    except NotFound:
        return False
    at = {record.id: record.at for record in stored}.get(probe_id)
    return at is not None and at != expected_ms


def load_demo(
    store: GraphStore, *, workspace: str = DEMO_WORKSPACE, now: datetime | None = None
) -> DemoLoad:
    """Write the demo portfolio anchored at ``now``'s week; idempotent within a week."""
    bundle = demo_portfolio(now)
    probe = bundle.interactions[0]
    reanchored = _stored_anchor_differs(store, workspace, probe.deal_id, probe.id, to_ms(probe.at))
    if reanchored:
        for deal in bundle.deals:
            with contextlib.suppress(NotFound):
                store.delete_deal(workspace=workspace, deal_id=deal.id)
        for account in bundle.accounts:
            # Conflict: someone put the demo's people on deals of their own; keep them.
            with contextlib.suppress(NotFound, Conflict):
                store.delete_account(workspace=workspace, account_id=account.id)
    counts = store.import_bundle(workspace=workspace, bundle=bundle)
    return DemoLoad(counts=counts, reanchored=reanchored)
