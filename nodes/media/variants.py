"""Bulk variants: many renders of a few videos, audios and hooks, one node execution each.

How lists of assets flow (see docs/media.md): a list is a ``json`` value, a list of
asset references or of records holding them. ``variants.plan`` takes the videos,
audios and hooks (``multiple`` inputs, in edge order) and outputs the round-robin
combinations as such a list; each ``variants.render`` node picks one by ``index``
and renders it. A batch of N variants is a graph with N render nodes, all depending
only on the plan, so the engine sends them to the workers at once and 200 variants
spread over every worker; ``archive.zip`` gathers them. ``graphs/make_variant_batch.py``
writes such a graph for any N.
"""

from __future__ import annotations

from typing import Annotated, Literal

import ffmpeg as ff
import msgspec

from nodes.media import ffmpeg as runner
from nodes.media.ffmpeg_nodes import H264, MP4, OverlayParams, ReplaceAudioParams, caption_filter, soundtrack_output
from nodes.sdk import Context, MapSpec, NodeError, Params, Port, node_type


class PlanParams(Params):
    per_video: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 1
    """Variants made from each video: the batch has (number of videos) x ``per_video``."""
    hooks: list[str] = []
    """Hook texts, after those connected to the ``hooks`` input."""


def round_robin(videos: list, audios: list, hooks: list[str], per_video: int) -> list[dict]:
    """Each video ``per_video`` times; audios and hooks cycle in order across the whole batch."""
    variants = []
    for v, video in enumerate(videos):
        for k in range(per_video):
            index = v * per_video + k
            variants.append({"index": index, "video": video,
                             "audio": audios[index % len(audios)] if audios else None,
                             "hook": hooks[index % len(hooks)] if hooks else None})
    return variants


def _listed(inputs: dict, port: str, kind: str) -> list:
    """The ``json`` list on ``port`` (from ``input.collection`` or ``input.hooks``), checked."""
    value = inputs.get(port)
    if value is None:
        return []
    if not isinstance(value, list):
        raise NodeError(f"{port} must be a list, not {type(value).__name__}")
    for i, item in enumerate(value):
        ok = isinstance(item, str) if kind == "text" else \
            isinstance(item, dict) and "asset_id" in item and str(item.get("content_type", "")).startswith(kind + "/")
        if not ok:
            raise NodeError(f"{port}[{i}] is not " + ("a text" if kind == "text" else f"a {kind} asset reference"))
    return value


@node_type("variants.plan", title="Plan variants", category="variants", cacheable=True,
           inputs=[Port("videos", "video", multiple=True, required=False, description="In edge order"),
                   Port("audios", "audio", multiple=True, required=False, description="Cycled in order"),
                   Port("hooks", "text", multiple=True, required=False, description="Cycled in order"),
                   Port("video_list", "json", required=False, description="More videos (a collection's items)"),
                   Port("audio_list", "json", required=False, description="More audios (a collection's items)"),
                   Port("hook_list", "json", required=False, description="More hooks (input.hooks' texts)")],
           outputs=[Port("variants", "json", description="[{index, video, audio, hook}]"),
                    Port("count", "number")])
def plan(ctx: Context, params: PlanParams, inputs: dict) -> dict:
    """The round-robin combinations of videos, audios and hooks: each video cycles through the
    audios and hooks in order, ``per_video`` times. Render each with a ``variants.render`` node.
    The ``*_list`` inputs take whole lists (a collection, a hooks category) after the single ones."""
    videos = [*(inputs.get("videos") or []), *_listed(inputs, "video_list", "video")]
    if not videos:
        raise NodeError("no videos: connect at least one to the videos or video_list input")
    audios = [*(inputs.get("audios") or []), *_listed(inputs, "audio_list", "audio")]
    hooks = [h for h in [*(inputs.get("hooks") or []), *_listed(inputs, "hook_list", "text"), *params.hooks]
             if h and h.strip()]
    variants = round_robin(videos, audios, hooks, params.per_video)
    return {"variants": variants, "count": len(variants)}


