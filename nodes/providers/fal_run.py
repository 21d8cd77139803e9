"""``fal.run``: any fal app with JSON arguments; media URLs in the result become assets."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from nodes.providers import costs, fal
from nodes.providers.common import check_provider, input_url
from nodes.providers.download import save_url
from nodes.sdk import Context, NodeError, Params, Port, node_type

MAX_FILES = 50
MAX_DEPTH = 64
"""Levels of nesting a result may have (the API takes JSON no deeper either)."""


class FalRunParams(Params):
    app: Annotated[str, msgspec.Meta(min_length=3, max_length=200, pattern=fal.APP_ID)]
    """The fal app id, e.g. fal-ai/flux/dev or fal-ai/flux-lora."""
    arguments: dict[str, Any] = {}
    """The app's input JSON; connected inputs are added to it (prompt, image_url, video_url, audio_url, loras)."""
    expected_seconds: Annotated[float, msgspec.Meta(gt=0, le=86400)] = 30.0
    """How long the app usually takes: paces the progress bar when the app logs no fractions."""
    provider: Literal["fal"] = "fal"


def _seeded(params: FalRunParams) -> bool:
    """Cacheable only when the app is given a seed in ``arguments``."""
    return "seed" in params.arguments


def _estimate(params: FalRunParams, prices: dict) -> float:
    return costs.fal_cost(prices, params.app, params.arguments)[0]


def _lora_entry(ctx: Context, lora: Any) -> dict:
    if isinstance(lora, dict):
        weights = lora.get("weights")
        path = ctx.asset_url(weights) if isinstance(weights, dict) and "asset_id" in weights else lora.get("path")
        return {"path": path, "scale": lora.get("scale", 1.0)}
    return {"path": str(lora), "scale": 1.0}


def _assets_in(ctx: Context, value: Any, saved: list[dict], depth: int = 0) -> Any:
    """``value`` with every file object (a dict with a ``url``) replaced by our asset reference."""
    if depth > MAX_DEPTH:
        raise NodeError(f"the app's result nests deeper than {MAX_DEPTH} levels")
    if isinstance(value, list):
        return [_assets_in(ctx, item, saved, depth + 1) for item in value]
    if not isinstance(value, dict):
        return value
    url = value.get("url")
    if isinstance(url, str) and url.startswith(("http://", "https://", "data:")) and len(saved) < MAX_FILES:
        ref = save_url(ctx, url, content_type=value.get("content_type"), filename=value.get("file_name"))
        saved.append(ref)
        extra = {k: v for k, v in value.items() if k not in ("url", "content_type", "file_data", "file_size")}
        return {**extra, **ref}
    return {key: _assets_in(ctx, item, saved, depth + 1) for key, item in value.items()}


@node_type("fal.run", cacheable=_seeded, settings=fal.SETTINGS, timeout=7200, title="Run fal app", category="provider",
           inputs=[Port("prompt", "text", required=False), Port("image", "image", required=False),
                   Port("video", "video", required=False), Port("audio", "audio", required=False),
                   Port("lora", "json", required=False, description="From lora.train: added to the app's loras"),
                   Port("arguments", "json", required=False, description="Merged over the arguments param")],
           outputs=[Port("result", "json", description="The app's output, files replaced by assets"),
                    Port("image", "image", description="The first image in the result (or null)"),
                    Port("video", "video", description="The first video in the result (or null)"),
                    Port("audio", "audio", description="The first audio in the result (or null)")],
           estimate=_estimate, check_config=check_provider)
def fal_run(ctx: Context, params: FalRunParams, inputs: dict) -> dict:
    """Runs any fal app with JSON arguments through fal's queue, with live progress and
    cancel; files in its result become assets. Needs FAL_KEY. Cost from the price table
    entry fal:<app> (0 if there is none)."""
    arguments = dict(params.arguments)
    arguments.update(inputs.get("arguments") or {})
    if inputs.get("prompt") is not None:
        arguments["prompt"] = inputs["prompt"]
    for port in ("image", "video", "audio"):
        if inputs.get(port):
            arguments[f"{port}_url"] = input_url(ctx, inputs[port], port)
    if inputs.get("lora"):
        arguments["loras"] = [*(arguments.get("loras") or []), _lora_entry(ctx, inputs["lora"])]
    result, request_id = fal.run(ctx, params.app, arguments, expected_seconds=params.expected_seconds)
    ctx.progress(0.95, "saving the files")
    saved: list[dict] = []
    converted = _assets_in(ctx, result, saved)
    amount, detail = costs.fal_cost(ctx.setting("prices", {}), params.app, arguments, result)
    ctx.record_cost(amount, detail, key=f"fal:{request_id}")
    first = {kind: next((ref for ref in saved if str(ref.get("content_type", "")).startswith(kind + "/")), None)
             for kind in ("image", "video", "audio")}
    return {"result": converted, **first}
