"""Subgraphs: a saved template used as one node (contract section 13).

A ``graph.template`` node never runs as such: at submission the engine replaces it
with its template's nodes (ids ``<node>/<inner id>``), wired to what the node was
wired to (see ``orchestrator.graph.subgraph``). Its ports are the template's inputs
and outputs, so the catalog lists none; ``GET /api/graphs/{id}`` tells them.
``graph.default`` stands in for a template input left unconnected: it gives the
input's default.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from nodes.sdk import MEDIA_TYPES, Context, NodeError, Params, Port, node_type

TEMPLATE_NODE = "graph.template"
DEFAULT_NODE = "graph.default"
INTERNAL = "internal"
"""The category of node types the engine makes for itself; the catalog does not list them."""


class TemplateParams(Params):
    template: Annotated[str, msgspec.Meta(min_length=1, description="A template id (g_…)")]
    version: Annotated[int, msgspec.Meta(ge=1)] | None = None
    """A pinned version; the latest at submission when absent."""


class DefaultParams(Params):
    type: str
    """The port type of the template input."""
    value: Any = None
    """The template input's default (an asset id for media)."""
    input: str = ""
    """The template input's name, for messages."""


@node_type(TEMPLATE_NODE, title="Subgraph (template)", category="graph")
def template(ctx: Context, params: TemplateParams, inputs: dict) -> dict:
    """A saved template as one node: its inputs are the node's input ports, its output nodes
    the node's output ports. Expanded into the template's nodes when the run is submitted."""
    raise NodeError("graph.template nodes are expanded when the run is submitted; this one was not")


@node_type(DEFAULT_NODE, title="Template input default", category=INTERNAL, cacheable=True,
           outputs=[Port("value", "any")])
def default(ctx: Context, params: DefaultParams, inputs: dict) -> dict:
    """The default value of a subgraph input that nothing is connected to."""
    if params.type not in MEDIA_TYPES:
        return {"value": params.value}
    if not params.value:
        raise NodeError(f"the template input {params.input!r} needs a {params.type}: connect one to the "
                        "subgraph node, or give the template input a default")
    ref = ctx.asset(params.value)
    if not ref["content_type"].startswith(params.type + "/"):
        raise NodeError(f"asset {params.value} is {ref['content_type']}, not {params.type}")
    return {"value": ref}
