"""The graph document (contract section 1) and the request bodies that carry it.

Decoding with these structs is the shape check: a body that is not JSON, or a
field of the wrong JSON type, fails here with a message naming the field, which
the API answers with ``400``. Everything past the shape (ids, types, ports,
cycles) is ``orchestrator.graph.validate``'s job and answers ``422``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

EdgeEnd = Annotated[str, msgspec.Meta(pattern=r"^[^.]+\.[^.]+$",
                                      description='"<node id>.<port name>"')]

Budget = Annotated[float, msgspec.Meta(ge=0, le=1e9, description="USD, at least 0")]

Priority = Literal["high", "normal", "low"]
"""A run's nodes waiting for a worker thread are taken high first, then normal, then low."""


class Node(msgspec.Struct, forbid_unknown_fields=False, omit_defaults=True):
    id: str
    type: str
    params: dict[str, Any] = {}


class Edge(msgspec.Struct, omit_defaults=True):
    from_: EdgeEnd = msgspec.field(name="from")
    to: EdgeEnd

    @property
    def source(self) -> tuple[str, str]:
        node, _, port = self.from_.partition(".")
        return node, port

    @property
    def target(self) -> tuple[str, str]:
        node, _, port = self.to.partition(".")
        return node, port


class Graph(msgspec.Struct, omit_defaults=True):
    version: Literal[1]
    nodes: list[Node]
    edges: list[Edge] = []
    name: str | None = None
    ui: Any = None


class RunCreate(msgspec.Struct):
    """``POST /api/runs`` and ``POST /api/runs/estimate``."""

    graph: Graph
    inputs: dict[str, Any] = {}
    overrides: dict[str, dict[str, Any]] = {}
    cache: bool = True
    """Reuse outputs of identical earlier executions (a FusionFlow extension)."""
    webhook: str | None = None
    """A URL to POST the run's summary to when it ends (signed; see the webhooks docs)."""
    budget: Budget | None = None
    """USD: a node whose cost would take the run past it fails with error type ``budget``."""
    priority: Priority = "normal"


class RerunCreate(msgspec.Struct):
    """``POST /api/runs/{id}/rerun``: merged over the earlier run's own."""

    inputs: dict[str, Any] = {}
    overrides: dict[str, dict[str, Any]] = {}
    cache: bool = True
    budget: Budget | None = None
    priority: Priority | None = None
    """Left out: the earlier run's."""


class TemplateRunCreate(msgspec.Struct):
    """``POST /api/graphs/{id}/runs``."""

    inputs: dict[str, Any] = {}
    overrides: dict[str, dict[str, Any]] = {}
    cache: bool = True
    webhook: str | None = None
    """Replaces the template's own ``webhook`` for this run."""
    budget: Budget | None = None
    priority: Priority = "normal"


class GraphCreate(msgspec.Struct):
    """``POST /api/graphs``."""

    name: str
    graph: Graph
    webhook: str | None = None
    """Every run of the template POSTs its summary here when it ends."""


class GraphUpdate(msgspec.Struct):
    """``PUT /api/graphs/{id}``."""

    graph: Graph
    name: str | None = None
    webhook: str | None | msgspec.UnsetType = msgspec.UNSET
    """A new webhook URL, or null to remove it; left out, the template keeps its own."""


_graph_decoder = msgspec.json.Decoder(Graph)


def decode_graph(data: bytes | str) -> Graph:
    """Decode a graph document from JSON (raises ``msgspec.ValidationError`` / ``DecodeError``)."""
    return _graph_decoder.decode(data)


def graph_from_builtins(value: Any) -> Graph:
    """A graph from already-parsed JSON (as stored in the database)."""
    return msgspec.convert(value, Graph)


def graph_to_builtins(graph: Graph) -> dict:
    """The graph as a JSON document: ``edges`` and each node's ``params`` always present,
    ``name`` and ``ui`` only when given (``ui`` comes back exactly as it was sent)."""
    doc = msgspec.to_builtins(graph)
    doc.setdefault("edges", [])
    for node in doc["nodes"]:
        node.setdefault("params", {})
    return doc
