"""Trained models (contract section 11): ``lora.train`` registers one, ``image.generate``
on fal draws with it, against the fal stub, in both modes."""

from __future__ import annotations

from tests.helpers import edge, graph, node, submit, wait_run
from tests.providers.conftest import distributed_env, embedded_env, fal, fal_server, gemini_server, provider_env  # noqa: F401
from tests.providers.stubs import FILES, png_bytes


def train(client, name: str) -> dict:
    photos = [client.post("/api/assets", content=png_bytes(rgb=(i, 9, 9)), headers={"Content-Type": "image/png"})
              .json()["asset_id"] for i in (1, 2)]
    g = graph([node("p1", "input.image", default=photos[0]), node("p2", "input.image", default=photos[1]),
               node("train", "lora.train", name=name, trigger_word="zxq cat", steps=100)],
              [edge("p1.image", "train.images"), edge("p2.image", "train.images")])
    run = wait_run(client, submit(client, g)["id"])
    assert run["status"] == "succeeded", {k: v["error"] for k, v in run["nodes"].items() if v["error"]}
    return run


def test_a_trained_lora_is_registered_used_and_deleted(client, fal):
    run = train(client, "my cat")
    model_id = run["nodes"]["train"]["outputs"]["model_id"]
    model = client.get(f"/api/models/{model_id}").json()
    assert model["name"] == "my cat" and model["kind"] == "lora" and model["trigger_word"] == "zxq cat"
    assert model["base_model"] == "fal-ai/flux-lora" and model["run_id"] == run["id"]
    assert client.get(model["weights"]["url"]).content == FILES["lora_weights.safetensors"][1]
    assert model_id in [m["id"] for m in client.get("/api/models").json()["models"]]
    weights = client.patch(f"/api/assets/{model['weights']['asset_id']}", json={}).json()
    assert weights["expires_at"] is None and weights["keep"] is True  # the weights outlive the run's retention

    drawn = wait_run(client, submit(client, graph(
        [node("prompt", "input.text", default="on a sofa"),
         node("draw", "image.generate", provider="fal", lora=model_id, lora_scale=0.8, seed=5, width=512, height=512)],
        [edge("prompt.text", "draw.prompt")]))["id"])
    assert drawn["status"] == "succeeded", drawn["nodes"]["draw"]["error"]
    call = fal.submissions[-1]
    assert call.app == "fal-ai/flux-lora" and call.body["prompt"] == "zxq cat, on a sofa"
    assert call.body["loras"][0]["scale"] == 0.8
    assert client.get(call.body["loras"][0]["path"]).content == FILES["lora_weights.safetensors"][1]

    assert client.delete(f"/api/models/{model_id}").status_code == 204
    assert client.get(f"/api/models/{model_id}").status_code == 404
    assert client.delete(f"/api/models/{model_id}").status_code == 404
    assert client.get(f"/api/assets/{model['weights']['asset_id']}").status_code == 200

    failed = wait_run(client, submit(client, graph(
        [node("prompt", "input.text", default="x"),
         node("draw", "image.generate", provider="fal", lora=model_id, seed=5)],
        [edge("prompt.text", "draw.prompt")]))["id"])
    assert failed["status"] == "failed" and model_id in failed["nodes"]["draw"]["error"]["message"]


def test_lora_needs_the_fal_provider(client):
    run = wait_run(client, submit(client, graph(
        [node("prompt", "input.text", default="x"), node("draw", "image.generate", provider="local", lora="m_x")],
        [edge("prompt.text", "draw.prompt")]))["id"])
    assert run["status"] == "failed" and "fal" in run["nodes"]["draw"]["error"]["message"]
