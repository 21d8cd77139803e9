"""The example graphs in graphs/ run end to end, offline, in both modes, and make real media."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

import httpx
from PIL import Image

from tests.helpers import events

GRAPHS = Path(__file__).resolve().parents[2] / "graphs"


def run_example(client, name: str, inputs: dict | None = None) -> tuple[dict, list]:
    graph = json.loads((GRAPHS / name).read_text())
    response = client.post("/api/runs", json={"graph": graph, "inputs": inputs or {}})
    assert response.status_code == 201, response.text
    run_id = response.json()["id"]
    seen = events(client, run_id, timeout=240)
    run = client.get(f"/api/runs/{run_id}").json()
    failed = {k: v["error"] for k, v in run["nodes"].items() if v["status"] != "succeeded"}
    assert run["status"] == "succeeded", failed
    return run, seen


def download(ref: dict, path: Path) -> Path:
    with httpx.stream("GET", ref["url"], timeout=60) as response:
        assert response.status_code == 200, ref["url"]
        with open(path, "wb") as out:
            for chunk in response.iter_bytes():
                out.write(chunk)
    assert path.stat().st_size == ref["size"]
    return path


def frame(ffmpeg: str, path: Path, at: float) -> Image.Image:
    png = path.with_suffix(f".{at}.png")
    subprocess.run([ffmpeg, "-v", "error", "-y", "-ss", str(at), "-i", str(path), "-frames:v", "1", str(png)],
                   check=True, timeout=60)
    return Image.open(png).convert("L")


def band_difference(a: Image.Image, b: Image.Image, top: float, bottom: float) -> float:
    box = (0, int(a.height * top), a.width, int(a.height * bottom))
    one, two = a.crop(box).tobytes(), b.crop(box).tobytes()
    return sum(abs(x - y) for x, y in zip(one, two)) / len(one)


def test_postcard(client, tmp_path):
    run, _ = run_example(client, "postcard.json", {"message": "Hello from FusionFlow"})
    card = run["outputs"]["postcard"]["image"]
    plain = run["nodes"]["image"]["outputs"]["image"]
    with Image.open(download(card, tmp_path / "card.png")) as a, Image.open(download(plain, tmp_path / "p.png")) as b:
        assert a.size == (768, 512)
        assert band_difference(a.convert("L"), b.convert("L"), 0.0, 0.2) > 10  # the message is on top
    assert run["nodes"]["image"]["outputs"]["seed"] == 7


def test_short_video(client, tmp_path, probe, ffmpeg_bin):
    run, seen = run_example(client, "short-video.json")
    final = run["nodes"]["video"]["outputs"]["video"]
    video = download(final, tmp_path / "final.mp4")
    info = probe.info(video)
    kinds = sorted(s["codec_type"] for s in info["streams"])
    assert kinds == ["audio", "video"]  # the clip had no sound: this is the new soundtrack
    picture = next(s for s in info["streams"] if s["codec_type"] == "video")
    assert (picture["width"], picture["height"]) == (640, 360)
    assert abs(float(info["format"]["duration"]) - 3.0) < 0.2
    clip = download(run["nodes"]["clip"]["outputs"]["video"], tmp_path / "clip.mp4")
    captioned, plain = frame(ffmpeg_bin, video, 2.0), frame(ffmpeg_bin, clip, 2.0)
    assert band_difference(captioned, plain, 0.75, 0.95) > 5  # the hook is drawn at the bottom
    assert band_difference(captioned, plain, 0.3, 0.6) < 2    # and the picture is otherwise the same
    assert set(run["outputs"]) == {"video", "thumbnail"}  # the graph's output nodes, by name
    assert run["outputs"]["video"]["sha256"] == final["sha256"]
    thumbnail = run["outputs"]["thumbnail"]
    assert thumbnail["content_type"] == "image/png"
    with Image.open(download(thumbnail, tmp_path / "thumb.png")) as image:
        assert image.size == (320, 180)
    progress = [d for _, kind, d in seen if kind == "node.progress" and d["node_id"] in ("clip", "caption", "video")]
    assert progress and all(0 <= d["progress"] <= 1 for d in progress)


def test_twelve_variants_with_zip(client, tmp_path, probe):
    run, _ = run_example(client, "variants-12.json")
    plan = run["nodes"]["plan"]["outputs"]
    assert plan["count"] == 12
    hooks = [v["hook"] for v in plan["variants"]]
    assert hooks[:5] == ["You won't believe this", "Wait for the end", "3 things nobody tells you",
                         "Save this for later", "You won't believe this"]
    renders = {k: v for k, v in run["nodes"].items() if k.startswith("variant")}
    assert len(renders) == 12 and all(v["status"] == "succeeded" and v["attempts"] == 1 for v in renders.values())
    assert len({v["outputs"]["video"]["sha256"] for v in renders.values()}) == 12
    archive = run["outputs"]["zip"]["archive"]
    assert archive["content_type"] == "application/zip" and run["outputs"]["zip"]["count"] == 12
    with zipfile.ZipFile(download(archive, tmp_path / "variants.zip")) as bundle:
        names = bundle.namelist()
        assert names == [f"variant-{i:03d}.mp4" for i in range(1, 13)]
        first = tmp_path / names[0]
        first.write_bytes(bundle.read(names[0]))
    info = probe.info(first)
    assert sorted(s["codec_type"] for s in info["streams"]) == ["audio", "video"]
    assert abs(float(info["format"]["duration"]) - 1.5) < 0.2


def test_examples_validate_and_cost_nothing(client):
    for name in ("postcard.json", "short-video.json", "variants-12.json"):
        graph = json.loads((GRAPHS / name).read_text())
        response = client.post("/api/runs/estimate", json={"graph": graph, "inputs": {}})
        assert response.status_code == 200, (name, response.text)
        assert response.json()["cost"] == 0
