"""Rate limits: a token bucket per API key, and one per client address for failed
authentications (so keys cannot be guessed at speed).

Each bucket holds up to ``burst`` tokens and refills at ``per_minute`` tokens a minute;
a request takes one. The answer carries ``RateLimit-Limit``, ``RateLimit-Remaining``,
``RateLimit-Reset`` (seconds until the bucket is full) and ``RateLimit-Policy``
(draft-ietf-httpapi-ratelimit-headers); an empty bucket answers 429 with
``Retry-After``. A ``per_minute`` of 0 turns a limit off.

The buckets live in the store (``(:RateBucket {key, tokens, updated})``), so every API
process serving one store counts against the same buckets: the limit per key holds
however many processes there are. One statement per request refills and takes
atomically (``queries/rate_bucket_take.cypher``) on the store's clock; it also reads the
caller's address bucket, so a request with a valid key costs one round trip for both.
A store write per request would cost a commit (an fsync) each, so a process takes a
small lease of tokens at once (:attr:`BucketPolicy.lease`, a twentieth of the bucket)
and spends it locally: every admitted request still spends a token taken from the
shared bucket, so the limit holds across processes; a lease in hand is spent first.
Buckets are named within ``rate_limit_namespace``: processes that share a store and a
namespace share their buckets.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphsvc.config import Settings
from graphsvc.store.core import Runner

_MAX_LEASES = 10_000  # keys with unspent leased tokens this process remembers


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int
    retry_after: int
    window_seconds: int

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_seconds),
            "RateLimit-Policy": f"{self.limit};w={self.window_seconds}",
        }


@dataclass(frozen=True)
class BucketPolicy:
    """One kind of bucket: its size and refill rate, and the prefix of its names."""

    prefix: str
    per_minute: float
    burst: int

    @property
    def enabled(self) -> bool:
        return self.per_minute > 0

    @property
    def rate(self) -> float:
        return self.per_minute / 60.0

    @property
    def lease(self) -> int:
        """How many tokens a process takes from the shared bucket at once (then spends
        without asking the store): one store write per ``lease`` requests. A twentieth
        of the bucket, so a process never holds much of it (one for small buckets)."""
        return max(1, self.burst // 20)

    def row(self, name: str, *, take: int) -> dict[str, Any]:
        return {
            "key": f"{self.prefix}{name}",
            "rate": self.per_minute / 60_000.0,  # tokens per millisecond
            "burst": max(1, self.burst),
            "take": take,
        }

    def decision(self, tokens: float, allowed: bool) -> Decision:
        """The answer for a bucket left with ``tokens`` (whether a token was there)."""
        burst = max(1, self.burst)
        reset = math.ceil((burst - tokens) / self.rate) if self.rate else 0
        retry = 0 if tokens >= 1 else math.ceil((1 - tokens) / self.rate)
        return Decision(
            allowed=allowed,
            limit=burst,
            remaining=max(0, int(tokens)),
            reset_seconds=max(0, reset),
            retry_after=max(1, retry) if not allowed else retry,
            window_seconds=math.ceil(burst / self.rate),
        )


@dataclass
class _Lease:
    """Tokens this process took from a shared bucket and has not spent yet, and the
    bucket's level left in the store when it took them."""

    tokens: int
    level: float


@dataclass
class RateLimits:
    per_key: BucketPolicy
    auth_failures: BucketPolicy
    _leases: dict[str, _Lease] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimits:
        namespace = settings.rate_limit_namespace
        return cls(
            per_key=BucketPolicy(
                f"{namespace}:key:", settings.rate_limit_per_minute, settings.rate_limit_burst
            ),
            auth_failures=BucketPolicy(
                f"{namespace}:address:",
                settings.auth_failure_limit_per_minute,
                settings.auth_failure_burst,
            ),
        )

    def _spend_leased(self, key: str) -> _Lease | None:
        with self._lock:
            lease = self._leases.get(key)
            if lease is None or lease.tokens < 1:
                return None
            lease.tokens -= 1
            if lease.tokens == 0:
                del self._leases[key]
            return _Lease(lease.tokens, lease.level)

    def _keep_lease(self, key: str, tokens: int, level: float) -> None:
        with self._lock:
            if tokens > 0:
                self._leases[key] = _Lease(tokens, level)
                while len(self._leases) > _MAX_LEASES:
                    self._leases.pop(next(iter(self._leases)))

    def admit(
        self, runner: Runner, *, key_id: str, address: str
    ) -> tuple[Decision | None, Decision | None]:
        """For an authenticated request: a token of the key's bucket (leased ones first)
        and, in the same statement when one is needed, the address's failure bucket. None
        for a limit turned off (or the address not looked at)."""
        key_policy, address_policy = self.per_key, self.auth_failures
        if not key_policy.enabled:
            return None, None
        key = key_policy.row(key_id, take=0)["key"]
        leased = self._spend_leased(key)
        if leased is not None:
            return key_policy.decision(leased.tokens + leased.level, True), None
        rows = [key_policy.row(key_id, take=key_policy.lease)]
        if address_policy.enabled:
            rows.append(address_policy.row(address, take=0))
        found = {r["key"]: r for r in runner.write("rate_bucket_take", {"rows": rows})}
        mine = found[key]
        taken, level = int(mine["taken"]), float(mine["tokens"])
        self._keep_lease(key, taken - 1, level)
        by_key = key_policy.decision(max(0, taken - 1) + level, taken >= 1)
        if not address_policy.enabled:
            return by_key, None
        seen = found[rows[1]["key"]]
        return by_key, address_policy.decision(float(seen["tokens"]), float(seen["tokens"]) >= 1)

    def failed(self, runner: Runner, *, address: str) -> Decision | None:
        """A failed authentication from ``address``: take a token from its bucket
        (``allowed`` false once it was empty)."""
        policy = self.auth_failures
        if not policy.enabled:
            return None
        (row,) = runner.write("rate_bucket_take", {"rows": [policy.row(address, take=1)]})
        return policy.decision(float(row["tokens"]), int(row["taken"]) >= 1)


class RateLimitHeadersMiddleware:
    """Adds the ``RateLimit-*`` headers of the request's decision (set by the key
    dependency in ``scope["state"]["ratelimit"]``) to its response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_limits(message: Message) -> None:
            if message["type"] == "http.response.start":
                decision = scope.get("state", {}).get("ratelimit")
                if isinstance(decision, Decision):
                    extra = [
                        (k.lower().encode(), v.encode()) for k, v in decision.headers().items()
                    ]
                    message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_limits)
