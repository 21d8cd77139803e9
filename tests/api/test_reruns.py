"""Reruns and the output cache (contract section 14), in both modes, over real HTTP."""

from __future__ import annotations

from tests.helpers import edge, events, graph, node, submit, wait_run

POSTCARD = graph([node("subject", "input.text", default="a lighthouse"),
                  node("image", "image.generate", provider="local", width=64, height=64, seed=7),
                  node("caption", "text.join", separator=" / "),
                  node("noseed", "image.generate", provider="local", width=64, height=64)],
                 [edge("subject.text", "image.prompt"), edge("subject.text", "caption.parts"),
                  edge("subject.text", "caption.parts"), edge("subject.text", "noseed.prompt")])


def _rerun(client, run_id: str, body: dict) -> dict:
    response = client.post(f"/api/runs/{run_id}/rerun", json=body)
    assert response.status_code == 201, response.text
    return wait_run(client, response.json()["id"])


def test_a_rerun_takes_from_the_cache_what_the_change_does_not_reach(client):
    first = wait_run(client, submit(client, POSTCARD, {"subject": "a fox"}, cache=False)["id"])
    assert first["status"] == "succeeded", first["nodes"]
    seeded = _rerun(client, first["id"], {})  # fills nothing it did not run: the first run skipped the cache
    assert seeded["nodes"]["image"]["cached"] is False

    edited = _rerun(client, seeded["id"], {"overrides": {"caption": {"separator": " - "}}})
    assert edited["status"] == "succeeded"
    image, caption, noseed = (edited["nodes"][n] for n in ("image", "caption", "noseed"))
    assert image["cached"] is True and image["attempts"] == 0
    assert image["outputs"]["image"]["sha256"] == seeded["nodes"]["image"]["outputs"]["image"]["sha256"]
    assert caption["cached"] is False and caption["outputs"] == {"text": "a fox - a fox"}
    assert noseed["cached"] is False and noseed["attempts"] == 1  # no seed: a new picture every time
    assert edited["graph"]["nodes"][2]["params"]["separator"] == " - "

    log = events(client, edited["id"])
    image_events = [kind for _, kind, data in log if data.get("node_id") == "image"]
    assert image_events == ["node.succeeded"]  # never queued nor started: resolved at submission


def test_a_rerun_with_new_inputs_runs_what_they_reach(client):
    first = wait_run(client, submit(client, POSTCARD, {"subject": "a boat"})["id"])
    again = _rerun(client, first["id"], {"inputs": {"subject": "a harbour"}})
    assert again["inputs"] == {"subject": "a harbour"}
    assert again["nodes"]["image"]["cached"] is False
    assert again["nodes"]["caption"]["outputs"] == {"text": "a harbour / a harbour"}
    same = _rerun(client, again["id"], {})
    assert all(same["nodes"][n]["cached"] for n in ("subject", "image", "caption"))
    assert same["nodes"]["noseed"]["cached"] is False


def test_a_rerun_without_the_cache_runs_everything(client):
    first = wait_run(client, submit(client, POSTCARD, {"subject": "a kite"})["id"])
    fresh = _rerun(client, first["id"], {"cache": False})
    assert not any(state["cached"] for state in fresh["nodes"].values())


def test_a_rerun_of_an_unknown_run_is_404_and_a_bad_override_is_422(client):
    assert client.post("/api/runs/r_nope/rerun", json={}).status_code == 404
    first = submit(client, POSTCARD, {"subject": "x"})
    bad = client.post(f"/api/runs/{first['id']}/rerun", json={"overrides": {"ghost": {"seed": 1}}})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["code"] == "unknown_node"


def test_the_catalog_says_which_types_are_cacheable(client):
    types = {t["type"]: t for t in client.get("/api/nodes").json()["nodes"]}
    assert types["text.join"]["cacheable"] is True and types["text.join"]["cacheable_when"] is None
    assert types["image.generate"]["cacheable_when"] == "seed"
    assert types["flow.wait"]["cacheable"] is False


def test_a_mapped_node_runs_once_per_item_and_gathers_in_order(client):
    items = [f"hook {i}" for i in range(7)] + [{"text": "a record"}]
    graph = {"version": 1, "nodes": [{"id": "items", "type": "input.json"},
                                     {"id": "each", "type": "text.format_each", "params": {"template": "<{item}>"}}],
             "edges": [{"from": "items.json", "to": "each.items"}]}
    run = wait_run(client, submit(client, graph, {"items": items})["id"])
    assert run["status"] == "succeeded"
    expected = [f"<hook {i}>" for i in range(7)] + ['<{"text":"a record"}>']
    assert run["outputs"] == {"each": {"texts": expected, "count": 8}}
    assert [run["nodes"][f"each[{i}]"]["outputs"] for i in range(8)] == [{"text": t} for t in expected]
    progress = [d["message"] for _, k, d in events(client, run["id"]) if k == "node.progress"]
    assert progress[0] == "0 of 8" and progress[-1] == "8 of 8"
    again = client.post(f"/api/runs/{run['id']}/rerun", json={"inputs": {"items": items[:3]}}).json()
    assert wait_run(client, again["id"])["outputs"]["each"]["texts"] == expected[:3]
