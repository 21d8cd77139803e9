"""A background loop: a daemon thread that calls one function at a fixed interval."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Periodic:
    """Calls ``tick`` every ``interval`` seconds (the first time at once with ``immediately``)
    until ``stop``; an exception is logged and the next tick comes as usual."""

    def __init__(self, name: str, interval: float, tick: Callable[[], object], *, join_timeout: float = 10,
                 immediately: bool = False) -> None:
        self.name = name
        self.immediately = immediately
        self.interval = interval
        self.tick = tick
        self.join_timeout = join_timeout
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.join_timeout)

    def _loop(self) -> None:
        wait = 0 if self.immediately else self.interval
        while not self._stop.wait(wait):
            wait = self.interval
            try:
                self.tick()
            except Exception:
                log.exception("%s: pass failed; trying again in %.1f s", self.name, self.interval)
