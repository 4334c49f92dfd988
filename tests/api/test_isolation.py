"""Every /v1 route, enumerated from the app itself (a new route cannot slip past):

* with a workspace-B key on ids that exist only in workspace A: 404 and nothing changed
  (in A or in B); the few routes that take no A id answer as documented below;
* without a key, or with a revoked key: 401; writes with a read key: 403.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi.routing import iter_route_contexts

from tests.api.conftest import Api, seed_deal

WRITE_METHODS = {"PUT", "POST", "DELETE", "PATCH"}

# A valid body for every route that takes one, so the request passes validation and
# reaches the workspace check. A route missing here fails the test: add it.
BODIES: dict[tuple[str, str], Any] = {
    ("PUT", "/v1/accounts/{account_id}"): {"name": "Mine now"},
    ("PUT", "/v1/deals/{deal_id}"): {
        "account_id": "{account_id}",
        "name": "X",
        "owner_email": "b@us.example",
    },
    ("PUT", "/v1/stakeholders/{stakeholder_id}"): {"account_id": "{account_id}", "name": "X"},
    ("PATCH", "/v1/accounts/{account_id}"): {"name": "Mine now"},
    ("PATCH", "/v1/deals/{deal_id}"): {"name": "X"},
    ("PATCH", "/v1/stakeholders/{stakeholder_id}"): {"name": "X"},
    ("PUT", "/v1/interactions/{interaction_id}"): {
        "deal_id": "{deal_id}",
        "at": "2026-03-01T00:00:00Z",
        "channel": "call",
    },
    ("PATCH", "/v1/interactions/{interaction_id}"): {"summary": "X"},
    ("PUT", "/v1/deals/{deal_id}/committee/{stakeholder_id}"): {
        "role": "Decision Maker",
        "stance": "blocker",
        "ally": False,
    },
    ("PUT", "/v1/stakeholders/{stakeholder_id}/influences/{target_id}"): {"strength": 0.5},
    ("PUT", "/v1/stakeholders/{stakeholder_id}/reports-to/{manager_id}"): {},
    ("POST", "/v1/interactions"): {
        "deal_id": "{deal_id}",
        "at": "2026-03-01T00:00:00Z",
        "channel": "call",
        "stakeholder_ids": ["{stakeholder_id}"],
    },
    ("POST", "/v1/deals/{deal_id}/notes"): {"stakeholder_id": "{stakeholder_id}", "text": "X"},
    ("POST", "/v1/import"): {
        "memberships": [
            {"deal_id": "{deal_id}", "stakeholder_id": "{stakeholder_id}", "role": "Other"}
        ]
    },
    ("POST", "/v1/keys"): {"scope": "read"},
    ("POST", "/v1/analysis/rebuild"): None,
    ("POST", "/v1/deals/{deal_id}/map-links"): {},
    ("POST", "/v1/accounts/batch"): {"items": [{"id": "{account_id}", "name": "Mine now"}]},
    ("POST", "/v1/deals/batch"): {
        "items": [
            {
                "id": "{deal_id}",
                "account_id": "{account_id}",
                "name": "X",
                "owner_email": "b@us.example",
            }
        ]
    },
    ("POST", "/v1/stakeholders/batch"): {
        "items": [{"id": "{stakeholder_id}", "account_id": "{account_id}", "name": "X"}]
    },
    ("POST", "/v1/interactions/batch"): {
        "items": [{"deal_id": "{deal_id}", "at": "2026-03-01T00:00:00Z", "channel": "call"}]
    },
    ("POST", "/v1/webhooks"): {
        "url": "https://93.184.216.34/hooks",
        "events": ["deal.risk_raised"],
        "owner_email": "b@us.example",
    },
    ("PATCH", "/v1/webhooks/{webhook_id}"): {"description": "Mine now"},
    ("POST", "/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver"): {},
    ("POST", "/v1/webhooks/{webhook_id}/rotate-secret"): {"expires_in": 60},
}

# Routes that take no id of A (or upsert the id in the caller's own workspace), with the
# answer they must give instead of 404. Everything else must answer 404.
NOT_404: dict[tuple[str, str], int] = {
    # An upsert by path id: B gets an account of its own; A's is untouched (checked).
    ("PUT", "/v1/accounts/{account_id}"): 201,
    # Lists: B sees only its own (nothing of A, checked).
    ("GET", "/v1/deals"): 200,
    ("GET", "/v1/risks"): 200,
    ("GET", "/v1/keys"): 200,
    ("GET", "/v1/changes"): 200,
    ("POST", "/v1/keys"): 201,
    ("GET", "/v1/webhooks"): 200,
    ("POST", "/v1/webhooks"): 201,
    # The workspace's own background analysis (B's; its lease is not a fact).
    ("GET", "/v1/analysis/rebuild"): 200,
    ("POST", "/v1/analysis/rebuild"): 202,
    # Batches answer per item: B's own account is written, A's references are errors.
    ("POST", "/v1/accounts/batch"): 207,
    ("POST", "/v1/deals/batch"): 207,
    ("POST", "/v1/stakeholders/batch"): 207,
    ("POST", "/v1/interactions/batch"): 207,
    # A bundle referring to A's deal and person: 422 naming each unknown reference.
    ("POST", "/v1/import"): 422,
}
CHANGES_B = {
    ("PUT", "/v1/accounts/{account_id}"),
    ("POST", "/v1/keys"),
    ("POST", "/v1/accounts/batch"),
}


def v1_routes(api: Api) -> list[tuple[str, str]]:
    routes = []
    # iter_route_contexts walks included routers too (FastAPI keeps them lazily).
    for route in iter_route_contexts(api.app.routes):
        path, methods = route.path, getattr(route, "methods", None) or set()
        if path and path.startswith("/v1"):
            routes.extend((method, path) for method in sorted(set(methods) - {"HEAD"}))
    return sorted(set(routes))


def fill(template: Any, ids: dict[str, str]) -> Any:
    if isinstance(template, str):
        for name, value in ids.items():
            template = template.replace("{" + name + "}", value)
        return template
    if isinstance(template, list):
        return [fill(t, ids) for t in template]
    if isinstance(template, dict):
        return {k: fill(v, ids) for k, v in template.items()}
    return template


def call(client: httpx.Client, method: str, path: str, ids: dict[str, str]) -> httpx.Response:
    params = re.findall(r"{(\w+)}", path)
    missing = [p for p in params if p not in ids]
    assert not missing, f"{method} {path}: add an id of workspace A for {missing}"
    url = fill(path, ids)
    body = None
    if method in {"PUT", "POST", "PATCH"}:
        assert (method, path) in BODIES, f"{method} {path}: add a valid body to BODIES"
        body = fill(BODIES[(method, path)], ids)
    return client.request(method, url, json=body)


@pytest.fixture
def two_workspaces(api: Api, workspace: str) -> dict[str, Any]:
    ws_a, ws_b = workspace, workspace + "-b"
    with api.client(api.key(ws_a)) as a_client:
        ids = seed_deal(a_client, prefix="a-")
        # B has data of its own too, so "changes nothing" is checked on real content.
    with api.client(api.key(ws_b)) as b_client:
        seed_deal(b_client, prefix="b-")
    a_key_id = api.keys.list(workspace=ws_a)[0].id
    hooks = []
    for ws in (ws_a, ws_b):
        with api.client(api.key(ws, "admin")) as admin:
            hooks.append(admin.post("/v1/webhooks", json=BODIES[("POST", "/v1/webhooks")]))
            assert hooks[-1].status_code == 201, hooks[-1].text
    hook = hooks[0]
    path_ids = {
        "account_id": ids["account"],
        "deal_id": ids["deal"],
        "stakeholder_id": ids["people"][1],
        "target_id": ids["people"][0],
        "manager_id": ids["people"][0],
        "key_id": a_key_id,
        "interaction_id": ids["interaction"],
        "note_id": ids["note"],
        "webhook_id": hook.json()["id"],
        "delivery_id": "evt_0",
    }
    return {"a": ws_a, "b": ws_b, "ids": path_ids, "seeded": ids}


def state(api: Api, ws: str) -> tuple[int, list[str]]:
    keys = [f"{k.id}:{k.revoked_at}" for k in api.keys.list(workspace=ws)]
    return api.store.workspace_revision(workspace=ws), keys


def test_workspace_b_gets_404_on_every_route_and_changes_nothing(
    api: Api, two_workspaces: dict[str, Any]
) -> None:
    ws_a, ws_b, ids = two_workspaces["a"], two_workspaces["b"], two_workspaces["ids"]
    # Routes that change B go last, so B's own writes cannot shadow A's ids (the PUT
    # before the batch, which then updates B's account).
    routes = sorted(v1_routes(api), key=lambda route: (route in CHANGES_B, route[0] == "POST"))
    assert len(routes) >= 25
    a_seeded = two_workspaces["seeded"]
    with api.client(api.key(ws_b, "admin")) as b_admin:
        for method, path in routes:
            before_a, before_b = state(api, ws_a), state(api, ws_b)
            response = call(b_admin, method, path, ids)
            expected = NOT_404.get((method, path), 404)
            assert response.status_code == expected, (method, path, response.text)
            if path == "/v1/analysis/rebuild":  # B's own background analysis status
                assert "running" in response.json()
            else:
                assert (
                    response.json()["error" if expected >= 400 else "items"]
                    if expected != 201 and method != "PUT"
                    else True
                )
            assert state(api, ws_a) == before_a, f"{method} {path} changed workspace A"
            if (method, path) not in CHANGES_B:
                assert state(api, ws_b)[0] == before_b[0], f"{method} {path} wrote to B"
            if expected == 200 and method == "GET":
                text = response.text
                assert a_seeded["deal"] not in text and ws_a + '"' not in text
    # A's data reads back exactly as seeded.
    with api.client(api.key(ws_a, "read")) as a_reader:
        assert a_reader.get(f"/v1/accounts/{ids['account_id']}").json()["name"] == "Acme"
        assert a_reader.get(f"/v1/deals/{ids['deal_id']}").status_code == 200
        committee = a_reader.get(f"/v1/deals/{ids['deal_id']}/committee").json()["items"]
        assert len(committee) == len(a_seeded["people"])


def test_no_key_and_revoked_key_get_401_read_key_writes_get_403(
    api: Api, two_workspaces: dict[str, Any]
) -> None:
    ws_a, ids = two_workspaces["a"], two_workspaces["ids"]
    routes = v1_routes(api)
    revoked = api.key(ws_a, "admin")
    record = api.keys.authenticate(revoked)
    assert record is not None
    api.keys.revoke(key_id=record.id)
    before = state(api, ws_a)
    with (
        api.client() as anonymous,
        api.client(revoked) as gone,
        api.client(api.key(ws_a, "read")) as reader,
    ):
        for method, path in routes:
            r = call(anonymous, method, path, ids)
            assert r.status_code == 401, (method, path, r.text)
            assert r.json()["error"] == "unauthorized"
            r = call(gone, method, path, ids)
            assert r.status_code == 401, (method, path, r.text)
            if method in WRITE_METHODS:
                r = call(reader, method, path, ids)
                assert r.status_code == 403, (method, path, r.text)
                assert r.json()["error"] == "forbidden"
    assert state(api, ws_a)[0] == before[0]
