"""The deal map in a real headless Chromium, opened from file:// with the network blocked."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from graphsvc.domain.models import to_ms
from graphsvc.maps.service import map_page_from_history
from tests.visual.conftest import PageWatch, browser_test, pixel_variety
from tests.visual.sample import HOSTILE_NAME, HOSTILE_SUMMARY, HOSTILE_TITLE, sample_deal

pytestmark = browser_test

END = datetime(2026, 11, 2, 12, tzinfo=UTC)


def write_page(tmp_path: Path, name: str, **sample: object) -> tuple[Path, object]:
    mode = sample.pop("mode", "file")
    deal = sample_deal(end=END, **sample)  # type: ignore[arg-type]
    page = map_page_from_history(deal.history, mode=mode)  # type: ignore[arg-type]
    path = tmp_path / name
    path.write_text(page.html, encoding="utf-8")
    return path, deal


def hover(page, node_id: str) -> None:
    """Move the mouse onto a node (vis-network shows its tooltip after a short delay)."""
    box = page.evaluate(
        """(id) => {
          const s = window.__graphsvcMap;
          const p = s.network.getPositions([id])[id];
          const dom = s.network.canvasToDOM(p);
          const r = document.getElementById("network").getBoundingClientRect();
          return {x: r.left + dom.x, y: r.top + dom.y};
        }""",
        node_id,
    )
    page.mouse.move(box["x"] - 4, box["y"] - 4)
    page.mouse.move(box["x"], box["y"], steps=3)


def assert_clean(watch: PageWatch) -> None:
    assert watch.console_errors == []
    assert watch.page_errors == []
    assert watch.dialogs == []
    assert watch.blocked == []
    assert all(url.startswith(("file:", "data:")) for url in watch.requests), watch.requests


def test_offline_file_page_renders_the_whole_committee(open_page, tmp_path: Path) -> None:
    path, deal = write_page(tmp_path, "deal.html", members=30, seed=11)
    watch = open_page()
    watch.page.goto(path.as_uri())
    watch.wait_stabilized()
    state = watch.map_state()
    committee = len(deal.history.snapshot().members)
    assert state["members"] == committee == state["committeeSize"]
    assert state["team"] >= 1 and state["edges"] > committee
    assert state["physics"] is False  # settled, then stopped
    png = watch.page.screenshot(full_page=False)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert pixel_variety(png) > 200  # a map, not a blank page
    # Header, flags and chart were drawn from the data.
    assert watch.page.text_content("#deal-name") == deal.history.deal.name
    assert watch.page.locator("#flags .flag").count() >= 1
    assert watch.page.locator("#chart svg polyline").count() == 2
    assert watch.page.locator("#chart svg circle").count() >= 2
    assert_clean(watch)


def test_hostile_names_run_nothing(open_page, tmp_path: Path) -> None:
    path, deal = write_page(tmp_path, "hostile.html", members=12, seed=5, hostile=True)
    watch = open_page()
    watch.page.goto(path.as_uri())
    watch.wait_stabilized()
    page = watch.page
    # Hover the hostile members, and one whose last contact has the javascript: summary,
    # so their tooltips (DOM that vis-network shows) appear.
    snapshot = deal.history.snapshot()
    last_summary = {}
    for record in snapshot.interactions:  # oldest first: the last one wins
        for sid in record.stakeholder_ids:
            last_summary[sid] = record.summary
    hostile = {
        s.id: s
        for s in deal.bundle.stakeholders
        if s.name == HOSTILE_NAME or s.title == HOSTILE_TITLE
    }
    assert len(hostile) == 2
    summary_victim = next(
        m.id
        for m in snapshot.members
        if last_summary.get(m.id) == HOSTILE_SUMMARY and m.id not in hostile
    )
    by_id = {s.id: s for s in deal.bundle.stakeholders}
    for sid in [*hostile, summary_victim]:
        person = by_id[sid]
        hover(page, "s:" + sid)
        # The payloads appear as the tooltip's text: they were never parsed as HTML.
        page.locator("div.vis-tooltip .tip-name", has_text=person.name).wait_for(state="visible")
        if person.title == HOSTILE_TITLE:
            assert page.text_content("div.vis-tooltip .tip-title") == HOSTILE_TITLE
        if sid == summary_victim:
            shown = page.text_content("div.vis-tooltip .tip-summary")
            assert shown == "“" + HOSTILE_SUMMARY + "”"
        assert (
            page.locator("div.vis-tooltip img, div.vis-tooltip script, div.vis-tooltip a").count()
            == 0
        )
    # Click every flag (their messages carry names) and the header shows the deal name.
    for button in page.locator("#flags .flag").all():
        button.click()
    assert "</script>" in page.text_content("#deal-name")
    assert page.locator("#network img, #side img, header img, script[src]").count() == 0
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("document.scripts.length") == 3  # nothing was injected
    assert_clean(watch)


def test_as_of_control_shows_the_earlier_committee(open_page, tmp_path: Path) -> None:
    path, deal = write_page(tmp_path, "deal.html", members=30, seed=3)
    watch = open_page()
    watch.page.goto(path.as_uri())
    watch.wait_stabilized()
    now = watch.map_state()
    earliest = watch.page.get_attribute("#as-of-input", "min")
    assert earliest is not None
    watch.page.fill("#as-of-input", earliest)
    watch.page.click("#as-of-apply")
    watch.wait_stabilized(layouts=2)
    then = watch.map_state()
    end_of_day = to_ms(datetime.fromisoformat(earliest).replace(tzinfo=UTC)) + 86_400_000 - 1
    expected = len(deal.history.snapshot(end_of_day).members)
    assert then["asOf"] == earliest
    assert then["members"] == expected == then["committeeSize"] < now["members"]
    assert watch.page.text_content("#deal-meta").endswith("as of " + earliest)
    # A date before the first embedded map is refused with a note, not a blank map.
    watch.page.fill("#as-of-input", "2001-01-01")
    watch.page.click("#as-of-apply")
    assert "no map before" in watch.page.text_content("#as-of-note")
    assert watch.map_state()["members"] == expected
    assert_clean(watch)


def test_flag_click_highlights_its_people(open_page, tmp_path: Path) -> None:
    path, deal = write_page(tmp_path, "deal.html", members=20, seed=2)
    watch = open_page()
    watch.page.goto(path.as_uri())
    watch.wait_stabilized()
    flag = watch.page.locator("#flags .flag", has_text="DM_NEVER_CONTACTED")
    flag.click()
    assert watch.map_state()["highlighted"] == ["s:" + deal.top_decision_maker_id]
    assert flag.get_attribute("aria-pressed") == "true"
    flag.click()
    assert watch.map_state()["highlighted"] == []
    assert_clean(watch)


@pytest.mark.slow
def test_two_hundred_members_settle_and_stop(open_page, tmp_path: Path) -> None:
    path, deal = write_page(tmp_path, "big.html", members=200, seed=9, mode="served")
    watch = open_page()
    watch.page.goto(path.as_uri())
    watch.wait_stabilized()
    state = watch.map_state()
    assert state["members"] == len(deal.history.snapshot().members)
    assert state["physics"] is False
    assert pixel_variety(watch.page.screenshot()) > 200
    assert_clean(watch)
