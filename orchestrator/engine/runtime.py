"""The composition root: every backend and engine part, wired once.

``Runtime.build(settings, executes=…)`` chooses the twins from settings:

- no Redis, ``executes=True``: the embedded mode. SQLite (or whatever database
  is set), a StubBroker and worker threads in this process, an in-process bus.
- Redis, ``executes=False``: the API side of the distributed mode; it only sends.
- Redis, ``executes=True``: a ``fusionflow worker``.

The constructor takes the parts explicitly (tests build a runtime from their own);
nothing is assigned after construction.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping

import dramatiq

from nodes.catalog import load_catalog
from nodes.sdk import JobWatcher, NodeType
from orchestrator.assets import AssetService
from orchestrator.assets.factory import build_asset_service
from orchestrator.engine.broker import build_broker, declare_actors, ping_broker, queue_depths, start_workers
from orchestrator.engine.dispatch import Dispatcher
from orchestrator.assets.signing import derive_key, load_key
from orchestrator.engine import jobhooks
from orchestrator.engine.executor import Executor
from orchestrator.engine.jobhooks import JobWebhooks
from orchestrator.engine.ledger import Ledger
from orchestrator.engine.pollers import Pollers
from orchestrator.events.bus import Bus, build_bus
from orchestrator.library import Library
from orchestrator.library.retention import SweepLoop, Sweeper
from orchestrator.settings import Settings
from orchestrator.store import migrate
from orchestrator.store.db import Database
from orchestrator.store.users import ensure_local_user

log = logging.getLogger(__name__)


class Runtime:
    def __init__(self, *, settings: Settings, catalog: Mapping[str, NodeType], db: Database, bus: Bus,
                 assets: AssetService | None, broker: dramatiq.Broker, ledger: Ledger, dispatcher: Dispatcher,
                 executor: Executor, executes: bool, watchers: Mapping[str, JobWatcher] | None = None) -> None:
        self.settings = settings
        self.catalog = catalog
        self.db = db
        self.bus = bus
        self.assets = assets
        self.broker = broker
        self.ledger = ledger
        self.dispatcher = dispatcher
        self.executor = executor
        self.executes = executes
        self._workers: list[dramatiq.Worker] = []
        self.job_webhooks = executor.webhooks
        self._maintenance = Maintenance(ledger, executor, dispatcher, settings.lease_seconds) if executes else None
        self._pollers = Pollers(ledger=ledger, dispatcher=dispatcher, runs=executor.runs,
                                watchers=watchers or {}, settings=settings) if executes else None
        self._sweeps = SweepLoop(Sweeper(db, assets, settings), settings.sweep_interval_seconds) \
            if executes and assets is not None else None

    @classmethod
    def build(cls, settings: Settings, *, executes: bool, listen: bool = True,
              migrate_schema: bool | None = None) -> Runtime:
        """The runtime the settings describe (see the module docstring)."""
        catalog = load_catalog()  # every node type now, not on the first request (provider SDKs import slowly)
        db = Database(settings.database_url, pool_size=max(10, settings.worker_threads + settings.long_threads + settings.pollers + 4))
        if migrate_schema if migrate_schema is not None else settings.embedded_database:
            migrate.upgrade(db)
        ensure_local_user(db)
        bus = build_bus(settings.redis_url, listen=listen)
        assets = build_asset_service(settings, db)
        ledger = Ledger(db, bus, lease_seconds=Maintenance.hold_for(settings.lease_seconds))
        broker = build_broker(settings.redis_url)
        dispatcher = Dispatcher(broker, settings.queue_name, catalog)
        library = Library.build(db, assets, settings) if assets is not None else None
        webhooks = JobWebhooks(settings.public_url,
                               derive_key(load_key(settings.secret_key, settings.home), jobhooks.PURPOSE))
        executor = Executor(ledger=ledger, dispatcher=dispatcher, catalog=catalog, assets=assets, settings=settings,
                            library=library, watched=frozenset(catalog.watchers), webhooks=webhooks)
        declare_actors(broker, settings.queue_name, executor.execute)
        return cls(settings=settings, catalog=catalog, db=db, bus=bus, assets=assets, broker=broker, ledger=ledger,
                   dispatcher=dispatcher, executor=executor, executes=executes, watchers=catalog.watchers)

    def start(self) -> Runtime:
        self.bus.start()
        if self.executes:
            self._workers = start_workers(self.broker, self.settings.queue_name, self.settings.threads_by_kind,
                                          worker_timeout=100 if not self.settings.distributed else 1000)
            if not self.settings.distributed:
                self._maintenance.recover_now()  # the in-process queue did not survive the last stop
            self._maintenance.start()
            self._pollers.start()
        if self._sweeps is not None:
            self._sweeps.start()
        return self

    def stop_gracefully(self, grace_seconds: float) -> None:
        """SIGTERM on a worker: take no new work, let the nodes running here finish for
        up to ``grace_seconds``, hand the rest back to the queue at once (they run again
        on another worker, no lease to wait out), then stop."""
        if not self._workers:
            return
        self.executor.stop_taking_work()
        for thread in (thread for worker in self._workers for thread in worker.workers):
            thread.stop()  # each finishes the message it holds and takes no other
        deadline = time.monotonic() + grace_seconds
        while self.executor.active_claims() and time.monotonic() < deadline:
            time.sleep(0.05)
        handed = self.executor.hand_back_all()
        if handed:
            log.warning("stopping: handed %d running node(s) back to the queue", handed)
        self.stop_workers()

    def stop_workers(self) -> None:
        """Stop taking work (what is running finishes); the API keeps serving."""
        workers, self._workers = self._workers, []
        for worker in workers:
            worker.stop(timeout=10_000)

    def ping_broker(self) -> None:
        ping_broker(self.broker)

    def queue_depths(self) -> dict[str, int]:
        return queue_depths(self.broker)

    def close(self) -> None:
        if self._maintenance is not None:
            self._maintenance.stop()
            self._pollers.stop()
        if self._sweeps is not None:
            self._sweeps.stop()
        self.stop_workers()
        self.executor.close()
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
    killed mid-node, a message prefetched by a worker that died, a process that died
    between commit and send).

    The bound: work lost at time T runs again by T + ``FUSIONFLOW_LEASE_SECONDS`` (L).
    A claim holds its node for 3/4 L past its last renewal, renewals and scans come
    every L/4, and a node queued for 3/4 L is sent again (a duplicate of a message
    that is merely waiting finds the node taken and does nothing)."""

    def __init__(self, ledger: Ledger, executor: Executor, dispatcher: Dispatcher, lease_seconds: float) -> None:
        self.ledger = ledger
        self.executor = executor
        self.dispatcher = dispatcher
        self.lease = lease_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="fusionflow-maintenance", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def recover_now(self) -> None:
        """Send every queued node (and any whose lease ran out) again, now."""
        self.dispatcher.resend(self.ledger.stranded(queued_for=0))

    @staticmethod
    def hold_for(lease_seconds: float) -> float:
        """How long a claim holds its node past its last renewal."""
        return lease_seconds * 3 / 4

    def _loop(self) -> None:
        interval = max(0.25, self.lease / 4)
        while not self._stop.wait(interval):
            try:
                self.ledger.renew_leases(self.executor.active_claims())
                self.dispatcher.resend(self.ledger.stranded(queued_for=self.hold_for(self.lease)))
            except Exception:
                log.exception("maintenance pass failed; retrying in %.0f s", interval)
