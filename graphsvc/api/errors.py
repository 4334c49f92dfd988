"""The one error handler: every failure leaves the API as ``{"error": kind, "detail": ...}``.

:class:`graphsvc.errors.GraphsvcError` carries its own status and ``kind``; request
validation errors (FastAPI's and pydantic's) become 422 ``validation_error`` with a
``detail`` list of ``{"loc": [...], "msg": ...}`` naming the field and, in a batch,
the item index; unknown routes and methods keep their status in the same shape.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from graphsvc.errors import GraphsvcError

log = logging.getLogger("graphsvc.api")

_HTTP_KINDS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
}


class ErrorBody(BaseModel):
    """The documented error shape of every 4xx/5xx response."""

    error: str
    detail: Any = None


def error_response(status: int, kind: str, detail: Any, headers: dict[str, str] | None = None
                   ) -> JSONResponse:
    return JSONResponse({"error": kind, "detail": detail}, status_code=status, headers=headers)


def _clean_loc(loc: Any) -> list[Any]:
    return [part for part in loc if part not in ("body",)] or list(loc)


def validation_detail(errors: list[Any], *, prefix: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    """pydantic/FastAPI error dicts as ``[{"loc", "msg", "type"}]``, JSON-safe (no input echo)."""
    detail = []
    for err in errors:
        loc = [*prefix, *_clean_loc(err.get("loc", ()))]
        detail.append({"loc": [p if isinstance(p, int | str) else str(p) for p in loc],
                       "msg": str(err.get("msg", "invalid value")),
                       "type": str(err.get("type", "value_error"))})
    return detail


async def _graphsvc_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, GraphsvcError)
    if exc.status_code >= 500:
        log.error("request failed: %s", exc.message)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
    return error_response(exc.status_code, exc.kind, exc.detail, headers)


async def _request_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError | ValidationError)
    return error_response(422, "validation_error", validation_detail(list(exc.errors())))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400:
        # FastAPI's "error parsing the body" (e.g. bytes that are not UTF-8): an invalid
        # body like any other, so the same documented 422.
        return error_response(422, "validation_error",
                              [{"loc": ["body"], "msg": str(exc.detail), "type": "body"}])
    kind = _HTTP_KINDS.get(exc.status_code, "http_error")
    return error_response(exc.status_code, kind, exc.detail, dict(exc.headers or {}) or None)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # The traceback goes to the log; the client gets no internals.
    log.exception("unhandled error", exc_info=exc)
    return error_response(500, "internal_error", "internal error")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(GraphsvcError, _graphsvc_error)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(ValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)


_DESCRIPTIONS = {
    401: "No API key, or an unknown or revoked one.",
    403: "The key's scope does not allow this operation.",
    404: "Not found in the key's workspace.",
    409: "Conflicts with the stored data.",
    413: "The request body is larger than the configured limit.",
    422: "Invalid input; `detail` names each field (and the item index or CSV row).",
    503: "The store is unavailable.",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries documenting the error shape for ``codes``."""
    # The JSON content is spelled out so routes answering HTML (the deal map) still
    # document their errors as JSON, which is what the handler sends.
    return {code: {"model": ErrorBody, "description": _DESCRIPTIONS.get(code, "Error."),
                   "content": {"application/json": {
                       "schema": {"$ref": "#/components/schemas/ErrorBody"}}}}
            for code in codes}
