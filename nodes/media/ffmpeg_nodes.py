"""FFmpeg nodes: caption, soundtrack, concat, trim, resize, thumbnail, mix.

Each probes its inputs first (bad media fails in words), builds one FFmpeg command
with ffmpeg-python, and runs it through ``nodes.media.ffmpeg.run`` (real progress,
killed on cancel). Inputs are read from the asset store as local files (a scratch
download for S3); outputs are written to the node's scratch directory and stored.
"""

from __future__ import annotations

import textwrap
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Literal

import ffmpeg as ff
import msgspec

from nodes.media import ffmpeg as runner
from nodes.sdk import Context, NodeError, Params, Port, node_type

Colour = Annotated[str, msgspec.Meta(pattern=r"^(#[0-9a-fA-F]{6}|0x[0-9a-fA-F]{6}|[a-zA-Z]{3,20})(@(0(\.\d+)?|1(\.0+)?))?$",
                                     description="A colour name or #RRGGBB, optionally @opacity (0..1)")]
Seconds = Annotated[float, msgspec.Meta(ge=0, le=86_400)]
COPYABLE_VIDEO = {"h264", "hevc", "mpeg4", "av1"}
H264 = {"vcodec": "libx264", "pix_fmt": "yuv420p", "preset": "veryfast", "crf": 20}
MP4 = {"movflags": "+faststart"}


def _save(ctx: Context, path: Path, content_type: str = "video/mp4") -> dict:
    return ctx.save_asset(path, content_type, filename=path.name)


# -- video.overlay_text ----------------------------------------------------------------------------


class OverlayParams(Params):
    text: str = ""
    """The caption, when no ``text`` input is connected."""
    position: Literal["top", "center", "bottom"] = "bottom"
    font_size: Annotated[int, msgspec.Meta(ge=0, le=500)] = 0
    """Pixels; 0: a fourteenth of the video's height."""
    color: Colour = "white"
    box: bool = True
    """Draw a box behind the text."""
    box_color: Colour = "black@0.5"
    start: Seconds = 0
    """When the caption appears (seconds)."""
    duration: Annotated[float, msgspec.Meta(gt=0)] | None = None
    """How long it stays (default: to the end)."""
    margin: Annotated[float, msgspec.Meta(ge=0, le=0.45)] = 0.06
    """Distance from the top or bottom edge, as a fraction of the height."""


