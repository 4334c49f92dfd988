"""ASGI middleware: request id, body size limit, one JSON access-log line, request metrics.

Plain ASGI (not ``BaseHTTPMiddleware``) keeps the per-request cost low and lets the
size limit refuse a body while it streams in, before the app has read all of it.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from typing import Any

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphsvc.api.metrics import Metrics

access_log = logging.getLogger("graphsvc.access")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_UNMATCHED = "<unmatched>"


class _BodyTooLarge(StarletteHTTPException):
    """An HTTPException so FastAPI's body parsing re-raises it as is (not as a 400)."""


class JsonLineFormatter(logging.Formatter):
    """One JSON object per line: the record's ``fields`` plus time, level and message."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}+00:00",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}) or {})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO") -> None:
    """JSON lines on stderr for the service's loggers (idempotent)."""
    for name in ("graphsvc.access", "graphsvc.api"):
        logger = logging.getLogger(name)
        logger.setLevel(level.upper())
        if not any(getattr(h, "_graphsvc", False) for h in logger.handlers):
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(JsonLineFormatter())
            handler._graphsvc = True  # type: ignore[attr-defined]
            logger.addHandler(handler)
        logger.propagate = False


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    return _UNMATCHED


class RequestContextMiddleware:
    """Gives every request an id (the caller's ``X-Request-ID`` when well-formed), enforces
    the body size limit with 413, then logs and counts the request by route template."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, metrics: Metrics) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = dict(scope.get("headers") or [])
        offered = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = offered if _REQUEST_ID.match(offered) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        status_holder = {"status": 500, "started": False}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                status_holder["started"] = True
                raw = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"
                ]
                raw.append((b"x-request-id", request_id.encode("latin-1")))
                message = {**message, "headers": raw}
            await send(message)

        declared = headers.get(b"content-length")
        too_large = False
        if declared is not None:
            try:
                too_large = int(declared) > self.max_body_bytes
            except ValueError:
                too_large = False
        try:
            if too_large:
                await self._send_413(send_with_id)
            else:
                await self.app(scope, self._limited(receive), send_with_id)
        except _BodyTooLarge:
            if status_holder["started"]:
                raise
            await self._send_413(send_with_id)
        finally:
            duration = time.perf_counter() - started
            route = _route_template(scope)
            status = int(status_holder["status"])
            self.metrics.observe_request(scope["method"], route, status, duration)
            self._log(scope, route, status, duration, request_id)

    def _limited(self, receive: Receive) -> Receive:
        received = 0
        limit = self.max_body_bytes

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge(413, f"request bodies are limited to {limit} bytes")
            return message

        return limited_receive

    async def _send_413(self, send: Send) -> None:
        body = json.dumps(
            {
                "error": "payload_too_large",
                "detail": f"request bodies are limited to {self.max_body_bytes} bytes",
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    @staticmethod
    def _log(scope: Scope, route: str, status: int, duration: float, request_id: str) -> None:
        if not access_log.isEnabledFor(logging.INFO):
            return
        # Only the route template is logged (never the raw path, query string or headers),
        # so ids, keys and passwords cannot reach the log.
        fields: dict[str, Any] = {
            "method": scope["method"],
            "path": route,
            "status": status,
            "duration_ms": round(duration * 1000, 3),
            "request_id": request_id,
        }
        principal = scope.get("state", {}).get("principal")
        if principal is not None:
            fields["workspace"] = principal.workspace
            fields["key_id"] = principal.key_id
        access_log.info("request", extra={"fields": fields})
