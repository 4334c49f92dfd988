"""Resources over real HTTP: round trips, error shape, auth, operations endpoints."""

from __future__ import annotations

import re

from tests.api.conftest import Api, seed_deal

ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$")


def test_operations_endpoints_need_no_key(api: Api) -> None:
    with api.client() as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/readyz").json() == {"status": "ready"}
        metrics = client.get("/metrics")
        assert metrics.status_code == 200
        assert "graphsvc_http_requests_total" in metrics.text
        schema = client.get("/openapi.json").json()
        assert "/v1/deals/{deal_id}/analysis" in schema["paths"]
        assert client.get("/docs").status_code == 200


def test_resource_round_trip(api: Api, workspace: str) -> None:
    with api.client(api.key(workspace)) as client:
        ids = seed_deal(client)
        deal = client.get(f"/v1/deals/{ids['deal']}").json()
        # Who wrote it: this key, which has no name.
        actor = f"key:{api.keys.list(workspace=workspace)[0].id}"
        assert (deal.pop("created_by"), deal.pop("updated_by")) == (actor, actor)
        assert deal == {
            "id": ids["deal"],
            "account_id": ids["account"],
            "name": "Acme renewal",
            "owner_email": "owner@us.example",
            "amount": 120000.0,
            "currency": "EUR",
            "stage": "Negotiation",
            "status": "open",
            "close_date": "2027-03-31",
        }
        assert client.get(f"/v1/accounts/{ids['account']}").json() == {
            "id": ids["account"],
            "name": "Acme",
            "tier": "strategic",
            "created_by": actor,
            "updated_by": actor,
        }
        person = client.get(f"/v1/stakeholders/{ids['people'][0]}").json()
        assert person["title"] == "VP" and person["account_id"] == ids["account"]

        interactions = client.get(f"/v1/deals/{ids['deal']}/interactions").json()["items"]
        assert len(interactions) == 1
        first = interactions[0]
        assert first["at"] == "2026-02-01T09:00:00+00:00"
        assert ISO_WITH_OFFSET.match(first["next_step_at"])
        assert first["stakeholder_ids"] == [ids["people"][1]]

        committee = client.get(f"/v1/deals/{ids['deal']}/committee").json()["items"]
        assert [m["stakeholder_id"] for m in committee] == sorted(ids["people"])

        # Ending a membership keeps its history: as of before the end it is still there.
        end = client.delete(
            f"/v1/deals/{ids['deal']}/committee/{ids['people'][3]}",
            params={"at": "2026-03-01T00:00:00Z"},
        )
        assert end.status_code == 200, end.text
        assert end.json()["at"] == "2026-03-01T00:00:00+00:00"
        now_members = client.get(f"/v1/deals/{ids['deal']}/committee").json()["items"]
        assert ids["people"][3] not in {m["stakeholder_id"] for m in now_members}
        before = client.get(
            f"/v1/deals/{ids['deal']}/committee", params={"as_of": "2026-02-01T00:00:00Z"}
        ).json()["items"]
        assert ids["people"][3] in {m["stakeholder_id"] for m in before}
        again = client.delete(f"/v1/deals/{ids['deal']}/committee/{ids['people'][3]}")
        assert again.status_code == 404 and again.json()["error"] == "not_found"

        # Lines end too.
        assert (
            client.delete(
                f"/v1/stakeholders/{ids['people'][1]}/influences/{ids['people'][0]}"
            ).status_code
            == 200
        )
        assert (
            client.delete(
                f"/v1/stakeholders/{ids['people'][2]}/reports-to/{ids['people'][0]}"
            ).status_code
            == 200
        )

        # An account with deals cannot go (409); the deal can, then the account.
        conflict = client.delete(f"/v1/accounts/{ids['account']}")
        assert conflict.status_code == 409 and conflict.json()["error"] == "conflict"
        assert client.delete(f"/v1/deals/{ids['deal']}").status_code == 204
        assert client.get(f"/v1/deals/{ids['deal']}").status_code == 404


