"""The account errors, each with its own code; ``orchestrator.api.errors`` gives each its status."""

from __future__ import annotations

from orchestrator.errors import DomainError


class Unauthorized(DomainError):
    """401: no credential, or one that is wrong, expired, revoked or of a disabled user."""

    code = "unauthorized"


class Forbidden(DomainError):
    """403: asking for what the caller may not do (registration closed, admin routes)."""

    code = "forbidden"


class InvalidField(DomainError):
    """422: a well-formed body with a value that is not acceptable (a short password, a negative grant)."""

    code = "invalid_field"


class InsufficientCredits(DomainError):
    """402: the run's estimate exceeds the balance or what is left of the daily limit."""

    code = "insufficient_credits"


class RateLimited(DomainError):
    """429, with ``Retry-After`` and the ``RateLimit-*`` headers."""

    code = "rate_limited"

    def __init__(self, message: str, *, limit: int, reset_seconds: int) -> None:
        super().__init__(message)
        reset = max(1, reset_seconds)
        self.headers = {"Retry-After": str(reset), "RateLimit-Limit": str(limit), "RateLimit-Remaining": "0",
                        "RateLimit-Reset": str(reset)}
