"""The price table: what one provider call costs, by a key such as ``fal:fal-ai/flux/dev``.

Prices are USD per unit; the unit is part of the entry (``image``, ``megapixel``,
``second``, ``step``, ``1k_chars``, ``call``). ``FUSIONFLOW_PRICES`` (a JSON object of
the same shape) overrides or extends the defaults.
"""

from __future__ import annotations

import json

DEFAULT_PRICES: dict[str, dict] = {
    "local": {"usd": 0.0, "unit": "call"},
    # fal.ai (fal's pricing pages, 2025-2026; "note" marks figures not confirmed by fal itself)
    "fal:fal-ai/flux/schnell": {"usd": 0.003, "unit": "megapixel", "note": "third-party figure"},
    "fal:fal-ai/flux/dev": {"usd": 0.025, "unit": "megapixel"},
    "fal:fal-ai/flux-lora": {"usd": 0.035, "unit": "megapixel", "note": "third-party figure"},
    "fal:fal-ai/flux-pro/kontext": {"usd": 0.04, "unit": "image", "note": "unverified"},
    "fal:fal-ai/kling-video/v2.1/standard/image-to-video": {"usd": 0.056, "unit": "second"},
    "fal:fal-ai/kling-video/v2.1/pro/image-to-video": {"usd": 0.098, "unit": "second", "note": "unverified"},
    "fal:fal-ai/kling-video/v2.1/master/image-to-video": {"usd": 0.28, "unit": "second"},
    "fal:fal-ai/kling-video/v2.5-turbo/pro/image-to-video": {"usd": 0.07, "unit": "second"},
    "fal:fal-ai/wan-i2v": {"usd": 0.40, "unit": "video", "note": "720p; 480p is $0.20"},
    "fal:fal-ai/kokoro/american-english": {"usd": 0.02, "unit": "1k_chars", "note": "third-party figure"},
    "fal:fal-ai/flux-lora-fast-training": {"usd": 0.002, "unit": "step", "note": "about $2 per 1,000 steps"},
    "fal:half-moon-ai/ai-face-swap/faceswapimage": {"usd": 0.05, "unit": "image", "note": "unverified"},
    "fal:half-moon-ai/ai-face-swap/faceswapvideo": {"usd": 0.05, "unit": "second", "note": "unverified"},
    "fal:easel-ai/advanced-face-swap": {"usd": 0.05, "unit": "image"},
    # Google Gemini (ai.google.dev pricing, paid tier): per million tokens; an image is 1,290 output tokens
    "gemini:gemini-2.5-flash:input": {"usd": 0.30, "unit": "1m_tokens"},
    "gemini:gemini-2.5-flash:output": {"usd": 2.50, "unit": "1m_tokens"},
    "gemini:gemini-2.5-flash-image:input": {"usd": 0.30, "unit": "1m_tokens"},
    "gemini:gemini-2.5-flash-image:output": {"usd": 30.0, "unit": "1m_tokens", "note": "$0.039 per image"},
}


def parse_prices(raw: str | None, defaults: dict[str, dict]) -> dict[str, dict]:
    prices = {key: dict(value) for key, value in defaults.items()}
    if raw:
        for key, value in json.loads(raw).items():
            prices[key] = dict(value)
    return prices
