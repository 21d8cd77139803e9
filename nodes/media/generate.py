"""Generators: ``image.generate``, ``video.from_image``, ``audio.generate``.

Each has a ``provider`` param. ``local`` works offline and is deterministic: the same
params (and prompt) give the same result, so every media graph can be tested and
demoed without keys. Other providers plug in as back ends through the catalog
(``nodes.catalog.Catalog.add_backend``; see ``nodes.providers.plugins``).
"""

from __future__ import annotations

import array
import colorsys
import hashlib
import math
import random
import secrets
import textwrap
import wave
from typing import Annotated, Literal

import msgspec
from PIL import Image, ImageDraw, ImageFont

import ffmpeg as ff

from nodes.media import ffmpeg as runner
from nodes.media.providers import Provider, config_check, dispatch
from nodes.sdk import Context, NodeError, Params, Port, node_type, with_seed

ProviderName = Literal["local", "fal", "gemini"]
Seed = Annotated[int, msgspec.Meta(ge=0, le=2**32 - 1)]


def _digest(*parts: object) -> bytes:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()


def local_or_seeded(params) -> bool:
    """The cache rule of ``video.from_image`` and ``audio.generate``: ``local`` is
    deterministic by nature; a provider is when given a seed."""
    return params.provider == "local" or with_seed(params)


# -- image.generate ------------------------------------------------------------------------------


class ImageParams(Params):
    provider: ProviderName = "local"
    model: str | None = None
    """The provider's model (ignored by ``local``)."""
    width: Annotated[int, msgspec.Meta(ge=64, le=4096)] = 1024
    height: Annotated[int, msgspec.Meta(ge=64, le=4096)] = 1024
    seed: Seed | None = None
    """Same prompt, size and seed: same picture. Without a seed, a random one (see the ``seed`` output)."""
    lora: Annotated[str, msgspec.Meta(max_length=40, extra_json_schema={"format": "model_id"})] | None = None
    """``fal`` only: a trained model's id (``GET /api/models``); drawn with its base model and weights."""
    lora_scale: Annotated[float, msgspec.Meta(ge=-4, le=4)] = 1.0
    """How strongly the LoRA applies."""


def local_image(ctx: Context, params: ImageParams, inputs: dict) -> dict:
    """A deterministic PNG: colours and shapes from the prompt and seed, the prompt written on it."""
    seed = params.seed if params.seed is not None else secrets.randbelow(2**32)
    prompt = inputs.get("prompt") or ""
    path = ctx.temp_dir() / "image.png"
    draw_postcard(prompt, params.width, params.height, seed).save(path, "PNG")
    return {"image": ctx.save_asset(path, "image/png", filename="image.png"), "seed": seed}


def _font(size: int) -> ImageFont.ImageFont:
    path = runner.font_file()
    return ImageFont.truetype(path, size) if path else ImageFont.load_default(size=size)


def draw_postcard(prompt: str, width: int, height: int, seed: int) -> Image.Image:
    rng = random.Random(_digest(prompt, width, height, seed))
    hue = int.from_bytes(_digest(prompt)[:2], "big") / 65535  # the prompt picks the palette
    top = tuple(int(255 * c) for c in colorsys.hsv_to_rgb(hue, 0.55, 0.95))
    bottom = tuple(int(255 * c) for c in colorsys.hsv_to_rgb((hue + 0.45) % 1, 0.75, 0.35))
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / max(1, height - 1)
        draw.line([(0, y), (width, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom)))
    overlay = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    shapes = ImageDraw.Draw(overlay)
    for word in (prompt.split() or ["blank"])[:24]:  # one shape per word, shaped and coloured by it
        word_hash = _digest(word.lower(), seed)
        colour = tuple(int(255 * c) for c in colorsys.hsv_to_rgb(word_hash[0] / 255, 0.6, 0.9)) + (150,)
        cx, cy = rng.uniform(0, width), rng.uniform(0, height * 0.8)
        r = rng.uniform(0.05, 0.2) * min(width, height)
        box = [cx - r, cy - r, cx + r, cy + r]
        kind = word_hash[1] % 3
        if kind == 0:
            shapes.ellipse(box, fill=colour)
        elif kind == 1:
            shapes.rectangle(box, fill=colour)
        else:
            points = [(cx + r * math.cos(a), cy + r * math.sin(a))
                      for a in (rng.uniform(0, 2 * math.pi) for _ in range(3))]
            shapes.polygon(points, fill=colour)
    image = Image.alpha_composite(image.convert("RGBA"), overlay)
    _caption(image, prompt or "(no prompt)", width, height)
    return image.convert("RGB")


