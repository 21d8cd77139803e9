"""Time-ordered ids: ``<prefix>_<12 hex digits of ms since epoch><10 random hex>``.

Sorting ids sorts by creation time, so lists page by id with no extra index. Within one
process ids only grow, so of two made in the same millisecond the later sorts last.
"""

from __future__ import annotations

import secrets
import threading
import time
from datetime import UTC, datetime


_RANDOM_SPAN = 1 << 40
_last = [0, 0]  # the (milliseconds, random part) of the last id made here
_lock = threading.Lock()


def new_id(prefix: str) -> str:
    millis, tail = int(time.time() * 1000), secrets.randbelow(_RANDOM_SPAN)
    with _lock:
        if millis <= _last[0]:  # same millisecond (or the clock went back): count up from the last
            millis, tail = _last[0], _last[1] + 1 + secrets.randbelow(1 << 16)
            if tail >= _RANDOM_SPAN:
                millis, tail = millis + 1, secrets.randbelow(1 << 16)
        _last[:] = [millis, tail]
    return f"{prefix}_{millis:012x}{tail:010x}"


def now_iso() -> str:
    """The current UTC time as ``2026-11-21T10:00:00.123Z``."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
