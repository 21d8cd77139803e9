"""Per-user rate limits on run submissions and provider calls, through the ``limits``
package: a moving window of N hits per period (so a burst of up to N, then one more
each time the oldest hit leaves the window). Counters live in Redis in the distributed
mode, so every API process and worker shares them; in memory when embedded."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse, storage, strategies

_UNITS = {"s": "second", "sec": "second", "m": "minute", "min": "minute", "h": "hour", "hr": "hour", "d": "day"}
_RULE = re.compile(r"^\s*(\d+)\s*(?:/|per)\s*(\d+\s*)?([a-z]+?)s?\s*$")


def parse_rule(rule: str) -> RateLimitItem:
    """``60/min``, ``5/second``, ``100/10 minutes``, ``1000 per day`` -> a ``limits`` item."""
    match = _RULE.match(rule.lower())
    if not match:
        raise ValueError(f"rate limit {rule!r}: write it as COUNT/PERIOD, e.g. 60/min")
    count, multiple, unit = match.groups()
    return parse(f"{count}/{(multiple or '').strip()} {_UNITS.get(unit, unit)}".replace("/ ", "/"))


@dataclass(frozen=True)
class Refusal:
    limit: int
    retry_after: int
    """Seconds until the next hit would be allowed."""


class RateLimits:
    def __init__(self, redis_url: str | None) -> None:
        backend = storage.storage_from_string(redis_url) if redis_url else storage.MemoryStorage()
        self._limiter = strategies.MovingWindowRateLimiter(backend)
        self._rules: dict[str, RateLimitItem] = {}

    def hit(self, rule: str, scope: str, user_id: str) -> Refusal | None:
        """Take one hit of ``rule`` for ``user_id`` in ``scope``; a ``Refusal`` when none is left."""
        item = self._rules.get(rule)
        if item is None:
            item = self._rules[rule] = parse_rule(rule)
        if self._limiter.hit(item, scope, user_id):
            return None
        stats = self._limiter.get_window_stats(item, scope, user_id)
        return Refusal(limit=item.amount, retry_after=max(1, int(stats.reset_time - time.time() + 0.999)))


_shared: dict[str | None, RateLimits] = {}
_shared_lock = threading.Lock()


def shared(redis_url: str | None) -> RateLimits:
    """One ``RateLimits`` per backend per process (it holds the Redis connection pool)."""
    with _shared_lock:
        if redis_url not in _shared:
            _shared[redis_url] = RateLimits(redis_url)
        return _shared[redis_url]
