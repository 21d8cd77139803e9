"""Cron expressions: five fields (minute, hour, day of month, month, day of week), checked
and turned into fire times with croniter, in a schedule's time zone. Pure code."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterBadDateError, croniter

FIELDS = ("minute", "hour", "day of month", "month", "day of week")
HORIZON = timedelta(days=366 * 5)
"""An expression with no fire time within this is one that never fires (30 February)."""


class CronError(ValueError):
    """What is wrong with a schedule's ``cron`` or ``timezone``; ``field`` names which."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise CronError("timezone", f"timezone {name!r} is not an IANA time zone (like UTC or Europe/Paris)") from exc


def check(cron: str, timezone: str, now: float) -> None:
    """Raise ``CronError`` unless ``cron`` is five valid fields that fire at some time."""
    fields = cron.split()
    if len(fields) != len(FIELDS):
        extra = " (a sixth field for seconds is not supported: at most once a minute)" if len(fields) == 6 else ""
        raise CronError("cron", f"cron {cron!r} has {len(fields)} field(s); it takes five: "
                                f"{', '.join(FIELDS)}{extra}")
    if not croniter.is_valid(cron):
        raise CronError("cron", f"cron {cron!r} is not a valid expression ({', '.join(FIELDS)})")
    if next_fire(cron, timezone, now) is None:
        raise CronError("cron", f"cron {cron!r} never fires")


def next_fire(cron: str, timezone: str, after: float) -> float | None:
    """The first fire time strictly after ``after`` (Unix seconds), or None within five years."""
    start = datetime.fromtimestamp(after, zone(timezone))
    try:
        fire = croniter(cron, start).get_next(datetime)
    except CroniterBadDateError:
        return None
    return fire.timestamp() if fire - start <= HORIZON else None
