"""Accept: runs as the API offers them: submit, rerun, estimate, read, list, cancel.

Validation happens here, before anything is written: a run that is refused
leaves no trace (``RunRejected`` with every error). An accepted run is recorded
by the ledger in one transaction, with the hits of the output cache known from
its plan, then the dispatcher sends the nodes that are ready. Errors are domain
errors (``orchestrator.errors``); the API maps them to status codes.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from typing import Any

import msgspec
from sqlalchemy import Connection, select

from nodes.sdk import MEDIA_TYPES, NodeType
from orchestrator.accounts import gate
from orchestrator.assets import AssetService
from orchestrator.engine.cachekeys import plan_signatures
from orchestrator.engine.composition import Composer
from orchestrator.engine.dispatch import Dispatcher
from orchestrator.engine.documents import Estimate, RunDocument, RunPage, as_document
from orchestrator.engine.ledger import Ledger
from orchestrator.engine.queues import Task
from orchestrator.errors import InvalidRequest, RunFinished, RunNotFound, RunRejected
from orchestrator.graph.gcpause import paused_gc
from orchestrator.graph.plan import Plan, build_plan
from orchestrator.graph.spec import Graph, RerunCreate, RunCreate, graph_from_builtins, graph_to_builtins
from orchestrator.graph.validate import Checked, Limits, check_run_inputs, declared_inputs, error, validate
from orchestrator.settings import Settings
from orchestrator.store.db import Database
from orchestrator.store.ids import new_id
from orchestrator.store.models import assets, run_nodes, runs
from orchestrator.webhooks.service import WebhookService

RUN_STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")


class RunService:
    def __init__(self, *, db: Database, ledger: Ledger, dispatcher: Dispatcher, catalog: Mapping[str, NodeType],
                 assets: AssetService | None, settings: Settings,
                 cancel_local: Callable[[str], None] = lambda run_id: None) -> None:
        self.db = db
        self.ledger = ledger
        self.dispatcher = dispatcher
        self.catalog = catalog
        self.assets = assets
        self.settings = settings
        self.cancel_local = cancel_local
        """Wakes this process's running nodes of a cancelled run (the embedded mode's workers)."""
        self.limits = Limits(settings.max_nodes, settings.max_edges)
        self.composer = Composer(db, catalog, max_nodes=settings.max_nodes)
        self.webhooks = WebhookService(db, allow_private_urls=settings.allow_private_urls)

    # -- validation ---------------------------------------------------------------------

    def check_graph(self, graph: Graph) -> Checked:
        """Validate a graph alone (contract section 2); raises ``RunRejected``."""
        checked = validate(graph, self.catalog, self.limits)
        if checked.errors:
            raise RunRejected(checked.errors)
        return checked

    def check(self, user_id: str, graph: Graph, inputs: dict[str, Any],
              overrides: dict[str, dict[str, Any]]) -> tuple[Checked, Plan]:
        """Validate a run request fully; raises ``RunRejected`` with every error."""
        subgraphs = self.composer.resolve(user_id, graph)
        with paused_gc():  # big graphs allocate many small acyclic objects
            checked = validate(graph, self.catalog, self.limits, overrides, subgraphs.node_types)
        errors = subgraphs.errors + checked.errors
        declared = declared_inputs(graph, checked.params)
        errors += check_run_inputs(declared, inputs)
        errors += self._check_assets(user_id, declared, inputs)
        errors += self._check_providers(graph, checked)
        errors += self.composer.provider_errors(user_id, graph, self.settings.setting)
        if errors:
            raise RunRejected(errors)
        with paused_gc():
            return checked, build_plan(graph, checked.order, checked.ends)

    def _check_assets(self, user_id: str, declared: dict[str, dict], inputs: dict[str, Any]) -> list[dict]:
        wanted = {name: value for name, value in inputs.items()
                  if name in declared and declared[name]["type"] in MEDIA_TYPES and isinstance(value, str)}
        if not wanted:
            return []
        with self.db.read() as conn:
            found = set(conn.execute(select(assets.c.id).where(
                assets.c.id.in_(list(wanted.values())), assets.c.user_id == user_id)).scalars())
        return [error("invalid_input", f"input {name!r}: asset {value!r} does not exist", input=name)
                for name, value in wanted.items() if value not in found]

    def _check_providers(self, graph: Graph, checked: Checked) -> list[dict]:
        """A provider node whose key is not configured is refused now, not an hour later."""
        errors = []
        for node in graph.nodes:
            node_type = self.catalog.get(node.type)
            params = checked.params.get(node.id)
            if node_type is None or node_type.check_config is None or params is None:
                continue
            missing = node_type.check_config(params, self.settings.setting)
            if missing:
                provider = getattr(params, "provider", None)
                errors.append(error("invalid_param", f"{node.id}: provider {provider!r} is not configured: "
                                    f"set {missing}", node=node.id, param="provider"))
        return errors

    @staticmethod
    def effective_graph(graph: Graph, overrides: dict[str, dict[str, Any]]) -> dict:
        """The graph as it runs: overrides applied to the params."""
        doc = graph_to_builtins(graph)
        for node in doc["nodes"]:
            if node["id"] in overrides:
                node["params"] = {**node.get("params", {}), **overrides[node["id"]]}
        return doc

    # -- runs -----------------------------------------------------------------------------

    def submit(self, user_id: str, body: RunCreate, *, graph_id: str | None = None,
               graph_version: int | None = None, schedule_id: str | None = None) -> RunDocument:
        self.webhooks.check_url(body.webhook)
        checked, plan = self.check(user_id, body.graph, body.inputs, body.overrides)
        effective = self.effective_graph(body.graph, body.overrides)
        doc = self.composer.expand(user_id, effective)  # subgraphs become nodes of the run
        if body.overrides or doc is not effective:
            plan = build_plan(msgspec.convert(doc, Graph), plan.order if doc is effective else None)
        run_id = new_id("r")
        signatures = plan_signatures(plan, self.catalog, body.inputs) if body.cache else None
        ready = self.ledger.create_run(run_id=run_id, user_id=user_id, plan=plan, graph=doc, inputs=body.inputs,
                                       graph_id=graph_id, graph_version=graph_version, use_cache=body.cache,
                                       signatures=signatures, admit=lambda conn: gate.admit_run(
                                           conn, self.settings, user_id=user_id, run_id=run_id,
                                           estimate=sum(self._prices(user_id, body.graph, checked).values()),
                                           budget=body.budget),
                                       columns={"schedule_id": schedule_id, "priority": body.priority,
                                                "drawn_graph": effective if doc is not effective else None},
                                       also=self.webhooks.registration(run_id, user_id, body.webhook))
        self.dispatcher.send_all(Task(run_id, node_id, plan.types[node_id], body.priority) for node_id in ready)
        return self.get(user_id, run_id)

    def rerun(self, user_id: str, run_id: str, body: RerunCreate) -> RunDocument:
        """A new run of the graph an earlier run ran, with ``overrides`` and ``inputs``
        merged over its own; what the change does not reach comes from the cache."""
        with self.db.read() as conn:
            row = conn.execute(select(runs.c.graph, runs.c.drawn_graph, runs.c.inputs, runs.c.graph_id,
                                      runs.c.graph_version, runs.c.priority)
                               .where(runs.c.id == run_id, runs.c.user_id == user_id)).first()
        if row is None:
            raise RunNotFound(run_id)
        request = RunCreate(graph=graph_from_builtins(row.drawn_graph or row.graph), inputs={**row.inputs, **body.inputs},
                            overrides=body.overrides, cache=body.cache, budget=body.budget,
                            priority=body.priority or row.priority)
        return self.submit(user_id, request, graph_id=row.graph_id, graph_version=row.graph_version)

    def estimate(self, user_id: str, body: RunCreate) -> Estimate:
        checked, _ = self.check(user_id, body.graph, body.inputs, body.overrides)
        costs = self._prices(user_id, body.graph, checked)
        return Estimate(cost=round(sum(costs.values()), 6), currency="USD", nodes=costs)

    def _prices(self, user_id: str, graph: Graph, checked: Checked) -> dict[str, float]:
        """Each node's estimated cost in USD, the nodes inside subgraphs included (by run id)."""
        costs = {node.id: round(self.catalog[node.type].estimate_cost(checked.params[node.id], self.settings.prices), 6)
                 for node in graph.nodes}
        costs.update(self.composer.costs(user_id, graph, self.settings.prices))
        return costs

    def cancel(self, user_id: str, run_id: str) -> RunDocument:
        self.require(user_id, run_id)
        if not self.ledger.cancel(run_id, user_id):
            raise RunFinished(run_id)
        self.cancel_local(run_id)
        return self.get(user_id, run_id)

    def require(self, user_id: str, run_id: str) -> None:
        """Raise ``NotFound`` unless the run exists and is the user's."""
        with self.db.read() as conn:
            if conn.execute(select(runs.c.id).where(runs.c.id == run_id, runs.c.user_id == user_id)).first() is None:
                raise RunNotFound(run_id)

    def get(self, user_id: str, run_id: str) -> RunDocument:
        with self.db.read() as conn:
            row = conn.execute(select(runs).where(runs.c.id == run_id, runs.c.user_id == user_id)).first()
            if row is None:
                raise RunNotFound(run_id)
            nodes = _nodes_of(conn, run_id)
        return as_document(self._fresh(user_id, _run_document(row, nodes, with_graph=True))[0], RunDocument)

    def list(self, user_id: str, *, limit: int = 50, cursor: str | None = None, status: str | None = None,
             graph_id: str | None = None) -> RunPage:
        query = select(runs).where(runs.c.user_id == user_id)
        if status:
            query = query.where(runs.c.status == status)
        if graph_id:
            query = query.where(runs.c.graph_id == graph_id)
        if cursor:
            query = query.where(runs.c.id < decode_cursor(cursor))
        with self.db.read() as conn:
            rows = conn.execute(query.order_by(runs.c.id.desc()).limit(limit + 1)).all()
            page = rows[:limit]
            documents = [_run_document(row, _nodes_of(conn, row.id), with_graph=False) for row in page]
        next_cursor = encode_cursor(page[-1].id) if len(rows) > limit else None
        return as_document({"runs": self._fresh(user_id, *documents), "next_cursor": next_cursor}, RunPage)

    def _fresh(self, user_id: str, *documents: dict) -> list[dict]:
        """The documents with fresh URLs for the user's assets in their outputs, one lookup for
        all (the graph, ``ui`` included, comes back as stored)."""
        if self.assets is not None:
            fresh = self.assets.with_fresh_urls(user_id, [[d["nodes"], d["outputs"]] for d in documents])
            for document, (nodes, outputs) in zip(documents, fresh):
                document["nodes"], document["outputs"] = nodes, outputs
        return list(documents)


