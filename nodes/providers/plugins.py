"""Plug the fal and Gemini back ends into the media helper's generator nodes.

``image.generate`` gains ``fal`` and ``gemini``; ``video.from_image`` and
``audio.generate`` gain ``fal`` (``nodes/media/generate.py`` dispatches on
``provider`` through its ``*_PROVIDERS`` dicts). Those node types are declared
without an ``estimate``; the provider-aware one is attached here, so that
``POST /api/runs/estimate`` prices them.
"""

from __future__ import annotations

import dataclasses

from nodes import sdk
from nodes.media import generate
from nodes.providers import media


def _image_fal(ctx, params, inputs):
    return media.generate_image_fal(ctx, params, inputs.get("prompt") or "")


def _image_gemini(ctx, params, inputs):
    return media.generate_image_gemini(ctx, params, inputs.get("prompt") or "")


def _video_fal(ctx, params, inputs):
    return media.video_from_image_fal(ctx, params, inputs["image"], inputs.get("prompt") or "")


def _audio_fal(ctx, params, inputs):
    return media.generate_audio_fal(ctx, params, inputs.get("prompt") or "")


generate.IMAGE_PROVIDERS.update({"fal": _image_fal, "gemini": _image_gemini})
generate.VIDEO_PROVIDERS["fal"] = _video_fal
generate.AUDIO_PROVIDERS["fal"] = _audio_fal

for _type, _estimate in (("image.generate", media.estimate_image), ("video.from_image", media.estimate_video),
                         ("audio.generate", media.estimate_audio)):
    _node = sdk._REGISTRY.get(_type)
    if _node is not None and _node.estimate is None:
        sdk._REGISTRY[_type] = dataclasses.replace(_node, estimate=_estimate)
