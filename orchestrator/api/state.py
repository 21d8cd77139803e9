"""What every request handler may use: the runtime and the services, built once."""

from __future__ import annotations

from dataclasses import dataclass

from orchestrator.accounts.services import AccountServices
from orchestrator.engine.documents import Catalog, as_document
from orchestrator.engine.runtime import Runtime
from orchestrator.engine.service import RunService
from orchestrator.engine.templates import TemplateService
from orchestrator.events.feed import FeedHub, ReadRun, renderer
from orchestrator.library import Library
from orchestrator.store import eventlog
from orchestrator.store.db import Database


@dataclass
class Services:
    runtime: Runtime
    runs: RunService
    templates: TemplateService
    catalog_document: Catalog
    """``GET /api/nodes``, built once."""
    feeds: FeedHub
    """One reader per run of this process's event streams."""
    accounts: AccountServices
    library: Library
    """Assets, collections, hooks, models, usage (contract section 11)."""

    @classmethod
    def build(cls, runtime: Runtime) -> Services:
        runs = RunService(db=runtime.db, ledger=runtime.ledger, dispatcher=runtime.dispatcher,
                          catalog=runtime.catalog, assets=runtime.assets, settings=runtime.settings,
                          cancel_local=runtime.executor.cancel_local)
        return cls(runtime=runtime, runs=runs, templates=TemplateService(runs, runtime.db),
                   catalog_document=as_document({"nodes": [t.describe() for t in runtime.catalog.sorted()]}, Catalog),
                   feeds=FeedHub(runtime.bus, _run_reader(runtime.db), renderer(runtime.assets)),
                   accounts=AccountServices.build(runtime.db, runtime.settings, runs.cancel),
                   library=runtime.executor.library or Library.build(runtime.db, runtime.assets, runtime.settings))


def _run_reader(db: Database) -> ReadRun:
    def read(run_id: str, after: int) -> list:
        with db.read() as conn:
            return eventlog.read_run(conn, run_id, after)

    return read

