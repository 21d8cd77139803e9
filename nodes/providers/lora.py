"""``lora.train``: a list of images -> LoRA weights, trained on fal.

The images are zipped and stored as an asset, fal fetches the zip from its
presigned URL, training runs in fal's queue (up to an hour; its log lines become
progress), and the weights come back into the asset store. The ``lora`` output
(json) feeds ``fal.run``'s ``lora`` input, e.g. with ``fal-ai/flux-lora``.
"""

from __future__ import annotations

import mimetypes
import shutil
import zipfile
from typing import Annotated, Literal

import msgspec

from nodes.providers import costs, fal
from nodes.providers.common import check_provider
from nodes.providers.download import save_url
from nodes.sdk import Context, NodeError, Params, Port, node_type


class LoraTrainParams(Params):
    provider: Literal["fal"] = "fal"
    model: str = "fal-ai/flux-lora-fast-training"
    name: Annotated[str, msgspec.Meta(max_length=200)] = ""
    """The name of the model this registers in the library (default: the trigger word, else the node id)."""
    base_model: str = "fal-ai/flux-lora"
    """The fal app that draws with the weights (``image.generate`` uses it for this model)."""
    trigger_word: str = ""
    """A rare word that calls the trained subject or style up in prompts."""
    steps: Annotated[int, msgspec.Meta(ge=1, le=10000)] = 1000
    is_style: bool = False
    create_masks: bool = True


def _arguments(params: LoraTrainParams, zip_url: str) -> dict:
    arguments = {"images_data_url": zip_url, "steps": params.steps, "is_style": params.is_style,
                 "create_masks": params.create_masks}
    if params.trigger_word:
        arguments["trigger_word"] = params.trigger_word
    return arguments


def _estimate(params: LoraTrainParams, prices: dict) -> float:
    return costs.fal_cost(prices, params.model, _arguments(params, ""))[0]


def _zip_images(ctx: Context, images: list[dict]) -> dict:
    target = ctx.temp_dir() / "training-images.zip"
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
        for i, ref in enumerate(images):
            if not isinstance(ref, dict) or "asset_id" not in ref:
                raise NodeError(f"images[{i}] is not an asset")
            extension = mimetypes.guess_extension(ref.get("content_type") or "") or ".png"
            with ctx.open_asset(ref) as source, archive.open(f"image_{i:03d}{extension}", "w") as out:
                shutil.copyfileobj(source, out, 1 << 16)
    try:
        return ctx.save_asset(target, "application/zip", filename="training-images.zip")
    finally:
        target.unlink(missing_ok=True)


@node_type("lora.train", settings=fal.SETTINGS, timeout=86_400, title="Train LoRA", category="training",
           inputs=[Port("images", "image", multiple=True, description="Training images (10 to 30 work well)")],
           outputs=[Port("lora", "json", description="{path, scale, trigger_word, weights, config}: feed fal.run's lora"),
                    Port("weights_url", "text", description="Where the weights can be fetched (expires)"),
                    Port("model_id", "text", description="The model registered in the library (image.generate's lora)")],
           estimate=_estimate, check_config=check_provider)
def lora_train(ctx: Context, params: LoraTrainParams, inputs: dict) -> dict:
    """Trains a FLUX LoRA on fal from a set of images; the weights become an asset and the
    model is registered in the library (``GET /api/models``) under ``name``. Needs FAL_KEY. Costs per training step (about $2 per 1,000 steps)."""
    images = inputs.get("images") or []
    if not images:
        raise NodeError("lora.train needs at least one image")
    ctx.progress(0.0, f"zipping {len(images)} images")
    archive = _zip_images(ctx, images)
    arguments = _arguments(params, ctx.asset_url(archive))
    result, request_id = fal.run(ctx, params.model, arguments, span=(0.02, 0.95),
                                 expected_seconds=max(60.0, params.steps * 1.5))
    weights = result.get("diffusers_lora_file") or result.get("lora_file")
    if not isinstance(weights, dict) or not weights.get("url"):
        raise NodeError(f"fal {params.model}: the result has no LoRA weights")
    ctx.progress(0.96, "saving the weights")
    weights_ref = save_url(ctx, weights["url"], content_type="application/octet-stream",
                           filename=weights.get("file_name") or "lora_weights.safetensors")
    config = result.get("config_file")
    config_ref = save_url(ctx, config["url"], content_type="application/json", filename="config.json") \
        if isinstance(config, dict) and config.get("url") else None
    amount, detail = costs.fal_cost(ctx.setting("prices", {}), params.model, arguments, result)
    ctx.record_cost(amount, detail, key=f"fal:{request_id}")
    lora = {"path": weights_ref["url"], "scale": 1.0, "trigger_word": params.trigger_word,
            "weights": weights_ref, "config": config_ref}
    model = ctx.register_model(name=params.name or params.trigger_word or ctx.node_id, base_model=params.base_model,
                               trigger_word=params.trigger_word, weights=weights_ref)
    return {"lora": lora, "weights_url": weights_ref["url"], "model_id": model["id"]}
