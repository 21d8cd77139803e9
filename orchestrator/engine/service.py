"""Runs as the API offers them: submit, estimate, read, list, cancel.

Validation happens here, before anything is written: a run that is refused
leaves no trace. A run that is accepted is written in one transaction, then its
root nodes are sent to the workers.
"""

from __future__ import annotations

import base64
from typing import Any

import msgspec
from sqlalchemy import Connection, select

from nodes import sdk
from nodes.sdk import MEDIA_TYPES
from orchestrator.engine.composition import Composer
from orchestrator.engine.runtime import Runtime
from orchestrator.errors import Conflict, GraphInvalid, NotFound
from orchestrator.graph.plan import Plan, build_plan
from orchestrator.graph.spec import Graph, RunCreate, graph_to_builtins
from orchestrator.graph.validate import Checked, Limits, check_run_inputs, declared_inputs, error, validate
from orchestrator.store.ids import new_id
from orchestrator.store.models import assets, run_nodes, runs
from orchestrator.webhooks.service import WebhookService

RUN_STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")


class RunService:
    def __init__(self, runtime: Runtime) -> None:
        self.rt = runtime
        self.limits = Limits(runtime.settings.max_nodes, runtime.settings.max_edges)
        self.composer = Composer(runtime.db, max_nodes=runtime.settings.max_nodes)
        self.webhooks = WebhookService(runtime.db, allow_private_urls=runtime.settings.allow_private_urls)

    # -- validation ---------------------------------------------------------------------

    def check_graph(self, graph: Graph) -> Checked:
        """Validate a graph alone (contract section 2); raises ``GraphInvalid``."""
        checked = validate(graph, sdk.registry(), self.limits)
        if checked.errors:
            raise GraphInvalid(checked.errors)
        return checked

    def check(self, user_id: str, graph: Graph, inputs: dict[str, Any],
              overrides: dict[str, dict[str, Any]]) -> tuple[Checked, Plan]:
        """Validate a run request fully; raises ``GraphInvalid`` with every error."""
        catalog = sdk.registry()
        subgraphs = self.composer.resolve(user_id, graph)
        checked = validate(graph, catalog, self.limits, overrides, subgraphs.node_types)
        errors = subgraphs.errors + checked.errors
        declared = declared_inputs(graph, checked.params)
        errors += check_run_inputs(declared, inputs)
        errors += self._check_assets(user_id, declared, inputs)
        errors += self._check_providers(graph, checked, catalog)
        errors += self.composer.provider_errors(user_id, graph, self.rt.settings.setting)
        if errors:
            raise GraphInvalid(errors)
        return checked, build_plan(graph, checked.order, checked.ends)

    def _check_assets(self, user_id: str, declared: dict[str, dict], inputs: dict[str, Any]) -> list[dict]:
        wanted = {name: value for name, value in inputs.items()
                  if name in declared and declared[name]["type"] in MEDIA_TYPES and isinstance(value, str)}
        if not wanted:
            return []
        with self.rt.db.read() as conn:
            found = set(conn.execute(select(assets.c.id).where(
                assets.c.id.in_(list(wanted.values())), assets.c.user_id == user_id)).scalars())
        return [error("invalid_input", f"input {name!r}: asset {value!r} does not exist", input=name)
                for name, value in wanted.items() if value not in found]

    def _check_providers(self, graph: Graph, checked: Checked, catalog) -> list[dict]:
        """A provider node whose key is not configured is refused now, not an hour later."""
        errors = []
        for node in graph.nodes:
            node_type = catalog.get(node.type)
            params = checked.params.get(node.id)
            if node_type is None or node_type.check_config is None or params is None:
                continue
            missing = node_type.check_config(params, self.rt.settings.setting)
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
               graph_version: int | None = None, schedule_id: str | None = None) -> dict:
        self.webhooks.check_url(body.webhook)
        _, plan = self.check(user_id, body.graph, body.inputs, body.overrides)
        effective = self.effective_graph(body.graph, body.overrides)
        doc = self.composer.expand(user_id, effective)  # subgraphs become nodes of the run
        if body.overrides or doc is not effective:
            plan = build_plan(msgspec.convert(doc, Graph), plan.order if doc is effective else None)
        run_id = new_id("r")
        with self.rt.db.write() as conn:
            note = self.rt.scheduler.create_run(
                conn, run_id=run_id, user_id=user_id, plan=plan, graph=doc, inputs=body.inputs,
                graph_id=graph_id, graph_version=graph_version, use_cache=body.cache)
            self.webhooks.register(conn, run_id, user_id, body.webhook)
            if schedule_id or doc is not effective:  # made by a schedule; the graph as drawn, before expansion
                conn.execute(runs.update().where(runs.c.id == run_id).values(
                    schedule_id=schedule_id, drawn_graph=effective if doc is not effective else None))
        self.rt.bus.publish([note])
        for node_id in plan.roots:
            self.rt.dispatcher.send(run_id, node_id)
        return self.get(user_id, run_id)

    def estimate(self, user_id: str, body: RunCreate) -> dict:
        checked, plan = self.check(user_id, body.graph, body.inputs, body.overrides)
        catalog = sdk.registry()
        costs = {}
        for node in body.graph.nodes:
            node_type = catalog[node.type]
            costs[node.id] = round(node_type.estimate(checked.params[node.id], self.rt.settings.prices), 6) \
                if node_type.estimate else 0.0
        costs.update(self.composer.costs(user_id, body.graph, self.rt.settings.prices))  # inside subgraphs
        return {"cost": round(sum(costs.values()), 6), "currency": "USD", "nodes": costs}

    def cancel(self, user_id: str, run_id: str) -> dict:
        self.require(user_id, run_id)
        if not self.rt.scheduler.cancel(run_id, user_id):
            raise Conflict(f"run {run_id} has already finished", code="run_finished")
        self.rt.executor.cancel_local(run_id)
        return self.get(user_id, run_id)

    def require(self, user_id: str, run_id: str) -> None:
        """Raise ``NotFound`` unless the run exists and is the user's."""
        with self.rt.db.read() as conn:
            if conn.execute(select(runs.c.id).where(runs.c.id == run_id, runs.c.user_id == user_id)).first() is None:
                raise NotFound(f"run {run_id} does not exist")

    def get(self, user_id: str, run_id: str) -> dict:
        with self.rt.db.read() as conn:
            row = conn.execute(select(runs).where(runs.c.id == run_id, runs.c.user_id == user_id)).first()
            if row is None:
                raise NotFound(f"run {run_id} does not exist")
            nodes = _nodes_of(conn, run_id)
        return self._fresh(_run_document(row, nodes, with_graph=True))

    def list(self, user_id: str, *, limit: int = 50, cursor: str | None = None, status: str | None = None,
             graph_id: str | None = None) -> dict:
        query = select(runs).where(runs.c.user_id == user_id)
        if status:
            query = query.where(runs.c.status == status)
        if graph_id:
            query = query.where(runs.c.graph_id == graph_id)
        if cursor:
            query = query.where(runs.c.id < decode_cursor(cursor))
        with self.rt.db.read() as conn:
            rows = conn.execute(query.order_by(runs.c.id.desc()).limit(limit + 1)).all()
            page = rows[:limit]
            documents = [_run_document(row, _nodes_of(conn, row.id), with_graph=False) for row in page]
        next_cursor = encode_cursor(page[-1].id) if len(rows) > limit else None
        return {"runs": [self._fresh(d) for d in documents], "next_cursor": next_cursor}

    def _fresh(self, document: dict) -> dict:
        return self.rt.assets.with_fresh_urls(document) if self.rt.assets is not None else document


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
        "name": (row.graph or {}).get("name"), "schedule_id": row.schedule_id,
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
        from orchestrator.errors import ApiError

        raise ApiError(f"cursor {cursor!r} is not one this server gave out", code="invalid_cursor") from exc
