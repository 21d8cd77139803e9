"""Subgraphs at submission: the user's templates, loaded for ``orchestrator.graph.subgraph``.

The pure work (resolving, checking for cycles, expanding) is the graph core's; this
module only reads templates, each version once per request, through the owner.
"""

from __future__ import annotations

from sqlalchemy import select

from nodes import sdk
from orchestrator.errors import GraphInvalid
from orchestrator.graph.spec import Graph, graph_to_builtins
from orchestrator.graph.subgraph import ExpansionError, Loader, Resolved, Template, expand, resolve
from orchestrator.store.db import Database
from orchestrator.store.models import graph_versions, graphs


class Composer:
    def __init__(self, db: Database, *, max_nodes: int) -> None:
        self.db = db
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
        return resolve(graph_to_builtins(graph), self.loader(user_id), sdk.registry(),
                       chain=(inside,) if inside else ())

    def expand(self, user_id: str, document: dict) -> dict:
        """The graph document with its subgraphs expanded (itself when it has none)."""
        try:
            return expand(document, self.loader(user_id), sdk.registry(), max_nodes=self.max_nodes)
        except ExpansionError as exc:
            raise GraphInvalid(exc.errors) from exc
