"""The event streams in the OpenAPI document, described by hand: the framework
cannot describe a ``text/event-stream`` response."""

from __future__ import annotations

from litestar import Litestar
from litestar.openapi.spec import OpenAPIMediaType, Operation, Parameter, PathItem, Schema
from litestar.openapi.spec import OpenAPIResponse

STREAM_DESCRIPTION = (
    "Server-Sent Events. Each event has `id` (the sequence number), `event` (its type: run.started, "
    "node.queued, node.started, node.progress, node.retrying, node.succeeded, node.failed, node.skipped, "
    "node.cancelled, run.succeeded, run.failed, run.cancelled) and `data` (JSON with run_id, seq, ts and the "
    "event's fields). The stream opens with a comment line, sends a keep-alive comment at least every 15 s, "
    "and resumes after `Last-Event-ID` (or `?after=N`)."
)


def _stream_operation(operation_id: str, summary: str, parameters: list[Parameter]) -> Operation:
    return Operation(
        operation_id=operation_id,
        summary=summary,
        description=STREAM_DESCRIPTION,
        tags=["events"],
        parameters=[
            *parameters,
            Parameter(name="after", param_in="query", required=False, schema=Schema(type="integer"),
                      description="Send only the events after this id."),
            Parameter(name="Last-Event-ID", param_in="header", required=False, schema=Schema(type="string"),
                      description="Resume after this event id (what EventSource sends on reconnect)."),
        ],
        responses={
            "200": OpenAPIResponse(description="An event stream",
                                   content={"text/event-stream": OpenAPIMediaType(schema=Schema(type="string"))}),
            "404": OpenAPIResponse(description="No such run"),
        },
    )


def add_stream_docs(app: Litestar) -> None:
    schema = app.openapi_schema
    paths = schema.paths if schema.paths is not None else {}
    paths["/api/runs/{run_id}/events"] = PathItem(get=_stream_operation(
        "RunEvents", "A run's events, replayed from the first",
        [Parameter(name="run_id", param_in="path", required=True, schema=Schema(type="string"))]))
    paths["/api/events"] = PathItem(get=_stream_operation(
        "UserEvents", "Every event of every run of the caller, from the moment of connecting", []))
    schema.paths = paths

