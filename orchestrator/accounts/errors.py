"""The account errors that reach API clients (each with its own status and code)."""

from __future__ import annotations

from orchestrator.errors import ApiError


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"


class Forbidden(ApiError):
    status = 403
    code = "forbidden"


class InvalidField(ApiError):
    """A well-formed body with a value that is not acceptable (a short password, a negative grant)."""

    status = 422
    code = "invalid_field"


class InsufficientCredits(ApiError):
    status = 402
    code = "insufficient_credits"


class RateLimited(ApiError):
    """``429`` with ``Retry-After`` and the ``RateLimit-*`` headers."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, limit: int, reset_seconds: int) -> None:
        super().__init__(message)
        reset = max(1, reset_seconds)
        self.headers = {"Retry-After": str(reset), "RateLimit-Limit": str(limit), "RateLimit-Remaining": "0",
                        "RateLimit-Reset": str(reset)}
