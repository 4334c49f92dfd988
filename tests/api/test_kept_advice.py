"""The advice (forecast, next best contacts, warm paths) is kept in the store like the full
analysis (issue 15): an app instance that never computed it answers from the kept one
without reading the deal's facts or its surroundings; a line written between two people
off the committee that opens a shorter warm path makes the kept paths stale; and the
data-protection erasure deletes every kept advice that names the erased person. Two app
instances on one store stand for two processes. Both stores."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from fastapi import FastAPI

from graphsvc.store.codecs import KEY_SEPARATOR, node_key
from tests.api.conftest import Api, seed_deal

ADVICE_ROUTES = ("forecast", "next-best-contacts", "paths-to-decision-maker")


def _reads(app: FastAPI, *prefixes: str) -> float:
    """Store queries this app ran whose names start with one of ``prefixes``."""
    total = 0.0
    for metric in app.state.metrics.registry.collect():
        for sample in metric.samples:
            if sample.name == "graphsvc_store_query_duration_seconds_count" and sample.labels[
                "query"
            ].startswith(prefixes):
                total += sample.value
    return total


def _without_instant(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "as_of"}


def _surroundings(client: httpx.Client) -> None:
    """seed_deal's deal-1 (whose decision-maker is s-1, reached only through the champion
    s-2 whom the team met once) and, beside it: Yolanda, on no committee, sways s-1
    strongly; Xavier sits on another deal, where the team met him three times."""
    seed_deal(client)
    assert client.put(
        "/v1/stakeholders/y", json={"account_id": "acc-1", "name": "Yolanda Bridge"}
    ).status_code in (200, 201)
    line = client.put(
        "/v1/stakeholders/y/influences/s-1", json={"strength": 0.9, "at": "2026-01-07T00:00:00Z"}
    )
    assert line.status_code == 200, line.text
    deal = client.put(
        "/v1/deals/deal-2",
        json={
            "account_id": "acc-1",
            "name": "Acme pilot",
            "owner_email": "owner@us.example",
            "status": "open",
        },
    )
    assert deal.status_code == 201, deal.text
    assert client.put(
        "/v1/stakeholders/x", json={"account_id": "acc-1", "name": "Xavier Outside"}
    ).status_code in (200, 201)
    seat = client.put(
        "/v1/deals/deal-2/committee/x",
        json={"role": "Evaluator", "stance": "supporter", "at": "2026-01-05T09:00:00Z"},
    )
    assert seat.status_code == 200, seat.text
    for day in (10, 11, 12):
        _meet_xavier(client, day)


def _meet_xavier(client: httpx.Client, day: int) -> str:
    """The team meets Xavier on deal-2 on that day of January; the interaction's id."""
    met = client.post(
        "/v1/interactions",
        json={
            "deal_id": "deal-2",
            "at": f"2026-01-{day}T10:00:00Z",
            "channel": "meeting",
            "stakeholder_ids": ["x"],
            "team_member_emails": ["ae@us.example"],
        },
    )
    assert met.status_code == 201, met.text
    return str(met.json()["id"])


def _kept_advice_naming(api: Api, workspace: str, name: str) -> int:
    rows = api.store.runner.execute(
        "MATCH (a:DealAdvice) WHERE a.key STARTS WITH $prefix RETURN a.body AS body",
        {"prefix": node_key(workspace, "").removesuffix(KEY_SEPARATOR)},
        read_only=True,
    )
    return sum(name in str(row["body"]) for row in rows)


def test_advice_is_kept_and_shared_by_every_instance(
    api_factory: Callable[..., Api], workspace: str
) -> None:
    first = api_factory()
    with first.client(first.key(workspace)) as client:
        seed_deal(client)
        computed = {r: client.get(f"/v1/deals/deal-1/{r}") for r in ADVICE_ROUTES}
        assert all(r.status_code == 200 for r in computed.values()), computed
    second = api_factory()
    with second.client(second.key(workspace)) as client:
        before = _reads(second.app, "deal_history", "acquaintance")
        kept = {r: client.get(f"/v1/deals/deal-1/{r}") for r in ADVICE_ROUTES}
        # The kept advice: neither the deal's facts nor its surroundings were read.
        assert _reads(second.app, "deal_history", "acquaintance") == before
        for route, answer in kept.items():
            assert answer.status_code == 200
            assert _without_instant(answer.json()) == _without_instant(computed[route].json())
        assert kept["paths-to-decision-maker"].json()["paths"]
        # A committee write: the next answer is computed again and shows it.
        assert client.put(
            "/v1/deals/deal-1/committee/s-3", json={"role": "Evaluator", "stance": "champion"}
        ).status_code in (200, 201)
        forecast = client.get("/v1/deals/deal-1/forecast").json()
        assert _reads(second.app, "deal_history") > before
        member = next(m for m in forecast["stakeholders"] if m["stakeholder_id"] == "s-3")
        assert member["initial"] == 2.0
        assert client.get("/v1/deals/no-such-deal/forecast").status_code == 404


