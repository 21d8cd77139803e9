"""``output.*`` nodes: what a run returns, by name (contract section 13).

When a graph has output nodes, the run's ``outputs`` is ``{name: value}`` over them
(see ``orchestrator.graph.outputs``); in a template they are its outputs, and the
output ports of a ``graph.template`` node that uses it. Each passes its value on.
"""

from __future__ import annotations

from nodes.sdk import PORT_TYPES, Context, Params, Port, node_type

OUTPUT_PREFIX = "output."


class OutputParams(Params):
    name: str | None = None
    """The key of this value in the run's outputs; defaults to the node's id."""


def _pass_on(ctx: Context, params: OutputParams, inputs: dict) -> dict:
    return {"value": inputs["value"]}


for _type in PORT_TYPES:
    node_type(f"{OUTPUT_PREFIX}{_type}", title=f"Output ({_type})", category="output", cacheable=True,
              description=f"Marks a {_type} value as an output of the run (and of the template), under ``name``.",
              inputs=[Port("value", _type)], outputs=[Port("value", _type)])(_pass_on)
