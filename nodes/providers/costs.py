"""Prices of provider calls, from the price table in settings (``orchestrator/prices.py``).

A price entry is ``{"usd": <per unit>, "unit": <unit>}`` under a key such as
``fal:fal-ai/flux/dev`` or ``gemini:gemini-2.5-flash:output``. Units:

- ``megapixel``: per image, its pixels rounded up to whole megapixels of 1024 x 1024 (fal's billing);
- ``image``, ``video``, ``call``: per item or call;
- ``second``: per second of video (``duration`` argument, default 5);
- ``step``: per training step (``steps`` argument);
- ``1k_chars``: per 1,000 characters of the text sent (text to speech);
- ``1m_tokens``: per million tokens (Gemini; ``:input`` and ``:output`` entries).

A call whose app has no entry costs 0 and says so in the cost record's detail.
"""

from __future__ import annotations

import math
from typing import Any

IMAGE_SIZES = {
    "square_hd": (1024, 1024), "square": (512, 512), "portrait_4_3": (768, 1024),
    "portrait_16_9": (576, 1024), "landscape_4_3": (1024, 768), "landscape_16_9": (1024, 576),
}
MEGAPIXEL = 1024 * 1024
"""fal counts a 1024 x 1024 image as one megapixel and rounds up to whole megapixels."""
GEMINI_IMAGE_TOKENS = 1290
"""Output tokens Gemini bills for one image up to 1024 x 1024."""
GEMINI_TEXT_TOKENS = 1000
"""Output tokens assumed for a text call when estimating (no max_output_tokens given)."""


def fal_key(app: str) -> str:
    return f"fal:{app}"


def _megapixels(width: Any, height: Any) -> int:
    try:
        return max(1, math.ceil(int(width) * int(height) / MEGAPIXEL))
    except (TypeError, ValueError):
        return 1


def _requested_size(arguments: dict) -> tuple[int, int] | None:
    size = arguments.get("image_size")
    if isinstance(size, dict):
        return size.get("width"), size.get("height")
    if isinstance(size, str):
        return IMAGE_SIZES.get(size)
    if "width" in arguments and "height" in arguments:
        return arguments["width"], arguments["height"]
    return None


def _images(result: dict | None) -> list[dict]:
    if not isinstance(result, dict):
        return []
    if isinstance(result.get("images"), list):
        return [i for i in result["images"] if isinstance(i, dict)]
    if isinstance(result.get("image"), dict):
        return [result["image"]]
    return []


def _seconds(arguments: dict, result: dict | None) -> float:
    for source in (result or {}, arguments):
        for name in ("duration", "duration_seconds"):
            value = source.get(name) if isinstance(source, dict) else None
            try:
                if value is not None:
                    return float(value)
            except (TypeError, ValueError):
                continue
    video = (result or {}).get("video") if isinstance(result, dict) else None
    if isinstance(video, dict) and video.get("duration"):
        return float(video["duration"])
    return 5.0


def _chars(arguments: dict) -> int:
    for name in ("prompt", "text", "input"):
        if isinstance(arguments.get(name), str):
            return len(arguments[name])
    return 0


def units(unit: str, arguments: dict, result: dict | None = None) -> float:
    """How many ``unit``s a fal call with ``arguments`` (and, once known, ``result``) uses."""
    count = int(arguments.get("num_images") or 1)
    if unit == "megapixel":
        images = _images(result)
        if images:
            requested = _requested_size(arguments)
            return sum(_megapixels(i.get("width") or (requested or (0, 0))[0],
                                   i.get("height") or (requested or (0, 0))[1]) for i in images)
        requested = _requested_size(arguments) or IMAGE_SIZES["landscape_4_3"]
        return count * _megapixels(*requested)
    if unit == "image":
        return len(_images(result)) or count
    if unit == "second":
        return _seconds(arguments, result)
    if unit == "step":
        return float(arguments.get("steps") or arguments.get("number_of_steps") or 1000)
    if unit == "1k_chars":
        return _chars(arguments) / 1000
    return 1.0  # video, call


def fal_cost(prices: dict, app: str, arguments: dict, result: dict | None = None) -> tuple[float, str]:
    """The cost of one fal call in USD, and a detail line for the cost record."""
    entry = prices.get(fal_key(app))
    if not entry:
        return 0.0, f"fal {app}: no price in the price table"
    used = units(entry.get("unit", "call"), arguments, result)
    amount = round(float(entry.get("usd", 0.0)) * used, 6)
    return amount, f"fal {app}: {used:g} {entry.get('unit', 'call')} x ${entry.get('usd', 0)}"


def gemini_cost(prices: dict, model: str, usage: Any) -> tuple[float, str]:
    """The cost of one Gemini call from its ``usage_metadata``."""
    prompt = int(getattr(usage, "prompt_token_count", None) or 0)
    output = int(getattr(usage, "candidates_token_count", None) or 0) + \
        int(getattr(usage, "thoughts_token_count", None) or 0)
    return _tokens_cost(prices, model, prompt, output)


def _tokens_cost(prices: dict, model: str, prompt: int, output: int) -> tuple[float, str]:
    entry_in = prices.get(f"gemini:{model}:input")
    entry_out = prices.get(f"gemini:{model}:output")
    if not entry_in and not entry_out:
        return 0.0, f"gemini {model}: no price in the price table"
    amount = prompt * float((entry_in or {}).get("usd", 0.0)) / 1e6 + output * float((entry_out or {}).get("usd", 0.0)) / 1e6
    return round(amount, 6), f"gemini {model}: {prompt} input + {output} output tokens"


def gemini_estimate(prices: dict, model: str, *, images: int = 0, output_tokens: int | None = None,
                    prompt_tokens: int = 200) -> float:
    """A cost estimate before the call: images at 1,290 tokens each, or ``output_tokens`` of text."""
    output = images * GEMINI_IMAGE_TOKENS if images else (output_tokens or GEMINI_TEXT_TOKENS)
    return _tokens_cost(prices, model, prompt_tokens, output)[0]