def _caption(image: Image.Image, text: str, width: int, height: int) -> None:
    size = max(10, width // 30)
    font = _font(size)
    lines = textwrap.wrap(text, width=max(8, int(width / (size * 0.6))))[:4]
    draw = ImageDraw.Draw(image)
    line_height = int(size * 1.3)
    block = line_height * len(lines)
    y = height // 16  # near the top: the bottom is where video captions go
    draw.rectangle([0, y - size // 2, width, y + block + size // 4], fill=(0, 0, 0, 160))
    for line in lines:
        w = draw.textlength(line, font=font)
        draw.text(((width - w) / 2, y), line, font=font, fill=(255, 255, 255, 255))
        y += line_height


IMAGE_PROVIDERS: dict[str, Provider] = {"local": local_image}


@node_type("image.generate", long=True, title="Generate image", category="image",
           inputs=[Port("prompt", "text", description="What to draw")],
           outputs=[Port("image", "image"), Port("seed", "number", description="The seed used")],
           cacheable=with_seed,
           check_config=config_check(IMAGE_PROVIDERS))
def generate_image(ctx: Context, params: ImageParams, inputs: dict) -> dict:
    """Text to image. ``local`` draws a deterministic PNG offline (the same bytes for the same
    prompt, size and seed); without ``seed`` a random one is used and given in the outputs."""
    if params.lora and params.provider != "fal":
        raise NodeError(f"lora {params.lora!r} needs provider 'fal' (this node uses {params.provider!r})")
    return dispatch(IMAGE_PROVIDERS, "image.generate", ctx, params, inputs)


# -- video.from_image ------------------------------------------------------------------------------


class VideoParams(Params):
    provider: ProviderName = "local"
    model: str | None = None
    duration: Annotated[float, msgspec.Meta(gt=0, le=60)] = 3.0
    """Seconds."""
    fps: Annotated[int, msgspec.Meta(ge=1, le=60)] = 24
    motion: Literal["zoom_in", "zoom_out", "pan_left", "pan_right"] = "zoom_in"
    """``local``: the camera move over the still."""
    width: Annotated[int, msgspec.Meta(ge=16, le=3840)] | None = None
    """Output width (default: the image's, rounded to even)."""
    height: Annotated[int, msgspec.Meta(ge=16, le=2160)] | None = None


_MOTIONS = {
    "zoom_in": ("1+0.15*on/{n}", "iw/2-(iw/zoom/2)", "ih/2-(ih/zoom/2)"),
    "zoom_out": ("1.15-0.15*on/{n}", "iw/2-(iw/zoom/2)", "ih/2-(ih/zoom/2)"),
    "pan_left": ("1.15", "(iw-iw/zoom)*(1-on/{n})", "ih/2-(ih/zoom/2)"),
    "pan_right": ("1.15", "(iw-iw/zoom)*on/{n}", "ih/2-(ih/zoom/2)"),
}


def _even(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


def local_video(ctx: Context, params: VideoParams, inputs: dict) -> dict:
    """A clip with a slow zoom or pan over the still (FFmpeg's zoompan), H.264 MP4."""
    with ctx.asset_path(inputs["image"]) as source:
        info = runner.require_image(ctx, source, "the image")
        width = _even(params.width or info.width or 512)
        height = _even(params.height or (info.height * width / info.width if params.width and info.width
                                         else info.height) or 512)
        frames = max(1, round(params.duration * params.fps))
        z, x, y = (expr.format(n=frames) for expr in _MOTIONS[params.motion])
        out = ctx.temp_dir() / "clip.mp4"
        stream = (ff.input(str(source))
                  .filter("scale", width * 2, height * 2)
                  .filter("zoompan", z=z, x=x, y=y, d=frames, s=f"{width}x{height}", fps=params.fps)
                  .output(str(out), vcodec="libx264", pix_fmt="yuv420p", r=params.fps, preset="veryfast",
                          movflags="+faststart", **{"frames:v": frames}))
        runner.run(ctx, stream, duration=frames / params.fps, message="animate the image")
    return {"video": ctx.save_asset(out, "video/mp4", filename="clip.mp4")}


VIDEO_PROVIDERS: dict[str, Provider] = {"local": local_video}


@node_type("video.from_image", long=True, title="Animate image", category="video",
           inputs=[Port("image", "image"), Port("prompt", "text", required=False, description="How it moves")],
           outputs=[Port("video", "video")], check_config=config_check(VIDEO_PROVIDERS),
           cacheable=local_or_seeded)
def video_from_image(ctx: Context, params: VideoParams, inputs: dict) -> dict:
    """Image to video. ``local`` makes a short clip with a slow zoom or pan over the still."""
    return dispatch(VIDEO_PROVIDERS, "video.from_image", ctx, params, inputs)


# -- audio.generate ---------------------------------------------------------------------------------


class AudioParams(Params):
    provider: ProviderName = "local"
    model: str | None = None
    duration: Annotated[float, msgspec.Meta(gt=0, le=600)] = 4.0
    """Seconds."""
    seed: Seed | None = None
    """``local``: varies the melody; the same prompt and seed give the same sound."""


SAMPLE_RATE = 22050
PENTATONIC = (0, 2, 4, 7, 9)


def melody(prompt: str, seed: int, duration: float) -> list[tuple[float, float]]:
    """``(frequency Hz, seconds)`` notes: one per word, cycling, scale and tempo from the prompt."""
    words = prompt.lower().split() or ["silence"]
    root = 196.0 * 2 ** ((_digest(prompt)[0] % 12) / 12)  # G3 .. F#4
    beat = 0.2 + (_digest(prompt, seed)[1] % 5) * 0.08
    notes, elapsed, i = [], 0.0, 0
    while elapsed < duration - 1e-9:
        h = _digest(words[i % len(words)], seed, i // len(words))
        step = PENTATONIC[h[0] % 5] + 12 * (h[1] % 2)
        length = min(beat * (1 + h[2] % 2), duration - elapsed)
        notes.append((root * 2 ** (step / 12), length))
        elapsed += length
        i += 1
    return notes


def local_audio(ctx: Context, params: AudioParams, inputs: dict) -> dict:
    """A melody from the prompt as a 16-bit mono WAV, written note by note."""
    seed = params.seed if params.seed is not None else 0
    path = ctx.temp_dir() / "audio.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        notes = melody(inputs.get("prompt") or "", seed, params.duration)
        for index, (frequency, seconds) in enumerate(notes):
            ctx.check_cancelled()
            count = int(seconds * SAMPLE_RATE)
            samples = array.array("h", (int(9000 * _envelope(n, count) * (
                math.sin(2 * math.pi * frequency * n / SAMPLE_RATE)
                + 0.3 * math.sin(4 * math.pi * frequency * n / SAMPLE_RATE))) for n in range(count)))
            out.writeframes(samples.tobytes())
            if index % 8 == 7:
                ctx.progress((index + 1) / len(notes), f"note {index + 1} of {len(notes)}")
    return {"audio": ctx.save_asset(path, "audio/wav", filename="audio.wav")}


def _envelope(n: int, count: int) -> float:
    attack, release = min(400, count // 4), min(2000, count // 2)
    if n < attack:
        return n / max(1, attack)
    if n > count - release:
        return max(0.0, (count - n) / max(1, release))
    return 1.0


AUDIO_PROVIDERS: dict[str, Provider] = {"local": local_audio}


@node_type("audio.generate", long=True, title="Generate audio", category="audio",
           inputs=[Port("prompt", "text", description="What it should sound like")],
           outputs=[Port("audio", "audio")], check_config=config_check(AUDIO_PROVIDERS),
           cacheable=local_or_seeded)
def generate_audio(ctx: Context, params: AudioParams, inputs: dict) -> dict:
    """Text to audio. ``local`` plays a short melody derived from the prompt (deterministic)."""
    return dispatch(AUDIO_PROVIDERS, "audio.generate", ctx, params, inputs)