def test_line_off_the_committee_makes_kept_warm_paths_stale(
    api_factory: Callable[..., Api], workspace: str
) -> None:
    first = api_factory()
    with first.client(first.key(workspace)) as client:
        _surroundings(client)
        before = client.get("/v1/deals/deal-1/paths-to-decision-maker").json()
        assert before["top_decision_maker_id"] == "s-1"
        assert [h["to_id"] for h in before["paths"][0]["hops"]] == ["s-2", "s-1"]
        assert before["paths"][0]["strength"] == 0.4  # met once (0.5) x 0.8
        # Between two people of no seat on deal-1: Xavier (met on deal-2) sways Yolanda,
        # who sways the decision-maker. Deal-1's own facts are untouched.
        line = client.put(
            "/v1/stakeholders/x/influences/y", json={"strength": 0.9, "at": "2026-01-13T00:00:00Z"}
        )
        assert line.status_code == 200, line.text
    # Another instance: no per-process answer to reuse, only what the store keeps.
    second = api_factory()
    with second.client(second.key(workspace)) as client:
        after = client.get("/v1/deals/deal-1/paths-to-decision-maker").json()
        best = after["paths"][0]
        assert [h["to_id"] for h in best["hops"]] == ["x", "y", "s-1"]
        assert abs(best["strength"] - 0.875 * 0.9 * 0.9) < 1e-9
        assert "Xavier Outside" in best["hops"][0]["explanation"]
        # A fourth meeting with Xavier, on deal-2: the first hop is stronger on deal-1
        # too; deleting it takes that back. Each read by an instance of its own.
        met = _meet_xavier(client, 14)
    for expected in (0.9375, 0.875):
        reader = api_factory()
        with reader.client(reader.key(workspace)) as client:
            best = client.get("/v1/deals/deal-1/paths-to-decision-maker").json()["paths"][0]
            assert abs(best["strength"] - expected * 0.81) < 1e-9, best
            if expected == 0.9375:
                gone = client.delete(f"/v1/interactions/{met}")
                assert gone.status_code == 204, gone.text
    # Yolanda's new name (she sits on no committee) is in deal-1's kept paths at once.
    with first.client(first.key(workspace)) as client:
        renamed = client.put(
            "/v1/stakeholders/y", json={"account_id": "acc-1", "name": "Yolanda Renamed"}
        )
        assert renamed.status_code == 200, renamed.text
    reader = api_factory()
    with reader.client(reader.key(workspace)) as client:
        best = client.get("/v1/deals/deal-1/paths-to-decision-maker").json()["paths"][0]
        assert [h["to_name"] for h in best["hops"]] == [
            "Xavier Outside",
            "Yolanda Renamed",
            "Person 0",
        ]
        # Deleting deal-2 deletes its meetings with Xavier: deal-1's paths lose him.
        assert client.delete("/v1/deals/deal-2").status_code == 204
    reader = api_factory()
    with reader.client(reader.key(workspace)) as client:
        best = client.get("/v1/deals/deal-1/paths-to-decision-maker").json()["paths"][0]
        assert [h["to_id"] for h in best["hops"]] == ["s-2", "s-1"]


def test_erasure_and_deletion_delete_kept_advice_naming_the_person(
    api_factory: Callable[..., Api], workspace: str
) -> None:
    api = api_factory()
    with api.client(api.key(workspace)) as client:
        _surroundings(client)
        assert (
            client.put(
                "/v1/stakeholders/x/influences/y",
                json={"strength": 0.9, "at": "2026-01-13T00:00:00Z"},
            ).status_code
            == 200
        )
        page = client.get("/v1/deals/deal-1/paths-to-decision-maker")
        assert "Xavier Outside" in page.text
        # Xavier sits on deal-2 only; deal-1's kept advice names him in its warm paths.
        assert _kept_advice_naming(api, workspace, "Xavier Outside") > 0
        erased = client.delete("/v1/stakeholders/x", params={"erase": "true"})
        assert erased.status_code == 204, erased.text
        assert _kept_advice_naming(api, workspace, "Xavier Outside") == 0
        again = client.get("/v1/deals/deal-1/paths-to-decision-maker")
        assert again.status_code == 200 and "Xavier Outside" not in again.text
        assert [h["to_id"] for h in again.json()["paths"][0]["hops"]] == ["x", "y", "s-1"]
        # Yolanda sat on no committee: she can be deleted, with her lines; no kept advice
        # names her after that, and deal-1's paths no longer run through her.
        assert _kept_advice_naming(api, workspace, "Yolanda Bridge") > 0
        assert client.delete("/v1/stakeholders/y").status_code == 204
        assert _kept_advice_naming(api, workspace, "Yolanda Bridge") == 0
        paths = client.get("/v1/deals/deal-1/paths-to-decision-maker").json()["paths"]
        assert [h["to_id"] for h in paths[0]["hops"]] == ["s-2", "s-1"]