def test_deal_list_filters_and_pages(api: Api, workspace: str) -> None:
    with api.client(api.key(workspace)) as client:
        client.put("/v1/accounts/a", json={"name": "A"})
        for i in range(7):
            r = client.put(
                f"/v1/deals/d{i}",
                json={
                    "account_id": "a",
                    "name": f"Deal {i}",
                    "status": "won" if i % 3 == 0 else "open",
                    "owner_email": "x@us.example" if i % 2 else "y@us.example",
                },
            )
            assert r.status_code == 201, r.text
        seen, cursor = [], None
        while True:
            params = {"limit": 2, "status": "open"} | ({"cursor": cursor} if cursor else {})
            page = client.get("/v1/deals", params=params).json()
            seen += [d["id"] for d in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == ["d1", "d2", "d4", "d5"]
        owned = client.get("/v1/deals", params={"owner": "X@us.example"}).json()
        assert [d["id"] for d in owned["items"]] == ["d1", "d3", "d5"]
        bad = client.get("/v1/deals", params={"limit": 0})
        assert bad.status_code == 422
        assert bad.json()["error"] == "validation_error"
        assert bad.json()["detail"][0]["loc"] == ["query", "limit"]


def test_validation_errors_name_the_field(api: Api, workspace: str) -> None:
    with api.client(api.key(workspace)) as client:
        client.put("/v1/accounts/a", json={"name": "A"})
        client.put("/v1/stakeholders/s", json={"account_id": "a", "name": "S"})
        client.put(
            "/v1/deals/d", json={"account_id": "a", "name": "D", "owner_email": "o@us.example"}
        )
        r = client.put("/v1/deals/d/committee/s", json={"role": "Boss", "stance": "fan"})
        assert r.status_code == 422
        body = r.json()
        assert body["error"] == "validation_error"
        assert {tuple(e["loc"]) for e in body["detail"]} == {("role",), ("stance",)}
        r = client.put("/v1/stakeholders/s/influences/s", json={"strength": 0.5})
        assert r.status_code == 422
        r = client.put("/v1/stakeholders/s/influences/t", json={"strength": 1.5})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["strength"]
        r = client.post(
            "/v1/interactions",
            json={
                "deal_id": "d",
                "at": "2026-01-01T00:00:00Z",
                "channel": "call",
                "stakeholder_ids": ["s", "nobody"],
            },
        )
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"][-2:] == ["stakeholder_ids", 1]
        r = client.post(
            "/v1/interactions", content=b"{not json", headers={"content-type": "application/json"}
        )
        assert r.status_code == 400 and r.json()["error"] == "bad_request"


def test_auth_401_403_and_revocation(api: Api, workspace: str) -> None:
    read_key = api.key(workspace, "read")
    with api.client() as anonymous:
        r = anonymous.get("/v1/deals")
        assert r.status_code == 401 and r.json()["error"] == "unauthorized"
        assert (
            anonymous.get("/v1/deals", headers={"Authorization": "Bearer nope"}).status_code == 401
        )
        assert (
            anonymous.get("/v1/deals", headers={"Authorization": f"Basic {read_key}"}).status_code
            == 401
        )
    with api.client(read_key) as reader:
        assert reader.get("/v1/deals").status_code == 200
        r = reader.put("/v1/accounts/a", json={"name": "A"})
        assert r.status_code == 403 and r.json()["error"] == "forbidden"
        record = api.keys.authenticate(read_key)
        assert record is not None
        api.keys.revoke(key_id=record.id)
        assert reader.get("/v1/deals").status_code == 401


def test_admin_key_manages_keys_of_its_workspace(api: Api, workspace: str) -> None:
    with api.client(api.key(workspace, "admin")) as admin:
        created = admin.post("/v1/keys", json={"scope": "read", "name": "crm"})
        assert created.status_code == 201
        new = created.json()
        assert new["key"].startswith("gsk_") and new["workspace"] == workspace
        listed = admin.get("/v1/keys").json()["items"]
        assert new["id"] in {k["id"] for k in listed}
        assert all("key" not in k and "hash" not in k for k in listed)
        with api.client(new["key"]) as reader:
            assert reader.get("/v1/deals").status_code == 200
            assert reader.get("/v1/keys").status_code == 403
            assert admin.delete(f"/v1/keys/{new['id']}").status_code == 200
            assert reader.get("/v1/deals").status_code == 401


def test_revoking_a_revoked_key_says_it_was_already_revoked(api: Api, workspace: str) -> None:
    with api.client(api.key(workspace, "admin")) as admin:
        key_id = admin.post("/v1/keys", json={"scope": "read"}).json()["id"]
        first = admin.delete(f"/v1/keys/{key_id}")
        assert first.status_code == 200
        revoked_at = first.json()["revoked_at"]
        assert revoked_at is not None
        again = admin.delete(f"/v1/keys/{key_id}")
        assert again.status_code == 409, again.text
        body = again.json()
        assert body["error"] == "conflict"
        assert "already revoked" in body["detail"] and key_id in body["detail"]
        # The first revocation instant stands.
        listed = {k["id"]: k for k in admin.get("/v1/keys").json()["items"]}
        assert listed[key_id]["revoked_at"] == revoked_at


def test_request_id_is_echoed_or_made(api: Api) -> None:
    with api.client() as client:
        assert (
            client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"]
            == "abc-123"
        )
        made = client.get("/healthz").headers["x-request-id"]
        assert re.fullmatch(r"[0-9a-f]{32}", made)
        # A malformed id is replaced, not echoed (it would reach the logs).
        assert (
            client.get("/healthz", headers={"X-Request-ID": "a b\tc"}).headers["x-request-id"]
            != "a b\tc"
        )
        missing = client.get("/nowhere")
        assert missing.status_code == 404 and missing.json()["error"] == "not_found"


def metric(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name) and all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_analysis_is_cached_until_a_write_and_metrics_show_it(api: Api, workspace: str) -> None:
    with api.client(api.key(workspace)) as client:
        ids = seed_deal(client)
        deal, dm = ids["deal"], ids["people"][0]
        first = client.get(f"/v1/deals/{deal}/analysis")
        assert first.status_code == 200, first.text
        body = first.json()
        assert body["deal_id"] == deal
        assert ISO_WITH_OFFSET.match(body["as_of"])
        assert {"ranking", "top_decision_maker", "support", "flags"} <= body.keys()
        assert body["top_decision_maker"]["stakeholder_id"] == dm
        assert 0 <= body["support"]["share"] <= 1
        again = client.get(f"/v1/deals/{deal}/analysis").json()  # from the cache, as of now
        assert {**again, "as_of": None} == {**body, "as_of": None}
        assert again["as_of"] >= body["as_of"]
        hits = metric(client.get("/metrics").text, "graphsvc_analysis_cache_total", result="hit")
        assert hits >= 1

        # A write to the deal is visible in the very next analysis.
        r = client.put(
            f"/v1/deals/{deal}/committee/{dm}",
            json={"role": "Decision Maker", "stance": "champion"},
        )
        assert r.status_code == 200, r.text
        after = client.get(f"/v1/deals/{deal}/analysis").json()
        assert after["support"]["share"] > body["support"]["share"]

        for path in (
            "forecast",
            "next-best-contacts",
            "paths-to-decision-maker",
            "support-history?interval=day",
        ):
            r = client.get(f"/v1/deals/{deal}/{path}")
            assert r.status_code == 200, (path, r.text)
        forecast = client.get(f"/v1/deals/{deal}/forecast").json()
        assert all(-2 <= s["predicted"] <= 2 for s in forecast["stakeholders"])
        points = client.get(
            f"/v1/deals/{deal}/support-history",
            params={
                "from": "2026-01-01T00:00:00Z",
                "to": "2026-03-01T00:00:00Z",
                "interval": "week",
            },
        ).json()["points"]
        assert points and all(ISO_WITH_OFFSET.match(p["at"]) for p in points)
        too_long = client.get(
            f"/v1/deals/{deal}/support-history",
            params={"from": "1900-01-01T00:00:00Z", "interval": "day"},
        )
        assert too_long.status_code == 422

        text = client.get("/metrics").text
        assert (
            metric(
                text,
                "graphsvc_http_requests_total",
                route="/v1/deals/{deal_id}/analysis",
                status="200",
            )
            == 3
        )
        assert (
            metric(
                text,
                "graphsvc_http_request_duration_seconds_count",
                route="/v1/deals/{deal_id}/analysis",
            )
            == 3
        )
        assert (
            metric(
                text, "graphsvc_store_query_duration_seconds_count", query="api_key_authenticate"
            )
            >= 3
        )
        assert metric(text, "graphsvc_analysis_cache_total", result="miss") >= 2


def test_risks_filter_sort_and_page(api: Api, workspace: str) -> None:
    with api.client(api.key(workspace)) as client:
        first = seed_deal(client, prefix="x-")  # its decision-maker was never contacted
        seed_deal(client, prefix="y-")
        # y's decision-maker is met: no DM_NEVER_CONTACTED there.
        assert (
            client.post(
                "/v1/interactions",
                json={
                    "deal_id": "y-deal-1",
                    "at": "2026-11-20T10:00:00Z",
                    "channel": "call",
                    "stakeholder_ids": ["y-s-1"],
                    "team_member_emails": ["ae@us.example"],
                    "next_step_at": "2099-01-01T00:00:00Z",
                },
            ).status_code
            == 201
        )
        page = client.get("/v1/risks").json()
        assert [i["deal_id"] for i in page["items"]] == ["x-deal-1", "y-deal-1"]
        weights = {"high": 3, "medium": 2, "low": 1}
        for item in page["items"]:
            assert item["owner_email"] == "owner@us.example"
            flag_weights = [weights[f["severity"]] for f in item["flags"]]
            assert flag_weights == sorted(flag_weights, reverse=True)
            assert item["severity"] == item["flags"][0]["severity"]
        never = client.get("/v1/risks", params={"code": "DM_NEVER_CONTACTED"}).json()["items"]
        assert [(i["deal_id"], [f["code"] for f in i["flags"]]) for i in never] == [
            ("x-deal-1", ["DM_NEVER_CONTACTED"])
        ]
        high = client.get("/v1/risks", params={"severity": "high"}).json()["items"]
        assert all(f["severity"] == "high" for i in high for f in i["flags"])
        one = client.get("/v1/risks", params={"limit": 1}).json()
        assert len(one["items"]) == 1 and one["next_cursor"]
        rest = client.get("/v1/risks", params={"limit": 1, "cursor": one["next_cursor"]}).json()
        assert [i["deal_id"] for i in rest["items"]] == ["y-deal-1"]
        assert rest["next_cursor"] is None
        assert client.get("/v1/risks", params={"owner": "nobody@us.example"}).json() == {
            "items": [],
            "next_cursor": None,
            "complete": True,
            "open_deals": 2,
            "pending_deals": 0,
            "rebuild": None,
        }
        assert client.get("/v1/risks", params={"cursor": "!!"}).status_code == 422
        # A won deal is no longer at risk.
        deal = client.get(f"/v1/deals/{first['deal']}").json()
        deal.pop("id")
        assert (
            client.put(f"/v1/deals/{first['deal']}", json={**deal, "status": "won"}).status_code
            == 200
        )
        assert [i["deal_id"] for i in client.get("/v1/risks").json()["items"]] == ["y-deal-1"]


def test_key_lookup_reads_the_stores_workspace_revision(api: Api, workspace: str) -> None:
    # The analysis cache key takes the revision from the key lookup's one query; it must
    # be exactly the store's own revision, or writes would not invalidate the cache.
    key = api.key(workspace)
    found = api.keys.authenticate_with_revision(key)
    assert found is not None and found[1] == api.store.workspace_revision(workspace=workspace)
    with api.client(key) as client:
        client.put("/v1/accounts/a", json={"name": "A"})
    found = api.keys.authenticate_with_revision(key)
    assert found is not None
    assert found[1] == api.store.workspace_revision(workspace=workspace) > 0


def test_every_paginated_route_refuses_a_bad_cursor_alike(api: Api, workspace: str) -> None:
    # One cursor codec: a cursor that is not ours is the same 422 on every route, and a
    # deal-list cursor is no risk-list offset.
    with api.client(api.key(workspace)) as client:
        deal_cursor = "ZGVhbC03"  # encode_cursor("deal-7")
        for path, cursor in (("/v1/deals", "!!"), ("/v1/risks", "!!"), ("/v1/risks", deal_cursor)):
            answer = client.get(path, params={"cursor": cursor})
            assert answer.status_code == 422, (path, answer.text)
            assert answer.json()["detail"] == [
                {"loc": ["query", "cursor"], "msg": "not a cursor of this API"}
            ]
