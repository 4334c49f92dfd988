"""Rate limits over the real HTTP stack: a token bucket per key with ``RateLimit-*``
headers and 429 + ``Retry-After``; failed authentications throttled per address.

The buckets are kept in the store and shared by every app instance (process) on it; they
refill at one token a minute here, so nothing refills during a test."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

from graphsvc.api.ratelimit import BucketPolicy
from tests.api.conftest import Api


def test_per_key_bucket_headers_and_429(api_factory: Callable[..., Api], workspace: str) -> None:
    api = api_factory(rate_limit_per_minute=1, rate_limit_burst=3)
    with (
        api.client(api.key(workspace, "read")) as one,
        api.client(api.key(workspace, "read")) as other,
    ):
        remaining = []
        for _ in range(3):
            r = one.get("/v1/deals")
            assert r.status_code == 200, r.text
            assert r.headers["ratelimit-limit"] == "3"
            assert r.headers["ratelimit-policy"] == "3;w=180"
            remaining.append(int(r.headers["ratelimit-remaining"]))
        assert remaining == [2, 1, 0]
        limited = one.get("/v1/deals")
        assert limited.status_code == 429
        assert limited.json()["error"] == "rate_limited"
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert limited.headers["ratelimit-remaining"] == "0"
        # Another key has its own bucket; health checks need none.
        assert other.get("/v1/deals").status_code == 200
        assert one.get("/healthz").status_code == 200


def test_failed_authentication_is_throttled_per_address(
    api_factory: Callable[..., Api], workspace: str
) -> None:
    api = api_factory(auth_failure_limit_per_minute=1, auth_failure_burst=2)
    good = api.key(workspace, "read")
    with api.client("gsk_guess") as guesser, api.client(good) as owner:
        assert [guesser.get("/v1/deals").status_code for _ in range(2)] == [401, 401]
        throttled = guesser.get("/v1/deals")
        assert throttled.status_code == 429 and "retry-after" in throttled.headers
        # The address is throttled, whatever key it presents next, until it refills.
        assert owner.get("/v1/deals").status_code == 429
    with api.client() as anonymous:  # no key at all is no guess: still 401
        assert anonymous.get("/v1/deals").status_code == 401


def test_two_app_instances_share_one_bucket(
    api_factory: Callable[..., Api], workspace: str
) -> None:
    """Two API servers on one store (as two processes would be): one key's requests to
    either take from the same bucket, so the limit holds across them."""
    first = api_factory(rate_limit_per_minute=1, rate_limit_burst=4)
    second = api_factory(rate_limit_per_minute=1, rate_limit_burst=4)
    key = first.key(workspace, "read")
    with first.client(key) as one, second.client(key) as two:
        answers = [c.get("/v1/deals") for c in (one, two, one, two)]
        assert [r.status_code for r in answers] == [200] * 4
        assert [r.headers["ratelimit-remaining"] for r in answers] == ["3", "2", "1", "0"]
        for client in (one, two):
            limited = client.get("/v1/deals")
            assert limited.status_code == 429, limited.text
            assert int(limited.headers["retry-after"]) >= 1


def test_concurrent_requests_take_each_token_once(
    api_factory: Callable[..., Api], workspace: str
) -> None:
    """Twenty requests at once on two servers for a bucket of eight: exactly eight pass."""
    servers = [api_factory(rate_limit_per_minute=1, rate_limit_burst=8) for _ in range(2)]
    key = servers[0].key(workspace, "read")
    barrier = threading.Barrier(20)
    statuses: list[int] = []
    lock = threading.Lock()

    # The clients start (each app's start-up) one by one; only the requests race. Twenty
    # start-ups at once raced pydantic's schema building, which then warned wrongly
    # ("alias ... has no effect", pydantic issues 12356/12362).
    with contextlib.ExitStack() as stack:
        clients = [stack.enter_context(servers[i % 2].client(key)) for i in range(20)]

        def call(i: int) -> None:
            barrier.wait()
            status = clients[i].get("/v1/deals").status_code
            with lock:
                statuses.append(status)

        threads = [threading.Thread(target=call, args=(i,)) for i in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(statuses) == [200] * 8 + [429] * 12, sorted(statuses)


def test_bucket_policy_answers() -> None:
    policy = BucketPolicy("ns:key:", per_minute=60, burst=2)
    full = policy.decision(2.0, True)
    assert (full.remaining, full.reset_seconds, full.window_seconds) == (2, 0, 2)
    empty = policy.decision(0.25, False)
    assert not empty.allowed and empty.remaining == 0 and empty.retry_after == 1
    assert empty.headers()["RateLimit-Policy"] == "2;w=2"
    assert not BucketPolicy("ns:key:", per_minute=0, burst=2).enabled
