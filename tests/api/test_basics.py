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
        assert deal == {"id": ids["deal"], "account_id": ids["account"], "name": "Acme renewal",
                        "owner_email": "owner@us.example", "amount": 120000.0,
                        "currency": "EUR", "stage": "Negotiation", "status": "open",
                        "close_date": "2027-03-31"}
        assert client.get(f"/v1/accounts/{ids['account']}").json() == {
            "id": ids["account"], "name": "Acme", "tier": "strategic"}
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
        end = client.delete(f"/v1/deals/{ids['deal']}/committee/{ids['people'][3]}",
                            params={"at": "2026-03-01T00:00:00Z"})
        assert end.status_code == 200, end.text
        assert end.json()["at"] == "2026-03-01T00:00:00+00:00"
        now_members = client.get(f"/v1/deals/{ids['deal']}/committee").json()["items"]
        assert ids["people"][3] not in {m["stakeholder_id"] for m in now_members}
        before = client.get(f"/v1/deals/{ids['deal']}/committee",
                            params={"as_of": "2026-02-01T00:00:00Z"}).json()["items"]
        assert ids["people"][3] in {m["stakeholder_id"] for m in before}
        again = client.delete(f"/v1/deals/{ids['deal']}/committee/{ids['people'][3]}")
        assert again.status_code == 404 and again.json()["error"] == "not_found"

        # Lines end too.
        assert client.delete(
            f"/v1/stakeholders/{ids['people'][1]}/influences/{ids['people'][0]}"
        ).status_code == 200
        assert client.delete(
            f"/v1/stakeholders/{ids['people'][2]}/reports-to/{ids['people'][0]}"
        ).status_code == 200

        # An account with deals cannot go (409); the deal can, then the account.
        conflict = client.delete(f"/v1/accounts/{ids['account']}")
        assert conflict.status_code == 409 and conflict.json()["error"] == "conflict"
        assert client.delete(f"/v1/deals/{ids['deal']}").status_code == 204
        assert client.get(f"/v1/deals/{ids['deal']}").status_code == 404


def test_deal_list_filters_and_pages(api: Api, workspace: str) -> None:
    with api.client(api.key(workspace)) as client:
        client.put("/v1/accounts/a", json={"name": "A"})
        for i in range(7):
            r = client.put(f"/v1/deals/d{i}", json={
                "account_id": "a", "name": f"Deal {i}", "status": "won" if i % 3 == 0 else "open",
                "owner_email": "x@us.example" if i % 2 else "y@us.example"})
            assert r.status_code == 200, r.text
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
        client.put("/v1/deals/d", json={"account_id": "a", "name": "D",
                                        "owner_email": "o@us.example"})
        r = client.put("/v1/deals/d/committee/s", json={"role": "Boss", "stance": "fan"})
        assert r.status_code == 422
        body = r.json()
        assert body["error"] == "validation_error"
        assert {tuple(e["loc"]) for e in body["detail"]} == {("role",), ("stance",)}
        r = client.put("/v1/stakeholders/s/influences/s", json={"strength": 0.5})
        assert r.status_code == 422
        r = client.put("/v1/stakeholders/s/influences/t", json={"strength": 1.5})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["strength"]
        r = client.post("/v1/interactions", json={
            "deal_id": "d", "at": "2026-01-01T00:00:00Z", "channel": "call",
            "stakeholder_ids": ["s", "nobody"]})
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"][-2:] == ["stakeholder_ids", 1]
        r = client.post("/v1/interactions", content=b"{not json",
                        headers={"content-type": "application/json"})
        assert r.status_code == 422 and r.json()["error"] == "validation_error"


def test_auth_401_403_and_revocation(api: Api, workspace: str) -> None:
    read_key = api.key(workspace, "read")
    with api.client() as anonymous:
        r = anonymous.get("/v1/deals")
        assert r.status_code == 401 and r.json()["error"] == "unauthorized"
        assert anonymous.get("/v1/deals", headers={"Authorization": "Bearer nope"}
                             ).status_code == 401
        assert anonymous.get("/v1/deals", headers={"Authorization": f"Basic {read_key}"}
                             ).status_code == 401
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


def test_request_id_is_echoed_or_made(api: Api) -> None:
    with api.client() as client:
        assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}
                          ).headers["x-request-id"] == "abc-123"
        made = client.get("/healthz").headers["x-request-id"]
        assert re.fullmatch(r"[0-9a-f]{32}", made)
        # A malformed id is replaced, not echoed (it would reach the logs).
        assert client.get("/healthz", headers={"X-Request-ID": "a b\tc"}
                          ).headers["x-request-id"] != "a b\tc"
        missing = client.get("/nowhere")
        assert missing.status_code == 404 and missing.json()["error"] == "not_found"
