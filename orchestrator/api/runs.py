"""Runs: submit, estimate, read, list, cancel (contract section 3)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.params import Parameter

from orchestrator.api.state import Services
from orchestrator.engine.documents import Estimate, RunDocument, RunPage
from orchestrator.graph.spec import RerunCreate, RunCreate


class RunController(Controller):
    path = "/api/runs"
    tags = ["runs"]

    @post("/", status_code=201, sync_to_thread=True, summary="Submit a graph to run")
    def create(self, data: RunCreate, services: Services, user_id: str) -> RunDocument:
        return services.runs.submit(user_id, data)

    @post("/estimate", status_code=200, sync_to_thread=True, summary="Estimate a run's cost without running it")
    def estimate(self, data: RunCreate, services: Services, user_id: str) -> Estimate:
        return services.runs.estimate(user_id, data)

    @get("/", sync_to_thread=True, summary="List runs, newest first")
    def list_runs(
        self, services: Services, user_id: str,
        limit: Annotated[int, Parameter(ge=1, le=200)] = 50,
        cursor: str | None = None,
        status: Annotated[str | None, Parameter(pattern="^(queued|running|succeeded|failed|cancelled)$")] = None,
        graph_id: str | None = None,
    ) -> RunPage:
        return services.runs.list(user_id, limit=limit, cursor=cursor, status=status, graph_id=graph_id)

    @get("/{run_id:str}", sync_to_thread=True, summary="A run with its nodes and outputs")
    def get_run(self, run_id: str, services: Services, user_id: str) -> RunDocument:
        return services.runs.get(user_id, run_id)

    @post("/{run_id:str}/cancel", status_code=202, sync_to_thread=True, summary="Cancel a run")
    def cancel(self, run_id: str, services: Services, user_id: str) -> RunDocument:
        return services.runs.cancel(user_id, run_id)

    @post("/{run_id:str}/rerun", status_code=201, sync_to_thread=True,
          summary="Run an earlier run's graph again, with changes; what they do not reach comes from the cache")
    def rerun(self, run_id: str, data: RerunCreate, services: Services, user_id: str) -> RunDocument:
        return services.runs.rerun(user_id, run_id, data)
