"""``input.*`` nodes: the values a run is given, by name, else the node's default."""

from __future__ import annotations

from typing import Any

from nodes.sdk import MISSING, Context, NodeError, Params, Port, node_type


class TextInputParams(Params):
    name: str | None = None
    """The run input this node reads; defaults to the node's id."""
    default: str = ""


class NumberInputParams(Params):
    name: str | None = None
    default: float = 0


class JsonInputParams(Params):
    name: str | None = None
    default: Any = None
    """Any JSON value (a list of texts, of asset references, ...)."""


class AssetInputParams(Params):
    name: str | None = None
    default: str | None = None
    """An asset id used when the run gives none."""


def _value(ctx: Context, params: Any) -> Any:
    value = ctx.run_input(params.name or ctx.node_id)
    return params.default if value is MISSING else value


@node_type("input.text", title="Text input", category="input", outputs=[Port("text", "text")], instant=True)
def text_input(ctx: Context, params: TextInputParams, inputs: dict) -> dict:
    """The run's input ``name`` as text, else ``default``."""
    return {"text": _value(ctx, params)}


@node_type("input.number", title="Number input", category="input", outputs=[Port("number", "number")],
           instant=True)
def number_input(ctx: Context, params: NumberInputParams, inputs: dict) -> dict:
    """The run's input ``name`` as a number, else ``default``."""
    return {"number": _value(ctx, params)}


@node_type("input.json", title="JSON input", category="input", outputs=[Port("json", "json")], instant=True)
def json_input(ctx: Context, params: JsonInputParams, inputs: dict) -> dict:
    """The run's input ``name`` as any JSON value, else ``default``."""
    return {"json": _value(ctx, params)}


def _asset_input(kind: str):
    def run(ctx: Context, params: AssetInputParams, inputs: dict) -> dict:
        asset_id = _value(ctx, params)
        if not asset_id:
            raise NodeError(f"no {kind} given: pass an asset id as the run input "
                            f"{(params.name or ctx.node_id)!r} or set the node's default")
        ref = ctx.asset(asset_id)
        if not ref["content_type"].startswith(kind + "/"):
            raise NodeError(f"asset {asset_id} is {ref['content_type']}, not {kind}")
        return {kind: ref}

    run.__doc__ = f"An uploaded {kind}, by asset id, from the run's inputs (else ``default``)."
    run.__annotations__ = {"ctx": Context, "params": AssetInputParams, "inputs": dict, "return": dict}
    return run


for _kind, _title in (("image", "Image input"), ("video", "Video input"), ("audio", "Audio input")):
    node_type(f"input.{_kind}", title=_title, category="input", outputs=[Port(_kind, _kind)])(_asset_input(_kind))

INPUT_TYPES = {"input.text": "text", "input.number": "number", "input.json": "json", "input.image": "image",
               "input.video": "video", "input.audio": "audio"}
"""Node type -> the type of the run input it declares."""
