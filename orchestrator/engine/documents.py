"""What the services answer: typed documents (msgspec structs).

The API returns these as they are, so the OpenAPI document describes every
response body, and the canvas generates its TypeScript types from that document
(``web/src/api/schema.d.ts``) instead of keeping them by hand.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from orchestrator.graph.spec import Priority

RunStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]
NodeStatus = Literal["pending", "queued", "running", "succeeded", "failed", "skipped", "cancelled"]


class NodeErrorDoc(msgspec.Struct):
    type: str
    message: str


class NodeState(msgspec.Struct):
    """One node of a run."""

    status: NodeStatus
    progress: float | None
    message: str | None
    cached: bool
    attempts: int
    outputs: dict[str, Any] | None
    """Output port -> value; media values are asset references."""
    error: NodeErrorDoc | None
    started_at: str | None
    finished_at: str | None
    cost: float
    type: str


class RunDocument(msgspec.Struct, omit_defaults=True):
    """A run (contract section 3)."""

    id: str
    status: RunStatus
    graph_id: str | None
    graph_version: int | None
    created_at: str
    finished_at: str | None
    nodes: dict[str, NodeState]
    outputs: dict[str, Any]
    inputs: dict[str, Any]
    cost: float
    name: str | None
    schedule_id: str | None
    """The schedule that made the run (contract section 13), else null."""
    priority: Priority
    """``high``, ``normal`` or ``low``: the order in which waiting nodes are taken."""
    graph: dict[str, Any] | msgspec.UnsetType = msgspec.UNSET
    """The graph as run, overrides applied (``GET /api/runs/{id}`` only); with subgraphs, as
    drawn (the engine runs it expanded)."""


class RunPage(msgspec.Struct):
    runs: list[RunDocument]
    next_cursor: str | None


class Estimate(msgspec.Struct):
    cost: float
    currency: Literal["USD"]
    nodes: dict[str, float]


class TemplateInput(msgspec.Struct):
    name: str
    type: str
    default: Any


class TemplateOutput(msgspec.Struct):
    name: str
    type: str


class TemplateDocument(msgspec.Struct):
    """A saved graph (contract sections 5 and 13)."""

    id: str
    name: str
    version: int
    graph: dict[str, Any]
    inputs: list[TemplateInput]
    outputs: list[TemplateOutput]
    """Its output nodes: the output ports of a subgraph node that uses it."""
    webhook: str | None
    """Every run of the template POSTs its summary here when it ends."""
    created_at: str
    updated_at: str


class TemplateList(msgspec.Struct):
    graphs: list[TemplateDocument]


class TemplateVersion(msgspec.Struct):
    version: int
    name: str
    created_at: str


class TemplateVersions(msgspec.Struct):
    versions: list[TemplateVersion]


class InputPortDoc(msgspec.Struct):
    name: str
    type: str
    required: bool
    multiple: bool
    description: str


class OutputPortDoc(msgspec.Struct):
    name: str
    type: str
    description: str


class NodeTypeDoc(msgspec.Struct):
    """A node type of the catalog (contract section 6)."""

    type: str
    title: str
    category: str
    description: str
    params: dict[str, Any]
    """The JSON Schema of the params."""
    inputs: list[InputPortDoc]
    outputs: list[OutputPortDoc]
    cacheable: bool
    cacheable_when: Literal["seed"] | None
    mapped_over: str | None
    """For a mapped node type: the input whose list it runs once per item of."""
    long: bool
    """Its nodes wait on something outside and run on the long queues and threads."""


class Catalog(msgspec.Struct):
    nodes: list[NodeTypeDoc]


def as_document(value: Any, kind: type) -> Any:
    """``value`` (built of dicts and lists) as the document type ``kind``."""
    return msgspec.convert(value, kind)
