"""The web app's security over real HTTP: sessions and cookie flags, CSRF and origin
checks, roles (viewer 403), workspace isolation (404), throttled sign-in, page headers."""

from __future__ import annotations

import re
from collections.abc import Callable

from tests.web.conftest import PASSWORD, DealRoom

EDIT = {"action": "set_member", "stakeholder_id": "x", "role": "Champion", "revision": "r"}


def _signin_form(client):  # type: ignore[no-untyped-def]
    page = client.get("/signin")
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def test_sign_in_sets_a_safe_cookie_and_sign_out_ends_it(deal_room: DealRoom) -> None:
    client = deal_room.client()
    assert client.get("/").status_code == 303  # not signed in: to the sign-in form
    token = _signin_form(client)
    answer = client.post(
        "/signin",
        data={"email": deal_room.users["editor"], "password": PASSWORD, "csrf_token": token},
    )
    assert answer.status_code == 303
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("graphsvc_session=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    page = client.get(f"/?ws={deal_room.workspace}")
    assert page.status_code == 200 and "Open deals" in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert client.post("/signout", data={"csrf_token": csrf}).status_code == 303
    assert client.get(f"/?ws={deal_room.workspace}").status_code == 303


def test_cookie_is_secure_behind_https(deal_room_factory: Callable[..., DealRoom]) -> None:
    from graphsvc.users import UserRepository, UserService

    room = deal_room_factory(public_base_url="https://deals.example.com")
    client = room.client()
    assert "Secure" in client.get("/signin").headers["set-cookie"]  # the pre-session one
    users = UserService(repository=UserRepository(room.store.runner), settings=room.settings)
    link = users.create_signin_link(email=room.users["editor"])
    answer = client.get(link.removeprefix("https://deals.example.com"))
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("graphsvc_session=") and "Secure" in cookie and "HttpOnly" in cookie


def test_wrong_password_and_throttling(deal_room_factory: Callable[..., DealRoom]) -> None:
    room = deal_room_factory(web_login_max_failures_per_account=2)
    client = room.client()
    for _ in range(2):
        token = _signin_form(client)
        answer = client.post(
            "/signin",
            data={"email": room.users["viewer"], "password": "wrong-password", "csrf_token": token},
        )
        assert answer.status_code == 401 and "is wrong" in answer.text
    token = _signin_form(client)
    answer = client.post(
        "/signin", data={"email": room.users["viewer"], "password": PASSWORD, "csrf_token": token}
    )
    assert answer.status_code == 429 and "too many failed sign-ins" in answer.text


def test_cross_site_posts_are_refused(deal_room: DealRoom) -> None:
    client = deal_room.client()
    # Sign-in form posted from another site (even with a token of its own making).
    _signin_form(client)
    answer = client.post(
        "/signin",
        data={"email": deal_room.users["editor"], "password": PASSWORD, "csrf_token": "forged"},
        headers={"Origin": "https://evil.example"},
    )
    assert answer.status_code == 403
    signed, csrf = deal_room.signed_in_client("editor")
    url = f"/deal/edits?ws={deal_room.workspace}&id={deal_room.deal_id}"
    assert signed.post(url, json=EDIT).status_code == 403  # no token
    assert signed.post(url, json=EDIT, headers={"X-CSRF-Token": "nope"}).status_code == 403
    cross = signed.post(
        url, json=EDIT, headers={"X-CSRF-Token": csrf, "Origin": "https://evil.example"}
    )
    assert cross.status_code == 403 and "another site" in cross.text
    # Sign-out by a cross-site form is refused too (nothing happens).
    assert (
        signed.post(
            "/signout", data={"csrf_token": csrf}, headers={"Origin": "https://evil.example"}
        ).status_code
        == 403
    )
    assert signed.get(f"/?ws={deal_room.workspace}").status_code == 200


def test_viewer_cannot_edit(deal_room: DealRoom) -> None:
    client, csrf = deal_room.signed_in_client("viewer")
    page = client.get(f"/deal?ws={deal_room.workspace}&id={deal_room.deal_id}")
    assert page.status_code == 200 and "Map the deal" not in page.text
    state = client.get(f"/deal/state?ws={deal_room.workspace}&id={deal_room.deal_id}").json()
    edit = {**EDIT, "stakeholder_id": state["members"][0]["id"], "revision": state["revision"]}
    answer = client.post(
        f"/deal/edits?ws={deal_room.workspace}&id={deal_room.deal_id}",
        json=edit,
        headers={"X-CSRF-Token": csrf},
    )
    assert answer.status_code == 403 and answer.json()["error"] == "forbidden"


def test_other_workspaces_are_not_found(deal_room: DealRoom) -> None:
    client, csrf = deal_room.signed_in_client("admin")
    other = deal_room.other_workspace
    for path in (
        f"/?ws={other}",
        f"/deal?ws={other}&id={deal_room.other_deal_id}",
        f"/deal/state?ws={other}&id={deal_room.other_deal_id}",
        f"/people?ws={other}&q=a",
        # The other workspace's deal id asked for in one's own workspace.
        f"/deal?ws={deal_room.workspace}&id={deal_room.other_deal_id}",
    ):
        assert client.get(path).status_code == 404, path
    answer = client.post(
        f"/deal/edits?ws={other}&id={deal_room.other_deal_id}",
        json=EDIT,
        headers={"X-CSRF-Token": csrf},
    )
    assert answer.status_code == 404


def test_page_headers_and_no_cdn(deal_room: DealRoom) -> None:
    client, _ = deal_room.signed_in_client("editor")
    for path in (
        f"/?ws={deal_room.workspace}",
        f"/deal?ws={deal_room.workspace}&id={deal_room.deal_id}",
        "/docs",
        "/redoc",
        "/static/app.css",
        "/static/vis-9.1.2/vis-network.min.js",
    ):
        answer = client.get(path)
        assert answer.status_code == 200, path
        policy = answer.headers["content-security-policy"]
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "frame-ancestors 'none'" in policy and "http" not in policy
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["referrer-policy"] == "same-origin"
        if path.startswith(("/docs", "/redoc", "/?", "/deal")):
            assert not re.search(r"(src|href)=\"https?://", answer.text), path


def test_signin_link_is_one_time(deal_room: DealRoom) -> None:
    from graphsvc.users import UserRepository, UserService

    users = UserService(
        repository=UserRepository(deal_room.store.runner), settings=deal_room.settings
    )
    link = users.create_signin_link(email=deal_room.users["editor"])
    assert link.startswith(deal_room.url + "/signin/link/")
    client = deal_room.client()
    first = client.get(link.removeprefix(deal_room.url))
    assert first.status_code == 303 and "graphsvc_session=" in first.headers["set-cookie"]
    assert client.get(f"/?ws={deal_room.workspace}").status_code == 200
    again = deal_room.client().get(link.removeprefix(deal_room.url))
    assert again.status_code == 401


def test_as_of_replays_the_past_read_only(deal_room: DealRoom) -> None:
    client, _ = deal_room.signed_in_client("editor")
    base = f"/deal?ws={deal_room.workspace}&id={deal_room.deal_id}"
    now = client.get(base)
    assert "Chris Champion" in now.text and "Map the deal" in now.text
    # 90 days ago nobody was on the committee yet (the seed starts 60 days back).
    from datetime import UTC, datetime, timedelta

    day = (datetime.now(UTC) - timedelta(days=90)).date().isoformat()
    past = client.get(f"{base}&as_of={day}")
    assert past.status_code == 200
    assert "Nobody on the committee yet" in past.text and "Map the deal" not in past.text
    assert client.get(f"{base}&as_of=not-a-date").status_code == 422
