"""Event streams (contract section 4): a run's events, and all of a user's.

Both come from the event log in the database, read again whenever the bus says it
grew, so a reconnect with ``Last-Event-ID`` (or ``?after=N``) gets exactly what it
missed, whichever API process serves it, and a listener that arrives after the run
ended gets the whole log. A run's listeners in one process share one reader
(``orchestrator.events.feed``); a user's stream reads for itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import anyio.to_thread
from litestar import Request, get
from sse_starlette import EventSourceResponse, ServerSentEvent

from orchestrator.api.state import Services
from orchestrator.events.feed import renderer
from orchestrator.limits import check_int, parse_int
from orchestrator.metrics import SSE_LISTENERS
from orchestrator.store import eventlog
from orchestrator.store.eventlog import WITH_OUTPUTS, Event

KEEPALIVE_SECONDS = 15
POLL_SECONDS = 5.0
"""A reader looks at the log at least this often even with no note on the bus."""
BATCH_SECONDS = 0.02
"""After a wake-up a reader waits this long for more events before reading, so a busy
run costs one read per batch of events instead of one per event."""


def _resume_point(request: Request, after: int | None) -> int | None:
    """Where a stream resumes: ``Last-Event-ID``, else ``?after=``, else None (both in 0..2^63-1)."""
    header = request.headers.get("last-event-id")
    if header not in (None, ""):
        return parse_int(header, "Last-Event-ID")
    return None if after is None else check_int(after, "after")


def _response(events: AsyncIterator[ServerSentEvent | bytes]) -> EventSourceResponse:
    return EventSourceResponse(events, ping=KEEPALIVE_SECONDS, sep="\n",
                               headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@get("/api/runs/{run_id:str}/events", tags=["events"], include_in_schema=False)
async def run_events(run_id: str, request: Request, services: Services, user_id: str,
                     after: int | None = None) -> EventSourceResponse:
    start = _resume_point(request, after) or 0
    await anyio.to_thread.run_sync(services.runs.require, user_id, run_id)

    async def events() -> AsyncIterator[ServerSentEvent | bytes]:
        SSE_LISTENERS.labels("run").inc()
        try:
            yield ServerSentEvent(comment="connected")
            async for _seq, _kind, frame in services.feeds.listen(run_id, start, user_id=user_id):
                yield frame
        finally:
            SSE_LISTENERS.labels("run").dec()

    return _response(events())


@get("/api/events", tags=["events"], include_in_schema=False)
async def user_events(request: Request, services: Services, user_id: str, after: int | None = None) -> EventSourceResponse:
    start = _resume_point(request, after)
    if start is None:
        def now() -> int:
            with services.runtime.db.read() as conn:
                return eventlog.user_position(conn, user_id)
        start = await anyio.to_thread.run_sync(now)

    def read(cursor: int) -> list[Event]:
        with services.runtime.db.read() as conn:
            return eventlog.read_user(conn, user_id, cursor)

    fresh = renderer(services.runtime.assets)

    async def events() -> AsyncIterator[ServerSentEvent]:
        SSE_LISTENERS.labels("user").inc()
        try:
            yield ServerSentEvent(comment="connected")
            cursor = start
            with services.runtime.bus.subscribe(f"user:{user_id}") as subscription:
                while True:
                    batch = await anyio.to_thread.run_sync(read, cursor)
                    datas = await anyio.to_thread.run_sync(lambda: [fresh(user_id, event) for event in batch]) \
                        if any(event.type in WITH_OUTPUTS for event in batch) else [event.data for event in batch]
                    for event, data in zip(batch, datas):
                        cursor = event.user_seq
                        yield ServerSentEvent(data=data, event=event.type, id=str(cursor))
                    if not batch and await subscription.wait_async(POLL_SECONDS):
                        await asyncio.sleep(BATCH_SECONDS)
        finally:
            SSE_LISTENERS.labels("user").dec()

    return _response(events())
