"""Mapping a deal on the map, in Chromium, with clicks and keys only (the issue's flow):
five people, two influence lines (one drawn on the canvas), one reporting line, and
meetings; DM_NEVER_CONTACTED shows, then goes when the top decision-maker is met. Then
the store holds every change with the user's name, and the API answers the same
analysis as the page. Also: two people editing at once, and an import showing up on an
open page without a reload."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import expect

from graphsvc.keys import KeyRepository
from graphsvc.store.repository import node_key
from graphsvc.web.repository import WebRepository
from tests.visual.conftest import PageWatch, browser_test
from tests.web.conftest import DealRoom, sign_in

pytestmark = browser_test

PEOPLE = [
    # name, role, stance, ally
    ("Dora Director", "Decision Maker", "neutral", False),
    ("Sam Sponsor", "Champion", "champion", True),
    ("Eve Evaluator", "Evaluator", "skeptic", False),
    ("Tom Tech", "Technical Buyer", "supporter", False),
    ("Bea User", "Business User", "unknown", False),
]


def _saved(watch: PageWatch, text: str) -> None:
    expect(watch.page.locator("#notice")).to_contain_text(text, timeout=30_000)


def _deal_page(open_page: Any, room: DealRoom, role: str) -> PageWatch:
    """A Chromium page signed in as ``role``, on the room's deal, its map drawn."""
    watch: PageWatch = open_page(allow_origin=room.url)
    sign_in(watch, room, role, next_path=f"/?ws={room.workspace}")
    watch.page.goto(room.deal_url())
    watch.page.wait_for_selector("html[data-map-drawn]", state="attached")
    return watch


def _open(page: Any, summary_id: str) -> None:
    if not page.locator(f"#{summary_id}").evaluate("d => d.open"):
        page.locator(f"#{summary_id} > summary").click()


def _id_of(page: Any, name: str) -> str:
    return page.evaluate("(name) => window.__dealRoom.members.find(m => m.name === name).id", name)


def _flags(page: Any) -> set[str]:
    return set(
        page.locator("#flag-list li").evaluate_all(
            "items => items.map(i => i.getAttribute('data-flag'))"
        )
    )


