"""``image.edit``: image + prompt -> image, with Gemini or fal.

The seeds' character reference sheet is this node on one photo with a prompt such
as "a character sheet of this person: front, side and back views" (see
``graphs/gemini-character-sheet.json``).
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from google.genai import types

from nodes.providers import costs, fal
from nodes.providers import gemini as gemini_adapter
from nodes.providers.common import check_provider, input_url, read_asset
from nodes.providers.media import ASPECT_RATIOS, fal_image_result, gemini_image_result
from nodes.sdk import Context, NodeError, Params, Port, node_type, with_seed

DEFAULT_MODELS = {"gemini": "gemini-2.5-flash-image", "fal": "fal-ai/flux-pro/kontext"}


class ImageEditParams(Params):
    provider: Literal["gemini", "fal"] = "gemini"
    model: str = ""
    """Gemini model, or fal app id (default gemini-2.5-flash-image / fal-ai/flux-pro/kontext)."""
    aspect_ratio: Literal["1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9"] | None = None
    seed: Annotated[int, msgspec.Meta(ge=0)] | None = None


def _model(params: ImageEditParams) -> str:
    return params.model or DEFAULT_MODELS[params.provider]


def _fal_arguments(params: ImageEditParams, prompt: str, urls: list[str]) -> dict:
    arguments: dict = {"prompt": prompt, "image_url": urls[0] if urls else ""}
    if len(urls) > 1:
        arguments["image_urls"] = urls
    if params.aspect_ratio:
        arguments["aspect_ratio"] = params.aspect_ratio
    if params.seed is not None:
        arguments["seed"] = params.seed
    return arguments


def _estimate(params: ImageEditParams, prices: dict) -> float:
    if params.provider == "gemini":
        return costs.gemini_estimate(prices, _model(params), images=1, prompt_tokens=1500)
    return costs.fal_cost(prices, _model(params), _fal_arguments(params, "", [""]))[0]


@node_type("image.edit", title="Edit image", category="image",
           cacheable=with_seed, settings=fal.SETTINGS + gemini_adapter.SETTINGS, timeout=7200,
           inputs=[Port("image", "image", description="The image to edit"),
                   Port("prompt", "text", description="What to change"),
                   Port("references", "image", required=False, multiple=True,
                        description="More images the edit may draw on")],
           outputs=[Port("image", "image")], estimate=_estimate, check_config=check_provider)
def image_edit(ctx: Context, params: ImageEditParams, inputs: dict) -> dict:
    """Edits an image as the prompt says (Gemini or fal): restyle, relight, or turn one photo
    into a character reference sheet. Needs GEMINI_API_KEY or FAL_KEY."""
    images = [inputs["image"], *(inputs.get("references") or [])]
    model = _model(params)
    if params.provider == "gemini":
        contents: list = [inputs["prompt"]]
        for i, ref in enumerate(images):
            contents.append(types.Part.from_bytes(data=read_asset(ctx, ref, "image" if i == 0 else "references"),
                                                  mime_type=ref.get("content_type") or "image/png"))
        config = types.GenerateContentConfig(
            response_modalities=["IMAGE"],
            image_config=types.ImageConfig(aspect_ratio=params.aspect_ratio) if params.aspect_ratio else None)
        ctx.progress(0.1, f"asking {model}")
        answer = gemini_adapter.generate(ctx, model, contents, config)
        return {"image": gemini_image_result(ctx, model, answer)}
    if params.aspect_ratio and params.aspect_ratio not in ASPECT_RATIOS:  # pragma: no cover (Literal)
        raise NodeError(f"unknown aspect ratio {params.aspect_ratio}")
    arguments = _fal_arguments(params, inputs["prompt"],
                               [input_url(ctx, ref, "image" if i == 0 else "references") for i, ref in enumerate(images)])
    result, request_id = fal.run(ctx, model, arguments, expected_seconds=15)
    return {"image": fal_image_result(ctx, model, arguments, result, request_id)}
