"""Provider nodes through the whole system, in both modes, against the fal and Gemini
stubs: the example graphs, progress events, cost records, estimates, retries with
resume, failures with the provider's message, cancel reaching fal, missing keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import servers
from tests.helpers import events, wait_run
from tests.providers.stubs import FILES, GeminiStub, png_bytes

GRAPHS = Path(__file__).resolve().parents[2] / "graphs"


def load(name: str) -> dict:
    return json.loads((GRAPHS / name).read_text())


def upload(client, data: bytes, content_type: str = "image/png") -> dict:
    response = client.post("/api/assets", content=data, headers={"content-type": content_type})
    assert response.status_code == 201, response.text
    return response.json()


def test_fal_text_to_image_to_video_example(client, fal):
    graph = load("fal-text-to-video.json")
    estimate = client.post("/api/runs/estimate", json={"graph": graph})
    assert estimate.status_code == 200, estimate.text
    # 1024 x 576 is 0.59 MP, billed as 1 MP of FLUX dev; 5 s of Kling 2.1 standard
    assert estimate.json()["nodes"] == {"prompt": 0.0, "motion": 0.0, "image": 0.025, "video": 0.28}
    assert estimate.json()["cost"] == pytest.approx(0.305) and estimate.json()["currency"] == "USD"

    response = client.post("/api/runs", json={"graph": graph, "inputs": {"prompt": "a fox"}})
    assert response.status_code == 201, response.text
    run_id = response.json()["id"]
    seen = events(client, run_id)
    run = client.get(f"/api/runs/{run_id}").json()
    assert run["status"] == "succeeded", {k: v["error"] for k, v in run["nodes"].items()}

    image, video = run["nodes"]["image"], run["nodes"]["video"]
    assert image["outputs"]["image"]["content_type"] == "image/png" and image["outputs"]["seed"] == 7
    assert client.get(image["outputs"]["image"]["url"]).content == FILES["image.png"][1]
    assert client.get(run["outputs"]["video"]["video"]["url"]).content == FILES["video.mp4"][1]
    assert [s.app for s in fal.submissions] == ["fal-ai/flux/dev", "fal-ai/kling-video/v2.1/standard/image-to-video"]
    assert fal.submissions[0].body["prompt"] == "a fox"
    assert fal.submissions[1].body["duration"] == "5"

    progress = [(data["node_id"], data["message"]) for _, kind, data in seen if kind == "node.progress"]
    for node in ("image", "video"):
        assert (node, "in fal's queue, position 1") in progress
        assert (node, "loading model") in progress and (node, "step 2/4") in progress

    assert image["cost"] == pytest.approx(0.025) and video["cost"] == pytest.approx(0.28)
    assert run["cost"] == pytest.approx(0.305)


def test_gemini_character_sheet_example(client, gemini):
    photo = upload(client, png_bytes(rgb=(1, 2, 3)))
    run = wait_run(client, client.post("/api/runs", json={
        "graph": load("gemini-character-sheet.json"), "inputs": {"photo": photo["asset_id"]}}).json()["id"])
    assert run["status"] == "succeeded", {k: v["error"] for k, v in run["nodes"].items()}
    sheet = run["nodes"]["sheet"]["outputs"]["image"]
    assert client.get(sheet["url"]).content == png_bytes(rgb=(10, 120, 200))
    assert run["outputs"]["caption"]["text"].startswith("stub answer to: clean studio lighting")
    calls = {call["model"]: call for call in gemini.calls}
    edit = calls["gemini-2.5-flash-image"]["body"]
    assert GeminiStub.inline_images(edit) == [("image/png", png_bytes(rgb=(1, 2, 3)))]
    assert edit["contents"][0]["parts"][0]["text"].startswith("stub answer to: clean studio lighting")
    costs = {node: run["nodes"][node]["cost"] for node in ("brief", "sheet", "caption")}
    assert costs["sheet"] == pytest.approx((20 * 0.30 + 1290 * 30.0) / 1e6, abs=1e-6)
    assert run["cost"] == pytest.approx(sum(costs.values()), abs=1e-6) and all(costs.values())


def test_lora_training_example(client, fal):
    photos = {f"photo{i}": upload(client, png_bytes(rgb=(i, i, i)))["asset_id"] for i in (1, 2, 3)}
    graph = load("lora-training.json")
    assert client.post("/api/runs/estimate", json={"graph": graph, "inputs": photos}).json()["cost"] == \
        pytest.approx(2.0 + 0.035)
    run = wait_run(client, client.post("/api/runs", json={"graph": graph, "inputs": photos}).json()["id"])
    assert run["status"] == "succeeded", {k: v["error"] for k, v in run["nodes"].items()}
    lora = run["nodes"]["train"]["outputs"]["lora"]
    assert client.get(lora["weights"]["url"]).content == FILES["lora_weights.safetensors"][1]
    train, draw = fal.submissions
    assert train.app == "fal-ai/flux-lora-fast-training" and train.body["trigger_word"] == "zxq person"
    assert draw.app == "fal-ai/flux-lora" and draw.body["loras"][0]["scale"] == 1.0
    assert draw.body["prompt"].startswith("a portrait of zxq person")
    assert run["outputs"]["draw"]["image"]["content_type"] == "image/png"
    assert run["nodes"]["train"]["cost"] == pytest.approx(2.0) and run["cost"] == pytest.approx(2.035)


def test_retries_resume_and_provider_errors(client, fal):
    # resumed: the first status poll fails (503), the retry polls the same request
    fal.scenario("fal-ai/flux/dev", status_errors=[(503, {"detail": "runner_disconnected"}, {"x-fal-request-id": "r"})])
    # rate limited once at submission, with Retry-After
    fal.scenario("fal-ai/fast-sdxl", submit_errors=[(429, {"detail": "Too many requests"}, {"retry-after": "0.2"})])
    # a 4xx: fails at once with fal's own message
    fal.scenario("fal-ai/bad", submit_errors=[(422, {"detail": [
        {"loc": ["body", "prompt"], "msg": "Field required", "type": "missing"}]})])
    graph = {"version": 1, "nodes": [
        {"id": "resumed", "type": "fal.run", "params": {"app": "fal-ai/flux/dev", "arguments": {"prompt": "a"}}},
        {"id": "limited", "type": "fal.run", "params": {"app": "fal-ai/fast-sdxl", "arguments": {"prompt": "b"}}},
        {"id": "invalid", "type": "fal.run", "params": {"app": "fal-ai/bad"}}], "edges": []}
    run_id = client.post("/api/runs", json={"graph": graph}).json()["id"]
    seen = events(client, run_id)
    run = client.get(f"/api/runs/{run_id}").json()
    nodes = run["nodes"]
    assert nodes["resumed"]["status"] == "succeeded" and nodes["resumed"]["attempts"] == 2
    assert nodes["limited"]["status"] == "succeeded" and nodes["limited"]["attempts"] == 2
    assert nodes["invalid"]["status"] == "failed" and nodes["invalid"]["attempts"] == 1
    assert nodes["invalid"]["error"] == {"type": "provider_error", "message": "fal fal-ai/bad: prompt: Field required"}
    retrying = {data["node_id"]: data for _, kind, data in seen if kind == "node.retrying"}
    assert set(retrying) == {"resumed", "limited"}
    assert "HTTP 503" in retrying["resumed"]["error"]["message"]
    assert retrying["limited"]["error"]["type"] == "rate_limited" and retrying["limited"]["delay_ms"] >= 200
    by_app = {}
    for submission in fal.submissions:
        by_app[submission.app] = by_app.get(submission.app, 0) + 1
    assert by_app == {"fal-ai/flux/dev": 1, "fal-ai/fast-sdxl": 1}  # exactly one paid request each
    assert any(data["node_id"] == "resumed" and data["message"].startswith("resuming fal request")
               for _, kind, data in seen if kind == "node.progress")


def test_cancel_reaches_fal(client, fal):
    fal.scenario("fal-ai/flux-lora-fast-training", never_finish=True,
                 steps=[{"status": "IN_PROGRESS", "logs": [{"message": "step 10/1000"}]}])
    graph = {"version": 1, "nodes": [{"id": "train", "type": "fal.run",
                                      "params": {"app": "fal-ai/flux-lora-fast-training"}}], "edges": []}
    run_id = client.post("/api/runs", json={"graph": graph}).json()["id"]
    assert fal.polled.wait(30)
    assert client.post(f"/api/runs/{run_id}/cancel").status_code == 202
    run = wait_run(client, run_id)
    assert run["status"] == "cancelled" and run["nodes"]["train"]["status"] == "cancelled"
    assert fal.cancelled.wait(10) and fal.cancels == [fal.submissions[0].id]


def test_a_provider_node_past_its_time_limit_fails_and_its_fal_job_is_cancelled(client, fal):
    fal.scenario("fal-ai/slow-app", never_finish=True, steps=[{"status": "IN_QUEUE", "queue_position": 3}])
    graph = {"version": 1, "nodes": [{"id": "slow", "type": "fal.run",
                                      "params": {"app": "fal-ai/slow-app", "timeout": 2}}], "edges": []}
    run = wait_run(client, client.post("/api/runs", json={"graph": graph}).json()["id"])
    assert run["status"] == "failed" and run["nodes"]["slow"]["error"]["type"] == "timeout"
    assert fal.cancelled.wait(10) and fal.cancels == [fal.submissions[0].id]


def test_missing_keys_are_refused_at_submission(tmp_path):
    graph = {"version": 1, "nodes": [
        {"id": "p", "type": "input.text"},
        {"id": "img", "type": "image.generate", "params": {"provider": "fal"}},
        {"id": "txt", "type": "text.generate"},
        {"id": "local", "type": "image.generate", "params": {"provider": "local"}}],
        "edges": [{"from": "p.text", "to": "img.prompt"}, {"from": "p.text", "to": "txt.prompt"},
                  {"from": "p.text", "to": "local.prompt"}]}
    with servers.live_server({"FUSIONFLOW_HOME": str(tmp_path / "home")}) as live:
        import httpx
        with httpx.Client(base_url=live.url, timeout=30) as client:
            response = client.post("/api/runs", json={"graph": graph})
    assert response.status_code == 422, response.text
    errors = sorted(response.json()["errors"], key=lambda e: e["node"])
    assert [(e["code"], e["node"], e["param"]) for e in errors] == [
        ("invalid_param", "img", "provider"), ("invalid_param", "txt", "provider")]
    assert "FAL_KEY" in errors[0]["message"] and "GEMINI_API_KEY" in errors[1]["message"]
