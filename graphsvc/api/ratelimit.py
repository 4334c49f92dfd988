"""Rate limits: a token bucket per API key, and one per client address for failed
authentications (so keys cannot be guessed at speed).

Each bucket holds up to ``burst`` tokens and refills at ``per_minute`` tokens a minute;
a request takes one. The answer carries ``RateLimit-Limit``, ``RateLimit-Remaining``,
``RateLimit-Reset`` (seconds until the bucket is full) and ``RateLimit-Policy``
(draft-ietf-httpapi-ratelimit-headers); an empty bucket answers 429 with
``Retry-After``. Buckets live in the process: with several API processes each one
counts on its own (the limit per key is then at most that many times the setting).
A ``per_minute`` of 0 turns a limit off.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphsvc.config import Settings

_MAX_BUCKETS = 100_000  # least recently used buckets beyond this are forgotten


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


class TokenBuckets:
    """Token buckets by name (thread-safe)."""

    def __init__(
        self, *, per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = max(1, burst)
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def _level(self, name: str, now: float) -> float:
        tokens, updated = self._buckets.get(name, (float(self.burst), now))
        return min(float(self.burst), tokens + (now - updated) * self.rate)

    def _decision(self, tokens: float, allowed: bool) -> Decision:
        reset = math.ceil((self.burst - tokens) / self.rate) if self.rate else 0
        retry = 0 if tokens >= 1 else math.ceil((1 - tokens) / self.rate)
        return Decision(
            allowed=allowed,
            limit=self.burst,
            remaining=max(0, int(tokens)),
            reset_seconds=max(0, reset),
            retry_after=max(1, retry) if not allowed else retry,
            window_seconds=math.ceil(self.burst / self.rate),
        )

    def take(self, name: str) -> Decision:
        """Take a token for ``name`` when there is one."""
        now = self.clock()
        with self._lock:
            tokens = self._level(name, now)
            allowed = tokens >= 1
            if allowed:
                tokens -= 1
            self._buckets[name] = (tokens, now)
            self._buckets.move_to_end(name)
            while len(self._buckets) > _MAX_BUCKETS:
                self._buckets.popitem(last=False)
        return self._decision(tokens, allowed)

    def check(self, name: str) -> Decision:
        """Whether ``name`` has a token, without taking it."""
        now = self.clock()
        with self._lock:
            tokens = self._level(name, now)
        return self._decision(tokens, tokens >= 1)


@dataclass
class RateLimits:
    per_key: TokenBuckets
    auth_failures: TokenBuckets

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimits:
        return cls(
            per_key=TokenBuckets(
                per_minute=settings.rate_limit_per_minute, burst=settings.rate_limit_burst
            ),
            auth_failures=TokenBuckets(
                per_minute=settings.auth_failure_limit_per_minute, burst=settings.auth_failure_burst
            ),
        )


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


def document_rate_limits(schema: dict[str, Any]) -> None:
    """Document 429 on every operation that needs a key."""
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    headers = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}}
    for path, operations in schema.get("paths", {}).items():
        if not path.startswith("/v1/"):
            continue
        for operation in operations.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault(
                    "429",
                    {
                        "description": "Too many requests for this key, or too many failed "
                        "authentications from this address.",
                        "headers": headers,
                        "content": error,
                    },
                )
