"""The hooks library over HTTP (contract section 11), ``input.hooks``, and ``variants.plan``
fed from a collection and a hooks category, in both modes."""

from __future__ import annotations

import uuid

from tests.helpers import edge, graph, node, submit, wait_run
from tests.library.conftest import upload


def category() -> str:
    return f"cat-{uuid.uuid4().hex[:6]}"


def texts(client, **params) -> list[str]:
    response = client.get("/api/hooks", params={"limit": 200, **params})
    assert response.status_code == 200, response.text
    return [h["text"] for h in response.json()["hooks"]]


def test_add_search_count_and_delete(client):
    cat = category()
    made = client.post("/api/hooks", json={"text": "  Wait for the twist  ", "category": cat})
    assert made.status_code == 201
    hook = made.json()
    assert hook["text"] == "Wait for the twist" and hook["category"] == cat and hook["id"].startswith("h_")
    client.post("/api/hooks", json={"text": "You won't believe this", "category": cat})
    assert texts(client, category=cat) == ["You won't believe this", "Wait for the twist"]
    assert texts(client, category=cat, q="TWIST") == ["Wait for the twist"]
    counts = {c["name"]: c["count"] for c in client.get("/api/hooks/categories").json()["categories"]}
    assert counts[cat] == 2
    assert client.delete(f"/api/hooks/{hook['id']}").status_code == 204
    assert client.delete(f"/api/hooks/{hook['id']}").status_code == 404
    assert texts(client, category=cat) == ["You won't believe this"]
    for bad in ({"text": ""}, {"text": "   "}, {"text": "x" * 501}):
        response = client.post("/api/hooks", json={**bad, "category": cat})
        assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_hook", bad


def test_imports_from_json_text_and_csv(client):
    cat = category()
    response = client.post("/api/hooks/import", json={"texts": ["one", "two"], "category": cat})
    assert response.status_code == 201 and response.json() == {"created": 2}
    response = client.post("/api/hooks/import", params={"category": cat}, content="three\r\nfour\n",
                           headers={"Content-Type": "text/plain; charset=utf-8"})
    assert response.status_code == 201 and response.json() == {"created": 2}
    other = category()
    csv = f'text,category\n"five, with a comma",{cat}\nsix,{other}\nseven,\n'
    response = client.post("/api/hooks/import", params={"category": other}, content=csv,
                           headers={"Content-Type": "text/csv"})
    assert response.status_code == 201 and response.json() == {"created": 3}
    assert sorted(texts(client, category=cat)) == sorted(["one", "two", "three", "four", "five, with a comma"])
    assert sorted(texts(client, category=other)) == ["seven", "six"]


def test_an_import_with_one_bad_line_adds_nothing(client):
    cat = category()
    lines = [f"hook number {i}" for i in range(1000)]
    lines[736] = "x" * 501
    response = client.post("/api/hooks/import", params={"category": cat}, content="\n".join(lines),
                           headers={"Content-Type": "text/plain"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_hook" and error["line"] == 737 and "737" in error["message"]
    response = client.post("/api/hooks/import", json={"texts": ["fine", "", "fine too"], "category": cat})
    assert response.status_code == 422 and response.json()["error"]["line"] == 2
    response = client.post("/api/hooks/import", content="text,category\nok,a\n ,b\n",
                           headers={"Content-Type": "text/csv"})
    assert response.status_code == 422 and response.json()["error"]["line"] == 2
    assert texts(client, category=cat) == [] and texts(client, q="fine") == []
    assert client.post("/api/hooks/import", content="words,category\nok,a\n",
                       headers={"Content-Type": "text/csv"}).status_code == 422
    assert client.post("/api/hooks/import", content=b"\x89PNG", headers={"Content-Type": "image/png"}).status_code == 415
    assert client.post("/api/hooks/import", json={"texts": "one"}).status_code == 400


def test_input_hooks_and_a_plan_from_collections(client, media):
    cat = category()
    client.post("/api/hooks/import", json={"texts": ["first hook", "second hook", "third hook"], "category": cat})
    videos = client.post("/api/collections", json={"name": "clips", "kind": "video"}).json()
    audios = client.post("/api/collections", json={"name": "tunes", "kind": "audio"}).json()
    clip_ids = [upload(client, media["video"], name=f"v{i}-{cat}.mp4")["asset_id"] for i in range(2)]
    tone_id = upload(client, media["audio"], name=f"a-{cat}.wav")["asset_id"]
    client.post(f"/api/collections/{videos['id']}/items", json={"asset_ids": clip_ids})
    client.post(f"/api/collections/{audios['id']}/items", json={"asset_ids": [tone_id]})

    g = graph([node("clips", "input.collection", collection=videos["id"]),
               node("tunes", "input.collection", collection=audios["id"]),
               node("hooks", "input.hooks", category=cat, limit=2),
               node("plan", "variants.plan", per_video=2),
               node("render", "variants.render", index=3, font_size=24)],
              [edge("clips.items", "plan.video_list"), edge("tunes.items", "plan.audio_list"),
               edge("hooks.texts", "plan.hook_list"), edge("plan.variants", "render.variants")])
    run = wait_run(client, submit(client, g)["id"], timeout=120)
    assert run["status"] == "succeeded", {k: v["error"] for k, v in run["nodes"].items() if v["error"]}
    assert run["nodes"]["hooks"]["outputs"] == {"texts": ["first hook", "second hook"], "count": 2}
    plan = run["nodes"]["plan"]["outputs"]
    assert plan["count"] == 4
    assert [v["video"]["asset_id"] for v in plan["variants"]] == [clip_ids[0]] * 2 + [clip_ids[1]] * 2
    assert [v["hook"] for v in plan["variants"]] == ["first hook", "second hook"] * 2
    assert all(v["audio"]["asset_id"] == tone_id for v in plan["variants"])
    rendered = run["nodes"]["render"]["outputs"]
    assert rendered["hook"] == "second hook" and rendered["video"]["content_type"] == "video/mp4"

    made = client.get("/api/assets", params={"origin": "run", "kind": "video"}).json()["assets"]
    item = next(i for i in made if i["asset_id"] == rendered["video"]["asset_id"])
    from datetime import datetime
    lifetime = datetime.fromisoformat(item["expires_at"][:-1]) - datetime.fromisoformat(item["created_at"][:-1])
    assert round(lifetime.total_seconds()) == 24 * 3600  # a batch's output: FUSIONFLOW_BATCH_TTL_HOURS

    run = wait_run(client, submit(client, graph([node("hooks", "input.hooks", category="no-such-category")]))["id"])
    assert run["status"] == "failed" and "no-such-category" in run["nodes"]["hooks"]["error"]["message"]


def test_another_users_hooks_are_not_theirs(two_users):
    alice, bob = two_users
    cat = category()
    hook = alice.post("/api/hooks", json={"text": "private", "category": cat}).json()
    assert bob.delete(f"/api/hooks/{hook['id']}").status_code == 404
    assert bob.get("/api/hooks").json()["hooks"] == [] and bob.get("/api/hooks/categories").json()["categories"] == []
    run = wait_run(bob, submit(bob, graph([node("hooks", "input.hooks", category=cat)]))["id"])
    assert run["status"] == "failed" and cat in run["nodes"]["hooks"]["error"]["message"]
