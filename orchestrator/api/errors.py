"""Every error as JSON: ``{"error": {"code", "message"}}``, or ``{"errors": [...]}`` for 422."""

from __future__ import annotations

import logging

from litestar import Litestar, MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, Reference, Schema
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import InterfaceError, OperationalError

from orchestrator.accounts.errors import Forbidden, InsufficientCredits, InvalidField, RateLimited, Unauthorized
from orchestrator.errors import Conflict, DomainError, GraphInvalid, InvalidRequest, NotFound, Rejected, Unavailable

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error of the HTTP layer itself (a body too large, an upload refused): a status,
    a code and a message."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status


STATUS_OF = {NotFound: 404, Conflict: 409, GraphInvalid: 422, Rejected: 422, InvalidRequest: 400, Unavailable: 503,
             Unauthorized: 401, Forbidden: 403, InvalidField: 422, InsufficientCredits: 402, RateLimited: 429}
"""Each domain error's status; a class not listed takes its nearest listed base's."""


def status_of(exc: DomainError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS_OF:
            return STATUS_OF[cls]
    return 400

_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
          409: "conflict", 413: "too_large", 416: "range_not_satisfiable", 415: "unsupported_media_type", 429: "rate_limited"}


def _json(status: int, body: dict, headers: dict | None = None) -> Response:
    return Response(body, status_code=status, media_type=MediaType.JSON, headers=headers)


def api_error(_: Request, exc: ApiError) -> Response:
    return _json(exc.status, {"error": {"code": exc.code, "message": exc.message}})


def domain_error(_: Request, exc: DomainError) -> Response:
    if isinstance(exc, GraphInvalid):
        return _json(422, {"errors": exc.errors})
    fields = exc.fields if isinstance(exc, Rejected) else {}
    response = _json(status_of(exc), {"error": {"code": exc.code, "message": exc.message, **fields}})
    response.headers.update(getattr(exc, "headers", {}))  # Retry-After and RateLimit-* on a 429
    return response


def validation_error(_: Request, exc: ValidationException) -> Response:
    details = exc.extra if isinstance(exc.extra, list) else []
    parts = [f"{d.get('message', '')}" + (f" (at {d['key']})" if d.get("key") else "")
             for d in details if isinstance(d, dict)]
    message = "; ".join(p for p in parts if p) or exc.detail
    return _json(400, {"error": {"code": "invalid_body", "message": message}})


def http_error(_: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    # The exception's headers stand (416's Content-Range, 401's WWW-Authenticate, 429's Retry-After).
    return _json(status, {"error": {"code": _CODES.get(status, "error"), "message": exc.detail}}, exc.headers)


def dependency_down(request: Request, exc: Exception) -> Response:
    """The database or Redis cannot be reached: 503, so clients retry, never 500."""
    log.warning("%s %s: a dependency is down: %s", request.method, request.url.path, type(exc).__name__)
    response = _json(503, {"error": {"code": "unavailable",
                                     "message": "a service FusionFlow depends on is not answering; retry shortly"}})
    response.headers["Retry-After"] = "1"
    return response


def internal_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return _json(500, {"error": {"code": "internal_error", "message": "internal error; see the server log"}})


HANDLERS = {ApiError: api_error, DomainError: domain_error, OperationalError: dependency_down,
            InterfaceError: dependency_down, RedisConnectionError: dependency_down, RedisTimeoutError: dependency_down,
            ValidationException: validation_error, HTTPException: http_error,
            Exception: internal_error}


ERROR_SCHEMA = Schema(
    type="object", required=["error"], description="What went wrong, in words",
    properties={"error": Schema(type="object", required=["code", "message"], properties={
        "code": Schema(type="string", description="A stable, machine-readable code, e.g. invalid_body"),
        "message": Schema(type="string", description="What is wrong, naming the field, param or header"),
    })})


def document_answers(app: Litestar) -> None:
    """Describe answers in the OpenAPI document as they are sent: a 400 as ``{"error": {code,
    message}}`` (not the framework's own validation error), a 204 with no body."""
    schema = app.openapi_schema
    components = schema.components
    components.schemas = {**(components.schemas or {}), "Error": ERROR_SCHEMA}
    error = OpenAPIResponse(description="Bad request: the message says what is wrong",
                            content={MediaType.JSON: OpenAPIMediaType(schema=Reference(ref="#/components/schemas/Error"))})
    for item in (schema.paths or {}).values():
        for method in ("get", "put", "post", "delete", "patch", "head"):
            operation = getattr(item, method, None)
            if operation is None or not operation.responses:
                continue
            if "400" in operation.responses:
                operation.responses["400"] = error
            no_content = operation.responses.get("204")
            if isinstance(no_content, OpenAPIResponse):
                no_content.content = None
