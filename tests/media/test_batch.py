"""variants.batch: one node in the graph, one execution per variant at run time."""

from __future__ import annotations

import io
import subprocess
import zipfile

import httpx

from tests.helpers import events, wait_run


def _upload_clip(client, ffmpeg_bin, tmp_path, name: str, source: str) -> str:
    path = tmp_path / name
    subprocess.run([ffmpeg_bin, "-v", "error", "-f", "lavfi", "-i", f"{source}=size=160x120:rate=12:duration=1",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)], check=True)
    with open(path, "rb") as handle:
        response = client.post("/api/assets", files={"file": (name, handle, "video/mp4")})
    assert response.status_code == 201, response.text
    return response.json()["asset_id"]


def batch_graph(per_video: int) -> dict:
    return {"version": 1, "nodes": [
        {"id": "first", "type": "input.video"}, {"id": "second", "type": "input.video"},
        {"id": "plan", "type": "variants.plan", "params": {"per_video": per_video, "hooks": ["one", "two", "three"]}},
        {"id": "render", "type": "variants.batch", "params": {"font_size": 14}},
        {"id": "bundle", "type": "archive.zip", "params": {"prefix": "variant"}}],
        "edges": [{"from": "first.video", "to": "plan.videos"}, {"from": "second.video", "to": "plan.videos"},
                  {"from": "plan.variants", "to": "render.variants"}, {"from": "render.videos", "to": "bundle.list"}]}


def test_a_batch_renders_each_variant_as_its_own_execution_then_one_zip(client, ffmpeg_bin, tmp_path):
    inputs = {"first": _upload_clip(client, ffmpeg_bin, tmp_path, "a.mp4", "testsrc2"),
              "second": _upload_clip(client, ffmpeg_bin, tmp_path, "b.mp4", "smptebars")}
    response = client.post("/api/runs", json={"graph": batch_graph(3), "inputs": inputs})
    assert response.status_code == 201, response.text
    run = wait_run(client, response.json()["id"], timeout=180)
    assert run["status"] == "succeeded", {n: (s["status"], s["error"]) for n, s in run["nodes"].items()}
    children = [f"render[{i}]" for i in range(6)]
    assert all(run["nodes"][c]["status"] == "succeeded" and run["nodes"][c]["attempts"] == 1 for c in children)
    render = run["nodes"]["render"]
    assert render["outputs"]["count"] == 6 and render["outputs"]["hooks"] == ["one", "two", "three"] * 2
    assert [v["asset_id"] for v in render["outputs"]["videos"]] == [
        run["nodes"][c]["outputs"]["video"]["asset_id"] for c in children]

    log = events(client, run["id"])
    for child in children:
        own = [k for _, k, d in log if d.get("node_id") == child and k != "node.progress"]
        assert own == ["node.queued", "node.started", "node.succeeded"]
    progress = [d["message"] for _, k, d in log if k == "node.progress" and d["node_id"] == "render"]
    assert progress[0] == "0 of 6" and progress[-1] == "6 of 6"

    archive = run["outputs"]["bundle"]["archive"]
    with zipfile.ZipFile(io.BytesIO(httpx.get(archive["url"], timeout=60).content)) as bundle:
        assert len(bundle.namelist()) == 6

    again = client.post(f"/api/runs/{run['id']}/rerun", json={"overrides": {"bundle": {"prefix": "take"}}}).json()
    again = wait_run(client, again["id"], timeout=180)
    assert again["status"] == "succeeded"
    assert all(again["nodes"][c]["cached"] for c in children)  # each variant has its own cache entry


def test_a_batch_given_no_list_fails_in_words(client):
    graph = {"version": 1, "nodes": [
        {"id": "items", "type": "input.text", "params": {"default": "not a plan"}},
        {"id": "pass", "type": "flow.wait", "params": {"seconds": 0}},
        {"id": "render", "type": "variants.batch"}],
        "edges": [{"from": "items.text", "to": "pass.value"}, {"from": "pass.value", "to": "render.variants"}]}
    run = wait_run(client, client.post("/api/runs", json={"graph": graph}).json()["id"])
    assert run["status"] == "failed"
    assert "variants must be a list" in run["nodes"]["render"]["error"]["message"]
