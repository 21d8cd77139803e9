"""Time-ordered ids: ``<prefix>_<12 hex digits of ms since epoch><10 random hex>``.

Sorting ids sorts by creation time, so lists page by id with no extra index.
"""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime


def new_id(prefix: str) -> str:
    return f"{prefix}_{int(time.time() * 1000):012x}{secrets.token_hex(5)}"


def now_iso() -> str:
    """The current UTC time as ``2026-11-21T10:00:00.123Z``."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso_at(timestamp: float) -> str:
    """A Unix time in the same form as ``now_iso``."""
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
