"""A note written elsewhere (a CRM through the REST API) shows on a deal page already
open, in Chromium, without a reload: the note write moves the deal's revision, which
the page polls; taking the note back (DELETE) takes it off the page the same way."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
from playwright.sync_api import expect

from graphsvc.keys import KeyRepository
from tests.visual.conftest import browser_test
from tests.visual.deal_room.test_mapping import _deal_page, _id_of
from tests.web.conftest import DealRoom

pytestmark = browser_test
NOTE = "Signs off anything over 100k"


def test_note_added_through_the_api_appears_without_reload(
    deal_room: DealRoom, open_page: Any
) -> None:
    watch = _deal_page(open_page, deal_room, "viewer")
    page = watch.page
    page.evaluate("window.__sameDocument = true")
    expect(page.locator("#panel-notes")).not_to_contain_text(NOTE)

    key, _ = KeyRepository(deal_room.store.runner).create(
        workspace=deal_room.workspace, scope="write", name="crm-sync"
    )
    notes = f"{deal_room.url}/v1/deals/{quote(deal_room.deal_id, safe='')}/notes"
    with httpx.Client(headers={"Authorization": f"Bearer {key}"}, timeout=60) as api:
        posted = api.post(
            notes, json={"stakeholder_id": _id_of(page, "Dana Decider"), "text": NOTE}
        )
        assert posted.status_code == 201, posted.text
        expect(page.locator("#panel-notes")).to_contain_text(NOTE, timeout=30_000)
        expect(page.locator("#notice")).to_have_text("Updated with changes made elsewhere.")

        assert api.delete(f"{notes}/{posted.json()['id']}").status_code == 204
        expect(page.locator("#panel-notes")).not_to_contain_text(NOTE, timeout=30_000)
    assert page.evaluate("window.__sameDocument") is True  # no reload happened
    assert watch.console_errors == [] and watch.page_errors == []
