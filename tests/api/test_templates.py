"""Saved graphs (contract section 5), in both modes."""

from __future__ import annotations

from tests.helpers import edge, graph, node, wait_run

TEMPLATE = graph([node("subject", "input.text", name="subject", default="a lighthouse"),
                  node("style", "input.text", default="oil painting"),
                  node("prompt", "text.join", separator=", ")],
                 [edge("subject.text", "prompt.parts"), edge("style.text", "prompt.parts")],
                 name="inner name", ui={"positions": {"subject": [0, 0]}, "zoom": 1.5})


def test_template_lifecycle(client):
    created = client.post("/api/graphs", json={"name": "postcard", "graph": TEMPLATE})
    assert created.status_code == 201, created.text
    doc = created.json()
    assert doc["id"].startswith("g_") and doc["version"] == 1 and doc["name"] == "postcard"
    assert doc["graph"] == TEMPLATE
    assert doc["inputs"] == [{"name": "subject", "type": "text", "default": "a lighthouse"},
                             {"name": "style", "type": "text", "default": "oil painting"}]
    assert doc["created_at"] and doc["updated_at"]

    assert client.get(f"/api/graphs/{doc['id']}").json() == doc
    assert doc["id"] in [g["id"] for g in client.get("/api/graphs").json()["graphs"]]

    changed = {**TEMPLATE, "nodes": [*TEMPLATE["nodes"][:2], node("prompt", "text.join", separator=" in ")]}
    updated = client.put(f"/api/graphs/{doc['id']}", json={"graph": changed})
    assert updated.status_code == 200
    assert updated.json()["version"] == 2 and updated.json()["name"] == "postcard"
    assert updated.json()["graph"]["name"] == "inner name"
    renamed = client.put(f"/api/graphs/{doc['id']}", json={"name": "card", "graph": changed}).json()
    assert renamed["version"] == 3 and renamed["name"] == "card"
    assert client.get(f"/api/graphs/{doc['id']}", params={"version": 1}).json()["graph"] == TEMPLATE

    response = client.post(f"/api/graphs/{doc['id']}/runs",
                           json={"inputs": {"subject": "a fox"}, "overrides": {"prompt": {"separator": " / "}}})
    assert response.status_code == 201, response.text
    run = wait_run(client, response.json()["id"])
    assert (run["graph_id"], run["graph_version"]) == (doc["id"], 3)
    assert run["outputs"] == {"prompt": {"text": "a fox / oil painting"}}
    listed = client.get("/api/runs", params={"graph_id": doc["id"]}).json()["runs"]
    assert [r["id"] for r in listed] == [run["id"]]

    assert client.delete(f"/api/graphs/{doc['id']}").status_code == 204
    assert client.get(f"/api/graphs/{doc['id']}").status_code == 404
    assert client.post(f"/api/graphs/{doc['id']}/runs", json={}).status_code == 404


def test_template_graphs_are_validated(client):
    response = client.post("/api/graphs", json={"name": "bad", "graph": graph([node("j", "text.join")])})
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "missing_input"
    assert client.post("/api/graphs", json={"graph": TEMPLATE}).status_code == 400


def test_template_run_overrides_and_inputs_are_checked(client):
    doc = client.post("/api/graphs", json={"name": "t", "graph": TEMPLATE}).json()
    response = client.post(f"/api/graphs/{doc['id']}/runs",
                           json={"inputs": {"colour": "red"}, "overrides": {"ghost": {"x": 1}, "prompt": {"nope": 2}}})
    assert response.status_code == 422
    found = sorted((e["code"], e.get("node"), e.get("param"), e.get("input")) for e in response.json()["errors"])
    assert found == [("invalid_param", "prompt", "nope", None), ("unknown_input", None, None, "colour"),
                     ("unknown_node", "ghost", None, None)]


def test_unknown_templates_are_404(client):
    assert client.get("/api/graphs/g_nope").status_code == 404
    assert client.put("/api/graphs/g_nope", json={"graph": TEMPLATE}).status_code == 404
    assert client.delete("/api/graphs/g_nope").status_code == 404
