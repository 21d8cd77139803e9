"""Run feeds: one reader of a run's event log per API process, fanned out in memory.

Without it, every listener of a run read the log itself on every wake-up: 500
listeners on one run made 500 reads per batch of events. A ``RunFeed`` reads the
log once per wake-up (paged, in order, from the first event), keeps what it read,
and every listener walks that list at its own pace: a new listener replays it, a
reconnect with ``Last-Event-ID`` starts inside it, a slow one only falls behind
itself. The feed stops when its last listener leaves or its run ends.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import anyio.to_thread
import msgspec

from orchestrator.events.bus import Bus
from orchestrator.store.eventlog import TERMINAL_RUN_EVENTS, WITH_OUTPUTS, Event

log = logging.getLogger(__name__)

POLL_SECONDS = 5.0
"""The feed looks at the log at least this often even with no note on the bus."""
BATCH_SECONDS = 0.005
"""After a wake-up the feed waits this long for more events before reading."""

ReadRun = Callable[[str, int], list[Event]]
"""``(run_id, after) -> events`` in order (a blocking database read)."""
Render = Callable[[Event], str]
"""The data line of an event as listeners get it (asset URLs signed afresh)."""


def renderer(assets) -> Render:
    """Events as listeners get them: asset URLs in outputs signed afresh by ``assets``
    (an ``AssetService``, or None when there is no store)."""

    def render(event: Event) -> str:
        if assets is None or event.type not in WITH_OUTPUTS:
            return event.data
        return msgspec.json.encode(assets.with_fresh_urls(msgspec.json.decode(event.data))).decode()

    return render


@dataclass(eq=False)
class RunFeed:
    run_id: str
    events: list[tuple[int, str, bytes]] = field(default_factory=list)
    """(seq, type, the event as sent on the wire) from the run's first event on: seq N
    is at index N - 1. Encoded once here, not once per listener."""
    ended: bool = False
    listeners: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task | None = None

    def extend(self, batch: list[tuple[int, str, bytes]]) -> None:
        self.events.extend(batch)
        if any(kind in TERMINAL_RUN_EVENTS for _, kind, _ in batch):
            self.ended = True
        self.wake()

    def wake(self) -> None:
        changed, self.changed = self.changed, asyncio.Event()
        changed.set()


class FeedHub:
    """The run feeds of one API process (use from its event loop only)."""

    def __init__(self, bus: Bus, read: ReadRun, render: Render) -> None:
        self._bus = bus
        self._read = read
        self._render = render
        self._feeds: dict[str, RunFeed] = {}

    async def listen(self, run_id: str, after: int) -> AsyncIterator[tuple[int, str, bytes]]:
        """The run's events after ``after``, live, up to and including its terminal event:
        (seq, type, the SSE frame to send)."""
        feed = self._feeds.get(run_id)
        if feed is None:
            feed = self._feeds[run_id] = RunFeed(run_id)
            feed.task = asyncio.get_running_loop().create_task(self._pump(feed))
        feed.listeners += 1
        try:
            cursor = after
            while True:
                while cursor < len(feed.events):
                    item = feed.events[cursor]
                    cursor += 1
                    yield item
                    if item[1] in TERMINAL_RUN_EVENTS:
                        return
                if feed.ended and cursor >= len(feed.events):
                    return
                await feed.changed.wait()
        finally:
            feed.listeners -= 1
            if feed.listeners == 0 and self._feeds.get(run_id) is feed:
                del self._feeds[run_id]
                if feed.task is not None:
                    feed.task.cancel()

    async def _pump(self, feed: RunFeed) -> None:
        """Read the log whenever the bus says it grew (or every ``POLL_SECONDS``)."""
        with self._bus.subscribe(f"run:{feed.run_id}") as subscription:
            while not feed.ended:
                try:
                    batch = await anyio.to_thread.run_sync(self._read_rendered, feed.run_id, len(feed.events))
                except Exception:
                    log.exception("reading the events of run %s failed; retrying", feed.run_id)
                    batch = []
                    await asyncio.sleep(1.0)
                if batch:
                    feed.extend(batch)
                    continue
                if await subscription.wait_async(POLL_SECONDS):
                    await asyncio.sleep(BATCH_SECONDS)

    def _read_rendered(self, run_id: str, after: int) -> list[tuple[int, str, bytes]]:
        return [(event.seq, event.type, _frame(event.seq, event.type, self._render(event)))
                for event in self._read(run_id, after)]


def _frame(seq: int, kind: str, data: str) -> bytes:
    """One SSE frame (``id``, ``event``, ``data`` lines; the data is one line of JSON)."""
    return f"id: {seq}\nevent: {kind}\ndata: {data}\n\n".encode()
