"""Errors services raise; the API turns them into problem+json, the pages into messages."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """Base of every error a use case reports to its caller."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str, **extra: Any):
        self.detail = detail
        self.extra = extra
        super().__init__(detail)


class NotFound(ServiceError):
    status = 404
    title = "Not found"


class Forbidden(ServiceError):
    status = 403
    title = "Forbidden"


class Unauthorized(ServiceError):
    status = 401
    title = "Unauthorized"


class Conflict(ServiceError):
    """The resource changed under the caller (task already done, held by someone else)."""

    status = 409
    title = "Conflict"


class Invalid(ServiceError):
    """Input that fails validation; ``errors`` names every failing field."""

    status = 422
    title = "Unprocessable content"

    def __init__(self, detail: str, errors: list[dict[str, Any]]):
        super().__init__(detail)
        self.errors = errors


class TooManyRequests(ServiceError):
    """Refused for a while (too many wrong passwords); ``retry_after`` seconds tells how long."""

    status = 429
    title = "Too many requests"
