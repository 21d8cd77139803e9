"""Subgraphs at submission: the user's templates, loaded for ``orchestrator.graph.subgraph``.

The pure work (resolving, checking for cycles, expanding) is the graph core's; this
module only reads templates, each version once per request, through the owner.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import msgspec
from sqlalchemy import select

from nodes.builtin.subgraph import TEMPLATE_NODE
from nodes.sdk import NodeType
from orchestrator.errors import GraphInvalid
from orchestrator.graph.outputs import INNER
from orchestrator.graph.spec import Graph, graph_to_builtins
from orchestrator.graph.subgraph import ExpansionError, Loader, Resolved, Template, expand, resolve
from orchestrator.graph.validate import error
from orchestrator.store.db import Database
from orchestrator.store.models import graph_versions, graphs


class Composer:
    def __init__(self, db: Database, catalog: Mapping[str, NodeType], *, max_nodes: int) -> None:
        self.db = db
        self.catalog = catalog
        self.max_nodes = max_nodes

    def loader(self, user_id: str) -> Loader:
        """Loads the user's templates, remembering each answer for this request
        (so that "the latest version" is read once, and means one thing)."""
        seen: dict[tuple[str, int | None], Template | None] = {}

        def load(template_id: str, version: int | None) -> Template | None:
            key = (template_id, version)
            if key not in seen:
                seen[key] = self._read(user_id, template_id, version)
            return seen[key]

        return load

    def _read(self, user_id: str, template_id: str, version: int | None) -> Template | None:
        with self.db.read() as conn:
            row = conn.execute(select(graphs.c.version, graphs.c.graph).where(
                graphs.c.id == template_id, graphs.c.user_id == user_id)).first()
            if row is None:
                return None
            if version is None or version == row.version:
                return Template(template_id, row.version, row.graph)
            old = conn.execute(select(graph_versions.c.graph).where(
                graph_versions.c.graph_id == template_id, graph_versions.c.version == version)).scalar_one_or_none()
        return Template(template_id, version, old) if old is not None else None

    def resolve(self, user_id: str, graph: Graph, *, inside: str | None = None) -> Resolved:
        """The subgraph nodes' types (their templates' ports) and what is wrong with them.
        ``inside``: the template this graph is being saved as (reaching it is a cycle)."""
        return resolve(graph_to_builtins(graph), self.loader(user_id), self.catalog,
                       chain=(inside,) if inside else ())

    def expand(self, user_id: str, document: dict) -> dict:
        """The graph document with its subgraphs expanded (itself when it has none)."""
        try:
            return expand(document, self.loader(user_id), self.catalog, max_nodes=self.max_nodes)
        except ExpansionError as exc:
            raise GraphInvalid(exc.errors) from exc

    def inner_nodes(self, user_id: str, graph: Graph) -> list[tuple[str, str, NodeType, Any]]:
        """The nodes the graph's subgraphs bring, once expanded: (subgraph node, inner id, type,
        params). Empty when there are none, or when a template cannot be had (``resolve`` says why)."""
        if not any(n.type == TEMPLATE_NODE for n in graph.nodes):
            return []
        try:
            expanded = self.expand(user_id, graph_to_builtins(graph))
        except GraphInvalid:
            return []
        catalog, inner = self.catalog, []
        for node in expanded["nodes"]:
            node_type = catalog.get(node["type"])
            if INNER not in node["id"] or node_type is None:
                continue
            try:
                params = msgspec.convert(node.get("params") or {}, node_type.params)
            except msgspec.ValidationError:
                continue  # checked when its template was saved
            inner.append((node["id"].split(INNER, 1)[0], node["id"], node_type, params))
        return inner

    def provider_errors(self, user_id: str, graph: Graph, setting: Callable[[str], Any]) -> list[dict]:
        """An inner provider node whose key is not configured, reported on its subgraph node
        (refused now, as a node drawn in the graph would be)."""
        errors = []
        for outer, inner_id, node_type, params in self.inner_nodes(user_id, graph):
            missing = node_type.check_config(params, setting) if node_type.check_config else None
            if missing:
                errors.append(error("invalid_param", f"{outer}: its inner node {inner_id} uses provider "
                                    f"{getattr(params, 'provider', None)!r}, which is not configured: set {missing}",
                                    node=outer, param="template"))
        return errors

    def costs(self, user_id: str, graph: Graph, prices: dict) -> dict[str, float]:
        """The estimated cost of each inner node of the graph's subgraphs, by its run id."""
        return {inner_id: round(node_type.estimate_cost(params, prices), 6)
                for _, inner_id, node_type, params in self.inner_nodes(user_id, graph)}
