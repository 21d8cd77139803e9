"""Every node has a time limit: its ``timeout`` param, else its type's default."""

from __future__ import annotations

from tests.helpers import graph, node, submit, wait_run


def test_a_node_past_its_time_limit_fails_in_words_and_its_descendants_are_skipped(client):
    slow = graph([node("slow", "flow.wait", seconds=30, steps=60, timeout=0.5), node("after", "flow.wait")],
                 [{"from": "slow.value", "to": "after.value"}])
    run = wait_run(client, submit(client, slow)["id"], timeout=30)
    assert run["status"] == "failed"
    state = run["nodes"]["slow"]
    assert state["error"]["type"] == "timeout"
    assert "time limit of 0.5 s" in state["error"]["message"] and "timeout" in state["error"]["message"]
    assert run["nodes"]["after"]["status"] == "skipped"


def test_every_node_type_takes_a_timeout_and_a_bad_one_is_refused(client):
    catalog = client.get("/api/nodes").json()["nodes"]
    assert all("timeout" in t["params"]["properties"] for t in catalog)
    bad = client.post("/api/runs", json={"graph": graph([node("w", "flow.wait", timeout=-1)], [])})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["param"] == "timeout"
