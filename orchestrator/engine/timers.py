"""One thread that runs callbacks when they fall due: the executor's deferred
``node.started`` announcements and its nodes' time limits. A heap, a condition
variable, and callbacks that must be quick (they run on the timer thread)."""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)


class Timer:
    """A pending callback; ``cancel()`` before it falls due and it never runs."""

    __slots__ = ("callback", "cancelled")

    def __init__(self, callback: Callable[[], None]) -> None:
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class Timers:
    def __init__(self, name: str = "fusionflow-timers") -> None:
        self._due: list[tuple[float, int, Timer]] = []
        self._counter = itertools.count()
        self._wake = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def after(self, seconds: float, callback: Callable[[], None]) -> Timer:
        timer = Timer(callback)
        with self._wake:
            heapq.heappush(self._due, (time.monotonic() + seconds, next(self._counter), timer))
            if self._due[0][2] is timer:  # it is the next one: the thread may sleep past it
                self._wake.notify()
        return timer

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify()
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        while True:
            with self._wake:
                while not self._stopped and (not self._due or self._due[0][0] > time.monotonic()):
                    self._wake.wait(None if not self._due else self._due[0][0] - time.monotonic())
                if self._stopped:
                    return
                _, _, timer = heapq.heappop(self._due)
            if not timer.cancelled:
                try:
                    timer.callback()
                except Exception:
                    log.exception("a timer's callback failed")
