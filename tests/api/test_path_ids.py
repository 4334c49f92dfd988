"""Every route addresses ids holding ``/``, ``%``, ``?``, ``#``, spaces and non-ASCII
when they are percent-encoded; ids a URL path cannot carry are refused when written."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest

from tests.api.conftest import Api
from tests.api.test_isolation import BODIES, fill, v1_routes

ODD_IDS = ["emea/acme", "100%", "what?", "#7", "with space", "Zürich €", "trailing/"]

# Deletes last, the things others hang on after them.
_DELETE_ORDER = [
    "notes",
    "committee",
    "influences",
    "reports-to",
    "interactions",
    "keys",
    "webhooks",
    "deals",
    "stakeholders",
    "accounts",
]


def _order(route: tuple[str, str]) -> tuple[int, int]:
    method, path = route
    if method != "DELETE":
        return (0 if method == "GET" else 1, 0)
    rank = next(i for i, part in enumerate(_DELETE_ORDER) if f"/{part}" in path)
    return (2, rank)


def _url(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"{(\w+)}", lambda m: quote(ids[m.group(1)], safe=""), path)


@pytest.mark.parametrize("odd", ODD_IDS)
def test_every_route_addresses_odd_ids(api: Api, workspace: str, odd: str) -> None:
    ids = {
        "account_id": odd,
        "deal_id": odd,
        "stakeholder_id": odd,
        "target_id": f"{odd}-2",
        "manager_id": f"{odd}-2",
        "interaction_id": odd,
    }
    with api.client(api.key(workspace, "admin")) as client:
        r = client.put(_url("/v1/accounts/{account_id}", ids), json={"name": "Acme"})
        assert r.status_code == 201, r.text
        assert r.headers["location"] == "/v1/accounts/" + quote(odd, safe="")
        assert client.get(r.headers["location"]).json()["id"] == odd
        for sid in (odd, f"{odd}-2"):
            assert (
                client.put(
                    _url("/v1/stakeholders/{s}", {"s": sid}), json={"account_id": odd, "name": "P"}
                ).status_code
                == 201
            )
        assert (
            client.put(
                _url("/v1/deals/{deal_id}", ids),
                json={"account_id": odd, "name": "D", "owner_email": "o@us.example"},
            ).status_code
            == 201
        )
        assert (
            client.put(
                _url("/v1/deals/{deal_id}/committee/{s}", {**ids, "s": f"{odd}-2"}),
                json={"role": "Decision Maker", "stance": "neutral"},
            ).status_code
            == 200
        )
        assert (
            client.put(
                _url("/v1/interactions/{interaction_id}", ids),
                json={
                    "deal_id": odd,
                    "at": "2026-01-01T00:00:00Z",
                    "channel": "call",
                    "stakeholder_ids": [odd],
                },
            ).status_code
            == 201
        )
        ids["key_id"] = api.keys.list(workspace=workspace)[0].id

        checked = 0
        for method, path in sorted(v1_routes(api), key=_order):
            if "{" not in path and method != "POST":
                continue
            if path == "/v1/keys/{key_id}" or path.startswith("/v1/webhooks"):
                continue  # key and webhook ids are ours (hex), not the caller's
            if "{note_id}" in path:
                continue  # so are note ids
            body: Any = fill(BODIES[(method, path)], ids) if (method, path) in BODIES else None
            r = client.request(method, _url(path, ids), json=body)
            assert r.status_code not in (404, 405, 422) and r.status_code < 500, (
                method,
                path,
                r.status_code,
                r.text,
            )
            if method == "GET" and path.endswith("}"):  # one record: it is the one asked for
                assert r.json()["id"] == odd, path
            checked += 1
        assert checked >= 25


def test_ids_a_path_cannot_carry_are_refused_at_write(api: Api, workspace: str) -> None:
    with api.client(api.key(workspace)) as client:
        r = client.post(
            "/v1/accounts/batch",
            json={
                "items": [
                    {"id": "..", "name": "A"},
                    {"id": ".", "name": "B"},
                    {"id": "..x", "name": "C"},
                ]
            },
        )
        assert r.status_code == 207
        items = r.json()["items"]
        assert [i["status"] for i in items] == ["error", "error", "created"]
        assert "URL" in items[0]["error"]["detail"][0]["msg"]
        bundle = client.post("/v1/import", json={"accounts": [{"id": ".", "name": "A"}]})
        assert bundle.status_code == 422
        assert bundle.json()["detail"][0]["loc"][:2] == ["accounts", 0]


def test_encoded_slash_only_splits_outside_ids(api: Api, workspace: str) -> None:
    with api.client(api.key(workspace)) as client:
        assert client.put("/v1/accounts/a%2Fb", json={"name": "slash"}).status_code == 201
        assert client.put("/v1/accounts/a", json={"name": "plain"}).status_code == 201
        assert client.get("/v1/accounts/a%2Fb").json()["name"] == "slash"
        assert client.get("/v1/accounts/a%2fb").json()["name"] == "slash"
        # An unencoded slash is a path separator: no such route.
        assert client.get("/v1/accounts/a/b").status_code == 404
        r = client.get("/v1/changes")
        assert {e["id"] for e in r.json()["items"]} == {"a/b", "a"}
