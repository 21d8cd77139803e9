"""Saved graphs (templates): CRUD with versions, and runs from them (contract section 5)."""

from __future__ import annotations

from litestar import Controller, delete, get, post, put

from orchestrator.api.state import Services
from orchestrator.engine.documents import RunDocument, TemplateDocument, TemplateList, TemplateVersions
from orchestrator.graph.spec import GraphCreate, GraphUpdate, TemplateRunCreate


class GraphController(Controller):
    path = "/api/graphs"
    tags = ["graphs"]

    @post("/", status_code=201, sync_to_thread=True, summary="Save a graph as a template")
    def create(self, data: GraphCreate, services: Services, user_id: str) -> TemplateDocument:
        return services.templates.create(user_id, data.name, data.graph)

    @get("/", sync_to_thread=True, summary="List templates")
    def list_graphs(self, services: Services, user_id: str) -> TemplateList:
        return services.templates.list(user_id)

    @get("/{graph_id:str}", sync_to_thread=True, summary="A template (newest version, or ?version=N)")
    def get_graph(self, graph_id: str, services: Services, user_id: str, version: int | None = None) -> TemplateDocument:
        return services.templates.get(user_id, graph_id, version)

    @get("/{graph_id:str}/versions", sync_to_thread=True, summary="A template's versions, newest first")
    def versions(self, graph_id: str, services: Services, user_id: str) -> TemplateVersions:
        return services.templates.versions(user_id, graph_id)

    @put("/{graph_id:str}", sync_to_thread=True, summary="Store a new version of a template")
    def update(self, graph_id: str, data: GraphUpdate, services: Services, user_id: str) -> TemplateDocument:
        return services.templates.update(user_id, graph_id, data.graph, data.name)

    @delete("/{graph_id:str}", status_code=204, sync_to_thread=True, summary="Delete a template")
    def remove(self, graph_id: str, services: Services, user_id: str) -> None:
        services.templates.delete(user_id, graph_id)

    @post("/{graph_id:str}/runs", status_code=201, sync_to_thread=True, summary="Run a template")
    def run(self, graph_id: str, data: TemplateRunCreate, services: Services, user_id: str) -> RunDocument:
        return services.templates.run(user_id, graph_id, data)
