"""Collections over HTTP (contract section 11), and ``input.collection`` in runs, in both modes."""

from __future__ import annotations

import uuid

from tests.helpers import graph, node, submit, wait_run
from tests.library.conftest import upload


def ids(collection: dict) -> list[str]:
    return [item["asset_id"] for item in collection["items"]]


def new_collection(client, kind: str, name: str | None = None) -> dict:
    response = client.post("/api/collections", json={"name": name or f"c-{uuid.uuid4().hex[:6]}", "kind": kind})
    assert response.status_code == 201, response.text
    return response.json()


def clips(client, media, count: int) -> list[str]:
    return [upload(client, media["video"], name=f"clip-{uuid.uuid4().hex[:6]}-{i}.mp4")["asset_id"]
            for i in range(count)]


def test_create_fill_reorder_and_empty_a_collection(client, media):
    made = new_collection(client, "video", "video collections")
    assert made["items"] == [] and made["kind"] == "video" and made["name"] == "video collections"
    a, b, c = clips(client, media, 3)

    added = client.post(f"/api/collections/{made['id']}/items", json={"asset_ids": [a, b]})
    assert added.status_code == 200 and ids(added.json()) == [a, b]
    again = client.post(f"/api/collections/{made['id']}/items", json={"asset_ids": [c, a]}).json()
    assert ids(again) == [a, b, c]  # appended; an asset already in it stays where it is
    item = again["items"][0]
    assert item["kind"] == "video" and item["metadata"]["width"] == 320 and item["url"].startswith("http")

    reordered = client.patch(f"/api/collections/{made['id']}", json={"items": [c, a, b], "name": "best clips"})
    assert reordered.status_code == 200 and ids(reordered.json()) == [c, a, b]
    assert reordered.json()["name"] == "best clips"
    assert client.delete(f"/api/collections/{made['id']}/items/{a}").status_code == 204
    assert client.delete(f"/api/collections/{made['id']}/items/{a}").status_code == 404
    assert ids(client.get(f"/api/collections/{made['id']}").json()) == [c, b]
    listed = client.get("/api/assets", params={"collection": made["id"]}).json()["assets"]
    assert {i["asset_id"] for i in listed} == {b, c}

    assert made["id"] in [x["id"] for x in client.get("/api/collections").json()["collections"]]
    assert client.delete(f"/api/collections/{made['id']}").status_code == 204
    assert client.get(f"/api/collections/{made['id']}").status_code == 404
    assert client.get(f"/api/assets/{b}").status_code == 200  # the assets stay


def test_items_of_another_kind_are_refused_and_nothing_is_added(client, media):
    audios = new_collection(client, "audio", "audio collections")
    tone = upload(client, media["audio"], name=f"tone-{uuid.uuid4().hex[:6]}.wav")["asset_id"]
    (clip,) = clips(client, media, 1)
    response = client.post(f"/api/collections/{audios['id']}/items", json={"asset_ids": [tone, clip]})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_item" and error["asset_id"] == clip and clip in error["message"]
    assert client.get(f"/api/collections/{audios['id']}").json()["items"] == []

    response = client.post(f"/api/collections/{audios['id']}/items", json={"asset_ids": [tone, "a_nothing"]})
    assert response.status_code == 422 and response.json()["error"]["asset_id"] == "a_nothing"
    response = client.patch(f"/api/collections/{audios['id']}", json={"items": [clip]})
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_item"
    assert client.get(f"/api/collections/{audios['id']}").json()["items"] == []

    for bad in ({"name": "x", "kind": "text"}, {"name": "", "kind": "audio"}, {"kind": "audio"}):
        assert client.post("/api/collections", json=bad).status_code == 400, bad
    assert client.post(f"/api/collections/{audios['id']}/items", json={"asset_ids": []}).status_code == 400
    assert client.post("/api/collections/c_nothing/items", json={"asset_ids": [tone]}).status_code == 404
    assert client.get("/api/assets", params={"collection": "c_nothing"}).status_code == 404


def test_deleting_an_asset_takes_it_out_of_its_collections(client, media):
    made = new_collection(client, "video")
    a, b = clips(client, media, 2)
    client.post(f"/api/collections/{made['id']}/items", json={"asset_ids": [a, b]})
    assert client.delete(f"/api/assets/{a}").status_code == 204
    assert ids(client.get(f"/api/collections/{made['id']}").json()) == [b]


def test_input_collection_gives_the_items_in_order(client, media):
    made = new_collection(client, "video")
    a, b, c = clips(client, media, 3)
    client.post(f"/api/collections/{made['id']}/items", json={"asset_ids": [b, c, a]})
    run = wait_run(client, submit(client, graph([node("clips", "input.collection", collection=made["id"])]))["id"])
    assert run["status"] == "succeeded", run["nodes"]
    outputs = run["nodes"]["clips"]["outputs"]
    assert outputs["count"] == 3 and [i["asset_id"] for i in outputs["items"]] == [b, c, a]
    assert all(i["content_type"] == "video/mp4" and i["url"].startswith("http") for i in outputs["items"])

    run = wait_run(client, submit(client, graph([node("clips", "input.collection", collection="c_unknown")]))["id"])
    assert run["status"] == "failed" and "c_unknown" in run["nodes"]["clips"]["error"]["message"]


def test_another_users_collections_are_not_found(two_users, media):
    alice, bob = two_users
    mine = new_collection(alice, "image")
    picture = upload(alice, media["image"])["asset_id"]
    assert bob.get(f"/api/collections/{mine['id']}").status_code == 404
    assert bob.patch(f"/api/collections/{mine['id']}", json={"name": "theirs"}).status_code == 404
    assert bob.delete(f"/api/collections/{mine['id']}").status_code == 404
    assert bob.post(f"/api/collections/{mine['id']}/items", json={"asset_ids": [picture]}).status_code == 404
    assert bob.get("/api/collections").json()["collections"] == []
    bobs = new_collection(bob, "image")
    response = bob.post(f"/api/collections/{bobs['id']}/items", json={"asset_ids": [picture]})
    assert response.status_code == 422 and response.json()["error"]["asset_id"] == picture
    run = wait_run(bob, submit(bob, graph([node("pics", "input.collection", collection=mine["id"])]))["id"])
    assert run["status"] == "failed" and mine["id"] in run["nodes"]["pics"]["error"]["message"]