def _nodes_of(conn: Connection, run_id: str) -> dict[str, dict]:
    rows = conn.execute(select(run_nodes).where(run_nodes.c.run_id == run_id)).all()
    return {
        r.node_id: {"status": r.status, "progress": r.progress, "message": r.message, "cached": r.cached,
                    "attempts": r.attempts, "outputs": r.outputs, "error": r.error, "started_at": r.started_at,
                    "finished_at": r.finished_at, "cost": r.cost, "type": r.type}
        for r in rows
    }


def _run_document(row, nodes: dict[str, dict], *, with_graph: bool) -> dict:
    document = {
        "id": row.id, "status": row.status, "graph_id": row.graph_id, "graph_version": row.graph_version,
        "created_at": row.created_at, "finished_at": row.finished_at, "nodes": nodes,
        "outputs": row.outputs or {}, "inputs": row.inputs, "cost": round(row.cost, 6),
        "name": (row.graph or {}).get("name"), "schedule_id": row.schedule_id, "priority": row.priority,
    }
    if with_graph:
        document["graph"] = row.drawn_graph or row.graph
    return document


def encode_cursor(run_id: str) -> str:
    return base64.urlsafe_b64encode(run_id.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except Exception as exc:
        raise InvalidRequest(f"cursor {cursor!r} is not one this server gave out", code="invalid_cursor") from exc