def test_editor_maps_a_deal_from_nothing(deal_room: DealRoom, open_page: Any) -> None:
    watch = open_page(allow_origin=deal_room.url)
    page = watch.page
    sign_in(watch, deal_room, "editor", next_path=f"/?ws={deal_room.workspace}")
    page.locator("table.deals a", has_text="Fresh deal").click()
    page.wait_for_selector("html[data-map-drawn]", state="attached")
    expect(page.locator("#panel-ranking")).to_contain_text("Nobody on the committee yet")

    for name, role, stance, ally in PEOPLE:
        _open(page, "edit-add")
        page.fill("#ap-name", name)
        page.select_option("#ap-role", role)
        page.select_option("#ap-stance", stance)
        if ally:
            page.check("#ap-ally")
        page.press("#ap-name", "Enter")  # the keyboard submits the form
        _saved(watch, f"Saved: added {name}")
    assert page.evaluate("window.__dealRoom.members.length") == 5
    assert "DM_NEVER_CONTACTED" in _flags(page)

    # Influence line 1, drawn on the canvas: drag from Sam to Dora, then set strength.
    sam, dora = _id_of(page, "Sam Sponsor"), _id_of(page, "Dora Director")
    page.click("#layout-network")
    page.click("#draw-line")
    points = page.evaluate(
        """([a, b]) => {
             const net = window.__dealRoom.network;
             const pos = net.getPositions([a, b]);
             const box = document.querySelector('#map canvas').getBoundingClientRect();
             return [a, b].map(id => {
               const p = net.canvasToDOM(pos[id]);
               return [box.left + p.x, box.top + p.y];
             });
           }""",
        [f"s:{sam}", f"s:{dora}"],
    )
    page.mouse.move(*points[0])
    page.mouse.down()
    page.mouse.move((points[0][0] + points[1][0]) / 2, (points[0][1] + points[1][1]) / 2, steps=5)
    page.mouse.move(*points[1], steps=5)
    page.mouse.up()
    expect(page.locator("#inf-source")).to_have_value(sam)
    expect(page.locator("#inf-target")).to_have_value(dora)
    page.fill("#inf-strength", "0.8")
    page.press("#inf-strength", "Enter")
    _saved(watch, "drew an influence line Sam Sponsor → Dora Director")

    # Influence line 2 and the reporting line, with the forms only.
    _open(page, "edit-lines")
    page.select_option("#inf-source", label="Tom Tech")
    page.select_option("#inf-target", label="Eve Evaluator")
    page.fill("#inf-strength", "0.4")
    page.click("#form-influence button[type=submit]")
    _saved(watch, "Tom Tech → Eve Evaluator")
    _open(page, "edit-lines")
    page.select_option("#rep-person", label="Tom Tech")
    page.select_option("#rep-manager", label="Dora Director")
    page.click("#form-reporting button[type=submit]")
    _saved(watch, "Tom Tech reports to Dora Director")

    # A meeting with the champion only: the decision-maker is still never contacted.
    _open(page, "edit-interaction")
    page.check(f"#form-interaction input[value='{sam}']")
    page.fill("#ix-summary", "Discovery workshop")
    page.click("#form-interaction button[type=submit]")
    _saved(watch, "logged a meeting")
    assert "DM_NEVER_CONTACTED" in _flags(page)
    # The meeting with the top decision-maker clears the flag.
    _open(page, "edit-interaction")
    page.check(f"#form-interaction input[value='{dora}']")
    page.fill("#ix-summary", "Met the director")
    page.click("#form-interaction button[type=submit]")
    _saved(watch, "with Dora Director")
    assert "DM_NEVER_CONTACTED" not in _flags(page)
    state = page.evaluate(
        "({nodes: window.__dealRoom.frame.nodes.length, "
        "edges: window.__dealRoom.frame.edges.length})"
    )
    assert state["nodes"] == 6  # five people and the editor
    assert state["edges"] == 2 + 1 + 2  # influence, reporting, and two contact links

    # A change of stance, taken back with undo (a new dated fact; the history stays).
    bea = _id_of(page, "Bea User")
    _open(page, "edit-member")
    page.select_option("#sm-person", bea)
    page.select_option("#sm-stance", "blocker")
    page.click("#form-set-member button[type=submit]")
    _saved(watch, "set Bea User's stance to blocker")
    page.click("#undo-button")
    _saved(watch, "undid: set Bea User's stance to blocker")
    expect(page.locator(f"#panel-ranking tr[data-person='{bea}'] .stance")).to_have_text("unknown")

    # The store holds every change with the user's name, and the facts themselves.
    changes = WebRepository(deal_room.store.runner).changes(
        workspace=deal_room.workspace, deal_id=deal_room.empty_deal_id
    )
    assert len(changes) == 5 + 2 + 1 + 2 + 2
    assert {c.actor for c in changes} == {deal_room.users["editor"]}
    snapshot = deal_room.store.snapshot(
        workspace=deal_room.workspace, deal_id=deal_room.empty_deal_id
    )
    assert len(snapshot.members) == 5 and len(snapshot.influences) == 2
    assert len(snapshot.reporting) == 1 and len(snapshot.interactions) == 2
    assert {i.team_member_emails for i in snapshot.interactions} == {(deal_room.users["editor"],)}
    expect(page.locator("#change-log")).to_contain_text(deal_room.users["editor"])
    runner, deal_key = (
        deal_room.store.runner,
        node_key(deal_room.workspace, deal_room.empty_deal_id),
    )
    people = [node_key(deal_room.workspace, m.id) for m in snapshot.members]
    authors = [
        *runner.execute(
            "MATCH (:Stakeholder)-[f:MEMBER_FACT]->(:Deal {key: $deal}) RETURN f.by AS by",
            {"deal": deal_key},
            read_only=True,
        ),
        *runner.execute(
            "UNWIND $keys AS k MATCH (:Stakeholder {key: k})"
            "-[f:INFLUENCE_FACT|REPORTS_FACT]->() RETURN f.by AS by",
            {"keys": people},
            read_only=True,
        ),
        *runner.execute(
            "MATCH (i:Interaction {deal_key: $deal}) RETURN i.recorded_by AS by",
            {"deal": deal_key},
            read_only=True,
        ),
    ]
    assert len(authors) == 5 + 2 + 3 + 2  # people, stance and its undo, lines, meetings
    assert {row["by"] for row in authors} == {deal_room.users["editor"]}

    # The API answers the same analysis as the page shows.
    key, _ = KeyRepository(deal_room.store.runner).create(
        workspace=deal_room.workspace, scope="read"
    )
    api = httpx.get(
        f"{deal_room.url}/v1/deals/{deal_room.empty_deal_id}/analysis",
        headers={"Authorization": f"Bearer {key}"},
        timeout=60,
    ).json()
    assert {f["code"] for f in api["flags"]} == _flags(page)
    shown = page.locator("#support-share").inner_text()
    assert shown == f"{api['support']['share'] * 100:.0f}%"
    assert [r["name"] for r in api["ranking"]] == page.locator(
        "#panel-ranking tbody tr td:nth-child(2)"
    ).evaluate_all("cells => cells.map(c => c.firstChild.textContent.trim())")
    assert watch.console_errors == [] and watch.page_errors == [] and watch.blocked == []


