"""What every request handler may use: the runtime and the services, built once."""

from __future__ import annotations

from dataclasses import dataclass

from nodes.builtin.subgraph import INTERNAL
from orchestrator.accounts.services import AccountServices
from orchestrator.engine.documents import Catalog, as_document
from orchestrator.engine.runtime import Runtime
from orchestrator.engine.service import RunService
from orchestrator.engine.templates import TemplateService
from orchestrator.events.feed import FeedHub, ReadRun, renderer
from orchestrator.graph.spec import TemplateRunCreate
from orchestrator.library import Library
from orchestrator.model_catalog.service import ModelCatalog
from orchestrator.periodic import Periodic
from orchestrator.schedules.runner import ScheduleRunner
from orchestrator.schedules.service import ScheduleService
from orchestrator.store import eventlog
from orchestrator.store.db import Database
from orchestrator.webhooks.sender import Sender


@dataclass
class Services:
    runtime: Runtime
    runs: RunService
    templates: TemplateService
    catalog_document: Catalog
    """``GET /api/nodes``, built once (the engine's own node types left out)."""
    feeds: FeedHub
    """One reader per run of this process's event streams."""
    accounts: AccountServices
    library: Library
    """Assets, collections, hooks, models, usage (contract section 11)."""
    schedules: ScheduleService
    sender: Sender
    """Sends webhooks from this API process (see ``start_triggers``)."""
    schedule_runner: ScheduleRunner
    """Fires due schedules from this API process."""
    models: ModelCatalog
    """The provider model catalog, refreshed from fal by this process."""

    @classmethod
    def build(cls, runtime: Runtime) -> Services:
        runs = RunService(db=runtime.db, ledger=runtime.ledger, dispatcher=runtime.dispatcher,
                          catalog=runtime.catalog, assets=runtime.assets, settings=runtime.settings,
                          cancel_local=runtime.executor.cancel_local)
        templates = TemplateService(runs, runtime.db)

        def fire(user_id: str, graph_id: str, inputs: dict, schedule_id: str) -> str:
            return templates.run(user_id, graph_id, TemplateRunCreate(inputs=inputs), schedule_id=schedule_id).id

        shown = [t.describe() for t in runtime.catalog.sorted() if t.category != INTERNAL]
        return cls(runtime=runtime, runs=runs, templates=templates,
                   catalog_document=as_document({"nodes": shown}, Catalog),
                   feeds=FeedHub(runtime.bus, _run_reader(runtime.db), renderer(runtime.assets)),
                   accounts=AccountServices.build(runtime.db, runtime.settings, runs.cancel),
                   library=runtime.executor.library or Library.build(runtime.db, runtime.assets, runtime.settings),
                   schedules=ScheduleService(runtime.db, runtime.catalog),
                   sender=Sender(runtime.db, runtime.settings, runtime.assets, runs.webhooks),
                   schedule_runner=ScheduleRunner(runtime.db, fire, poll_seconds=runtime.settings.trigger_poll_seconds),
                   models=ModelCatalog(runtime.settings))

    def start_triggers(self) -> None:
        """Start the loops that act on their own: webhook deliveries, schedules, and the model
        catalog's refresh from fal."""
        for loop in self._loops():
            loop.start()

    def stop_triggers(self) -> None:
        for loop in reversed(self._loops()):
            loop.stop()

    def _loops(self) -> list[Periodic]:
        return [self.sender.loop, self.schedule_runner.loop, self.models.loop]


def _run_reader(db: Database) -> ReadRun:
    def read(run_id: str, after: int) -> list:
        with db.read() as conn:
            return eventlog.read_run(conn, run_id, after)

    return read
