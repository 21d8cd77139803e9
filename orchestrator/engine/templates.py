"""Saved graphs (templates): versioned, rerun over the API with new inputs."""

from __future__ import annotations

import msgspec
from sqlalchemy import delete, select, update

from orchestrator.engine.documents import (RunDocument, TemplateDocument, TemplateList, TemplateVersion,
                                           TemplateVersions, as_document)
from orchestrator.engine.service import RunService
from orchestrator.errors import GraphInvalid, TemplateNotFound
from orchestrator.graph.spec import Graph, RunCreate, TemplateRunCreate, graph_from_builtins, graph_to_builtins
from orchestrator.graph.subgraph import template_inputs, template_outputs
from orchestrator.graph.validate import declared_inputs, validate
from orchestrator.limits import check_int
from orchestrator.store.db import Database
from orchestrator.store.ids import new_id, now_iso
from orchestrator.store.models import graph_versions, graphs, schedules


class TemplateService:
    def __init__(self, runs: RunService, db: Database) -> None:
        self.runs = runs
        self.db = db

    def _inputs_of(self, user_id: str, graph: Graph, graph_id: str | None = None) -> list[dict]:
        """Validate a graph to be saved (as ``graph_id``: reaching it through subgraphs is a
        cycle) and return its inputs."""
        subgraphs = self.runs.composer.resolve(user_id, graph, inside=graph_id)
        checked = validate(graph, self.runs.catalog, self.runs.limits, node_types=subgraphs.node_types)
        if subgraphs.errors or checked.errors:
            raise GraphInvalid(subgraphs.errors + checked.errors)
        return [{"name": d["name"], "type": d["type"], "default": d["default"]}
                for d in declared_inputs(graph, checked.params).values()]

    def create(self, user_id: str, name: str, graph: Graph, webhook: str | None = None) -> TemplateDocument:
        self.runs.webhooks.check_url(webhook)
        inputs = self._inputs_of(user_id, graph)
        graph_id, now = new_id("g"), now_iso()
        doc = graph_to_builtins(graph)
        with self.db.write() as conn:
            conn.execute(graphs.insert().values(id=graph_id, user_id=user_id, name=name, version=1, graph=doc,
                                                inputs=inputs, created_at=now, updated_at=now, webhook=webhook))
            conn.execute(graph_versions.insert().values(graph_id=graph_id, version=1, name=name, graph=doc,
                                                        created_at=now))
        return self.get(user_id, graph_id)

    def update(self, user_id: str, graph_id: str, graph: Graph, name: str | None,
               webhook: str | None | msgspec.UnsetType = msgspec.UNSET) -> TemplateDocument:
        """A new version; ``webhook`` replaces the template's (null removes it) unless left UNSET."""
        if webhook is not msgspec.UNSET:
            self.runs.webhooks.check_url(webhook)
        inputs = self._inputs_of(user_id, graph, graph_id)
        doc, now = graph_to_builtins(graph), now_iso()
        with self.db.write() as conn:
            row = conn.execute(select(graphs.c.version, graphs.c.name).where(
                graphs.c.id == graph_id, graphs.c.user_id == user_id)).first()
            if row is None:
                raise TemplateNotFound(graph_id)
            version, new_name = row.version + 1, name if name is not None else row.name
            changes = {} if webhook is msgspec.UNSET else {"webhook": webhook}
            conn.execute(update(graphs).where(graphs.c.id == graph_id).values(
                version=version, name=new_name, graph=doc, inputs=inputs, updated_at=now, **changes))
            conn.execute(graph_versions.insert().values(graph_id=graph_id, version=version, name=new_name,
                                                        graph=doc, created_at=now))
        return self.get(user_id, graph_id)

    def get(self, user_id: str, graph_id: str, version: int | None = None) -> TemplateDocument:
        return as_document(self._load(user_id, graph_id, version), TemplateDocument)

    def _load(self, user_id: str, graph_id: str, version: int | None = None) -> dict:
        if version is not None:
            check_int(version, "version")
        with self.db.read() as conn:
            row = conn.execute(select(graphs).where(graphs.c.id == graph_id, graphs.c.user_id == user_id)).first()
            if row is None:
                raise TemplateNotFound(graph_id)
            document = _document(row)
            if version is not None and version != row.version:
                old = conn.execute(select(graph_versions).where(
                    graph_versions.c.graph_id == graph_id, graph_versions.c.version == version)).first() \
                    if version < row.version else None  # past the newest: never was (nor fits the column)
                if old is None:
                    raise TemplateNotFound(graph_id, version)
                document.update(version=version, name=old.name, graph=old.graph, outputs=template_outputs(old.graph),
                                inputs=[{k: i[k] for k in ("name", "type", "default")}
                                        for i in template_inputs(old.graph, self.runs.catalog)])
        return document

    def versions(self, user_id: str, graph_id: str) -> TemplateVersions:
        self._load(user_id, graph_id)
        with self.db.read() as conn:
            rows = conn.execute(select(graph_versions.c.version, graph_versions.c.name, graph_versions.c.created_at)
                                .where(graph_versions.c.graph_id == graph_id)
                                .order_by(graph_versions.c.version.desc())).all()
        return TemplateVersions([TemplateVersion(r.version, r.name, r.created_at) for r in rows])

    def list(self, user_id: str) -> TemplateList:
        with self.db.read() as conn:
            rows = conn.execute(select(graphs).where(graphs.c.user_id == user_id).order_by(graphs.c.id.desc())).all()
        return as_document({"graphs": [_document(r) for r in rows]}, TemplateList)

    def delete(self, user_id: str, graph_id: str) -> None:
        with self.db.write() as conn:
            gone = conn.execute(delete(graphs).where(graphs.c.id == graph_id, graphs.c.user_id == user_id)
                                .returning(graphs.c.id)).first()
            if gone is None:
                raise TemplateNotFound(graph_id)
            conn.execute(delete(graph_versions).where(graph_versions.c.graph_id == graph_id))
            conn.execute(delete(schedules).where(schedules.c.graph_id == graph_id))

    def run(self, user_id: str, graph_id: str, body: TemplateRunCreate, *,
            schedule_id: str | None = None) -> RunDocument:
        template = self._load(user_id, graph_id)
        request = RunCreate(graph=graph_from_builtins(template["graph"]), inputs=body.inputs,
                            overrides=body.overrides, cache=body.cache, budget=body.budget, priority=body.priority,
                            webhook=body.webhook if body.webhook is not None else template["webhook"])
        return self.runs.submit(user_id, request, graph_id=graph_id, graph_version=template["version"],
                                schedule_id=schedule_id)


def _document(row) -> dict:
    return {"id": row.id, "name": row.name, "version": row.version, "graph": row.graph, "inputs": row.inputs,
            "outputs": template_outputs(row.graph), "webhook": row.webhook, "created_at": row.created_at,
            "updated_at": row.updated_at}

