"""``text.generate``: prompt -> text with Gemini (prompt rewriting, captions, hooks)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from google.genai import types

from nodes.providers import costs, gemini
from nodes.providers.common import check_provider, read_asset
from nodes.sdk import Context, Params, Port, node_type


class TextGenerateParams(Params):
    provider: Literal["gemini"] = "gemini"
    model: str = "gemini-2.5-flash"
    system: str = ""
    """System instruction (e.g. "Rewrite the prompt for an image model; answer with the prompt only")."""
    temperature: Annotated[float, msgspec.Meta(ge=0, le=2)] | None = None
    max_output_tokens: Annotated[int, msgspec.Meta(ge=1, le=65536)] | None = None
    thinking_budget: Annotated[int, msgspec.Meta(ge=0, le=32768)] | None = 0
    """Tokens the model may think before answering (0: off, the cheapest; None: the model's default)."""


def _estimate(params: TextGenerateParams, prices: dict) -> float:
    return costs.gemini_estimate(prices, params.model, output_tokens=params.max_output_tokens)


@node_type("text.generate", settings=gemini.SETTINGS, timeout=7200, title="Generate text", category="text",
           inputs=[Port("prompt", "text", description="What to write, or the text to rework"),
                   Port("image", "image", required=False, description="An image to describe or caption")],
           outputs=[Port("text", "text")], estimate=_estimate, check_config=check_provider)
def text_generate(ctx: Context, params: TextGenerateParams, inputs: dict) -> dict:
    """Writes text with Gemini from a prompt (and an optional image): prompt rewriting, captions, hooks.
    Needs GEMINI_API_KEY. Costs per token (see the price table)."""
    contents: list = [inputs["prompt"]]
    if inputs.get("image"):
        ref = inputs["image"]
        contents.append(types.Part.from_bytes(data=read_asset(ctx, ref, "image"),
                                              mime_type=ref.get("content_type") or "image/png"))
    config = types.GenerateContentConfig(
        system_instruction=params.system or None, temperature=params.temperature,
        max_output_tokens=params.max_output_tokens,
        thinking_config=types.ThinkingConfig(thinking_budget=params.thinking_budget)
        if params.thinking_budget is not None else None)
    ctx.progress(0.1, f"asking {params.model}")
    answer = gemini.generate(ctx, params.model, contents, config)
    amount, detail = costs.gemini_cost(ctx.setting("prices", {}), params.model, answer.usage)
    ctx.record_cost(amount, detail, key=answer.response_id or None)
    return {"text": answer.text.strip()}
