"""Run feeds: one reader of a run's log per process, however many listeners."""

from __future__ import annotations

import asyncio
import threading

from orchestrator.events.bus import LocalBus, Note
from orchestrator.events.feed import FeedHub
from orchestrator.store.eventlog import Event


class Log:
    """A run's event log in memory, counting the reads made of it."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.reads = 0
        self.lock = threading.Lock()

    def append(self, kind: str) -> None:
        with self.lock:
            seq = len(self.events) + 1
            self.events.append(Event(seq, seq, kind, f'{{"seq":{seq}}}'))

    def read(self, run_id: str, after: int) -> list[Event]:
        with self.lock:
            self.reads += 1
            return self.events[after:]


def run_in_own_loop(coroutine_function, timeout: float):
    """asyncio.run in a thread of its own (another test may leave a loop running in this one)."""
    result: list = []
    thread = threading.Thread(target=lambda: result.append(asyncio.run(asyncio.wait_for(coroutine_function(), timeout))))
    thread.start()
    thread.join(timeout + 5)
    assert result, "the scenario did not finish"
    return result[0]


async def _listen(hub: FeedHub, after: int = 0) -> list[tuple[int, str]]:
    return [(seq, kind) async for seq, kind, _frame in hub.listen("r_1", after)]


def test_many_listeners_share_one_reader_and_each_gets_every_event_once_in_order():
    log, bus = Log(), LocalBus()
    hub = FeedHub(bus, log.read, lambda event: event.data)

    async def scenario():
        log.append("run.started")
        listeners = [asyncio.create_task(_listen(hub)) for _ in range(200)]
        late = asyncio.create_task(_listen(hub, after=3))
        for kind in ("node.queued", "node.started", "node.progress", "node.succeeded", "run.succeeded"):
            await asyncio.sleep(0.01)
            log.append(kind)
            bus.publish([Note("r_1", "u", len(log.events), len(log.events))])
        return await asyncio.gather(*listeners), await late

    everyone, late = run_in_own_loop(scenario, 10)
    expected = [(1, "run.started"), (2, "node.queued"), (3, "node.started"), (4, "node.progress"),
                (5, "node.succeeded"), (6, "run.succeeded")]
    assert all(got == expected for got in everyone)
    assert late == expected[3:]
    assert log.reads <= 12  # one read per wake-up (and one to start), not one per listener


def test_a_listener_after_the_end_replays_the_log_and_stops():
    log, bus = Log(), LocalBus()
    for kind in ("run.started", "node.queued", "run.failed"):
        log.append(kind)
    hub = FeedHub(bus, log.read, lambda event: event.data)
    got = run_in_own_loop(lambda: _listen(hub), 5)
    assert [kind for _, kind in got] == ["run.started", "node.queued", "run.failed"]