def caption_filter(stream, ctx: Context, params: OverlayParams, text: str, width: int, height: int):
    """``stream`` with the caption drawn (``drawtext`` reading a text file: no escaping to get wrong)."""
    if not text.strip():
        raise NodeError("there is no text to overlay: connect the text input or set the text param")
    size = params.font_size or max(8, height // 14)
    per_line = max(8, int(width * 0.9 / (size * 0.58)))
    lines = [wrapped for paragraph in text.strip().splitlines()
             for wrapped in (textwrap.wrap(paragraph, per_line) or [""])]
    text_file = ctx.temp_dir() / f"caption-{abs(hash(text)) % 10**8}.txt"
    text_file.write_text("\n".join(lines), encoding="utf-8")
    y = {"top": f"h*{params.margin}", "center": "(h-text_h)/2", "bottom": f"h-text_h-h*{params.margin}"}[params.position]
    options = {"textfile": str(text_file), "expansion": "none", "fontsize": size, "fontcolor": params.color,
               "x": "(w-text_w)/2", "y": y, "line_spacing": size // 4}
    font = runner.font_file()
    if font:
        options["fontfile"] = font
    if params.box:
        options.update(box=1, boxcolor=params.box_color, boxborderw=max(2, size // 3))
    if params.start > 0 or params.duration is not None:
        end = params.start + params.duration if params.duration is not None else 10**9
        options["enable"] = f"between(t,{params.start},{end})"
    return stream.drawtext(**options)


@node_type("video.overlay_text", title="Caption video", category="video", cacheable=True,
           inputs=[Port("video", "video"), Port("text", "text", required=False, description="The caption")],
           outputs=[Port("video", "video")])
def overlay_text(ctx: Context, params: OverlayParams, inputs: dict) -> dict:
    """Draw a caption or hook on the video: position, size, colour, box, start and duration.
    The audio is copied as it is."""
    text = inputs.get("text") if inputs.get("text") is not None else params.text
    out = ctx.temp_dir() / "captioned.mp4"
    with ctx.asset_path(inputs["video"]) as source:
        info = runner.require_video(ctx, source, "the video")
        video_in = ff.input(str(source))
        streams = [caption_filter(video_in.video, ctx, params, text, info.width, info.height)]
        if info.has_audio:
            streams.append(video_in.audio)
        options = {**H264, **MP4, **({"acodec": "copy"} if info.has_audio else {})}
        runner.run(ctx, ff.output(*streams, str(out), **options), duration=info.duration, message="draw the caption")
    return {"video": _save(ctx, out)}


# -- video.replace_audio -----------------------------------------------------------------------------


class ReplaceAudioParams(Params):
    length: Literal["video", "shortest"] = "video"
    """``video``: keep the whole video (the audio is cut, or padded with silence);
    ``shortest``: end with whichever is shorter."""
    volume: Annotated[float, msgspec.Meta(ge=0, le=10)] = 1.0


def soundtrack_length(video_info, audio_info, params: ReplaceAudioParams) -> float:
    """Seconds of the result: the video's, or the shorter of the two."""
    if params.length == "video":
        return video_info.duration
    return min(video_info.duration, audio_info.duration or video_info.duration)


def soundtrack_output(video_in, video_info, audio_in, audio_info, params: ReplaceAudioParams, video_stream=None):
    """The (streams, options) that put ``audio_in``'s audio under ``video_in``'s picture.

    The picture is stream-copied when it can be (and ``video_stream`` is not a filtered one);
    the audio is copied when it is AAC and needs no change, else encoded to AAC."""
    audio = audio_in.audio
    length = soundtrack_length(video_info, audio_info, params)
    copy_audio = (audio_info.audio_codec == "aac" and params.volume == 1.0
                  and (audio_info.duration or 0) >= length - 0.05)
    if not copy_audio:
        if params.volume != 1.0:
            audio = audio.filter("volume", params.volume)
        # A finite pad, and -t instead of -shortest: FFmpeg 5 never ends an output whose
        # audio comes out of an endless apad when the picture is filtered too.
        audio = audio.filter("apad", whole_dur=length)
    options: dict = {**MP4, "t": round(length, 3)}
    if copy_audio:
        options["acodec"] = "copy"
    else:
        options.update(acodec="aac", audio_bitrate="192k")
    if video_stream is None and video_info.video_codec in COPYABLE_VIDEO:
        options["vcodec"] = "copy"
    else:
        options.update(H264)
    return [video_stream if video_stream is not None else video_in.video, audio], options


@node_type("video.replace_audio", title="Replace soundtrack", category="video", cacheable=True,
           inputs=[Port("video", "video"), Port("audio", "audio")], outputs=[Port("video", "video")])
def replace_audio(ctx: Context, params: ReplaceAudioParams, inputs: dict) -> dict:
    """Put a new soundtrack under the video (the picture is stream-copied when it can be)."""
    out = ctx.temp_dir() / "soundtrack.mp4"
    with ctx.asset_path(inputs["video"]) as video, ctx.asset_path(inputs["audio"]) as audio:
        video_info = runner.require_video(ctx, video, "the video")
        audio_info = runner.require_audio(ctx, audio, "the audio")
        streams, options = soundtrack_output(ff.input(str(video)), video_info, ff.input(str(audio)), audio_info, params)
        runner.run(ctx, ff.output(*streams, str(out), **options),
                   duration=soundtrack_length(video_info, audio_info, params), message="replace the audio")
    return {"video": _save(ctx, out)}


# -- video.concat --------------------------------------------------------------------------------------


class ConcatParams(Params):
    width: Annotated[int, msgspec.Meta(ge=16, le=3840)] | None = None
    """Output size (default: the first clip's); other clips are scaled and letterboxed to fit."""
    height: Annotated[int, msgspec.Meta(ge=16, le=2160)] | None = None
    fps: Annotated[int, msgspec.Meta(ge=1, le=120)] | None = None
    """Default: the first clip's, else 30."""


@node_type("video.concat", title="Join videos", category="video", cacheable=True,
           inputs=[Port("videos", "video", multiple=True, description="In edge order")],
           outputs=[Port("video", "video")])
def concat(ctx: Context, params: ConcatParams, inputs: dict) -> dict:
    """Play the videos one after the other (re-encoded to one size and frame rate; clips
    without sound get silence when others have some)."""
    out = ctx.temp_dir() / "joined.mp4"
    with _probed(ctx, inputs.get("videos"), "video", runner.require_video, "join") as (paths, infos):
        width = _even(params.width or infos[0].width)
        height = _even(params.height or infos[0].height)
        fps = params.fps or round(infos[0].fps or 30)
        with_audio = any(info.has_audio for info in infos)
        parts = []
        for path, info in zip(_distinct(ctx, paths), infos):
            clip = ff.input(str(path))
            picture = (clip.video.filter("scale", width, height, force_original_aspect_ratio="decrease")
                       .filter("pad", width, height, "(ow-iw)/2", "(oh-ih)/2").filter("setsar", 1)
                       .filter("fps", fps))
            parts.append(picture)
            if with_audio:
                sound = clip.audio if info.has_audio else ff.input(
                    "anullsrc=r=44100:cl=stereo", f="lavfi", t=info.duration).audio
                parts.append(sound.filter("aresample", 44100).filter("aformat", channel_layouts="stereo"))
        joined = ff.concat(*parts, v=1, a=1 if with_audio else 0).node
        streams = [joined[0], joined[1]] if with_audio else [joined[0]]
        options = {**H264, **MP4, **({"acodec": "aac", "audio_bitrate": "192k"} if with_audio else {})}
        total = sum(info.duration for info in infos)
        runner.run(ctx, ff.output(*streams, str(out), **options), duration=total, message="join the videos")
    return {"video": _save(ctx, out)}


class _local_paths:
    """Local paths of several assets at once (a context manager over ``ctx.asset_path``)."""

    def __init__(self, ctx: Context, refs: list[dict]) -> None:
        self._managers = [ctx.asset_path(ref) for ref in refs]

    def __enter__(self) -> list[Path]:
        paths = []
        try:
            for manager in self._managers:
                paths.append(manager.__enter__())
        except BaseException:
            for manager in reversed(self._managers[:len(paths)]):
                manager.__exit__(None, None, None)
            raise
        return paths

    def __exit__(self, *exc) -> None:
        for manager in reversed(self._managers):
            manager.__exit__(*exc)


@contextmanager
def _probed(ctx: Context, refs: list[dict] | None, noun: str, require, verb: str):
    """Local paths of a ``multiple`` input's assets and their probes (each checked by ``require``)."""
    if not refs:
        raise NodeError(f"no {noun}s to {verb}: connect at least one to the {noun}s input")
    with _local_paths(ctx, refs) as paths:
        yield paths, [require(ctx, p, f"{noun} {i + 1} of {len(paths)}") for i, p in enumerate(paths)]


def _distinct(ctx: Context, paths: list[Path]) -> list[Path]:
    """The paths, with repeats replaced by symlinks: ffmpeg-python merges identical inputs,
    which breaks a graph that uses one clip twice."""
    seen: set[Path] = set()
    out = []
    for index, path in enumerate(paths):
        if path in seen:
            link = ctx.temp_dir() / f"repeat-{index}{path.suffix}"
            link.symlink_to(path)
            path = link
        seen.add(path)
        out.append(path)
    return out


def _even(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


# -- video.trim ------------------------------------------------------------------------------------------


class TrimParams(Params):
    start: Seconds = 0
    duration: Annotated[float, msgspec.Meta(gt=0)] | None = None
    """Seconds to keep from ``start`` (or give ``end``; neither: to the end)."""
    end: Annotated[float, msgspec.Meta(gt=0)] | None = None


@node_type("video.trim", title="Trim video", category="video", cacheable=True,
           inputs=[Port("video", "video")], outputs=[Port("video", "video")])
def trim(ctx: Context, params: TrimParams, inputs: dict) -> dict:
    """Keep the part of the video from ``start`` for ``duration`` seconds (or up to ``end``)."""
    if params.duration is not None and params.end is not None:
        raise NodeError("give duration or end, not both")
    if params.end is not None and params.end <= params.start:
        raise NodeError(f"end ({params.end} s) must come after start ({params.start} s)")
    out = ctx.temp_dir() / "trimmed.mp4"
    with ctx.asset_path(inputs["video"]) as source:
        info = runner.require_video(ctx, source, "the video")
        if params.start >= info.duration:
            raise NodeError(f"start ({params.start} s) is past the end of the video ({info.duration:.2f} s)")
        end = min(info.duration, params.end if params.end is not None else
                  params.start + params.duration if params.duration is not None else info.duration)
        length = end - params.start
        clip = ff.input(str(source), ss=params.start, t=length)
        streams = [clip.video] + ([clip.audio] if info.has_audio else [])
        options = {**H264, **MP4, **({"acodec": "aac", "audio_bitrate": "192k"} if info.has_audio else {})}
        runner.run(ctx, ff.output(*streams, str(out), **options), duration=length, message="trim the video")
    return {"video": _save(ctx, out)}


# -- video.resize --------------------------------------------------------------------------------------------

PRESETS = {"9:16": (9, 16), "1:1": (1, 1), "16:9": (16, 9)}


class ResizeParams(Params):
    preset: Literal["9:16", "1:1", "16:9", "custom"] = "9:16"
    """Aspect ratio: 9:16 (stories, shorts), 1:1 (feeds), 16:9 (landscape), or custom width x height."""
    short_side: Annotated[int, msgspec.Meta(ge=16, le=2160)] = 720
    """For presets: the shorter side in pixels (9:16 at 720 is 720x1280)."""
    width: Annotated[int, msgspec.Meta(ge=16, le=3840)] | None = None
    """For ``custom``."""
    height: Annotated[int, msgspec.Meta(ge=16, le=3840)] | None = None
    fit: Literal["crop", "pad", "stretch"] = "crop"
    """``crop`` fills the frame, ``pad`` letterboxes, ``stretch`` distorts."""
    pad_color: Colour = "black"


def target_size(params: ResizeParams) -> tuple[int, int]:
    if params.preset == "custom":
        if not params.width or not params.height:
            raise NodeError("preset custom needs width and height")
        return _even(params.width), _even(params.height)
    w, h = PRESETS[params.preset]
    scale = params.short_side / min(w, h)
    return _even(w * scale), _even(h * scale)


@node_type("video.resize", title="Resize video", category="video", cacheable=True,
           inputs=[Port("video", "video")], outputs=[Port("video", "video")])
def resize(ctx: Context, params: ResizeParams, inputs: dict) -> dict:
    """Reframe the video to an aspect preset (9:16, 1:1, 16:9) or a custom size, by cropping,
    letterboxing or stretching. The audio is copied."""
    width, height = target_size(params)
    out = ctx.temp_dir() / f"resized-{width}x{height}.mp4"
    with ctx.asset_path(inputs["video"]) as source:
        info = runner.require_video(ctx, source, "the video")
        clip = ff.input(str(source))
        picture = clip.video
        if params.fit == "crop":
            picture = picture.filter("scale", width, height, force_original_aspect_ratio="increase").filter(
                "crop", width, height)
        elif params.fit == "pad":
            picture = picture.filter("scale", width, height, force_original_aspect_ratio="decrease").filter(
                "pad", width, height, "(ow-iw)/2", "(oh-ih)/2", color=params.pad_color)
        else:
            picture = picture.filter("scale", width, height)
        streams = [picture.filter("setsar", 1)] + ([clip.audio] if info.has_audio else [])
        options = {**H264, **MP4, **({"acodec": "copy"} if info.has_audio else {})}
        runner.run(ctx, ff.output(*streams, str(out), **options), duration=info.duration,
                   message=f"resize to {width}x{height}")
    return {"video": _save(ctx, out)}


# -- video.thumbnail ---------------------------------------------------------------------------------------------


class ThumbnailParams(Params):
    at: Seconds = 0
    """Seconds into the video (past the end: the last frame)."""
    width: Annotated[int, msgspec.Meta(ge=16, le=3840)] | None = None
    """Default: the video's width (the height follows the aspect ratio)."""
    format: Literal["png", "jpeg"] = "png"


@node_type("video.thumbnail", title="Video thumbnail", category="video", cacheable=True,
           inputs=[Port("video", "video")], outputs=[Port("image", "image")])
def thumbnail(ctx: Context, params: ThumbnailParams, inputs: dict) -> dict:
    """One frame of the video as an image."""
    out = ctx.temp_dir() / f"thumbnail.{'png' if params.format == 'png' else 'jpg'}"
    with ctx.asset_path(inputs["video"]) as source:
        info = runner.require_video(ctx, source, "the video")
        at = min(params.at, max(0.0, info.duration - 0.1))
        picture = ff.input(str(source), ss=at).video
        if params.width:
            picture = picture.filter("scale", _even(params.width), -2)
        options = {"vframes": 1, **({"q:v": 3} if params.format == "jpeg" else {})}
        runner.run(ctx, ff.output(picture, str(out), **options), duration=None, message="grab a frame")
    if not out.exists() or out.stat().st_size == 0:
        raise NodeError(f"the video has no frame at {at:.2f} s")
    return {"image": _save(ctx, out, f"image/{params.format}")}


# -- audio.mix ---------------------------------------------------------------------------------------------------


class MixParams(Params):
    volumes: list[Annotated[float, msgspec.Meta(ge=0, le=10)]] = []
    """One per track, in edge order (missing ones: 1.0)."""
    length: Literal["longest", "shortest", "first"] = "longest"


@node_type("audio.mix", title="Mix audio", category="audio", cacheable=True,
           inputs=[Port("tracks", "audio", multiple=True, description="In edge order")],
           outputs=[Port("audio", "audio")])
def mix(ctx: Context, params: MixParams, inputs: dict) -> dict:
    """Mix the tracks into one (AAC in M4A), each at its volume."""
    out = ctx.temp_dir() / "mix.m4a"
    with _probed(ctx, inputs.get("tracks"), "track", runner.require_audio, "mix") as (paths, infos):
        tracks = []
        for index, path in enumerate(_distinct(ctx, paths)):
            track = ff.input(str(path)).audio
            volume = params.volumes[index] if index < len(params.volumes) else 1.0
            if volume != 1.0:
                track = track.filter("volume", volume)
            tracks.append(track)
        durations = [info.duration or 0 for info in infos]
        total = {"longest": max(durations), "shortest": min(durations), "first": durations[0]}[params.length]
        mixed = tracks[0] if len(tracks) == 1 else ff.filter(
            tracks, "amix", inputs=len(tracks), duration=params.length, normalize=0)
        runner.run(ctx, ff.output(mixed, str(out), acodec="aac", audio_bitrate="192k", vn=None),
                   duration=total, message="mix the audio")
    return {"audio": _save(ctx, out, "audio/mp4")}
