"""A subgraph's inner provider nodes are priced by the estimate and checked for their keys
at submission, as nodes drawn in the graph are (this server has FAL_KEY, not Gemini's)."""

from __future__ import annotations

from tests.helpers import edge, graph, node, server_env


embedded_env, distributed_env = server_env({"FAL_KEY": "not-used", "GEMINI_API_KEY": "", "GOOGLE_API_KEY": ""})


def drawing(provider: str, **params) -> dict:
    return graph([node("prompt", "input.text", default="a fox"),
                  node("draw", "image.generate", provider=provider, width=1024, height=1024, seed=1, **params),
                  node("picture", "output.image")],
                 [edge("prompt.text", "draw.prompt"), edge("draw.image", "picture.value")])


def save(client, g: dict) -> str:
    response = client.post("/api/graphs", json={"name": "drawing", "graph": g})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def outer(template_id: str) -> dict:
    return graph([node("sub", "graph.template", template=template_id), node("out", "output.image")],
                 [edge("sub.picture", "out.value")])


def test_the_estimate_prices_the_nodes_inside_subgraphs(client):
    drawn = client.post("/api/runs/estimate", json={"graph": drawing("fal")}).json()
    estimate = client.post("/api/runs/estimate", json={"graph": outer(save(client, drawing("fal")))})
    assert estimate.status_code == 200, estimate.text
    body = estimate.json()
    assert drawn["cost"] > 0
    assert body["nodes"]["sub/draw"] == drawn["nodes"]["draw"] and body["cost"] == drawn["cost"]


def test_an_inner_provider_node_without_its_key_is_refused_on_the_subgraph_node(client):
    before = len(client.get("/api/runs", params={"limit": 200}).json()["runs"])
    response = client.post("/api/runs", json={"graph": outer(save(client, drawing("local")))})
    assert response.status_code == 201  # an offline drawing needs no key
    gemini = outer(save(client, drawing("gemini")))
    refused = client.post("/api/runs", json={"graph": gemini})
    assert refused.status_code == 422
    (error,) = refused.json()["errors"]
    assert (error["code"], error["node"], error["param"]) == ("invalid_param", "sub", "template")
    assert "sub/draw" in error["message"] and "GEMINI_API_KEY" in error["message"]
    assert len(client.get("/api/runs", params={"limit": 200}).json()["runs"]) == before + 1
