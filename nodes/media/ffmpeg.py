"""Run FFmpeg for a node: find the binary, probe media, report progress, obey cancel.

- ``ffmpeg_exe``: ``FUSIONFLOW_FFMPEG`` if set, else the ``ffmpeg`` on PATH (Debian's),
  else the static binary inside the ``imageio-ffmpeg`` wheel.
- ``probe``: duration and streams, parsed from ``ffmpeg -i`` (the imageio binary has
  no ffprobe), so that bad media fails with a sentence, not an FFmpeg dump.
- ``run``: runs an ffmpeg-python stream (or argument list) with ``-progress pipe:1``,
  turns ``out_time`` into ``ctx.progress``, and kills FFmpeg when the run is cancelled.
"""

from __future__ import annotations

import logging
import os
import queue
import re
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ffmpeg as ff

from nodes.mediatypes import SNIFF_BYTES, demuxer
from nodes.redact import without_paths
from nodes.sdk import Cancelled, Context, NodeError

log = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.5
"""Seconds between two ``node.progress`` events from one FFmpeg process."""

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
    "/Library/Fonts/Arial Bold.ttf",
    "C:/Windows/Fonts/arialbd.ttf",
)


def ffmpeg_exe(ctx: Context | None = None) -> str:
    """The FFmpeg binary to run (see the module docstring for the order)."""
    configured = (ctx.setting("FUSIONFLOW_FFMPEG") if ctx is not None else None) or os.environ.get("FUSIONFLOW_FFMPEG")
    if configured:
        return configured
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg
    except ImportError:  # pragma: no cover - a dependency, but say what to do
        raise NodeError("FFmpeg is not installed: install the ffmpeg package or set FUSIONFLOW_FFMPEG") from None
    return imageio_ffmpeg.get_ffmpeg_exe()


def font_file() -> str | None:
    """A TrueType font for captions: ``FUSIONFLOW_FONT``, else DejaVu Sans Bold (or the
    like) when installed, else the font built into Pillow, written to a temp file (so
    captions work on a machine with no fonts at all, with the static FFmpeg too)."""
    configured = os.environ.get("FUSIONFLOW_FONT")
    if configured and Path(configured).is_file():
        return configured
    found = next((path for path in FONT_CANDIDATES if Path(path).is_file()), None)
    return found or _pillow_font()


def _pillow_font() -> str | None:
    try:
        from PIL import ImageFont

        data = getattr(ImageFont.load_default(size=12), "font_bytes", None)
    except (ImportError, OSError):
        return None
    if not data:
        return None
    path = Path(tempfile.gettempdir()) / "fusionflow-pillow-default.ttf"
    if not path.exists() or path.stat().st_size != len(data):
        scratch = path.with_suffix(f".{os.getpid()}.tmp")
        scratch.write_bytes(data)
        os.replace(scratch, path)
    return str(path)


@dataclass(frozen=True)
class MediaInfo:
    duration: float | None
    width: int | None = None
    height: int | None = None
    video_codec: str | None = None
    audio_codec: str | None = None
    fps: float | None = None

    @property
    def has_video(self) -> bool:
        return self.video_codec is not None

    @property
    def has_audio(self) -> bool:
        return self.audio_codec is not None


_DURATION = re.compile(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)")
_VIDEO = re.compile(r"Stream #\d+:\d+[^\n]*?: Video: (\w+)[^\n]*?, (\d{1,5})x(\d{1,5})[^\n]*")
_AUDIO = re.compile(r"Stream #\d+:\d+[^\n]*?: Audio: (\w+)")
_FPS = re.compile(r"(\d+(?:\.\d+)?) fps")


def input_options(path: str | Path) -> list[str]:
    """FFmpeg options for reading the file ``path``: the demuxer of the type its bytes show
    (never FFmpeg's own guess: an HLS playlist that starts like an MP3 would make it fetch
    its segments) and the ``file`` protocol only. An empty list when it is no media."""
    try:
        with open(path, "rb") as source:
            found = demuxer(source.read(SNIFF_BYTES))
    except OSError:
        found = None
    return ["-f", found, "-protocol_whitelist", "file"] if found else []


def probe(ctx: Context | None, path: Path) -> MediaInfo:
    """What ``path`` holds (streams, size, duration); no streams at all for non-media."""
    options = input_options(path)
    if not options:
        return MediaInfo(duration=None)
    result = subprocess.run([ffmpeg_exe(ctx), "-hide_banner", "-nostdin", *options, "-i", str(path)],
                            capture_output=True, text=True, errors="replace", timeout=60)
    text = result.stderr
    duration = None
    if match := _DURATION.search(text):
        hours, minutes, seconds = match.groups()
        duration = int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    video = _VIDEO.search(text)
    audio = _AUDIO.search(text)
    fps = _FPS.search(video.group(0)) if video else None
    return MediaInfo(duration=duration,
                     width=int(video.group(2)) if video else None, height=int(video.group(3)) if video else None,
                     video_codec=video.group(1) if video else None, audio_codec=audio.group(1) if audio else None,
                     fps=float(fps.group(1)) if fps else None)


STILL_CODECS = {"png", "mjpeg", "gif", "webp", "bmp", "tiff"}


