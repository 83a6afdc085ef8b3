"""Errors services raise; the API turns them into problem+json, the pages into messages.

``detail`` is an English sentence for the API and the logs; ``code`` (with ``params``) names the message a page
shows instead, in the reader's language: the catalogues hold ``err.<code>`` (app/web/message_codes.py lists it).
A field error in ``Invalid.errors`` may carry its own ``code`` and ``params`` the same way.
"""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """Base of every error a use case reports to its caller."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str, *, code: str | None = None, params: dict[str, Any] | None = None, **extra: Any):
        self.detail = detail
        self.code = code
        self.params = params or {}
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

    def __init__(
        self,
        detail: str,
        errors: list[dict[str, Any]],
        *,
        code: str | None = None,
        params: dict[str, Any] | None = None,
    ):
        super().__init__(detail, code=code, params=params)
        self.errors = errors


class TooManyRequests(ServiceError):
    """Refused for a while (too many wrong passwords); ``retry_after`` seconds tells how long."""

    status = 429
    title = "Too many requests"
