"""Domain errors: what went wrong, in words, with a stable code, and no HTTP.

The engine and the stores raise these; ``orchestrator.api.errors`` maps each
class to a status code (not found 404, conflict 409, invalid 400, rejected 422).
"""

from __future__ import annotations


class DomainError(Exception):
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class InvalidRequest(DomainError):
    """A request that is malformed in a way the body's schema cannot say (a bad cursor)."""


class NotFound(DomainError):
    """An id that does not exist, or belongs to another user (the same thing to the caller)."""

    code = "not_found"


class RunNotFound(NotFound):
    def __init__(self, run_id: str) -> None:
        super().__init__(f"run {run_id} does not exist")


class TemplateNotFound(NotFound):
    def __init__(self, graph_id: str, version: int | None = None) -> None:
        super().__init__(f"graph {graph_id} has no version {version}" if version is not None
                         else f"graph {graph_id} does not exist")


class Conflict(DomainError):
    """The request contradicts the current state."""

    code = "conflict"


class RunFinished(Conflict):
    code = "run_finished"

    def __init__(self, run_id: str) -> None:
        super().__init__(f"run {run_id} has already finished")


class Rejected(DomainError):
    """Well-formed input refused as it stands (422), with members naming what is at fault
    (``asset_id``, ``line``) beside the code and the message."""

    code = "rejected"

    def __init__(self, message: str, *, code: str | None = None, **fields) -> None:
        super().__init__(message, code=code)
        self.fields = fields


class Unavailable(DomainError):
    """A dependency the request needs is not there (no asset store configured)."""

    code = "unavailable"


class GraphInvalid(DomainError):
    """A well-formed graph (or run request) that fails validation, with every error."""

    code = "invalid_graph"

    def __init__(self, errors: list[dict]) -> None:
        super().__init__(f"{len(errors)} error(s): " + "; ".join(e["message"] for e in errors[:5]))
        self.errors = errors


RunRejected = GraphInvalid
"""A run request refused at submission: nothing was written."""