def test_two_editors_and_an_import(deal_room_factory: Any, open_page: Any) -> None:
    # Pages that do not poll (for a minute): the second editor's view goes stale.
    room: DealRoom = deal_room_factory(web_poll_seconds=60)
    first, second = open_page(allow_origin=room.url), open_page(allow_origin=room.url)
    sign_in(first, room, "editor", next_path=f"/?ws={room.workspace}")
    sign_in(second, room, "admin", next_path=f"/?ws={room.workspace}")
    for watch in (first, second):
        watch.page.goto(room.deal_url())
        watch.page.wait_for_selector("html[data-map-drawn]", state="attached")
    chris = _id_of(first.page, "Chris Champion")
    for watch in (first, second):
        watch.page.select_option("#sm-person", chris)
    first.page.select_option("#sm-stance", "supporter")
    first.page.click("#form-set-member button[type=submit]")
    _saved(first, "set Chris Champion's stance to supporter")
    second.page.select_option("#sm-stance", "blocker")
    second.page.click("#form-set-member button[type=submit]")
    expect(second.page.locator("#notice")).to_contain_text("someone else changed this deal")
    # The fresh state is shown: Chris is a supporter now, and nothing was overwritten.
    expect(second.page.locator(f"#panel-ranking tr[data-person='{chris}'] .stance")).to_have_text(
        "supporter"
    )
    snapshot = room.store.snapshot(workspace=room.workspace, deal_id=room.deal_id)
    assert snapshot.member(chris).stance.value == "supporter"  # type: ignore[union-attr]
    # Saving again on the fresh state works.
    second.page.select_option("#sm-stance", "blocker")
    second.page.click("#form-set-member button[type=submit]")
    _saved(second, "stance to blocker")


def test_import_appears_without_reload(deal_room: DealRoom, open_page: Any) -> None:
    from graphsvc.domain.models import Bundle

    watch = open_page(allow_origin=deal_room.url)
    sign_in(watch, deal_room, "viewer", next_path=f"/?ws={deal_room.workspace}")
    page = watch.page
    page.goto(deal_room.deal_url())
    page.wait_for_selector("html[data-map-drawn]", state="attached")
    page.evaluate("window.__sameDocument = true")
    account = deal_room.store.get_deal(
        workspace=deal_room.workspace, deal_id=deal_room.deal_id
    ).account_id
    deal_room.store.import_bundle(
        workspace=deal_room.workspace,
        bundle=Bundle.model_validate(
            {
                "stakeholders": [
                    {"id": "imported-1", "account_id": account, "name": "Ivy Imported"}
                ],
                "memberships": [
                    {
                        "deal_id": deal_room.deal_id,
                        "stakeholder_id": "imported-1",
                        "role": "Influencer",
                        "stance": "supporter",
                    }
                ],
            }
        ),
    )
    expect(page.locator("#panel-ranking")).to_contain_text("Ivy Imported", timeout=30_000)
    expect(page.locator("#notice")).to_have_text("Updated with changes made elsewhere.")
    assert page.evaluate("window.__sameDocument") is True  # no reload happened
    assert watch.console_errors == [] and watch.page_errors == []
