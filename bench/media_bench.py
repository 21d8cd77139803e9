"""``python -m bench.media_bench [--size-mb 1024]``: a big video through the FFmpeg nodes.

Makes a test video of about ``--size-mb`` MB with FFmpeg itself (H.264 with noise, so it
does not compress away) and a WAV soundtrack, in a temp dir. Then, for
``video.replace_audio`` and ``video.overlay_text``:

- runs the node in a fresh Python process (the worker's side: an embedded asset store,
  the node's own context) and reports the time of the node (probe, FFmpeg, storing the
  output) and the process's peak memory growth while it ran (VmHWM minus the RSS before);
- runs the same FFmpeg command by hand (the command line the node ran, without
  ``-progress``) and reports its time, and the node's time as a ratio of it.

Targets (issue 3): memory growth under 150 MB, time within 10 % of FFmpeg by hand.
The machines are shared: compare numbers within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _status(field: str) -> int:
    """A ``/proc/self/status`` field in bytes (VmRSS, VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def make_inputs(ffmpeg: str, directory: Path, size_mb: int) -> tuple[Path, Path, float]:
    """A ~size_mb MB H.264 video (noisy, 1280x720, 25 fps) and a WAV as long; returns their paths and seconds."""
    pilot = directory / "pilot.mp4"
    source = ["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25", "-vf", "noise=alls=25:allf=t"]
    encode = ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "8", "-pix_fmt", "yuv420p"]
    subprocess.run([ffmpeg, "-v", "error", "-y", *source, "-t", "2", *encode, str(pilot)], check=True)
    seconds = max(1.0, round(size_mb * 1024 * 1024 / (pilot.stat().st_size / 2), 1))
    pilot.unlink()
    video = directory / "big.mp4"
    audio = directory / "track.wav"
    subprocess.run([ffmpeg, "-v", "error", "-y", *source, "-t", str(seconds), *encode, str(video)], check=True)
    subprocess.run([ffmpeg, "-v", "error", "-y", "-f", "lavfi", "-i", f"sine=frequency=330:duration={seconds}",
                    str(audio)], check=True)
    return video, audio, seconds


def child(args: argparse.Namespace) -> int:
    """Run one node over the inputs, the way a worker does; print JSON with the numbers."""
    sys.path.insert(0, str(ROOT))
    from nodes.catalog import load_catalog
    from nodes.media import ffmpeg as runner
    from tests.media.conftest import Harness, make_store

    store, _db = make_store({"FUSIONFLOW_HOME": args.home})
    harness = Harness(store)
    video = store.put_file("u_local", Path(args.video), "video/mp4")
    audio = store.put_file("u_local", Path(args.audio), "audio/wav")
    commands: list[list[str]] = []
    original = runner.command

    def recording(ctx, stream):
        cmd = original(ctx, stream)
        # keep what the command reads from the node's scratch dir (the caption file) for the run by hand
        kept = []
        for arg in cmd:
            for part in re.findall(r"textfile=([^:\]]+)", arg):
                copy = Path(args.home).parent / "caption.txt"
                shutil.copyfile(part, copy)
                arg = arg.replace(part, str(copy))
            kept.append(arg)
        commands.append(kept)
        return cmd

    runner.command = recording
    timings = {"ffmpeg": 0.0, "probe": 0.0, "store": 0.0}

    def timed(name, function):
        def wrapper(*a, **k):
            began = time.perf_counter()
            try:
                return function(*a, **k)
            finally:
                timings[name] += time.perf_counter() - began
        return wrapper

    runner.run = timed("ffmpeg", runner.run)
    runner.probe = timed("probe", runner.probe)
    store.put_file = timed("store", store.put_file)
    load_catalog()  # load every node type (and its imports) before measuring
    os.sync()  # storing the inputs left a GB of dirty pages: do not time their write-back
    before = _status("VmRSS")
    started = time.perf_counter()
    if args.node == "video.replace_audio":
        outputs = harness.run(args.node, {}, video=video, audio=audio)
    else:
        outputs = harness.run(args.node, {"text": "A caption on a very big video", "position": "bottom"}, video=video)
    elapsed = time.perf_counter() - started
    print(json.dumps({"node": args.node, "seconds": elapsed, "rss_before": before,
                      "peak_growth": _status("VmHWM") - before, "output_size": outputs["video"]["size"],
                      "command": commands[-1], "progress_events": len(harness.progress_events), **timings}))
    return 0


def by_hand(command: list[str], directory: Path) -> float:
    """The node's FFmpeg command without ``-progress``, writing elsewhere; its wall time."""
    cmd, skip = [], 0
    for index, arg in enumerate(command):
        if skip:
            skip -= 1
            continue
        if arg == "-progress":
            skip = 1
            continue
        if arg in ("-nostats",):
            continue
        cmd.append(arg)
    out = -2 if cmd[-1] == "-y" else -1
    cmd[out] = str(directory / ("by-hand" + Path(cmd[out]).suffix))
    os.sync()
    started = time.perf_counter()
    subprocess.run(cmd, check=True)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=int, default=1024, help="size of the test video (default 1024)")
    parser.add_argument("--nodes", default="video.replace_audio,video.overlay_text")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--node", help=argparse.SUPPRESS)
    parser.add_argument("--home", help=argparse.SUPPRESS)
    parser.add_argument("--video", help=argparse.SUPPRESS)
    parser.add_argument("--audio", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args)

    sys.path.insert(0, str(ROOT))
    from nodes.media.ffmpeg import ffmpeg_exe

    ffmpeg = ffmpeg_exe()
    with tempfile.TemporaryDirectory(prefix="ff-media-bench-") as temp:
        directory = Path(temp)
        started = time.perf_counter()
        video, audio, seconds = make_inputs(ffmpeg, directory, args.size_mb)
        print(f"input: {video.stat().st_size / 2**20:.0f} MB, {seconds:.0f} s of 1280x720 H.264 "
              f"(made in {time.perf_counter() - started:.0f} s); ffmpeg: {ffmpeg}")
        print(f"{'node':22} {'node s':>8} {'ffmpeg s':>9} {'probe s':>8} {'store s':>8} {'by hand s':>10} "
              f"{'ratio':>6} {'ffmpeg ratio':>12} {'peak growth MB':>15} {'progress events':>16}")
        for node in args.nodes.split(","):
            home = directory / f"home-{node}"
            result = subprocess.run([sys.executable, "-m", "bench.media_bench", "--child", "--node", node,
                                     "--home", str(home), "--video", str(video), "--audio", str(audio)],
                                    cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
            if result.returncode != 0:
                print(result.stderr, file=sys.stderr)
                return 1
            numbers = json.loads(result.stdout.strip().splitlines()[-1])
            hand = by_hand(numbers["command"], directory)
            print(f"{node:22} {numbers['seconds']:8.2f} {numbers['ffmpeg']:9.2f} {numbers['probe']:8.2f} "
                  f"{numbers['store']:8.2f} {hand:10.2f} {numbers['seconds'] / hand:6.2f} "
                  f"{numbers['ffmpeg'] / hand:12.2f} {numbers['peak_growth'] / 2**20:15.1f} "
                  f"{numbers['progress_events']:16d}")
            (directory / "by-hand.mp4").unlink(missing_ok=True)
            shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
