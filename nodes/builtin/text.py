"""Text nodes."""

from __future__ import annotations

from typing import Any

import msgspec

from nodes.sdk import Context, MapSpec, Params, Port, node_type


class JoinParams(Params):
    separator: str = ""


class FormatEachParams(Params):
    template: str = "{item}"
    """Each item's text: ``{item}`` stands for the item (a text as it is, anything else as JSON)."""


@node_type("text.join", title="Join text", category="text", cacheable=True, instant=True,
           inputs=[Port("parts", "text", multiple=True)], outputs=[Port("text", "text")])
def join(ctx: Context, params: JoinParams, inputs: dict) -> dict:
    """The parts joined with ``separator``, in the order their edges stand in the graph."""
    return {"text": params.separator.join(inputs["parts"])}


def _as_text(item: Any) -> str:
    return item if isinstance(item, str) else msgspec.json.encode(item).decode()


def _gather_texts(outputs: list[dict]) -> dict:
    return {"texts": [o["text"] for o in outputs], "count": len(outputs)}


@node_type("text.format_each", title="Format each", category="text", cacheable=True, instant=True,
           mapped=MapSpec(over="items", gather=_gather_texts),
           inputs=[Port("items", "json", description="A list (hooks' texts, a plan's variants, ...)")],
           outputs=[Port("texts", "json", description="One text per item, in order"), Port("count", "number")])
def format_each(ctx: Context, params: FormatEachParams, inputs: dict) -> dict:
    """One text per item of a list (a mapped node: one execution per item at run time):
    ``template`` with ``{item}`` replaced by the item."""
    return {"text": params.template.replace("{item}", _as_text(inputs["items"]))}
