"""The live event bus: wakes event-stream readers when a run's log grows.

The bus carries notes (``run_id``, ``user_id``, newest ``seq``), never the events
themselves: readers read the log in the database, so a missed note costs at most
a poll interval and never an event. ``LocalBus`` delivers within one process;
``RedisBus`` also publishes notes to Redis and delivers notes from other
processes (the workers) to local readers.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterable
from typing import Protocol

import msgspec

from orchestrator.store.eventlog import Note

log = logging.getLogger(__name__)

CHANNEL = "fusionflow:events"


class Subscription:
    """Interest in some keys (``run:<id>``, ``user:<id>``); wait until one is noted."""

    def __init__(self, bus: LocalBus, keys: Iterable[str]) -> None:
        self._bus = bus
        self.keys = tuple(keys)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._async_event: asyncio.Event | None = None
        self._thread_event = threading.Event()
        self._wake_scheduled = False
        try:
            self._loop = asyncio.get_running_loop()
            self._async_event = asyncio.Event()
        except RuntimeError:
            pass

    def _notify(self) -> None:
        self._thread_event.set()
        if self._loop is not None and not self._wake_scheduled:
            # One wake-up of the event loop per batch of notes, not one per note: each
            # costs a write to the loop's self-pipe and a trip through the GIL.
            self._wake_scheduled = True
            try:
                self._loop.call_soon_threadsafe(self._wake)
            except RuntimeError:  # loop closed
                pass

    def _wake(self) -> None:
        self._wake_scheduled = False
        if self._async_event is not None:
            self._async_event.set()

    async def wait_async(self, timeout: float) -> bool:
        """Wait for a note (or ``timeout`` seconds); True when one came."""
        assert self._async_event is not None, "subscribe from inside the event loop to wait asynchronously"
        try:
            await asyncio.wait_for(self._async_event.wait(), timeout)
        except TimeoutError:
            return False
        self._async_event.clear()
        self._thread_event.clear()
        return True

    def wait(self, timeout: float) -> bool:
        """Wait in a thread for a note (or ``timeout`` seconds); True when one came."""
        came = self._thread_event.wait(timeout)
        self._thread_event.clear()
        return came

    def close(self) -> None:
        self._bus._unsubscribe(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Bus(Protocol):
    """Carries notes between the ledger (which publishes after each commit) and the
    event streams (which subscribe); ``LocalBus`` and ``RedisBus`` are its twins."""

    def subscribe(self, *keys: str) -> Subscription: ...

    def publish(self, notes: Iterable[Note]) -> None: ...

    def start(self) -> None: ...

    def close(self) -> None: ...

    def ping(self) -> None: ...


class LocalBus:
    """Delivers notes to subscriptions in this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subs: dict[str, set[Subscription]] = {}

    def subscribe(self, *keys: str) -> Subscription:
        sub = Subscription(self, keys)
        with self._lock:
            for key in keys:
                self._subs.setdefault(key, set()).add(sub)
        return sub

    def _unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            for key in sub.keys:
                subs = self._subs.get(key)
                if subs is not None:
                    subs.discard(sub)
                    if not subs:
                        del self._subs[key]

    def publish(self, notes: Iterable[Note]) -> None:
        self._deliver(notes)

    def _deliver(self, notes: Iterable[Note]) -> None:
        with self._lock:
            targets = set()
            for note in notes:
                targets.update(self._subs.get(f"run:{note.run_id}", ()))
                targets.update(self._subs.get(f"user:{note.user_id}", ()))
        for sub in targets:
            sub._notify()

    def start(self) -> None:
        pass

    def close(self) -> None:
        pass

    def ping(self) -> None:
        pass


class RedisBus(LocalBus):
    """Publishes notes to Redis; a listener thread delivers every process's notes locally."""

    def __init__(self, url: str, *, listen: bool = True) -> None:
        super().__init__()
        import redis

        self._client = redis.Redis.from_url(url)
        self._listen = listen
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._encode = msgspec.msgpack.Encoder().encode
        self._decode = msgspec.msgpack.Decoder(list[Note]).decode

    def publish(self, notes: Iterable[Note]) -> None:
        notes = list(notes)
        if notes:
            self._client.publish(CHANNEL, self._encode(notes))

    def start(self) -> None:
        if self._listen and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="fusionflow-bus", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        import redis

        while not self._stopping.is_set():
            try:
                pubsub = self._client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(CHANNEL)
                while not self._stopping.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message is not None:
                        self._deliver(self._decode(message["data"]))
                pubsub.close()
            except redis.RedisError as exc:
                log.warning("event bus: lost Redis (%s); readers fall back to polling until it is back", exc)
                self._stopping.wait(1.0)

    def close(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=3)
        self._client.close()

    def ping(self) -> None:
        self._client.ping()


def build_bus(redis_url: str | None, *, listen: bool = True) -> LocalBus:
    return RedisBus(redis_url, listen=listen) if redis_url else LocalBus()
