"""Wires the backends together once, from settings.

- ``Runtime(settings, executes=True)`` with no Redis: the embedded mode. SQLite
  (or whatever database is set), a StubBroker and worker threads in this process.
- ``Runtime(settings, executes=False)`` with Redis: the API side of the
  distributed mode; it only sends messages.
- ``Runtime(settings, executes=True)`` with Redis: a ``fusionflow worker``.
"""

from __future__ import annotations

import logging
import threading

import dramatiq

from nodes import sdk
from orchestrator.assets.factory import build_asset_service
from orchestrator.engine.broker import Dispatcher, build_broker, declare_actor
from orchestrator.engine.executor import Executor
from orchestrator.engine.scheduler import Scheduler
from orchestrator.events.bus import build_bus
from orchestrator.library.retention import SweepLoop, Sweeper
from orchestrator.settings import Settings
from orchestrator.store import migrate
from orchestrator.store.db import Database
from orchestrator.store.users import ensure_local_user

log = logging.getLogger(__name__)


class Runtime:
    def __init__(self, settings: Settings, *, executes: bool, listen: bool = True,
                 migrate_schema: bool | None = None) -> None:
        self.settings = settings
        self.executes = executes
        sdk.registry()  # import every node type now, not on the first request (provider SDKs are slow to import)
        pool = max(10, settings.worker_threads + 4)
        self.db = Database(settings.database_url, pool_size=pool)
        if migrate_schema if migrate_schema is not None else settings.embedded_database:
            migrate.upgrade(self.db)
        ensure_local_user(self.db)
        self.bus = build_bus(settings.redis_url, listen=listen)
        self.assets = build_asset_service(settings, self.db)
        self.scheduler = Scheduler(self.db, self.bus, lease_seconds=settings.lease_seconds)
        self.executor = Executor(db=self.db, scheduler=self.scheduler, settings=settings, assets=self.assets)
        self.broker = build_broker(settings.redis_url)
        self.actor = declare_actor(self.broker, settings.queue_name, self.executor.execute)
        self.dispatcher = Dispatcher(self.actor)
        self.executor.dispatcher = self.dispatcher
        self.worker: dramatiq.Worker | None = None
        self._maintenance: Maintenance | None = None
        self._sweeps: SweepLoop | None = None

    def start(self) -> Runtime:
        self.bus.start()
        if self.executes:
            self.worker = dramatiq.Worker(self.broker, worker_threads=self.settings.worker_threads,
                                          worker_timeout=100 if not self.settings.distributed else 1000)
            self.worker.start()
            self._maintenance = Maintenance(self)
            if not self.settings.distributed:
                self._maintenance.recover_now()  # the in-process queue did not survive the last stop
            self._maintenance.start()
            self._sweeps = SweepLoop(Sweeper(self.db, self.assets, self.settings),
                                     self.settings.sweep_interval_seconds).start()
        return self

    def close(self) -> None:
        if self._maintenance is not None:
            self._maintenance.stop()
        if self._sweeps is not None:
            self._sweeps.stop()
        if self.worker is not None:
            self.worker.stop(timeout=10_000)
        self.bus.close()
        self.broker.close()
        self.db.dispose()

    def __enter__(self) -> Runtime:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()


class Maintenance:
    """Background upkeep in every process that runs nodes: renews the leases of the
    nodes running here, and sends again nodes whose messages were lost (a worker
    killed mid-node, a process that died between commit and send)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.lease = runtime.settings.lease_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="fusionflow-maintenance", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def recover_now(self) -> None:
        """Send every queued node (and any whose lease ran out) again, now."""
        for run_id, node_id in self.runtime.scheduler.stranded(queued_for=0):
            self.runtime.dispatcher.send(run_id, node_id)

    def _loop(self) -> None:
        interval = max(0.5, self.lease / 3)
        while not self._stop.wait(interval):
            try:
                self.runtime.scheduler.renew_leases(self.runtime.executor.active_claims())
                for run_id, node_id in self.runtime.scheduler.stranded(queued_for=self.lease * 5):
                    self.runtime.dispatcher.send(run_id, node_id)
            except Exception:
                log.exception("maintenance pass failed; retrying in %.0f s", interval)
