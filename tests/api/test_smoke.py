"""The first run, end to end, in both modes."""

from tests.helpers import wait_run


def test_hello_graph_runs(client):
    graph = {"version": 1, "nodes": [
        {"id": "a", "type": "input.text", "params": {"default": "hello"}},
        {"id": "b", "type": "input.text", "params": {"name": "who", "default": "world"}},
        {"id": "j", "type": "text.join", "params": {"separator": ", "}}],
        "edges": [{"from": "a.text", "to": "j.parts"}, {"from": "b.text", "to": "j.parts"}]}
    response = client.post("/api/runs", json={"graph": graph, "inputs": {"who": "fox"}})
    assert response.status_code == 201, response.text
    run = wait_run(client, response.json()["id"])
    assert run["status"] == "succeeded"
    assert run["outputs"] == {"j": {"text": "hello, fox"}}
