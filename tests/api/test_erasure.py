"""Deleting a person keeps history honest, on both backends: someone who sat on a
committee is not deleted (409); the erasure replaces their name, title and e-mail
everywhere, the past included, and keeps the anonymous facts, so past support shares do
not change; the subject-access export returns everything held about them."""

from __future__ import annotations

import re

import httpx

from graphsvc.store.codecs import KEY_SEPARATOR, node_key
from tests.api.conftest import Api, seed_deal
from tests.api.test_isolation import v1_routes


def _every_read(client: httpx.Client, ids: dict[str, str], api: Api) -> str:
    """The text of every GET route of the API for these ids."""
    texts = []
    for method, path in v1_routes(api):
        if method != "GET" or "key_id" in path or "webhook_id" in path:
            continue  # keys and webhooks hold no one's personal data
        url = re.sub(r"{(\w+)}", lambda m: ids[m.group(1)], path)
        r = client.get(url, params={"as_of": "2026-01-10T00:00:00Z"} if "{" in path else None)
        assert r.status_code < 500, (path, r.text)
        texts.append(r.text)
        if "as_of" not in path:
            texts.append(client.get(url).text)
    return "\n".join(texts)


def _kept_results_naming(api: Api, workspace: str, name: str) -> int:
    """How many kept analysis results of the workspace (risk or full analysis) hold
    ``name``."""
    rows = api.store.runner.execute(
        "MATCH (r:DealResult) WHERE r.key STARTS WITH $prefix "
        "RETURN r.body AS body, r.full AS full",
        {"prefix": node_key(workspace, "").removesuffix(KEY_SEPARATOR)},
        read_only=True,
    )
    return sum(name in f"{row['body']} {row['full']}" for row in rows)


def _shares(client: httpx.Client, deal: str) -> list[tuple[float, float, int]]:
    # The last point is "now": its instant moves, its values must not.
    points = client.get(f"/v1/deals/{deal}/support-history").json()["points"]
    return [(p["share"], p["opposition"], p["allies"]) for p in points]


def test_committee_member_is_erased_not_deleted(api: Api, workspace: str) -> None:
    with api.client(api.key(workspace)) as client:
        seeded = seed_deal(client)
        deal, person = seeded["deal"], seeded["people"][1]  # the champion, an ally
        ids = {
            "account_id": seeded["account"],
            "deal_id": deal,
            "stakeholder_id": person,
            "target_id": seeded["people"][0],
            "manager_id": seeded["people"][0],
            "interaction_id": seeded["interaction"],
            "note_id": seeded["note"],
        }
        history = _shares(client, deal)
        past = client.get(
            f"/v1/deals/{deal}/committee", params={"as_of": "2026-01-10T00:00:00Z"}
        ).json()

        refused = client.delete(f"/v1/stakeholders/{person}")
        assert refused.status_code == 409 and refused.json()["error"] == "conflict"
        assert refused.json()["detail"] == {"membership_facts": 1}
        assert client.get(f"/v1/stakeholders/{person}").json()["name"] == "Person 1"

        export = client.get(f"/v1/stakeholders/{person}/export")
        assert export.status_code == 200, export.text
        held = export.json()
        assert held["stakeholder"]["email"] == "p1@acme.example"
        assert [
            (m["deal_id"], m["role"], m["stance"], m["ally"], m["at"]) for m in held["memberships"]
        ] == [(deal, "Champion", "champion", True, "2026-01-05T09:00:00+00:00")]
        assert held["memberships"][0]["recorded_at"] is not None
        assert [(f["direction"], f["other_id"], f["strength"]) for f in held["influences"]] == [
            ("influences", seeded["people"][0], 0.8)
        ]
        assert held["reporting"] == []
        assert [i["id"] for i in held["interactions"]] == [seeded["interaction"]]
        assert [(n["id"], n["deal_id"], n["text"]) for n in held["notes"]] == [
            (seeded["note"], deal, "Person 1 prefers short calls")
        ]
        assert "Person 1" in _every_read(client, ids, api)

        assert _kept_results_naming(api, workspace, "Person 1") > 0  # the reads above kept them
        erased = client.delete(f"/v1/stakeholders/{person}", params={"erase": "true"})
        assert erased.status_code == 204
        assert _kept_results_naming(api, workspace, "Person 1") == 0
        record = client.get(f"/v1/stakeholders/{person}").json()
        assert (record["name"], record["title"], record["email"]) == ("[erased]", None, None)
        everything = _every_read(client, ids, api)
        assert "Person 1" not in everything and "p1@acme.example" not in everything
        # The anonymous facts stay: the past looks the same but for the name.
        assert _shares(client, deal) == history
        past_now = client.get(
            f"/v1/deals/{deal}/committee", params={"as_of": "2026-01-10T00:00:00Z"}
        ).json()
        renamed = [
            {**m, "name": "[erased]", "title": None} if m["stakeholder_id"] == person else m
            for m in past["items"]
        ]
        assert past_now["items"] == renamed
        after = client.get(f"/v1/stakeholders/{person}/export").json()
        assert after["memberships"] == held["memberships"]
        assert after["stakeholder"]["name"] == "[erased]"
        # The note stays, dated and signed, without its text.
        [note] = after["notes"]
        assert (note["id"], note["text"], note["at"]) == (
            seeded["note"],
            "[erased]",
            held["notes"][0]["at"],
        )

        # Someone who never sat on a committee is deleted outright.
        assert (
            client.put(
                "/v1/stakeholders/visitor",
                json={"account_id": seeded["account"], "name": "Visitor"},
            ).status_code
            == 201
        )
        assert client.delete("/v1/stakeholders/visitor").status_code == 204
        assert client.get("/v1/stakeholders/visitor").status_code == 404
        assert client.get("/v1/stakeholders/visitor/export").status_code == 404
