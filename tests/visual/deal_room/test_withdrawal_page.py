"""Undo of a logged meeting on the deal page, in Chromium: the meeting with the top
decision-maker clears DM_NEVER_CONTACTED, the undo withdraws it (signed by the user)
and the flag is back, and the page as of just before the withdrawal still shows the
meeting counted."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from playwright.sync_api import expect

from graphsvc.domain.models import from_ms
from graphsvc.store.repository import node_key
from tests.visual.conftest import browser_test
from tests.visual.deal_room.test_mapping import _deal_page, _flags, _id_of, _open, _saved
from tests.web.conftest import DealRoom

pytestmark = browser_test
FLAG = "DM_NEVER_CONTACTED"


def test_undoing_a_meeting_withdraws_it_and_the_past_keeps_it(
    deal_room: DealRoom, open_page: Any
) -> None:
    watch = _deal_page(open_page, deal_room, "editor")
    page = watch.page
    assert FLAG in _flags(page)

    _open(page, "edit-interaction")
    page.check(f"#form-interaction input[value='{_id_of(page, 'Dana Decider')}']")
    page.fill("#ix-summary", "Budget review")
    page.click("#form-interaction button[type=submit]")
    _saved(watch, "with Dana Decider")
    assert FLAG not in _flags(page)
    page.click("#undo-button")
    _saved(watch, "undid: logged")
    expect(page.locator(f"#flag-list li[data-flag='{FLAG}']")).to_have_count(1)

    [row] = deal_room.store.runner.execute(
        "MATCH (i:Interaction {deal_key: $deal}) WHERE i.withdrawn_at IS NOT NULL "
        "RETURN i.withdrawn_at AS at, i.withdrawn_by AS by",
        {"deal": node_key(deal_room.workspace, deal_room.deal_id)},
        read_only=True,
    )
    assert row["by"] == deal_room.users["editor"]
    before = from_ms(int(row["at"]) - 1).isoformat()
    page.goto(deal_room.deal_url() + "&as_of=" + quote(before, safe=""))
    page.wait_for_selector("html[data-map-drawn]", state="attached")
    assert FLAG not in _flags(page)
    assert watch.console_errors == [] and watch.page_errors == [] and watch.blocked == []
