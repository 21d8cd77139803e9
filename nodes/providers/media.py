"""The fal and Gemini back ends of ``image.generate``, ``video.from_image`` and ``audio.generate``.

These node types live with the media nodes (``nodes/media/``), which dispatch on
their ``provider`` param; the functions here serve ``fal`` and ``gemini``. Each
takes the node's context and params (read by attribute, with defaults, so the
params struct may grow) and returns the node's outputs. Each also has an
``estimate_*`` (USD before running) for the node's ``estimate``.

- ``image.generate``/fal: ``model`` names the fal app (default ``fal-ai/flux/schnell``;
  ``fal-ai/flux/dev``, ``fal-ai/flux-lora``, … work the same); ``width``/``height``
  become ``image_size``; the seed fal used is in the outputs.
- ``image.generate``/gemini: ``gemini-2.5-flash-image``, aspect ratio from width/height.
- ``video.from_image``/fal: default ``fal-ai/kling-video/v2.1/standard/image-to-video``.
- ``audio.generate``/fal: default ``fal-ai/kokoro/american-english`` (text to speech).
"""

from __future__ import annotations

from typing import Any

from google.genai import types

from nodes.providers import costs, fal, gemini
from nodes.providers.common import input_url
from nodes.providers.download import save_bytes, save_url
from nodes.sdk import Context, NodeError

FAL_IMAGE_MODEL = "fal-ai/flux/schnell"
FAL_LORA_MODEL = "fal-ai/flux-lora"
"""What an image with a ``lora`` is priced at (the usual base of a trained model)."""
GEMINI_IMAGE_MODEL = "gemini-2.5-flash-image"
FAL_VIDEO_MODEL = "fal-ai/kling-video/v2.1/standard/image-to-video"
FAL_AUDIO_MODEL = "fal-ai/kokoro/american-english"
ASPECT_RATIOS = {"1:1": 1.0, "2:3": 2 / 3, "3:2": 1.5, "3:4": 0.75, "4:3": 4 / 3, "4:5": 0.8, "5:4": 1.25,
                 "9:16": 9 / 16, "16:9": 16 / 9, "21:9": 21 / 9}


def _model(params: Any, provider: str, default: str) -> str:
    model = getattr(params, "model", None) or ""
    if provider == "fal":
        return model if "/" in model else default
    return model if model.startswith("gemini") else default


def aspect_ratio(width: int | None, height: int | None) -> str:
    """The aspect ratio Gemini supports that is nearest to width:height."""
    if not width or not height:
        return "1:1"
    ratio = width / height
    return min(ASPECT_RATIOS, key=lambda name: abs(ASPECT_RATIOS[name] - ratio))


# -- image.generate ------------------------------------------------------------------------


def _fal_image_arguments(params: Any, prompt: str) -> dict:
    arguments: dict[str, Any] = {"prompt": prompt, "num_images": 1, "output_format": "png"}
    width, height = getattr(params, "width", None), getattr(params, "height", None)
    if width and height:
        arguments["image_size"] = {"width": int(width), "height": int(height)}
    seed = getattr(params, "seed", None)
    if seed is not None:
        arguments["seed"] = int(seed)
    return arguments


def fal_image_result(ctx: Context, app: str, arguments: dict, result: dict, request_id: str) -> dict:
    """Save the first image of a fal result and record the call's cost; returns the asset reference."""
    images = result.get("images") or ([result["image"]] if isinstance(result.get("image"), dict) else [])
    if not images or not isinstance(images[0], dict) or not images[0].get("url"):
        raise NodeError(f"fal {app}: the result has no image")
    ctx.progress(0.95, "saving the image")
    ref = save_url(ctx, images[0]["url"], content_type=images[0].get("content_type"))
    amount, detail = costs.fal_cost(ctx.setting("prices", {}), app, arguments, result)
    ctx.record_cost(amount, detail, key=f"fal:{request_id}")
    return ref


def _with_lora(ctx: Context, params: Any, app: str, arguments: dict) -> str:
    """Add the trained model named by ``params.lora`` to the arguments (its weights, its
    trigger word before the prompt); the app to call (the model's base unless ``model`` is set)."""
    model = ctx.model(params.lora)
    arguments["loras"] = [{"path": ctx.asset_url(model["weights"]), "scale": float(getattr(params, "lora_scale", 1.0))}]
    trigger = model.get("trigger_word") or ""
    if trigger and trigger.lower() not in arguments["prompt"].lower():
        arguments["prompt"] = f"{trigger}, {arguments['prompt']}" if arguments["prompt"] else trigger
    return app if "/" in (getattr(params, "model", None) or "") else model["base_model"]


def generate_image_fal(ctx: Context, params: Any, prompt: str) -> dict:
    app = _model(params, "fal", FAL_IMAGE_MODEL)
    arguments = _fal_image_arguments(params, prompt)
    if getattr(params, "lora", None):
        app = _with_lora(ctx, params, app, arguments)
    result, request_id = fal.run(ctx, app, arguments, expected_seconds=10)
    ref = fal_image_result(ctx, app, arguments, result, request_id)
    return {"image": ref, "seed": result.get("seed", arguments.get("seed"))}


