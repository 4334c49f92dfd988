"""What the per-deal analysis routes answer for: the top decision-maker without a warm
path, the instant of every (cached) answer, and no data before the deal's first fact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from tests.api.conftest import Api, seed_deal
from tests.api.test_basics import metric


def _lonely_deal(client: httpx.Client) -> str:
    """A deal whose decision-maker nobody on our team can reach: no interaction at all."""
    # A PUT that creates answers 201 (with Location).
    assert client.put("/v1/accounts/acc-l", json={"name": "Lone"}).status_code == 201
    assert (
        client.put(
            "/v1/deals/deal-l",
            json={"account_id": "acc-l", "name": "Lone deal", "owner_email": "o@us.example"},
        ).status_code
        == 201
    )
    for sid, role in (("dm-l", "Economic Buyer"), ("ev-l", "Evaluator")):
        assert (
            client.put(
                f"/v1/stakeholders/{sid}", json={"account_id": "acc-l", "name": sid.upper()}
            ).status_code
            == 201
        )
        r = client.put(
            f"/v1/deals/deal-l/committee/{sid}",
            json={"role": role, "stance": "neutral", "at": "2026-01-05T09:00:00Z"},
        )
        assert r.status_code == 200, r.text
    return "deal-l"


def test_paths_name_the_decision_maker_when_no_warm_path_exists(api: Api, workspace: str) -> None:
    with api.client(api.key(workspace)) as client:
        deal = _lonely_deal(client)
        analysis = client.get(f"/v1/deals/{deal}/analysis").json()
        paths = client.get(f"/v1/deals/{deal}/paths-to-decision-maker")
        assert paths.status_code == 200, paths.text
        body = paths.json()
        assert body["paths"] == []
        assert body["top_decision_maker_id"] == "dm-l"
        assert body["top_decision_maker_id"] == analysis["top_decision_maker"]["stakeholder_id"]


CLOCK_SLACK = timedelta(milliseconds=5)


def _ms_floor(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def test_a_cached_answer_says_the_instant_it_answers_for(api: Api, workspace: str) -> None:
    with api.client(api.key(workspace)) as client:
        deal = seed_deal(client)["deal"]
        for path in ("analysis", "forecast", "next-best-contacts", "paths-to-decision-maker"):
            first = client.get(f"/v1/deals/{deal}/{path}")
            assert first.status_code == 200, first.text
            hits = metric(
                client.get("/metrics").text, "graphsvc_analysis_cache_total", result="hit"
            )
            # The wall clock is not monotonic (this VM's steps back by a millisecond now
            # and then), so the bounds allow a few milliseconds either side; a cached
            # answer's own instant is much older than that.
            asked = _ms_floor(datetime.now(UTC)) - CLOCK_SLACK
            second = client.get(f"/v1/deals/{deal}/{path}").json()
            answered = _ms_floor(datetime.now(UTC)) + CLOCK_SLACK
            # The answer is for the instant the request arrived, not for when the cached
            # body was first computed; the rest is the same answer.
            assert asked <= datetime.fromisoformat(second["as_of"]) <= answered, path
            assert datetime.fromisoformat(first.json()["as_of"]) < datetime.fromisoformat(
                second["as_of"]
            )
            assert {**second, "as_of": None} == {**first.json(), "as_of": None}, path
            if path != "paths-to-decision-maker":  # (computed per instant: other deals)
                after = metric(
                    client.get("/metrics").text, "graphsvc_analysis_cache_total", result="hit"
                )
                assert after == hits + 1, path  # served from the cache


def test_no_data_before_the_deals_first_fact(api: Api, workspace: str) -> None:
    with api.client(api.key(workspace)) as client:
        deal = seed_deal(client)["deal"]  # first fact: 2026-01-05T09:00:00Z
        for path in ("analysis", "forecast", "next-best-contacts", "paths-to-decision-maker"):
            early = client.get(f"/v1/deals/{deal}/{path}", params={"as_of": "2025-12-31T00:00:00Z"})
            assert early.status_code == 422, (path, early.text)
            body = early.json()
            assert "no data before 2026-01-05T09:00:00+00:00" in str(body["detail"]), path
        on_time = client.get(f"/v1/deals/{deal}/analysis", params={"as_of": "2026-01-05T09:00:00Z"})
        assert on_time.status_code == 200 and on_time.json()["ranking"]
