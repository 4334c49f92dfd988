"""The deal map over the real HTTP stack: keyed map, signed links, headers, and the
served page's as-of control in Chromium."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx
import pytest
from pydantic import SecretStr

from graphsvc.domain.models import from_ms
from graphsvc.maps.links import create_map_token, map_link_url
from tests.visual.conftest import browser_test
from tests.visual.sample import sample_deal


def data_block(html: str) -> dict:
    match = re.search(r'<script id="map-data" type="application/json">(.*?)</script>', html, re.S)
    assert match is not None
    return json.loads(match.group(1))


def assert_map_headers(response: httpx.Response) -> None:
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "script-src 'sha256-" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "http" not in policy and "*" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def assert_error_page(response: httpx.Response, status: int, text: str) -> None:
    """The map's HTML error page: the status, the message, and no script at all."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert text in response.text and "<script" not in response.text
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert response.headers["referrer-policy"] == "no-referrer"


@pytest.fixture
def seeded(map_api, store, workspace):
    """Two deals of the sample kind in one workspace, recorded up to a minute ago."""
    end = (datetime.now(UTC) - timedelta(minutes=1)).replace(microsecond=0)
    x = sample_deal(
        24, seed=4, deal_id="deal-x", workspace=workspace, end=end, deal_name="Deal X renewal"
    )
    y = sample_deal(
        10, seed=8, deal_id="deal-y", workspace=workspace, end=end, deal_name="Deal Y expansion"
    )
    for deal in (x, y):
        store.import_bundle(workspace=workspace, bundle=deal.bundle)
    api = map_api()
    return api, x, y


def test_keyed_map_as_of_and_headers(seeded, workspace) -> None:
    api, x, _ = seeded
    with api.client(api.key(workspace, "read")) as client:
        now = client.get("/v1/deals/deal-x/map")
        assert now.status_code == 200, now.text
        assert_map_headers(now)
        frame = data_block(now.text)["frames"][-1]
        assert frame["deal"]["name"] == "Deal X renewal"
        assert frame["committee_size"] == len(x.history.snapshot().members)
        # As of the first week: the smaller committee of that day.
        day = (x.start + timedelta(days=6)).date()
        then = client.get("/v1/deals/deal-x/map", params={"as_of": day.isoformat()})
        assert then.status_code == 200
        end_of_day = datetime.combine(day, datetime.max.time(), tzinfo=UTC)
        expected = len(x.history.snapshot(int(end_of_day.timestamp() * 1000)).members)
        assert data_block(then.text)["frames"][-1]["committee_size"] == expected
        assert expected < frame["committee_size"]
        # The ends of the calendar: the future is the map as of now; before the deal's
        # first fact there is no data (not an empty committee with made-up flags).
        future = client.get("/v1/deals/deal-x/map", params={"as_of": "9999-12-31"})
        assert future.status_code == 200
        assert data_block(future.text)["frames"][-1]["committee_size"] == frame["committee_size"]
        first = from_ms(x.history.first_fact_at()).isoformat()
        browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
        for ancient in ("0001-01-01", "2001-01-01"):
            early = client.get("/v1/deals/deal-x/map", params={"as_of": ancient}, headers=browser)
            assert_error_page(early, 422, f"no data before {first}")
        # A bad date in the address: in a browser the error page, not raw JSON; an API
        # client asking for anything gets the JSON error body of every route.
        bad = client.get("/v1/deals/deal-x/map", params={"as_of": "last tuesday"}, headers=browser)
        assert_error_page(bad, 422, "as_of is not a date or instant")
        as_json = client.get("/v1/deals/deal-x/map", params={"as_of": "2001-01-01"})
        assert as_json.status_code == 422 and as_json.json()["error"] == "validation_error"
        assert f"no data before {first}" in str(as_json.json()["detail"])
        assert_error_page(client.get("/v1/deals/nope/map", headers=browser), 404, "no deal")
        assert client.get("/v1/deals/nope/map").json()["error"] == "not_found"
    with api.client() as anonymous:
        assert anonymous.get("/v1/deals/deal-x/map").status_code == 401
    with api.client(api.key("some-other-workspace", "read")) as stranger:
        assert stranger.get("/v1/deals/deal-x/map").status_code == 404


