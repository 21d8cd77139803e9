"""Write a bulk-variant graph: V generated clips x ``--per-video`` renders, plus a ZIP.

    python graphs/make_variant_batch.py --videos 3 --per-video 4 > graphs/variants-12.json
    python graphs/make_variant_batch.py --videos 20 --per-video 10 > /tmp/variants-200.json

Each render is its own node (``variants.render`` with ``index`` i), so the engine sends
them all to the workers at once. Swap the generated clips for ``input.video`` nodes to
use your own footage (see docs/media.md).
"""

from __future__ import annotations

import argparse
import json
import sys

SUBJECTS = ["a lighthouse at dusk", "a red fox in the snow", "a neon city street in the rain", "a mountain lake at dawn",
            "a field of sunflowers", "a desert road at noon", "a koi pond", "a night market"]
HOOKS = ["You won't believe this", "Wait for the end", "3 things nobody tells you", "Save this for later",
         "POV: you found it", "Watch till the end"]
MUSIC = ["upbeat synth pop", "calm acoustic guitar", "lofi hip hop beat", "epic orchestral rise"]


def batch(videos: int, per_video: int, audios: int, hooks: int, width: int, height: int, seconds: float) -> dict:
    nodes, edges = [], []
    positions = {}

    def add(node_id: str, node_type: str, params: dict, x: int, y: int) -> None:
        nodes.append({"id": node_id, "type": node_type, "params": params})
        positions[node_id] = [x, y]

    for v in range(videos):
        add(f"subject{v + 1}", "input.text", {"name": f"subject{v + 1}", "default": SUBJECTS[v % len(SUBJECTS)]},
            0, v * 140)
        add(f"image{v + 1}", "image.generate", {"provider": "local", "width": width, "height": height, "seed": v + 1},
            260, v * 140)
        add(f"clip{v + 1}", "video.from_image", {"provider": "local", "duration": seconds, "fps": 24,
                                                 "motion": ["zoom_in", "pan_right", "zoom_out", "pan_left"][v % 4]},
            520, v * 140)
        edges += [{"from": f"subject{v + 1}.text", "to": f"image{v + 1}.prompt"},
                  {"from": f"image{v + 1}.image", "to": f"clip{v + 1}.image"},
                  {"from": f"clip{v + 1}.video", "to": "plan.videos"}]
    base = videos * 140
    for a in range(audios):
        add(f"music{a + 1}", "input.text", {"name": f"music{a + 1}", "default": MUSIC[a % len(MUSIC)]}, 0, base + a * 140)
        add(f"audio{a + 1}", "audio.generate", {"provider": "local", "duration": seconds, "seed": a},
            260, base + a * 140)
        edges += [{"from": f"music{a + 1}.text", "to": f"audio{a + 1}.prompt"},
                  {"from": f"audio{a + 1}.audio", "to": "plan.audios"}]
    base += audios * 140
    for h in range(hooks):
        add(f"hook{h + 1}", "input.text", {"name": f"hook{h + 1}", "default": HOOKS[h % len(HOOKS)]}, 520, base + h * 140)
        edges.append({"from": f"hook{h + 1}.text", "to": "plan.hooks"})
    add("plan", "variants.plan", {"per_video": per_video}, 800, 200)
    for i in range(videos * per_video):
        add(f"variant{i + 1}", "variants.render", {"index": i, "position": "center"}, 1080, i * 120)
        edges += [{"from": "plan.variants", "to": f"variant{i + 1}.variants"},
                  {"from": f"variant{i + 1}.video", "to": "zip.assets"}]
    add("zip", "archive.zip", {"filename": "variants.zip", "prefix": "variant"}, 1360, 200)
    return {"version": 1, "name": f"{videos * per_video} variants",
            "description": f"{videos} generated clips x {per_video} variants with {audios} soundtracks and {hooks} "
                           f"hooks, rendered as {videos * per_video} videos and zipped. Offline.",
            "nodes": nodes, "edges": edges, "ui": {"positions": positions}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--videos", type=int, default=3)
    parser.add_argument("--per-video", type=int, default=4)
    parser.add_argument("--audios", type=int, default=2)
    parser.add_argument("--hooks", type=int, default=4)
    parser.add_argument("--width", type=int, default=384)
    parser.add_argument("--height", type=int, default=216)
    parser.add_argument("--seconds", type=float, default=1.5)
    args = parser.parse_args(argv)
    graph = batch(args.videos, args.per_video, args.audios, args.hooks, args.width, args.height, args.seconds)
    json.dump(graph, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
