"""The schedule loop: fires due schedules, each exactly once, in the API processes.

Every ``fusionflow serve`` process runs one. On PostgreSQL the due rows are taken
with ``SELECT … FOR UPDATE SKIP LOCKED`` and held while their runs are made, so a
row another process is firing is skipped, and one it has fired is no longer due.
SQLite serves one process, whose loop is the only one. A schedule whose fire was
missed (the service was down) fires once when it comes back, then waits for its
next fire time after now: missed fires are not made up one by one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sqlalchemy import Update, select, update

from orchestrator.errors import DomainError
from orchestrator.periodic import Periodic
from orchestrator.schedules.cron import next_fire
from orchestrator.store.db import Database
from orchestrator.store.ids import iso_at
from orchestrator.store.models import schedules

log = logging.getLogger(__name__)

BATCH = 20

Fire = Callable[[str, str, dict, str], str]
"""(user id, template id, inputs, schedule id) -> the id of the run made (raises ``DomainError``)."""

DUE = (select(schedules).where(schedules.c.paused.is_(False), schedules.c.next_run_at.is_not(None))
       .order_by(schedules.c.next_run_at).limit(BATCH))


class ScheduleRunner:
    def __init__(self, db: Database, fire: Fire, *, poll_seconds: float = 1.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.fire = fire
        self.clock = clock
        self.loop = Periodic("fusionflow-schedules", poll_seconds, self.fire_due)

    def fire_due(self) -> int:
        """Fire every schedule due now; returns how many fired."""
        now = self.clock()
        due = DUE.where(schedules.c.next_run_at <= now)
        if self.db.is_sqlite:  # one process: no other loop to race (and the run's write needs the lock)
            with self.db.read() as conn:
                rows = conn.execute(due).all()
            for row in rows:
                advance = self._fire(row, now)
                with self.db.write() as conn:
                    conn.execute(advance)
            return len(rows)
        with self.db.write() as conn:
            rows = conn.execute(due.with_for_update(skip_locked=True)).all()
            for row in rows:
                conn.execute(self._fire(row, now))
        return len(rows)

    def _fire(self, row, now: float) -> Update:
        """Make the run; returns the update that moves the schedule to its next fire after now."""
        run_id, problem = None, None
        try:
            run_id = self.fire(row.user_id, row.graph_id, row.inputs, row.id)
        except DomainError as exc:
            problem = exc.message
            log.warning("schedule %s could not run template %s: %s", row.id, row.graph_id, problem)
        return update(schedules).where(schedules.c.id == row.id).values(
            next_run_at=next_fire(row.cron, row.timezone, now), last_run_at=iso_at(now),
            last_run_id=run_id or row.last_run_id, last_error=problem)
