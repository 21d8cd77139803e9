"""GET /api/catalog/models from the shipped snapshot: works offline, searches and pages."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import server_env

SNAPSHOT = json.loads((Path(__file__).resolve().parents[2] / "orchestrator/model_catalog/fal_snapshot.json").read_text())

embedded_env, distributed_env = server_env({"FAL_KEY": ""})  # no key: the snapshot, offline


def test_the_shipped_catalog_answers_offline_with_input_schemas(client):
    body = client.get("/api/catalog/models", params={"limit": 200}).json()
    assert body["source"] == "snapshot" and body["next_cursor"] is None
    assert [m["id"] for m in body["models"]] == [m["id"] for m in SNAPSHOT["models"]]
    dev = next(m for m in body["models"] if m["id"] == "fal-ai/flux/dev")
    assert (dev["provider"], dev["category"]) == ("fal", "text-to-image")
    assert dev["input_schema"]["required"] == ["prompt"]
    assert dev["input_schema"]["properties"]["num_inference_steps"]["default"] == 28


def test_search_filters_by_words_category_and_provider(client):
    def ids(**params):
        return [m["id"] for m in client.get("/api/catalog/models", params={"limit": 200, **params}).json()["models"]]

    assert set(ids(q="kling PRO")) == {"fal-ai/kling-video/v2.1/pro/image-to-video",
                                       "fal-ai/kling-video/v2.5-turbo/pro/image-to-video"}
    videos = ids(category="image-to-video")
    assert videos and all(m["category"] == "image-to-video" for m in SNAPSHOT["models"] if m["id"] in videos)
    assert len(videos) == sum(m["category"] == "image-to-video" for m in SNAPSHOT["models"])
    assert ids(provider="gemini") == [] and ids(q="no such model") == []


def test_the_list_pages_with_a_cursor(client):
    first = client.get("/api/catalog/models", params={"limit": 5}).json()
    second = client.get("/api/catalog/models", params={"limit": 5, "cursor": first["next_cursor"]}).json()
    assert len(first["models"]) == 5 and first["next_cursor"]
    assert [m["id"] for m in first["models"] + second["models"]] == [m["id"] for m in SNAPSHOT["models"][:10]]
    assert client.get("/api/catalog/models", params={"limit": 0}).status_code == 400
    assert client.get("/api/catalog/models", params={"cursor": "!!"}).status_code == 400