class BatchParams(OverlayParams):
    audio_length: Literal["video", "shortest"] = "video"
    """As ``video.replace_audio``'s ``length``."""


class RenderParams(BatchParams):
    index: Annotated[int, msgspec.Meta(ge=0)] = 0
    """Which variant of the plan (0-based)."""


@node_type("variants.render", title="Render variant", category="variants", cacheable=True,
           inputs=[Port("variants", "json", description="From variants.plan")],
           outputs=[Port("video", "video"), Port("hook", "text")])
def render(ctx: Context, params: RenderParams, inputs: dict) -> dict:
    """One variant in one FFmpeg pass: its video with its hook as a caption and its audio as the
    soundtrack (caption params as ``video.overlay_text``)."""
    variants = inputs.get("variants")
    if not isinstance(variants, list) or not variants:
        raise NodeError("variants must be the list from variants.plan")
    if params.index >= len(variants):
        raise NodeError(f"variant {params.index} does not exist: the plan has {len(variants)} "
                        f"(index 0 to {len(variants) - 1})")
    return render_variant(ctx, params, variants[params.index], params.index)


def render_variant(ctx: Context, params: BatchParams, variant: dict, index: int) -> dict:
    """One variant in one FFmpeg pass: its video, its hook as a caption, its audio as the soundtrack."""
    if not isinstance(variant, dict) or not isinstance(variant.get("video"), dict):
        raise NodeError(f"variant {index} is not a variant from variants.plan (it has no video)")
    hook = variant.get("hook") or params.text
    out = ctx.temp_dir() / f"variant-{index + 1:03d}.mp4"
    with ctx.asset_path(variant["video"]) as video:
        video_info = runner.require_video(ctx, video, f"the video of variant {index}")
        video_in = ff.input(str(video))
        picture = caption_filter(video_in.video, ctx, params, hook, video_info.width, video_info.height) \
            if hook and hook.strip() else None
        if variant.get("audio"):
            with ctx.asset_path(variant["audio"]) as audio:
                audio_info = runner.require_audio(ctx, audio, f"the audio of variant {index}")
                soundtrack = ReplaceAudioParams(length=params.audio_length)
                streams, options = soundtrack_output(video_in, video_info, ff.input(str(audio)), audio_info,
                                                     soundtrack, video_stream=picture)
                runner.run(ctx, ff.output(*streams, str(out), **options), duration=video_info.duration,
                           message=f"render variant {index}")
        else:
            streams = [picture if picture is not None else video_in.video]
            streams += [video_in.audio] if video_info.has_audio else []
            options = {**H264, **MP4, **({"acodec": "copy"} if video_info.has_audio else {})}
            runner.run(ctx, ff.output(*streams, str(out), **options), duration=video_info.duration,
                       message=f"render variant {index}")
    return {"video": ctx.save_asset(out, "video/mp4", filename=out.name), "hook": hook or ""}


def _gather_videos(outputs: list[dict]) -> dict:
    return {"videos": [o["video"] for o in outputs], "hooks": [o["hook"] for o in outputs], "count": len(outputs)}


@node_type("variants.batch", title="Render every variant", category="variants", cacheable=True,
           mapped=MapSpec(over="variants", gather=_gather_videos),
           inputs=[Port("variants", "json", description="From variants.plan: one render per variant")],
           outputs=[Port("videos", "json", description="The rendered videos, in variant order"),
                    Port("hooks", "json", description="Each variant's caption, in order"),
                    Port("count", "number")])
def batch(ctx: Context, params: BatchParams, inputs: dict) -> dict:
    """Every variant of a plan, each its own execution at run time (``<node>[<index>]``: its own
    progress, retries, cache entry and worker), then the list of videos in variant order."""
    variant = inputs["variants"]
    return render_variant(ctx, params, variant, int(variant.get("index", 0)) if isinstance(variant, dict) else 0)

