"""The one error handler: every failure leaves the API as ``{"error": kind, "detail": ...}``.

:class:`graphsvc.errors.GraphsvcError` carries its own status and ``kind``; request
validation errors (FastAPI's and pydantic's) become 422 ``validation_error`` with a
``detail`` list of ``{"loc": [...], "msg": ...}`` naming the field and, in a batch,
the item index; a body that is not JSON is 400 ``bad_request``; unknown routes and
methods keep their status in the same shape (a 405 names every allowed method).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from graphsvc.errors import GraphsvcError, TooManyRequests

log = logging.getLogger("graphsvc.api")

_HTTP_KINDS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    412: "precondition_failed",
    413: "payload_too_large",
    429: "rate_limited",
    415: "unsupported_media_type",
    422: "validation_error",
}


class ErrorBody(BaseModel):
    """The documented error shape of every 4xx/5xx response."""

    error: str
    detail: Any = None


def error_response(
    status: int, kind: str, detail: Any, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"error": kind, "detail": detail}, status_code=status, headers=headers)


def _clean_loc(loc: Any) -> list[Any]:
    return [part for part in loc if part not in ("body",)] or list(loc)


def validation_detail(errors: list[Any], *, prefix: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    """pydantic/FastAPI error dicts as ``[{"loc", "msg", "type"}]``, JSON-safe (no input echo)."""
    detail = []
    for err in errors:
        loc = [*prefix, *_clean_loc(err.get("loc", ()))]
        detail.append(
            {
                "loc": [p if isinstance(p, int | str) else str(p) for p in loc],
                "msg": str(err.get("msg", "invalid value")),
                "type": str(err.get("type", "value_error")),
            }
        )
    return detail


async def _graphsvc_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, GraphsvcError)
    if exc.status_code >= 500:
        log.error("request failed: %s", exc.message)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
    if isinstance(exc, TooManyRequests):
        headers = {"Retry-After": str(exc.retry_after)}
    return error_response(exc.status_code, exc.kind, exc.detail, headers)


async def _request_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError | ValidationError)
    errors = list(exc.errors())
    if any(err.get("type") == "json_invalid" for err in errors):
        # A body that is not JSON at all is unreadable (400), not an invalid value (422).
        return error_response(400, "bad_request", validation_detail(errors))
    return error_response(422, "validation_error", validation_detail(errors))


def allowed_methods(request: Request) -> list[str]:
    """Every method some route answers at this path (Starlette's own 405 names only the
    first route that matched the path)."""
    path = request.scope.get("path", "")
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        regex, route_methods = getattr(route, "path_regex", None), getattr(route, "methods", None)
        if regex is not None and route_methods and regex.match(path):
            methods.update(route_methods)
    return sorted(methods)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400:
        # FastAPI's "error parsing the body". A JSON body that cannot be read (bytes that
        # are not UTF-8) is malformed JSON: 400. Other bodies (a broken multipart upload)
        # keep the import's documented 422.
        detail = [{"loc": ["body"], "msg": str(exc.detail), "type": "body"}]
        media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media_type.endswith(("/json", "+json")):
            return error_response(400, "bad_request", detail)
        return error_response(422, "validation_error", detail)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    kind = _HTTP_KINDS.get(exc.status_code, "http_error")
    return error_response(exc.status_code, kind, exc.detail, headers or None)


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
    400: "The body is not JSON, or a header cannot be read.",
    401: "No API key, or an unknown or revoked one.",
    403: "The key's scope does not allow this operation.",
    404: "Not found in the key's workspace.",
    409: "Conflicts with the stored data.",
    412: "`If-Match` or `If-None-Match` does not hold for the stored record.",
    413: "The request body is larger than the configured limit.",
    415: "The body's Content-Type is not accepted by this route.",
    422: "Invalid input; `detail` names each field (and the item index or CSV row).",
    429: "Too many requests for this key, or too many failed authentications from this "
    "address; `Retry-After` says when to try again.",
    503: "The store is unavailable.",
}


def error_entry(code: int) -> dict[str, Any]:
    """The OpenAPI response object of error ``code`` (the one error shape)."""
    entry: dict[str, Any] = {
        "description": _DESCRIPTIONS.get(code, "Error."),
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    }
    if code == 429:
        entry["headers"] = {
            "Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}
        }
    return entry


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries documenting the error shape for ``codes``."""
    # The JSON content is spelled out so routes answering HTML (the deal map) still
    # document their errors as JSON, which is what the handler sends.
    return {
        code: {
            "model": ErrorBody,
            "description": _DESCRIPTIONS.get(code, "Error."),
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
        }
        for code in codes
    }