def require_video(ctx: Context, path: Path, what: str) -> MediaInfo:
    """Probe ``path`` and fail the node in words unless it is a video with a duration."""
    info = probe(ctx, path)
    if not info.has_video or not info.duration or info.video_codec in STILL_CODECS and info.duration < 0.1:
        kind = "an audio file" if info.has_audio else "not a media file FFmpeg can read"
        raise NodeError(f"{what} is not a video: it is {kind}")
    return info


def require_audio(ctx: Context, path: Path, what: str) -> MediaInfo:
    """Probe ``path`` and fail the node in words unless it has an audio track."""
    info = probe(ctx, path)
    if not info.has_audio:
        kind = "a video with no audio track" if info.has_video else "not a media file FFmpeg can read"
        raise NodeError(f"{what} has no audio: it is {kind}")
    return info


def require_image(ctx: Context, path: Path, what: str) -> MediaInfo:
    info = probe(ctx, path)
    if not info.has_video:
        raise NodeError(f"{what} is not an image FFmpeg can read")
    return info


def command(ctx: Context | None, stream: Any) -> list[str]:
    """The full FFmpeg command line for an ffmpeg-python stream (or an argument list), each
    file input read with ``input_options``."""
    args = list(stream) if isinstance(stream, (list, tuple)) else ff.get_args(stream, overwrite_output=True)
    return [ffmpeg_exe(ctx), "-hide_banner", "-nostdin", "-loglevel", "error", "-progress", "pipe:1",
            "-nostats", *_with_input_options(args)]


def _with_input_options(args: list[str]) -> list[str]:
    """``args`` with ``input_options`` before every input that names no format of its own
    (``-f lavfi`` sources keep theirs); ``NodeError`` for a file that is no media."""
    out: list[str] = []
    segment_start = 0  # where the options of the next input begin in ``out``
    i = 0
    while i < len(args):
        if args[i] == "-i" and i + 1 < len(args):
            if "-f" not in out[segment_start:]:
                options = input_options(args[i + 1])
                if not options:
                    raise NodeError(f"{Path(args[i + 1]).name} is not a media file FFmpeg may read here")
                out += options
            out += args[i:i + 2]
            segment_start = len(out)
            i += 2
            continue
        out.append(args[i])
        i += 1
    return out


def run(ctx: Context, stream: Any, *, duration: float | None, message: str,
        span: tuple[float, float] = (0.0, 1.0)) -> None:
    """Run FFmpeg to the end, reporting progress in ``span`` of the node's 0..1.

    ``duration``: the seconds of output expected (for the fraction). Raises
    ``Cancelled`` (after killing FFmpeg) when the run is cancelled, ``NodeError``
    with FFmpeg's own last words when it fails."""
    cmd = command(ctx, stream)
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors,
                                   preexec_fn=_die_with_parent)
        lines: queue.Queue[bytes | None] = queue.Queue()
        reader = threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True)
        reader.start()
        try:
            _follow(ctx, process, lines, duration, message, span)
            code = process.wait()
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            reader.join(timeout=5)
            if process.stdout is not None:
                process.stdout.close()
        if code != 0:
            errors.seek(0, os.SEEK_END)
            errors.seek(max(0, errors.tell() - 4000))
            tail = errors.read().decode("utf-8", "replace").strip().splitlines()[-4:]
            log.warning("FFmpeg exited with %s trying to %s: %s", code, message, " | ".join(tail))
            reason = without_paths(tail[-1]) if tail else f"exit code {code}"  # the full text stays in the log
            raise NodeError(f"FFmpeg could not {message}: {reason}")


def _die_with_parent() -> None:
    """In the child, before exec: on Linux, get SIGKILL when the worker dies, so that a
    killed worker leaves no FFmpeg behind."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
    except (OSError, AttributeError):
        pass


def _pump(stdout, lines: queue.Queue) -> None:
    for line in stdout:
        lines.put(line)
    lines.put(None)


def _follow(ctx: Context, process: subprocess.Popen, lines: queue.Queue, duration: float | None,
            message: str, span: tuple[float, float]) -> None:
    """Read ``-progress`` blocks (``key=value`` lines ending with ``progress=…``) until EOF."""
    low, high = span
    reported, seconds = 0.0, 0.0
    while True:
        if ctx.cancelled():
            process.kill()
            raise Cancelled()
        try:
            line = lines.get(timeout=0.2)
        except queue.Empty:
            continue
        if line is None:
            return
        key, _, value = line.decode("ascii", "replace").strip().partition("=")
        if key in ("out_time_us", "out_time_ms"):  # both are microseconds
            try:
                seconds = max(0, int(value)) / 1_000_000
            except ValueError:
                pass
            if duration and seconds > duration * 1.5 + 10:
                process.kill()
                raise NodeError(f"FFmpeg ran past the expected {duration:.1f} s while trying to {message} "
                                f"(at {seconds:.1f} s): stopped it")
        elif key == "progress" and duration:
            if value != "end" and time.monotonic() - reported < PROGRESS_INTERVAL:
                continue
            reported = time.monotonic()
            done = 1.0 if value == "end" else min(1.0, seconds / duration)
            ctx.progress(low + (high - low) * done, f"{message}: {min(seconds, duration):.1f} of {duration:.1f} s")
