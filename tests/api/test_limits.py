"""Oversized bodies get 413 and oversized batches 422, before anything is written."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

from tests.api.conftest import Api

LIMIT = 4096


def accounts(n: int, name_len: int = 5) -> dict[str, list[dict[str, str]]]:
    return {"accounts": [{"id": f"acc-{i}", "name": "n" * name_len} for i in range(n)]}


def test_body_over_the_limit_is_413_and_nothing_is_written(
    api_factory: Callable[..., Api], workspace: str
) -> None:
    api = api_factory(max_body_bytes=LIMIT, max_batch_items=10)
    before = api.store.workspace_revision(workspace=workspace)
    big = json.dumps(accounts(3, name_len=LIMIT)).encode()
    with api.client(api.key(workspace)) as client:
        declared = client.post(
            "/v1/import", content=big, headers={"content-type": "application/json"}
        )
        assert declared.status_code == 413
        assert declared.json()["error"] == "payload_too_large"

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted while it streams in
            for start in range(0, len(big), 1000):
                yield big[start : start + 1000]

        streamed = client.post(
            "/v1/import", content=chunks(), headers={"content-type": "application/json"}
        )
        assert streamed.status_code == 413
        assert streamed.json()["error"] == "payload_too_large"

        one = client.put("/v1/accounts/x", json={"name": "n" * (LIMIT + 1)})
        assert one.status_code == 413
        assert client.get("/v1/accounts/x").status_code == 404
    assert api.store.workspace_revision(workspace=workspace) == before


def test_batch_over_the_item_limit_is_422_and_nothing_is_written(
    api_factory: Callable[..., Api], workspace: str
) -> None:
    api = api_factory(max_body_bytes=LIMIT * 16, max_batch_items=10)
    before = api.store.workspace_revision(workspace=workspace)
    with api.client(api.key(workspace)) as client:
        r = client.post("/v1/import", json=accounts(11))
        assert r.status_code == 422
        assert r.json()["error"] == "validation_error"
        assert "at most 10 items" in r.json()["detail"][0]["msg"]

        header = (
            "Opportunity ID,Opportunity Name,Account ID,Account Name,"
            "Opportunity Owner Email,Contact ID,Full Name,Role\n"
        )
        rows = "".join(
            f"o1,Deal,a1,Acme,o@us.example,c{i},Person {i},Evaluator\n" for i in range(11)
        )
        r = client.post(
            "/v1/import", content=(header + rows).encode(), headers={"content-type": "text/csv"}
        )
        assert r.status_code == 422
        assert "at most 10 rows" in r.json()["detail"][0]["msg"]

        within = client.post("/v1/import", json=accounts(10))
        assert within.status_code == 200, within.text
        assert within.json()["created"] == 10
    assert api.store.workspace_revision(workspace=workspace) > before