def generate_image_gemini(ctx: Context, params: Any, prompt: str) -> dict:
    model = _model(params, "gemini", GEMINI_IMAGE_MODEL)
    config = types.GenerateContentConfig(
        response_modalities=["IMAGE"],
        image_config=types.ImageConfig(aspect_ratio=aspect_ratio(getattr(params, "width", None),
                                                                 getattr(params, "height", None))))
    ctx.progress(0.1, f"asking {model}")
    answer = gemini.generate(ctx, model, [prompt], config)
    return {"image": gemini_image_result(ctx, model, answer), "seed": getattr(params, "seed", None)}


def gemini_image_result(ctx: Context, model: str, answer: gemini.Answer) -> dict:
    """Save the first image of a Gemini answer and record the call's cost."""
    if not answer.images:
        said = f": {answer.text[:300]}" if answer.text else ""
        raise NodeError(f"Gemini {model} answered without an image{said}", error_type="blocked")
    data, mime = answer.images[0]
    ref = save_bytes(ctx, data, mime)
    amount, detail = costs.gemini_cost(ctx.setting("prices", {}), model, answer.usage)
    ctx.record_cost(amount, detail, key=f"gemini:{answer.response_id}" if answer.response_id else None)
    return ref


def estimate_image(params: Any, prices: dict) -> float:
    provider = getattr(params, "provider", "local")
    if provider == "fal":
        app = _model(params, "fal", FAL_LORA_MODEL if getattr(params, "lora", None) else FAL_IMAGE_MODEL)
        return costs.fal_cost(prices, app, _fal_image_arguments(params, ""))[0]
    if provider == "gemini":
        return costs.gemini_estimate(prices, _model(params, "gemini", GEMINI_IMAGE_MODEL), images=1)
    return 0.0


# -- video.from_image ----------------------------------------------------------------------


def _video_arguments(app: str, params: Any, image_url: str, prompt: str) -> dict:
    arguments: dict[str, Any] = {"prompt": prompt or "", "image_url": image_url}
    seconds = getattr(params, "duration", None) or getattr(params, "seconds", None)
    if "kling" in app:
        arguments["duration"] = "10" if seconds and float(seconds) > 7.5 else "5"
    elif seconds:
        arguments["duration"] = seconds
    seed = getattr(params, "seed", None)
    if seed is not None and "kling" not in app:
        arguments["seed"] = seed
    return arguments


def video_from_image_fal(ctx: Context, params: Any, image: dict, prompt: str = "") -> dict:
    app = _model(params, "fal", FAL_VIDEO_MODEL)
    arguments = _video_arguments(app, params, input_url(ctx, image, "image"), prompt)
    result, request_id = fal.run(ctx, app, arguments, expected_seconds=120)
    return {"video": fal_media_result(ctx, app, arguments, result, request_id, "video")}


def estimate_video(params: Any, prices: dict) -> float:
    if getattr(params, "provider", None) != "fal":
        return 0.0
    app = _model(params, "fal", FAL_VIDEO_MODEL)
    return costs.fal_cost(prices, app, _video_arguments(app, params, "", ""))[0]


def fal_media_result(ctx: Context, app: str, arguments: dict, result: dict, request_id: str, field: str,
                     *, factor: float = 1.0) -> dict:
    """Save the file under ``field`` of a fal result (``video``, ``audio`` …) and record the cost
    (times ``factor``, for options the provider bills extra)."""
    file = result.get(field)
    if not isinstance(file, dict) or not file.get("url"):
        raise NodeError(f"fal {app}: the result has no {field}")
    ctx.progress(0.95, f"saving the {field}")
    ref = save_url(ctx, file["url"], content_type=file.get("content_type"), filename=file.get("file_name"))
    amount, detail = costs.fal_cost(ctx.setting("prices", {}), app, arguments, result)
    if factor != 1.0:
        amount, detail = round(amount * factor, 6), f"{detail} x {factor:g}"
    ctx.record_cost(amount, detail, key=f"fal:{request_id}")
    return ref


# -- audio.generate ------------------------------------------------------------------------


def _audio_arguments(app: str, params: Any, text: str) -> dict:
    field = "text" if "elevenlabs" in app else "prompt"
    arguments: dict[str, Any] = {field: text}
    voice = getattr(params, "voice", None)
    if voice:
        arguments["voice"] = voice
    if "stable-audio" in app and getattr(params, "duration", None):
        arguments["seconds_total"] = params.duration
    return arguments


def generate_audio_fal(ctx: Context, params: Any, text: str) -> dict:
    app = _model(params, "fal", FAL_AUDIO_MODEL)
    arguments = _audio_arguments(app, params, text)
    result, request_id = fal.run(ctx, app, arguments, expected_seconds=15)
    return {"audio": fal_media_result(ctx, app, arguments, result, request_id, "audio")}


def estimate_audio(params: Any, prices: dict, text: str = "") -> float:
    if getattr(params, "provider", None) != "fal":
        return 0.0
    app = _model(params, "fal", FAL_AUDIO_MODEL)
    entry = prices.get(costs.fal_key(app)) or {}
    if entry.get("unit") == "1k_chars":
        return round(float(entry.get("usd", 0.0)) * max(len(text), 1000) / 1000, 6)
    return costs.fal_cost(prices, app, _audio_arguments(app, params, text))[0]
