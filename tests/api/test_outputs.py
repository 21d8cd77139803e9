"""Output nodes: a run returns {name: value} over them; templates list them (contract 13)."""

from __future__ import annotations

from tests.helpers import edge, graph, node, submit, wait_run

GREETING = graph(
    [node("who", "input.text", default="world"), node("hi", "input.text", default="hello"),
     node("join", "text.join", separator=", "), node("greeting", "output.text"),
     node("shout", "output.any", name="loud"), node("pause", "flow.wait", seconds=0)],
    [edge("hi.text", "join.parts"), edge("who.text", "join.parts"), edge("join.text", "greeting.value"),
     edge("who.text", "shout.value"), edge("join.text", "pause.value")])


def test_a_graph_with_output_nodes_returns_their_values_by_name(client):
    run = wait_run(client, submit(client, GREETING, {"who": "fox"})["id"])
    assert run["status"] == "succeeded"
    # `pause` is an end node too, but a graph with output nodes returns only them.
    assert run["outputs"] == {"greeting": "hello, fox", "loud": "fox"}
    assert run["nodes"]["greeting"]["outputs"] == {"value": "hello, fox"}


def test_a_graph_without_output_nodes_returns_its_end_nodes(client):
    g = graph([node("a", "input.text", default="x"), node("b", "flow.wait", seconds=0)], [edge("a.text", "b.value")])
    run = wait_run(client, submit(client, g)["id"])
    assert run["outputs"] == {"b": {"value": "x"}}


def test_an_output_whose_producer_failed_is_left_out(client):
    g = graph([node("a", "input.text", default="x"), node("bad", "flow.fail", message="no"),
               node("good", "output.text"), node("lost", "output.any")],
              [edge("a.text", "good.value"), edge("a.text", "bad.value"), edge("bad.value", "lost.value")])
    run = wait_run(client, submit(client, g)["id"])
    assert run["status"] == "failed"
    assert run["outputs"] == {"good": "x"}
    assert run["nodes"]["lost"]["status"] == "skipped"


def test_output_nodes_are_typed_and_their_names_unique(client):
    g = graph([node("n", "input.number", default=2), node("t", "output.text"),
               node("a", "output.number", name="x"), node("b", "output.number", name="x")],
              [edge("n.number", "t.value"), edge("n.number", "a.value"), edge("n.number", "b.value")])
    before = len(client.get("/api/runs", params={"limit": 200}).json()["runs"])
    response = client.post("/api/runs", json={"graph": g})
    assert response.status_code == 422
    errors = response.json()["errors"]
    mismatch = next(e for e in errors if e["code"] == "type_mismatch")
    assert (mismatch["node"], mismatch["port"]) == ("t", "value")
    clash = next(e for e in errors if e["code"] == "invalid_param")
    assert (clash["node"], clash["param"]) == ("b", "name") and "'x'" in clash["message"]
    assert len(client.get("/api/runs", params={"limit": 200}).json()["runs"]) == before


def test_templates_list_their_outputs_beside_their_inputs(client):
    created = client.post("/api/graphs", json={"name": "greeter", "graph": GREETING})
    assert created.status_code == 201, created.text
    template = created.json()
    assert template["outputs"] == [{"name": "greeting", "type": "text"}, {"name": "loud", "type": "any"}]
    assert {i["name"] for i in template["inputs"]} == {"who", "hi"}
    assert client.get(f"/api/graphs/{template['id']}").json()["outputs"] == template["outputs"]
    run = wait_run(client, client.post(f"/api/graphs/{template['id']}/runs", json={"inputs": {"who": "owl"}}).json()["id"])
    assert run["outputs"]["greeting"] == "hello, owl"
