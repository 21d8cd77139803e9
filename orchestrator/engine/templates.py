"""Saved graphs (templates): versioned, rerun over the API with new inputs."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from orchestrator.engine.documents import (RunDocument, TemplateDocument, TemplateList, TemplateVersion,
                                           TemplateVersions, as_document)
from orchestrator.engine.service import RunService
from orchestrator.errors import TemplateNotFound
from orchestrator.graph.spec import Graph, RunCreate, TemplateRunCreate, graph_from_builtins, graph_to_builtins
from orchestrator.graph.validate import declared_inputs
from orchestrator.limits import check_int
from orchestrator.store.db import Database
from orchestrator.store.ids import new_id, now_iso
from orchestrator.store.models import graph_versions, graphs


class TemplateService:
    def __init__(self, runs: RunService, db: Database) -> None:
        self.runs = runs
        self.db = db

    def _inputs_of(self, graph: Graph) -> list[dict]:
        checked = self.runs.check_graph(graph)
        return [{"name": d["name"], "type": d["type"], "default": d["default"]}
                for d in declared_inputs(graph, checked.params).values()]

    def create(self, user_id: str, name: str, graph: Graph) -> TemplateDocument:
        inputs = self._inputs_of(graph)
        graph_id, now = new_id("g"), now_iso()
        doc = graph_to_builtins(graph)
        with self.db.write() as conn:
            conn.execute(graphs.insert().values(id=graph_id, user_id=user_id, name=name, version=1, graph=doc,
                                                inputs=inputs, created_at=now, updated_at=now))
            conn.execute(graph_versions.insert().values(graph_id=graph_id, version=1, name=name, graph=doc,
                                                        created_at=now))
        return self.get(user_id, graph_id)

    def update(self, user_id: str, graph_id: str, graph: Graph, name: str | None) -> TemplateDocument:
        inputs = self._inputs_of(graph)
        doc, now = graph_to_builtins(graph), now_iso()
        with self.db.write() as conn:
            row = conn.execute(select(graphs.c.version, graphs.c.name).where(
                graphs.c.id == graph_id, graphs.c.user_id == user_id)).first()
            if row is None:
                raise TemplateNotFound(graph_id)
            version, new_name = row.version + 1, name if name is not None else row.name
            conn.execute(update(graphs).where(graphs.c.id == graph_id).values(
                version=version, name=new_name, graph=doc, inputs=inputs, updated_at=now))
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
                document.update(version=version, name=old.name, graph=old.graph,
                                inputs=self._inputs_of(graph_from_builtins(old.graph)))
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

    def run(self, user_id: str, graph_id: str, body: TemplateRunCreate) -> RunDocument:
        template = self._load(user_id, graph_id)
        request = RunCreate(graph=graph_from_builtins(template["graph"]), inputs=body.inputs,
                            overrides=body.overrides, cache=body.cache, budget=body.budget)
        return self.runs.submit(user_id, request, graph_id=graph_id, graph_version=template["version"])


def _document(row) -> dict:
    return {"id": row.id, "name": row.name, "version": row.version, "graph": row.graph, "inputs": row.inputs,
            "created_at": row.created_at, "updated_at": row.updated_at}

