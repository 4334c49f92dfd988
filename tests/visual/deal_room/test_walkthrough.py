"""The README's walkthrough, in Chromium, on the demo portfolio: open the editor's
one-time link (as ``make demo`` prints it), see the portfolio, open the deal whose top
decision-maker was never contacted, switch to the org chart, add a person and a meeting
with the decision-maker, and watch the flag go. The README's screenshots come from here
(``GRAPHSVC_UPDATE_SCREENSHOTS=1`` writes them to docs/screenshots)."""

from __future__ import annotations

import uuid
from typing import Any

from playwright.sync_api import expect

from graphsvc.cli.demo import create_demo_users
from graphsvc.demo import load_demo
from tests.visual.conftest import browser_test
from tests.web.conftest import SCREENSHOTS, DealRoom

pytestmark = browser_test


def test_first_run_walkthrough(deal_room: DealRoom, open_page: Any) -> None:
    workspace = f"demo-{uuid.uuid4().hex[:8]}"
    load_demo(deal_room.store, workspace=workspace)
    links = create_demo_users(deal_room.store, deal_room.settings, workspace=workspace)
    assert set(links) == {"editor", "viewer", "admin"}
    watch = open_page(allow_origin=deal_room.url)
    page = watch.page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(links["editor"])
    page.goto(f"{deal_room.url}/?ws={workspace}")
    expect(page.locator("h1")).to_have_text("Open deals")
    expect(page.locator("table.deals")).to_contain_text("Fleet telematics platform")
    page.screenshot(path=str(SCREENSHOTS / "walkthrough-1-portfolio.png"), full_page=True)

    page.click("text=All deals")
    page.locator("table.deals a", has_text="Scheduling").click()
    page.wait_for_selector("html[data-map-drawn]", state="attached")
    page.wait_for_selector("html[data-advice]", state="attached")
    expect(page.locator("#flag-list")).to_contain_text("DM_NEVER_CONTACTED")
    page.screenshot(path=str(SCREENSHOTS / "walkthrough-2-deal.png"))

    page.click("#layout-orgchart")
    page.wait_for_selector("html[data-layout='orgchart']", state="attached")
    page.screenshot(path=str(SCREENSHOTS / "walkthrough-3-orgchart.png"))

    page.locator("#edit-add > summary").click()
    page.fill("#ap-name", "Nora Newcomer")
    page.fill("#ap-title", "Head of Operations")
    page.select_option("#ap-role", "Influencer")
    page.select_option("#ap-stance", "supporter")
    page.press("#ap-name", "Enter")
    expect(page.locator("#notice")).to_contain_text("Saved: added Nora Newcomer")

    top = page.evaluate("window.__dealRoom.frame.top_decision_maker.node").removeprefix("s:")
    if not page.locator("#edit-interaction").evaluate("d => d.open"):
        page.locator("#edit-interaction > summary").click()
    page.check(f"#form-interaction input[value='{top}']")
    page.fill("#ix-summary", "Introduced the scheduling roadmap")
    page.click("#form-interaction button[type=submit]")
    expect(page.locator("#notice")).to_contain_text("logged a meeting")
    expect(page.locator("#flag-list")).not_to_contain_text("DM_NEVER_CONTACTED")
    page.wait_for_selector(
        f"html[data-advice='{page.get_attribute('html', 'data-revision')}']", state="attached"
    )
    page.screenshot(path=str(SCREENSHOTS / "walkthrough-4-after-meeting.png"), full_page=True)
    assert watch.console_errors == [] and watch.page_errors == [] and watch.blocked == []