def test_signed_links(seeded, workspace) -> None:
    api, _, _ = seeded
    settings = api.app.state.services.settings
    with api.client(api.key(workspace, "write")) as client:
        created = client.post("/v1/deals/deal-x/map-links", json={"ttl_days": 3})
        assert created.status_code == 201, created.text
        body = created.json()
        assert set(body) == {"deal_id", "url", "expires_at"}
        expires = datetime.fromisoformat(body["expires_at"])
        assert timedelta(days=2.99) < expires - datetime.now(UTC) <= timedelta(days=3)
        default = client.post("/v1/deals/deal-x/map-links")
        assert default.status_code == 201
        assert datetime.fromisoformat(default.json()["expires_at"]) - datetime.now(UTC) > timedelta(
            days=13.9
        )
        assert client.post("/v1/deals/nope/map-links").status_code == 404
        assert client.post("/v1/deals/deal-x/map-links", json={"ttl_days": -1}).status_code == 422
    with api.client(api.key(workspace, "read")) as reader:
        assert reader.post("/v1/deals/deal-x/map-links").status_code == 403

    url = body["url"]
    assert url.startswith(api.url + "/maps/")
    path = urlsplit(url).path
    token = path.rsplit("/", 1)[1]
    with api.client() as public:  # no key at all
        valid = public.get(path)
        assert valid.status_code == 200, valid.text
        assert_map_headers(valid)
        assert data_block(valid.text)["frames"][-1]["deal"]["id"] == "deal-x"
        assert "Deal Y expansion" not in valid.text
        earlier = public.get(path, params={"as_of": "2001-01-01"})
        assert_error_page(earlier, 422, "no data before")
        assert_error_page(
            public.get(path, params={"as_of": "2026-02-30"}), 422, "as_of is not a date or instant"
        )

        # Tampered: one character changed anywhere in the token.
        for i in (0, len(token) // 2, len(token) - 1):
            flipped = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]
            tampered = public.get(f"/maps/{flipped}")
            assert tampered.status_code == 403
            assert tampered.headers["referrer-policy"] == "no-referrer"
            assert "default-src 'none'" in tampered.headers["content-security-policy"]

        # Expired: signed correctly, but its time has passed.
        old, _ = create_map_token(
            settings=settings,
            workspace=workspace,
            deal_id="deal-x",
            ttl_days=1,
            now=datetime.now(UTC) - timedelta(days=2),
        )
        expired = public.get(urlsplit(map_link_url(settings=settings, token=old)).path)
        assert expired.status_code == 403
        assert "expired" in expired.text

        # A link for deal X cannot open deal Y: not by editing the token (Y in place of X
        # breaks the signature), not with another secret, and not as an API key.
        payload, signature = token.rsplit(".", 1)
        decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        assert b"deal-x" in decoded
        forged_payload = base64.urlsafe_b64encode(decoded.replace(b"deal-x", b"deal-y"))
        forged = forged_payload.decode().rstrip("=") + "." + signature
        assert public.get(f"/maps/{forged}").status_code == 403
        other_secret = settings.model_copy(update={"map_link_secret": SecretStr("x" * 32)})
        foreign, _ = create_map_token(settings=other_secret, workspace=workspace, deal_id="deal-y")
        assert public.get(f"/maps/{foreign}").status_code == 403
        as_key = public.get("/v1/deals/deal-y/map", headers={"Authorization": f"Bearer {token}"})
        assert as_key.status_code == 401
        assert (
            public.get(
                "/v1/deals/deal-x/analysis", headers={"Authorization": f"Bearer {token}"}
            ).status_code
            == 401
        )

        # A link to a deal that no longer exists.
        gone, _ = create_map_token(settings=settings, workspace=workspace, deal_id="deleted")
        assert public.get(f"/maps/{gone}").status_code == 404


@browser_test[0]
@browser_test[1]
def test_served_pages_in_the_browser(seeded, workspace, open_page) -> None:
    api, x, _ = seeded
    key = api.key(workspace, "read")
    watch = open_page(allow_origin=api.url, headers={"Authorization": f"Bearer {key}"})
    watch.page.goto(f"{api.url}/v1/deals/deal-x/map")
    watch.wait_stabilized()
    assert watch.map_state()["members"] == len(x.history.snapshot().members)
    # The as-of control of a served page asks the server again (?as_of=DATE).
    day = (x.start + timedelta(days=6)).date().isoformat()
    watch.page.fill("#as-of-input", day)
    with watch.page.expect_navigation():
        watch.page.click("#as-of-apply")
    watch.wait_stabilized()
    assert watch.page.url.endswith(f"/v1/deals/deal-x/map?as_of={day}")
    end_of_day = datetime.fromisoformat(day).replace(tzinfo=UTC) + timedelta(days=1)
    expected = len(x.history.snapshot(int(end_of_day.timestamp() * 1000) - 1).members)
    assert watch.map_state()["members"] == expected
    assert watch.console_errors == [] and watch.page_errors == [] and watch.dialogs == []
    assert watch.blocked == []
    # Before the deal's first fact there is no data: the error page says since when.
    early = watch.page.goto(f"{api.url}/v1/deals/deal-x/map?as_of=2001-01-01")
    assert early is not None and early.status == 422
    assert "no data before" in watch.page.text_content("body")

    # A signed link opens in a browser with no key at all.
    with api.client(api.key(workspace, "write")) as client:
        url = client.post("/v1/deals/deal-x/map-links").json()["url"]
    public = open_page(allow_origin=api.url)
    public.page.goto(url)
    public.wait_stabilized()
    assert public.map_state()["members"] == len(x.history.snapshot().members)
    assert public.console_errors == [] and public.page_errors == []
    assert all(u.startswith(api.url) or u.startswith("data:") for u in public.requests)
