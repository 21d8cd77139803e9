"""Errors that reach API clients in words: a status, a code and a message."""

from __future__ import annotations


class ApiError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None, **fields) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields
        """More members of the error object, naming what is at fault (``line``, ``asset_id``)."""
        if code:
            self.code = code
        if status:
            self.status = status


class NotFound(ApiError):
    status = 404
    code = "not_found"


class Conflict(ApiError):
    status = 409
    code = "conflict"


class GraphInvalid(ApiError):
    """A well-formed graph (or run request) that fails validation: 422 with every error."""

    status = 422
    code = "invalid_graph"

    def __init__(self, errors: list[dict]) -> None:
        super().__init__(f"{len(errors)} error(s): " + "; ".join(e["message"] for e in errors[:5]))
        self.errors = errors
