"""Subgraphs: a template used as one node (contract section 13)."""

from __future__ import annotations

from tests.helpers import edge, events, graph, node, submit, wait_run

GREET = graph(
    [node("who", "input.text", default="world"), node("greeting", "input.text", default="hello"),
     node("join", "text.join", separator=", "), node("sentence", "output.text")],
    [edge("greeting.text", "join.parts"), edge("who.text", "join.parts"), edge("join.text", "sentence.value")])


def save(client, name: str, g: dict) -> dict:
    response = client.post("/api/graphs", json={"name": name, "graph": g})
    assert response.status_code == 201, response.text
    return response.json()


def using(template_id: str, **params) -> dict:
    """An outer graph: input `name` -> sub.who, sub.sentence -> output `result`."""
    return graph([node("name", "input.text", default="owl"), node("sub", "graph.template", template=template_id, **params),
                  node("result", "output.text")],
                 [edge("name.text", "sub.who"), edge("sub.sentence", "result.value")])


def test_a_template_runs_as_one_node_whose_inner_nodes_are_nodes_of_the_run(client):
    greet = save(client, "greet", GREET)
    assert greet["inputs"][0]["name"] == "who" and greet["outputs"] == [{"name": "sentence", "type": "text"}]
    run = submit(client, using(greet["id"]), {"name": "fox"})
    seen = events(client, run["id"])
    run = client.get(f"/api/runs/{run['id']}").json()
    assert run["status"] == "succeeded"
    assert run["outputs"] == {"result": "hello, fox"}  # `greeting` unconnected: its default
    assert {"sub/join", "sub/greeting", "sub/sentence", "name", "result"} == set(run["nodes"])
    assert run["nodes"]["sub/join"]["outputs"] == {"text": "hello, fox"}
    # The run's graph is the one drawn (it reopens and reruns as it is); expansion is the engine's.
    assert [n["id"] for n in run["graph"]["nodes"]] == ["name", "sub", "result"]
    started = {d["node_id"] for _, kind, d in seen if kind == "node.started"}
    assert {"sub/join", "sub/sentence"} <= started


def test_subgraph_ports_are_typed_from_the_template(client):
    greet = save(client, "greet-typed", GREET)
    g = graph([node("n", "input.number", default=3), node("sub", "graph.template", template=greet["id"]),
               node("out", "output.number")],
              [edge("n.number", "sub.who"), edge("sub.sentence", "out.value"), edge("n.number", "sub.nope")])
    response = client.post("/api/runs", json={"graph": g})
    assert response.status_code == 422
    codes = {(e["code"], e.get("node"), e.get("port")) for e in response.json()["errors"]}
    assert ("type_mismatch", "sub", "who") in codes  # number into a text input
    assert ("type_mismatch", "out", "value") in codes  # text out of `sentence` into a number output
    assert ("unknown_port", "sub", "nope") in codes


def test_a_pinned_version_runs_that_version_and_no_version_the_latest(client):
    greet = save(client, "greet-versions", GREET)
    v2 = {**GREET, "nodes": [n if n["id"] != "join" else {**n, "params": {"separator": " - "}} for n in GREET["nodes"]]}
    assert client.put(f"/api/graphs/{greet['id']}", json={"graph": v2}).json()["version"] == 2
    pinned = wait_run(client, submit(client, using(greet["id"], version=1))["id"])
    latest = wait_run(client, submit(client, using(greet["id"]))["id"])
    assert (pinned["outputs"]["result"], latest["outputs"]["result"]) == ("hello, owl", "hello - owl")
    missing = client.post("/api/runs", json={"graph": using(greet["id"], version=7)})
    assert missing.status_code == 422
    error = missing.json()["errors"][0]
    assert (error["code"], error["node"], error["param"]) == ("invalid_param", "sub", "version")


def test_subgraphs_nest(client):
    inner = save(client, "inner", GREET)
    middle = save(client, "middle", graph(
        [node("who", "input.text", default="bee"), node("greet", "graph.template", template=inner["id"]),
         node("sentence", "output.text")],
        [edge("who.text", "greet.who"), edge("greet.sentence", "sentence.value")]))
    run = wait_run(client, submit(client, using(middle["id"]), {"name": "cat"})["id"])
    assert run["outputs"] == {"result": "hello, cat"}
    assert "sub/greet/join" in run["nodes"] and run["nodes"]["sub/greet/join"]["status"] == "succeeded"


def test_a_template_that_reaches_itself_is_refused_naming_the_chain(client):
    a = save(client, "a", GREET)
    b = save(client, "b", using(a["id"]))
    before = client.get(f"/api/graphs/{a['id']}").json()["version"]
    response = client.put(f"/api/graphs/{a['id']}", json={"graph": graph([node("sub", "graph.template", template=b["id"])])})
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["code"] == "cycle" and error["templates"] == [a["id"], b["id"], a["id"]]
    assert error["node"] == "sub"
    itself = client.put(f"/api/graphs/{a['id']}", json={"graph": using(a["id"])})
    assert itself.status_code == 422 and itself.json()["errors"][0]["templates"] == [a["id"], a["id"]]
    assert client.get(f"/api/graphs/{a['id']}").json()["version"] == before  # nothing saved


def test_a_deleted_template_is_a_clear_422_and_nothing_runs(client):
    gone = save(client, "gone", GREET)
    assert client.delete(f"/api/graphs/{gone['id']}").status_code == 204
    before = len(client.get("/api/runs", params={"limit": 200}).json()["runs"])
    response = client.post("/api/runs", json={"graph": using(gone["id"])})
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert (error["code"], error["node"], error["param"]) == ("invalid_param", "sub", "template")
    assert gone["id"] in error["message"] and "does not exist" in error["message"]
    assert len(client.get("/api/runs", params={"limit": 200}).json()["runs"]) == before
    saved = client.post("/api/graphs", json={"name": "uses gone", "graph": using(gone["id"])})
    assert saved.status_code == 422


def test_the_catalog_offers_subgraph_nodes_but_not_the_engines_own(client):
    types = {n["type"]: n for n in client.get("/api/nodes").json()["nodes"]}
    assert "graph.template" in types and "graph.default" not in types
    assert {"template", "version"} <= set(types["graph.template"]["params"]["properties"])
