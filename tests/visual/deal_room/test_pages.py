"""The deal room in real headless Chromium: sign-in, portfolio, deal page, roles,
hostile names, console errors, accessibility (axe-core), and the README's screenshots."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.visual.conftest import PageWatch, browser_test
from tests.web.conftest import SCREENSHOTS, DealRoom, run_axe, sign_in

pytestmark = browser_test


def _clean(watch: PageWatch) -> None:
    assert watch.console_errors == [], watch.console_errors
    assert watch.page_errors == [], watch.page_errors
    assert watch.blocked == [], watch.blocked  # nothing but our own server was asked
    assert watch.dialogs == []
    assert watch.page.evaluate("typeof window.__pwned") == "undefined"


def _wait_drawn(watch: PageWatch, times: int = 1) -> None:
    watch.page.wait_for_selector(
        f"html[data-map-drawn='{times}']", state="attached", timeout=30_000
    )


def test_editor_journey_accessible_and_safe(deal_room: DealRoom, open_page: Any) -> None:
    watch = open_page(allow_origin=deal_room.url)
    page = watch.page
    page.goto(f"{deal_room.url}/")
    expect(page.locator("h1")).to_have_text("Sign in to the deal room")
    assert run_axe(page) == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "signin.png"))
    sign_in(watch, deal_room, "editor", next_path=f"/?ws={deal_room.workspace}")

    expect(page.locator("h1")).to_have_text("Open deals")
    rows = page.locator("table.deals tbody tr")
    expect(rows).to_have_count(2)  # "my deals": both are the editor's
    # Hostile names are text, never markup.
    expect(page.locator("table.deals")).to_contain_text('<img src=x onerror="window.__pwned=1">')
    assert page.locator("table.deals img").count() == 0
    assert page.locator("svg.spark polyline").count() == 2
    assert run_axe(page) == []
    page.screenshot(path=str(SCREENSHOTS / "portfolio.png"))

    # Filters (htmx swaps the table in place): only deals with a high flag.
    page.select_option("#severity", "high")
    expect(rows).to_have_count(1)
    page.fill("#q", "no such deal")
    expect(page.locator("table.deals tbody")).to_contain_text("No open deal matches")
    page.fill("#q", "")
    page.select_option("#severity", "")
    expect(rows).to_have_count(2)

    page.locator("table.deals a", has_text="Platform").click()
    _wait_drawn(watch)
    expect(page.locator("#panel-flags")).to_contain_text("DM_NEVER_CONTACTED")
    expect(page.locator("#panel-edit")).to_be_visible()
    page.wait_for_selector("html[data-advice]", state="attached")
    expect(page.locator("#panel-next")).to_contain_text("Dana Decider")
    expect(page.locator("#panel-paths")).to_contain_text("Warm paths")
    state = page.evaluate(
        "({members: window.__dealRoom.members.length, nodes: window.__dealRoom.nodes.length})"
    )
    assert state["members"] == 3 and state["nodes"] == 4  # three people and our team member
    assert run_axe(page) == []
    page.screenshot(path=str(SCREENSHOTS / "deal-network.png"))
    page.click("#layout-orgchart")
    _wait_drawn(watch, 2)
    assert page.get_attribute("html", "data-layout") == "orgchart"
    page.screenshot(path=str(SCREENSHOTS / "deal-orgchart.png"))
    # The chosen layout is kept for the deal: a reload opens the org chart.
    page.reload()
    _wait_drawn(watch)
    assert page.get_attribute("html", "data-layout") == "orgchart"
    # Find a person on the map.
    page.fill("#map-search", "Dana Decider")
    page.press("#map-search", "Enter")
    expect(page.locator("#notice")).to_have_text("Found Dana Decider.")
    assert page.evaluate("window.__dealRoom.network.getSelectedNodes()")[0].startswith("s:p1-")
    _clean(watch)


def test_viewer_sees_no_editing_controls(deal_room: DealRoom, open_page: Any) -> None:
    watch = open_page(allow_origin=deal_room.url)
    sign_in(watch, deal_room, "viewer", next_path=f"/?ws={deal_room.workspace}")
    page = watch.page
    # The viewer's own name is hostile: shown as text in the header.
    expect(page.locator("header .who")).to_contain_text("Viewer <img")
    page.goto(deal_room.deal_url())
    _wait_drawn(watch)
    assert page.locator("#panel-edit").count() == 0
    assert page.locator("#draw-line").count() == 0
    assert page.locator("form[data-edit]").count() == 0
    expect(page.locator("#panel-ranking")).to_contain_text("Chris Champion")
    _clean(watch)


def test_outsider_gets_404_for_another_workspace(deal_room: DealRoom, open_page: Any) -> None:
    watch = open_page(allow_origin=deal_room.url)
    sign_in(watch, deal_room, "outsider")
    response = watch.page.goto(deal_room.deal_url())
    assert response is not None and response.status == 404
    expect(watch.page.locator("h1")).to_have_text("Not found")
    # The only console message is Chromium's own note of the 404 answer itself.
    assert [e for e in watch.console_errors if "404" not in e] == []
    assert watch.page_errors == [] and watch.blocked == []


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_api_docs_render_offline(deal_room: DealRoom, open_page: Any, path: str) -> None:
    watch = open_page(allow_origin=deal_room.url)
    watch.page.goto(deal_room.url + path)
    watch.page.get_by_text("Create or update an account").first.wait_for(
        state="attached", timeout=30_000
    )
    # Nothing left this machine (a CDN request would have been blocked and recorded),
    # and the strict policy refused nothing.
    assert watch.blocked == [] and watch.page_errors == []
    assert watch.console_errors == []
