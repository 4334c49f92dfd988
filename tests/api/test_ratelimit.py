"""Rate limits over the real HTTP stack: a token bucket per key with ``RateLimit-*``
headers and 429 + ``Retry-After``; failed authentications throttled per address.

The buckets refill at one token a minute here, so nothing refills during a test."""

from __future__ import annotations

from collections.abc import Callable

from graphsvc.api.ratelimit import TokenBuckets
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


def test_token_bucket_refills_with_its_clock() -> None:
    now = [0.0]
    buckets = TokenBuckets(per_minute=60, burst=2, clock=lambda: now[0])
    assert [buckets.take("k").allowed for _ in range(3)] == [True, True, False]
    assert buckets.take("k").retry_after == 1
    now[0] += 1.0
    decision = buckets.take("k")
    assert decision.allowed and decision.remaining == 0
    now[0] += 10.0
    assert buckets.check("k").remaining == 2 and buckets.check("k").reset_seconds == 0
