"""What the deal page's JSON answers carry: only what the page draws, every node with a
place (the map is drawn without physics), and no lines when the page has them."""

from __future__ import annotations

from urllib.parse import quote

from tests.web.conftest import DealRoom


def test_state_answers_are_slim_and_laid_out(deal_room: DealRoom) -> None:
    client, _ = deal_room.signed_in_client("viewer")
    url = f"/deal/state?ws={quote(deal_room.workspace)}&id={quote(deal_room.deal_id, safe='')}"
    first = client.get(url).json()
    frame = first["frame"]
    assert set(frame) == {
        "nodes",
        "edges",
        "levels",
        "positions",
        "options",
        "alert_node",
        "top_decision_maker",
        "committee_size",
    }
    assert frame["edges"] and {n["id"] for n in frame["nodes"]} == set(frame["positions"])
    again = client.get(url, headers={"X-Lines-Key": first["lines_key"]}).json()
    assert again["frame"]["edges"] is None and again["lines_key"] == first["lines_key"]
    assert again["frame"]["positions"] == frame["positions"]  # the same map, the same places
    stale = client.get(url, headers={"X-Lines-Key": "something-else"}).json()
    assert stale["frame"]["edges"] == frame["edges"]
