"""The fal and Gemini back ends of the generic generator nodes.

``image.generate`` gains ``fal`` and ``gemini``; ``video.from_image`` and
``audio.generate`` gain ``fal``. Each back end brings its price estimate (so that
``POST /api/runs/estimate`` prices them) and the settings it reads.
"""

from __future__ import annotations

from nodes.providers import fal, gemini, media


def _image_fal(ctx, params, inputs):
    return media.generate_image_fal(ctx, params, inputs.get("prompt") or "")


def _image_gemini(ctx, params, inputs):
    return media.generate_image_gemini(ctx, params, inputs.get("prompt") or "")


def _video_fal(ctx, params, inputs):
    return media.video_from_image_fal(ctx, params, inputs["image"], inputs.get("prompt") or "")


def _audio_fal(ctx, params, inputs):
    return media.generate_audio_fal(ctx, params, inputs.get("prompt") or "")


def register(catalog) -> None:
    """Plug the back ends into ``catalog`` (a ``nodes.catalog.Catalog``)."""
    catalog.add_backend("image.generate", "fal", _image_fal, estimate=media.estimate_image, settings=fal.SETTINGS)
    catalog.add_backend("image.generate", "gemini", _image_gemini, estimate=media.estimate_image,
                        settings=gemini.SETTINGS)
    catalog.add_backend("video.from_image", "fal", _video_fal, estimate=media.estimate_video, settings=fal.SETTINGS)
    catalog.add_backend("audio.generate", "fal", _audio_fal, estimate=media.estimate_audio, settings=fal.SETTINGS)
