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


class TooManyRequests(GraphsvcError):
    """Refused for now (e.g. too many failed sign-ins); try again after the window."""

    status_code = 429
    kind = "too_many_requests"
