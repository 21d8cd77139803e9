"""Text nodes."""

from __future__ import annotations

from nodes.sdk import Context, Params, Port, node_type


class JoinParams(Params):
    separator: str = ""


@node_type("text.join", title="Join text", category="text", cacheable=True, instant=True,
           inputs=[Port("parts", "text", multiple=True)], outputs=[Port("text", "text")])
def join(ctx: Context, params: JoinParams, inputs: dict) -> dict:
    """The parts joined with ``separator``, in the order their edges stand in the graph."""
    return {"text": params.separator.join(inputs["parts"])}
