"""``Idempotency-Key`` on every ``POST /v1/...``: the same answer on a retry, once.

Plain ASGI middleware inside the request-context one (so the body size limit applies
first). A POST carrying the header is authenticated here only to find its workspace
(keys are per workspace, kept ``idempotency_ttl_seconds``); then the key is claimed in
the store in one statement (:mod:`graphsvc.store.idempotency`):

* ours: the request runs and its response (status, body, and the headers that matter:
  ``Content-Type``, ``Location``, ``ETag``, ``Link``) is kept, unless it failed on our
  side (5xx) or never ran (401, 403, 429), in which case the claim is released;
* done with the same request: the kept response is replayed with
  ``Idempotent-Replayed: true``;
* the key was used for another request (method, path, query or body differ): 409
  ``idempotency_key_reused``;
* the first request is still running: 409 ``idempotency_key_in_use`` with
  ``Retry-After``.

A response carrying a secret (``POST /v1/keys`` answers the new API key once) is not
kept: a replay says the request was done and names the created key's ``Location``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphsvc.store.idempotency import Claim, IdempotencyRepository

HEADER = b"idempotency-key"
_KEPT_HEADERS = frozenset({"content-type", "location", "etag", "link"})
_NOT_RUN = frozenset({401, 403, 429})
# Responses that hold a secret shown once: never stored.
_SECRET_PATHS = ("/v1/keys", "/v1/webhooks")
_PURGE_EVERY_SECONDS = 600.0


def _error(
    status: int, kind: str, detail: Any, headers: list[tuple[bytes, bytes]] | None = None
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    body = json.dumps({"error": kind, "detail": detail}).encode()
    return status, [(b"content-type", b"application/json"), *(headers or [])], body


def _valid_key(value: str) -> bool:
    return 1 <= len(value) <= 255 and value.isascii() and value.isprintable()


def request_fingerprint(scope: Scope, body: bytes, content_type: str) -> str:
    """What makes two requests "the same": method, path, query and body (JSON compared
    as data, so key order and spacing do not matter)."""
    payload = body
    if content_type.split(";", 1)[0].strip().lower().endswith(("/json", "+json")):
        try:
            payload = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
        except (ValueError, UnicodeDecodeError):
            payload = body
    digest = hashlib.sha256()
    for part in (
        scope["method"].encode(),
        scope.get("raw_path") or scope["path"].encode(),
        scope.get("query_string", b""),
        payload,
    ):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._last_purge = 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or not scope["path"].startswith("/v1/")
        ):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        raw_key = headers.get(HEADER)
        if raw_key is None:
            await self.app(scope, receive, send)
            return
        idempotency_key = raw_key.decode("latin-1")
        if not _valid_key(idempotency_key):
            await _send(
                send,
                *_error(
                    400,
                    "bad_request",
                    [
                        {
                            "loc": ["header", "Idempotency-Key"],
                            "msg": "1-255 printable ASCII characters",
                        }
                    ],
                ),
            )
            return
        body = await _read_body(receive)
        replay_receive = _replaying(body, receive)
        services = scope["app"].state.services
        workspace = await self._workspace(services, headers)
        if workspace is None or services.store is None:
            # Not authenticated: the route answers 401 itself; nothing to remember.
            await self.app(scope, replay_receive, send)
            return
        settings = services.settings
        repository = IdempotencyRepository(services.store.core)
        await self._purge_now_and_then(repository)
        fingerprint = request_fingerprint(
            scope, body, headers.get(b"content-type", b"").decode("latin-1")
        )
        claim = await run_in_threadpool(
            repository.claim,
            workspace=workspace,
            idempotency_key=idempotency_key,
            fingerprint=fingerprint,
            ttl_seconds=settings.idempotency_ttl_seconds,
            stale_seconds=settings.idempotency_stale_seconds,
        )
        if not claim.ours:
            await _send(send, *_answer_for(claim, fingerprint))
            return
        await self._run_and_keep(
            scope, replay_receive, send, repository, claim, workspace, idempotency_key
        )

    async def _run_and_keep(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        repository: IdempotencyRepository,
        claim: Claim,
        workspace: str,
        idempotency_key: str,
    ) -> None:
        # The response is held back until it is recorded: a client that retries the
        # moment it has its answer must find the answer kept, not "in progress".
        status = 500
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status, start
            if message["type"] == "http.response.start":
                status = int(message["status"])
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        try:
            await self.app(scope, receive, capture)
        except BaseException:
            await run_in_threadpool(
                repository.release,
                workspace=workspace,
                idempotency_key=idempotency_key,
                run_id=claim.run_id,
            )
            raise
        body = b"".join(chunks)
        raw_headers = list(start.get("headers", [])) if start is not None else []
        if status >= 500 or status in _NOT_RUN:
            await run_in_threadpool(
                repository.release,
                workspace=workspace,
                idempotency_key=idempotency_key,
                run_id=claim.run_id,
            )
        else:
            kept = [
                (k.decode("latin-1").lower(), v.decode("latin-1"))
                for k, v in raw_headers
                if k.decode("latin-1").lower() in _KEPT_HEADERS
            ]
            secret = scope["path"].startswith(_SECRET_PATHS)
            await run_in_threadpool(
                repository.record,
                workspace=workspace,
                idempotency_key=idempotency_key,
                run_id=claim.run_id,
                status=status,
                headers=kept,
                body=None if secret else base64.b64encode(body).decode("ascii"),
            )
        await send({"type": "http.response.start", "status": status, "headers": raw_headers})
        await send({"type": "http.response.body", "body": body})

    @staticmethod
    async def _workspace(services: Any, headers: dict[bytes, bytes]) -> str | None:
        authorization = headers.get(b"authorization", b"").decode("latin-1")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip() or services.keys is None:
            return None
        record = await run_in_threadpool(services.keys.authenticate, token.strip())
        return None if record is None else str(record.workspace)

    async def _purge_now_and_then(self, repository: IdempotencyRepository) -> None:
        now = time.monotonic()
        if now - self._last_purge >= _PURGE_EVERY_SECONDS:
            self._last_purge = now
            await run_in_threadpool(repository.purge)


def _answer_for(claim: Claim, fingerprint: str) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    if claim.fingerprint != fingerprint:
        return _error(
            409,
            "idempotency_key_reused",
            "this Idempotency-Key was used for another request (method, path, "
            "query or body differ); use a new key for a new request",
        )
    if claim.state != "done" or claim.status is None:
        return _error(
            409,
            "idempotency_key_in_use",
            "a request with this Idempotency-Key is still running; retry shortly",
            [(b"retry-after", b"1")],
        )
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in claim.headers or []]
    headers.append((b"idempotent-replayed", b"true"))
    if claim.body is None:
        location = dict(claim.headers or []).get("location")
        return _error(
            409,
            "idempotency_key_used",
            {
                "msg": "the request was done; its response held a secret, shown only once",
                "status": claim.status,
                "location": location,
            },
        )
    return claim.status, headers, base64.b64decode(claim.body)


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replaying(body: bytes, original: Receive) -> Receive:
    """The body read ahead, then the client's own stream (its disconnect)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await original()

    return receive


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


_HEADER_DOC = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Any unique string (1-255 printable ASCII characters, e.g. a UUID). A "
    "retry with the same key gets the first answer again (`Idempotent-Replayed: true`) "
    "instead of running twice; keys are kept 24 h per workspace.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}


def document_idempotency(schema: dict[str, Any]) -> None:
    """Add the ``Idempotency-Key`` header, and the 400/409 it can cause, to every
    ``POST /v1/...`` of an OpenAPI document (the middleware is invisible to FastAPI)."""
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    for path, operations in schema.get("paths", {}).items():
        operation = operations.get("post")
        if not path.startswith("/v1/") or operation is None:
            continue
        parameters = operation.setdefault("parameters", [])
        if not any(p.get("name") == _HEADER_DOC["name"] for p in parameters):
            parameters.append(dict(_HEADER_DOC))
        responses = operation.setdefault("responses", {})
        responses.setdefault(
            "400", {"description": "A malformed body or header.", "content": error}
        )
        responses.setdefault(
            "409",
            {
                "description": "Conflicts with the stored data, or "
                "the Idempotency-Key was used for another request "
                "or its first request is still running.",
                "content": error,
            },
        )
