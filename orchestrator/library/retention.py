"""The retention sweep (contract section 11): what has expired goes.

One pass (``Sweeper.sweep``) deletes, as of ``now``:
- assets past their ``expires_at`` (not kept), with their posters, collection places
  and cached outputs naming them;
- runs finished longer than ``FUSIONFLOW_RETENTION_DAYS`` ago, with their nodes, events
  and cost records;
- output-cache entries older than the retention period;
- stored bytes that no asset names any more (written over an hour before ``now``, so
  that bytes stored a moment before their row is written are left alone);
- direct uploads started and never completed (their URL long expired);
and makes the video posters that a stopped process never made.

``SweepLoop`` runs it in every process that runs nodes; a row in ``maintenance_locks``
lets one process sweep per interval, whichever takes it first. ``fusionflow gc``
sweeps at once. Tests pass ``now`` instead of waiting.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from orchestrator.assets import AssetService
from orchestrator.library.assets import AssetLibrary, purge
from orchestrator.library.expiry import iso
from orchestrator.settings import Settings
from orchestrator.store.db import Database
from orchestrator.store.models import assets, maintenance_locks, output_cache, runs

log = logging.getLogger(__name__)

LOCK_NAME = "library-sweep"
FINISHED = ("succeeded", "failed", "cancelled")
BATCH = 500
"""Rows deleted per transaction."""
UNREFERENCED_GRACE = timedelta(hours=1)
UPLOAD_GRACE = timedelta(hours=1)
"""How long after its URL expired an unfinished direct upload is kept."""


class Sweeper:
    def __init__(self, db: Database, store: AssetService, settings: Settings) -> None:
        self.db = db
        self.store = store
        self.settings = settings
        self.library = AssetLibrary(db, store, settings)
        self.holder = f"{socket.gethostname()}:{os.getpid()}"

    def sweep(self, now: datetime | None = None) -> dict[str, int]:
        """One pass as of ``now`` (default: the present); how many of each thing went."""
        now = now or datetime.now(UTC)
        retention = timedelta(days=self.settings.retention_days)
        swept = {"assets": self._expired_assets(now), "runs": self._old_runs(now - retention),
                 "cache_entries": self._old_cache(now - retention)}
        swept["objects"] = self._unreferenced_bytes(now - UNREFERENCED_GRACE)
        swept["uploads"] = self.store.sweep_uploads(
            before=(now - timedelta(seconds=self.settings.url_expiry_seconds) - UPLOAD_GRACE).timestamp())
        swept["posters"] = self.library.posters.backfill()
        log.info("retention sweep: %s", swept)
        return swept

    def sweep_if_due(self, now: datetime | None = None) -> dict[str, int] | None:
        """Sweep when no process has in the last interval (and claim the next one); None otherwise."""
        now = now or datetime.now(UTC)
        if not self.claim(now):
            return None
        return self.sweep(now)

    def claim(self, now: datetime) -> bool:
        """Take the sweep lock until ``now`` + the interval, if nobody holds it at ``now``."""
        moment, until = now.timestamp(), now.timestamp() + self.settings.sweep_interval_seconds
        with self.db.write() as conn:
            taken = conn.execute(update(maintenance_locks).where(
                maintenance_locks.c.name == LOCK_NAME, maintenance_locks.c.until <= moment)
                .values(holder=self.holder, until=until)).rowcount
            if taken:
                return True
            if conn.execute(select(maintenance_locks.c.name).where(maintenance_locks.c.name == LOCK_NAME)).first():
                return False
        try:
            with self.db.write() as conn:
                conn.execute(maintenance_locks.insert().values(name=LOCK_NAME, holder=self.holder, until=until))
            return True
        except IntegrityError:
            return False  # another process made the row first

    # -- the parts of a pass ---------------------------------------------------------------

    def _expired_assets(self, now: datetime) -> int:
        deleted = 0
        while True:
            with self.db.write() as conn:
                ids = list(conn.execute(select(assets.c.id).where(
                    assets.c.expires_at.is_not(None), assets.c.expires_at < iso(now), assets.c.keep.is_(False))
                    .limit(BATCH)).scalars())
                if not ids:
                    return deleted
                shas = purge(conn, ids)
            deleted += len(ids)
            self.library.drop_unused_bytes(shas)

    def _old_runs(self, cutoff: datetime) -> int:
        deleted = 0
        while True:
            with self.db.write() as conn:
                ids = list(conn.execute(select(runs.c.id).where(
                    runs.c.status.in_(FINISHED), runs.c.finished_at < iso(cutoff)).limit(BATCH)).scalars())
                if not ids:
                    return deleted
                conn.execute(runs.delete().where(runs.c.id.in_(ids)))  # nodes, events, costs cascade
            deleted += len(ids)

    def _old_cache(self, cutoff: datetime) -> int:
        with self.db.write() as conn:
            return conn.execute(output_cache.delete().where(output_cache.c.created_at < iso(cutoff))).rowcount

    def _unreferenced_bytes(self, before: datetime) -> int:
        stored = set(self.store.stored_objects(before=before.timestamp()))
        return self.library.drop_unused_bytes(stored) if stored else 0


class SweepLoop:
    """A daemon thread that sweeps when due (checked every minute, or every interval if shorter)."""

    def __init__(self, sweeper: Sweeper, interval: float) -> None:
        self.sweeper = sweeper
        self.check_every = max(1.0, min(60.0, interval))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="fusionflow-sweep", daemon=True)

    def start(self) -> SweepLoop:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.wait(self.check_every):
            try:
                self.sweeper.sweep_if_due()
            except Exception:
                log.exception("retention sweep failed; trying again in %.0f s", self.check_every)
