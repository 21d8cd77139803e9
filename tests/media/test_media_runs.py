"""Media through the engine: an uploaded video as a run input, and a cancel that stops FFmpeg."""

from __future__ import annotations

import os
import subprocess
import uuid

import httpx

from tests.helpers import events, wait_run


def test_uploaded_video_as_run_input(client, ffmpeg_bin, tmp_path, probe):
    source = tmp_path / "upload.mp4"
    subprocess.run([ffmpeg_bin, "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=24:duration=2",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(source)], check=True)
    with open(source, "rb") as handle:
        uploaded = client.post("/api/assets", files={"file": ("upload.mp4", handle, "video/mp4")})
    assert uploaded.status_code == 201, uploaded.text
    graph = {"version": 1, "nodes": [
        {"id": "footage", "type": "input.video"},
        {"id": "square", "type": "video.resize", "params": {"preset": "1:1", "short_side": 160}},
        {"id": "cut", "type": "video.trim", "params": {"start": 0.5, "end": 1.5}}],
        "edges": [{"from": "footage.video", "to": "square.video"}, {"from": "square.video", "to": "cut.video"}]}
    missing = client.post("/api/runs", json={"graph": graph, "inputs": {"footage": "a_000000000000missing000"}})
    assert missing.status_code == 422 and missing.json()["errors"][0]["code"] == "invalid_input"
    response = client.post("/api/runs", json={"graph": graph, "inputs": {"footage": uploaded.json()["asset_id"]}})
    assert response.status_code == 201, response.text
    run = wait_run(client, response.json()["id"], timeout=120)
    assert run["status"] == "succeeded", run["nodes"]
    out = tmp_path / "out.mp4"
    out.write_bytes(httpx.get(run["outputs"]["cut"]["video"]["url"], timeout=60).content)
    info = probe.info(out)
    assert (info["streams"][0]["width"], info["streams"][0]["height"]) == (160, 160)
    assert abs(float(info["format"]["duration"]) - 1.0) < 0.1


def ffmpeg_processes(marker: str) -> list[int]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                if marker.encode() in handle.read():
                    found.append(int(pid))
        except OSError:
            continue
    return found


def test_cancel_stops_a_running_ffmpeg_node(client):
    node_id = f"long_{uuid.uuid4().hex[:8]}"  # the node's scratch dir, hence FFmpeg's output path, has it
    graph = {"version": 1, "nodes": [
        {"id": "prompt", "type": "input.text", "params": {"default": "a long, slow zoom"}},
        {"id": "image", "type": "image.generate", "params": {"width": 320, "height": 240, "seed": 1}},
        {"id": node_id, "type": "video.from_image", "params": {"duration": 60, "fps": 24}}],
        "edges": [{"from": "prompt.text", "to": "image.prompt"}, {"from": "image.image", "to": f"{node_id}.image"}]}
    run_id = client.post("/api/runs", json={"graph": graph}).json()["id"]
    with client.stream("GET", f"/api/runs/{run_id}/events", timeout=120) as stream:
        from orchestrator.client import iter_sse

        for _, kind, data in iter_sse(stream):
            if kind == "node.progress" and node_id in data:
                break
    assert ffmpeg_processes(f"ff-{node_id}-"), "FFmpeg is not running"
    assert client.post(f"/api/runs/{run_id}/cancel").status_code == 202
    seen = events(client, run_id, timeout=60)
    assert seen[-1][1] == "run.cancelled"
    assert [d for _, kind, d in seen if kind == "node.cancelled" and d["node_id"] == node_id]
    assert ffmpeg_processes(f"ff-{node_id}-") == []
