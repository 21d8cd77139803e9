"""A batch from the library (issue 11): collections of videos and audios and a hooks
category in, one mapped ``variants.batch`` node, one ZIP out, in both modes."""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import datetime

import httpx

from tests.helpers import edge, graph, node, submit, wait_run
from tests.library.conftest import upload


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_a_batch_from_collections_and_hooks_zipped(client, media):
    tag = uuid.uuid4().hex[:6]
    clips = [upload(client, media["video"], name=f"{tag}-clip{i}.mp4")["asset_id"] for i in range(2)]
    tone = upload(client, media["audio"], name=f"{tag}-tone.wav")["asset_id"]
    videos = client.post("/api/collections", json={"name": f"{tag} clips", "kind": "video"}).json()
    audios = client.post("/api/collections", json={"name": f"{tag} tunes", "kind": "audio"}).json()
    client.post(f"/api/collections/{videos['id']}/items", json={"asset_ids": clips})
    client.post(f"/api/collections/{audios['id']}/items", json={"asset_ids": [tone]})
    client.post("/api/hooks/import", json={"texts": ["one", "two", "three"], "category": tag})

    g = graph([node("clips", "input.collection", collection=videos["id"]),
               node("tunes", "input.collection", collection=audios["id"]),
               node("hooks", "input.hooks", category=tag),
               node("plan", "variants.plan", per_video=3),
               node("batch", "variants.batch", font_size=20),
               node("zip", "archive.zip", filename="batch.zip")],
              [edge("clips.items", "plan.video_list"), edge("tunes.items", "plan.audio_list"),
               edge("hooks.texts", "plan.hook_list"), edge("plan.variants", "batch.variants"),
               edge("batch.videos", "zip.list")])
    run = wait_run(client, submit(client, g)["id"], timeout=180)
    assert run["status"] == "succeeded", {k: v["error"] for k, v in run["nodes"].items() if v["error"]}
    batch = run["nodes"]["batch"]["outputs"]
    assert batch["count"] == 6 and batch["hooks"] == ["one", "two", "three"] * 2

    archive = httpx.get(run["nodes"]["zip"]["outputs"]["archive"]["url"], timeout=60)
    assert archive.status_code == 200
    assert len(zipfile.ZipFile(io.BytesIO(archive.content)).namelist()) == 6

    made = {i["asset_id"]: i for i in client.get("/api/assets", params={"origin": "run", "kind": "video",
                                                                        "limit": 200}).json()["assets"]}
    for video in batch["videos"]:
        item = made[video["asset_id"]]
        assert item["origin"]["run_id"] == run["id"]
        assert round((when(item["expires_at"]) - when(item["created_at"])).total_seconds()) == 24 * 3600
