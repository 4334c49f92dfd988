"""One exception hierarchy for the whole service; each class carries its HTTP status.

The API installs one handler for :class:`GraphsvcError` that renders
``{"error": err.kind, "detail": err.detail}`` with ``err.status_code``; the CLI prints
``str(err)`` on one line and exits non-zero.
"""

from __future__ import annotations

from typing import Any


class GraphsvcError(Exception):
    status_code: int = 500
    kind: str = "internal_error"

    def __init__(self, message: str, *, detail: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail if detail is not None else message


class ValidationFailed(GraphsvcError):
    """Input that breaks the domain rules. ``detail`` is a list of
    ``{"loc": [...], "msg": str}`` naming the field (and the batch index or CSV row)."""

    status_code = 422
    kind = "validation_error"


class NotFound(GraphsvcError):
    status_code = 404
    kind = "not_found"


class Conflict(GraphsvcError):
    status_code = 409
    kind = "conflict"


class BadRequest(GraphsvcError):
    """A request the server cannot read at all (malformed JSON, an unusable header)."""

    status_code = 400
    kind = "bad_request"


class PreconditionFailed(GraphsvcError):
    """``If-Match`` or ``If-None-Match`` does not hold for the record as stored."""

    status_code = 412
    kind = "precondition_failed"


class UnsupportedMediaType(GraphsvcError):
    status_code = 415
    kind = "unsupported_media_type"


class TooManyRequests(GraphsvcError):
    """A rate limit is exhausted (API requests of a key, failed sign-ins, sign-in links);
    ``retry_after`` seconds until a request may pass."""

    status_code = 429
    kind = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, detail={"msg": message, "retry_after": retry_after})
        self.retry_after = retry_after


class Unauthorized(GraphsvcError):
    status_code = 401
    kind = "unauthorized"


class Forbidden(GraphsvcError):
    status_code = 403
    kind = "forbidden"


class StoreUnavailable(GraphsvcError):
    status_code = 503
    kind = "store_unavailable"


class ConfigurationError(GraphsvcError):
    status_code = 500
    kind = "configuration_error"
