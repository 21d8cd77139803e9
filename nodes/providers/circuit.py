"""A per-provider circuit breaker: after repeated failures, fail fast for a cool-down.

One breaker per (provider, endpoint) per process. ``threshold`` consecutive
failures open it; while open every call fails at once with a ``TransientError``
that says so (``error_type="circuit_open"``, ``retry_after`` = the cool-down left).
After the cool-down one trial call goes through (half-open): success closes the
breaker, failure opens it again for another cool-down. Only failures that say
the provider is unwell count (time-outs, 429, 5xx); a 4xx about our request is
the provider working as it should.

Settings: ``FUSIONFLOW_CIRCUIT_THRESHOLD`` (default 5) and
``FUSIONFLOW_CIRCUIT_COOLDOWN`` (seconds, default 30).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from nodes.sdk import TransientError

SETTINGS = ("FUSIONFLOW_CIRCUIT_THRESHOLD", "FUSIONFLOW_CIRCUIT_COOLDOWN")
"""The settings a node using a breaker reads."""
DEFAULT_THRESHOLD = 5
DEFAULT_COOLDOWN = 30.0


class CircuitBreaker:
    def __init__(self, name: str, threshold: int = DEFAULT_THRESHOLD, cooldown: float = DEFAULT_COOLDOWN,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.name = name
        self.threshold = max(1, threshold)
        self.cooldown = cooldown
        self._clock = clock
        self._lock = threading.Lock()
        self.failures = 0
        self._opened_at: float | None = None
        self._trial = False

    @property
    def state(self) -> str:
        with self._lock:
            if self._opened_at is None:
                return "closed"
            return "half-open" if self._clock() - self._opened_at >= self.cooldown else "open"

    def before_call(self) -> None:
        """Raise ``TransientError`` (circuit_open) when calls must not go out now."""
        with self._lock:
            if self._opened_at is None:
                return
            left = self.cooldown - (self._clock() - self._opened_at)
            if left <= 0 and not self._trial:
                self._trial = True  # half-open: this one call may try
                return
            left = max(left, 0.0)
            raise TransientError(
                f"{self.name} is failing: circuit breaker open after {self.failures} consecutive failures; "
                f"not calling it for another {left:.0f} s", error_type="circuit_open", retry_after=max(left, 1.0))

    def success(self) -> None:
        with self._lock:
            self.failures = 0
            self._opened_at = None
            self._trial = False

    def failure(self) -> None:
        with self._lock:
            self.failures += 1
            if self._trial or self.failures >= self.threshold:
                self._opened_at = self._clock()
            self._trial = False


class CallStats:
    """Counts and durations of this process's provider requests, by provider and outcome
    (``ok``, ``transient``, ``error``); the service's metrics read them at scrape time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: dict[tuple[str, str], list[float]] = {}

    def record(self, provider: str, outcome: str, seconds: float) -> None:
        with self._lock:
            entry = self._calls.setdefault((provider, outcome), [0, 0.0])
            entry[0] += 1
            entry[1] += seconds

    def snapshot(self) -> dict[tuple[str, str], tuple[int, float]]:
        """(provider, outcome) -> (requests, seconds spent in them)."""
        with self._lock:
            return {key: (int(count), total) for key, (count, total) in self._calls.items()}


STATS = CallStats()


def outcome_of(error: BaseException | None) -> str:
    if error is None:
        return "ok"
    return "transient" if isinstance(error, TransientError) else "error"


_BREAKERS: dict[tuple[str, str], CircuitBreaker] = {}
_LOCK = threading.Lock()


def breaker(provider: str, endpoint: str, setting: Callable[..., Any]) -> CircuitBreaker:
    """The process's breaker for ``provider`` at ``endpoint``, configured from settings."""
    threshold = int(setting("FUSIONFLOW_CIRCUIT_THRESHOLD", None) or DEFAULT_THRESHOLD)
    cooldown = float(setting("FUSIONFLOW_CIRCUIT_COOLDOWN", None) or DEFAULT_COOLDOWN)
    with _LOCK:
        found = _BREAKERS.get((provider, endpoint))
        if found is None:
            found = _BREAKERS[(provider, endpoint)] = CircuitBreaker(provider, threshold, cooldown)
        found.threshold, found.cooldown = max(1, threshold), cooldown
        return found
