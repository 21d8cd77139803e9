"""What a media file is: size, duration and codec read with PyAV (FFmpeg's libraries,
no ffprobe needed), and a poster frame for videos."""

from __future__ import annotations

import logging
from pathlib import Path

import av

from nodes.mediatypes import SNIFF_BYTES, demuxer

log = logging.getLogger(__name__)

MEDIA_KINDS = ("image", "video", "audio")
POSTER_PACKETS = 600
"""A video with no decodable picture in its first packets gets no poster (a broken file cannot keep us busy)."""


def kind_of(content_type: str) -> str:
    """``image``, ``video``, ``audio`` or ``other``, from a content type."""
    major = (content_type or "").split("/", 1)[0]
    return major if major in MEDIA_KINDS else "other"


def probe(path: Path, content_type: str) -> dict | None:
    """``{"width", "height", "duration", "codec", …}`` as far as the file tells, or None
    for files that are not media (or that FFmpeg cannot read)."""
    kind = kind_of(content_type)
    if kind == "other":
        return None
    try:
        with _open(path) as container:
            return _describe(container, kind)
    except Exception as exc:  # best effort: a file FFmpeg half-reads (an SVG as an image) has none
        log.info("cannot read media metadata of %s (%s): %s", path, content_type, exc)
        return None


def _open(path: Path):
    """``path`` opened with the demuxer of the type its bytes show, over the ``file`` protocol
    only, as FFmpeg itself is run (``nodes.media.ffmpeg.input_options``): a playlist that
    passes for an MP3 opens no other file. ``ValueError`` for bytes that are no media."""
    with open(path, "rb") as source:
        found = demuxer(source.read(SNIFF_BYTES))
    if found is None:
        raise ValueError("the bytes are no media this server reads")
    return av.open(str(path), format=found, options={"protocol_whitelist": "file"})


def _describe(container, kind: str) -> dict:
    info: dict = {}
    video = next((s for s in container.streams.video), None)
    audio = next((s for s in container.streams.audio), None)
    main = video if kind in ("image", "video") and video is not None else audio
    if video is not None and kind in ("image", "video"):
        info["width"], info["height"] = video.codec_context.width, video.codec_context.height
        if kind == "video" and video.average_rate:
            info["fps"] = round(float(video.average_rate), 3)
    if kind in ("video", "audio"):
        duration = _duration(container, main)
        if duration is not None:
            info["duration"] = duration
    if audio is not None and kind in ("video", "audio"):
        info["sample_rate"] = audio.codec_context.sample_rate
        if kind == "video":
            info["audio_codec"] = audio.codec_context.name
    if main is not None:
        info["codec"] = main.codec_context.name
    return info


def _duration(container, stream) -> float | None:
    if stream is not None and stream.duration is not None and stream.time_base is not None:
        return round(float(stream.duration * stream.time_base), 3)
    if container.duration is not None:
        return round(container.duration / av.time_base, 3)
    return None


def poster_frame(path: Path, target: Path, *, max_side: int = 640) -> bool:
    """Write the first decodable frame of a video to ``target`` as a JPEG no larger than
    ``max_side``; False when the file has no picture."""
    try:
        with _open(path) as container:
            if not container.streams.video:
                return False
            stream = container.streams.video[0]
            for count, packet in enumerate(container.demux(stream)):
                if count >= POSTER_PACKETS:
                    return False
                for frame in packet.decode():
                    image = frame.to_image()
                    image.thumbnail((max_side, max_side))
                    image.convert("RGB").save(target, "JPEG", quality=85)
                    return True
    except (av.FFmpegError, OSError, ValueError) as exc:
        log.info("no poster frame from %s: %s", path, exc)
    return False
