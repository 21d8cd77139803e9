"""The media library over HTTP (contract section 11, assets), in both modes."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import httpx

from tests.helpers import edge, graph, node, submit, wait_run, wait_until
from tests.library.conftest import upload


def token() -> str:
    return uuid.uuid4().hex[:8]


def listed(client: httpx.Client, **params) -> list[dict]:
    response = client.get("/api/assets", params=params)
    assert response.status_code == 200, response.text
    return response.json()["assets"]


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_uploads_are_listed_with_their_metadata_and_a_poster(client, media):
    tag = token()
    video = upload(client, media["video"], name=f"{tag}-Clip.mp4")
    response = client.post("/api/assets", content=media["audio"].read_bytes(),
                           headers={"Content-Type": "audio/wav", "X-Filename": f"{tag}-tone.wav"})
    assert response.status_code == 201
    audio = response.json()
    image = upload(client, media["image"], name=f"{tag}-picture.png")

    items = listed(client, q=tag)
    assert [i["asset_id"] for i in items] == [image["asset_id"], audio["asset_id"], video["asset_id"]]
    by_kind = {i["kind"]: i for i in items}
    assert by_kind["video"]["name"] == f"{tag}-Clip.mp4" and by_kind["audio"]["name"] == f"{tag}-tone.wav"
    assert by_kind["video"]["metadata"]["width"] == 320 and by_kind["video"]["metadata"]["height"] == 240
    assert 1.0 <= by_kind["video"]["metadata"]["duration"] <= 1.5 and by_kind["video"]["metadata"]["codec"] == "h264"
    assert abs(by_kind["audio"]["metadata"]["duration"] - 2.0) < 0.1
    assert (by_kind["image"]["metadata"]["width"], by_kind["image"]["metadata"]["height"]) == (48, 32)
    for item in items:
        assert item["origin"] == {"type": "upload"} and item["expires_at"] is None and item["tags"] == []
        assert httpx.get(item["url"]).status_code == 200

    poster = wait_until(lambda: listed(client, q=tag, kind="video")[0]["poster"], timeout=30)
    fetched = httpx.get(poster["url"])
    assert fetched.status_code == 200 and fetched.content[:3] == b"\xff\xd8\xff"
    assert poster["asset_id"] not in {i["asset_id"] for i in listed(client, limit=200)}  # posters are not listed


def test_filters_by_kind_name_and_origin(client, media):
    tag = token()
    upload(client, media["video"], name=f"{tag}-one.mp4")
    upload(client, media["audio"], name=f"{tag}-two.wav")
    assert {i["kind"] for i in listed(client, q=tag.upper())} == {"video", "audio"}  # case-insensitive
    assert [i["name"] for i in listed(client, q=tag, kind="audio")] == [f"{tag}-two.wav"]
    assert listed(client, q=tag, kind="image") == []
    assert listed(client, q=f"{tag}-one")[0]["kind"] == "video"
    assert listed(client, q="100%_sure") == []  # wildcards are literal

    run = wait_run(client, submit(client, graph(
        [node("prompt", "input.text", default=tag), node("picture", "image.generate", width=64, height=64, seed=3)],
        [edge("prompt.text", "picture.prompt")]))["id"])
    assert run["status"] == "succeeded", run
    made = run["nodes"]["picture"]["outputs"]["image"]["asset_id"]
    from_runs = listed(client, origin="run", kind="image")
    assert made in [i["asset_id"] for i in from_runs]
    item = next(i for i in from_runs if i["asset_id"] == made)
    assert item["origin"] == {"type": "run", "run_id": run["id"], "node_id": "picture"}
    lifetime = when(item["expires_at"]) - when(item["created_at"])
    assert abs(lifetime - timedelta(days=30)) < timedelta(seconds=1)
    assert made not in [i["asset_id"] for i in listed(client, origin="upload", limit=200)]

    for bad in ({"kind": "movie"}, {"origin": "elsewhere"}, {"limit": 0}, {"cursor": "%%%"}):
        response = client.get("/api/assets", params=bad)
        assert response.status_code == 400, (bad, response.text)


def test_pages_run_newest_first_without_gaps(client, media):
    tag = token()
    made = [upload(client, media["image"], name=f"{tag}-{i}.png")["asset_id"] for i in range(5)]
    seen, cursor = [], None
    while True:
        response = client.get("/api/assets", params={"q": tag, "limit": 2, **({"cursor": cursor} if cursor else {})})
        body = response.json()
        assert len(body["assets"]) <= 2
        seen += [i["asset_id"] for i in body["assets"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == made[::-1]


def test_same_bytes_and_name_are_one_asset(client, media):
    tag = token()
    first = upload(client, media["image"], name=f"{tag}.png")
    again = upload(client, media["image"], name=f"{tag}.png")
    other = upload(client, media["image"], name=f"{tag}-copy.png")
    assert again["asset_id"] == first["asset_id"]
    assert other["asset_id"] != first["asset_id"] and other["sha256"] == first["sha256"]


def test_rename_tag_and_keep(client, media):
    tag = token()
    asset = upload(client, media["audio"], name=f"{tag}.wav")
    response = client.patch(f"/api/assets/{asset['asset_id']}", json={"name": f"{tag} theme", "tags": ["music", "calm"]})
    assert response.status_code == 200, response.text
    assert response.json()["name"] == f"{tag} theme" and response.json()["tags"] == ["music", "calm"]
    assert [i["asset_id"] for i in listed(client, tag="calm", q=tag)] == [asset["asset_id"]]
    assert listed(client, tag="cal", q=tag) == []  # whole tags only
    assert client.get(f"/api/assets/{asset['asset_id']}").status_code == 200

    for bad in ({"name": "  "}, {"tags": ["no\"quotes"]}, {"tags": "music"}, {"colour": "red"}):
        response = client.patch(f"/api/assets/{asset['asset_id']}", json=bad)
        assert response.status_code == 400, (bad, response.text)
    assert client.patch("/api/assets/a_missing", json={"name": "x"}).status_code == 404

    run = wait_run(client, submit(client, graph([node("t", "input.text", default=tag),
                                                 node("p", "image.generate", width=64, height=64, seed=1)],
                                                [edge("t.text", "p.prompt")]))["id"])
    made = run["nodes"]["p"]["outputs"]["image"]["asset_id"]
    kept = client.patch(f"/api/assets/{made}", json={"keep": True}).json()
    assert kept["expires_at"] is None and kept["keep"] is True
    unkept = client.patch(f"/api/assets/{made}", json={"keep": False}).json()
    assert unkept["expires_at"] is not None and unkept["keep"] is False


def test_delete_removes_the_asset_and_then_its_bytes(client, media):
    tag = token()
    content = media["image"].read_bytes() + tag.encode()  # bytes no other test has
    first = upload(client, media["image"], name=f"{tag}-a.png", content=content)
    second = upload(client, media["image"], name=f"{tag}-b.png", content=content)
    first_url, second_url = first["url"], second["url"]

    assert client.delete(f"/api/assets/{first['asset_id']}").status_code == 204
    assert client.get(f"/api/assets/{first['asset_id']}").status_code == 404
    assert client.delete(f"/api/assets/{first['asset_id']}").status_code == 404
    assert [i["asset_id"] for i in listed(client, q=tag)] == [second["asset_id"]]
    assert httpx.get(second_url).content == content  # the bytes stay while another asset has them

    assert client.delete(f"/api/assets/{second['asset_id']}").status_code == 204
    for url in (first_url, second_url):
        assert httpx.get(url).status_code in (403, 404)


def test_video_deleted_with_its_poster(client, media):
    video = upload(client, media["video"], name=f"{token()}.mp4")
    poster = wait_until(lambda: client.get("/api/assets", params={"kind": "video", "q": video["filename"]})
                        .json()["assets"][0]["poster"], timeout=30)
    assert client.delete(f"/api/assets/{video['asset_id']}").status_code == 204
    assert client.get(f"/api/assets/{poster['asset_id']}").status_code == 404


def test_safetensors_upload_is_an_other_asset(client):
    header = b'{"__metadata__":{"format":"pt"}}'
    weights = len(header).to_bytes(8, "little") + header + b"\0" * 64
    asset = client.post("/api/assets", files={"file": ("style.safetensors", weights, "application/octet-stream")})
    assert asset.status_code == 201, asset.text
    item = listed(client, q="style.safetensors", kind="other")[0]
    assert item["asset_id"] == asset.json()["asset_id"] and item["metadata"] == {}


def test_another_users_assets_are_not_found(two_users, media):
    alice, bob = two_users
    mine = upload(alice, media["image"])
    assert bob.get("/api/assets").json()["assets"] == []
    assert bob.patch(f"/api/assets/{mine['asset_id']}", json={"name": "theirs"}).status_code == 404
    assert bob.delete(f"/api/assets/{mine['asset_id']}").status_code == 404
    assert alice.get(f"/api/assets/{mine['asset_id']}").status_code == 200
