"""Runs (contract section 3), in both modes, over real HTTP."""

from __future__ import annotations

import time

from tests.helpers import edge, events, graph, node, submit, wait_run, wait_until

HELLO = graph([node("a", "input.text", name="subject", default="a lighthouse"),
               node("b", "input.text", default="oil painting"),
               node("j", "text.join", separator=", ")],
              [edge("a.text", "j.parts"), edge("b.text", "j.parts")], name="hello", ui={"positions": {"a": [0, 0]}})


def test_create_answers_201_with_the_run(client):
    run = submit(client, HELLO, {"subject": "a fox"})
    assert run["id"].startswith("r_")
    assert run["status"] in ("queued", "running", "succeeded")
    assert run["graph_id"] is None and run["graph_version"] is None
    assert run["created_at"].endswith("Z")
    assert set(run["nodes"]) == {"a", "b", "j"}
    for state in run["nodes"].values():
        assert {"status", "progress", "cached", "attempts", "outputs", "error", "started_at", "finished_at"} <= set(state)
    final = wait_run(client, run["id"])
    assert final["status"] == "succeeded" and final["finished_at"], final["nodes"]
    assert final["outputs"] == {"j": {"text": "a fox, oil painting"}}
    assert final["nodes"]["j"]["outputs"] == {"text": "a fox, oil painting"}
    assert final["graph"]["ui"] == {"positions": {"a": [0, 0]}}


def test_malformed_bodies_are_400(client):
    for body in (b"{nope", b'{"graph": {"version": 2, "nodes": []}}', b'{"graph": {"version": 1, "nodes": "x"}}',
                 b'{"graph": {"version": 1, "nodes": [], "edges": [{"from": "ab", "to": "c.d"}]}}'):
        response = client.post("/api/runs", content=body, headers={"content-type": "application/json"})
        assert response.status_code == 400, (body, response.text)
        assert response.json()["error"]["message"]


def test_invalid_graph_is_422_with_every_error_and_writes_nothing(client):
    before = client.get("/api/runs", params={"limit": 200}).json()["runs"]
    bad = graph([node("a", "input.text"), node("j", "text.join", sep="x"), node("z", "no.such")],
                [edge("a.text", "j.parts"), edge("a.text", "q.parts")])
    response = client.post("/api/runs", json={"graph": bad, "inputs": {"nope": 1}})
    assert response.status_code == 422
    found = sorted(e["code"] for e in response.json()["errors"])
    assert found == ["invalid_param", "unknown_input", "unknown_node", "unknown_node_type"]
    assert client.get("/api/runs", params={"limit": 200}).json()["runs"] == before


def test_run_inputs_of_the_wrong_type_are_422(client):
    response = client.post("/api/runs", json={"graph": HELLO, "inputs": {"subject": 3}})
    assert response.status_code == 422
    assert response.json()["errors"][0] | {"message": ""} == {"code": "invalid_input", "input": "subject", "message": ""}


def test_a_failure_skips_only_its_descendants(client):
    g = graph([node("a", "input.text", default="x"), node("bad", "flow.fail", message="boom"),
               node("after", "flow.wait", seconds=0), node("other", "text.join")],
              [edge("a.text", "bad.value"), edge("bad.value", "after.value"), edge("a.text", "other.parts")])
    run = wait_run(client, submit(client, g)["id"])
    assert run["status"] == "failed"
    assert run["nodes"]["bad"]["status"] == "failed"
    assert run["nodes"]["bad"]["error"] == {"type": "node_error", "message": "boom"}
    assert run["nodes"]["after"]["status"] == "skipped"
    assert run["nodes"]["other"]["status"] == "succeeded"
    assert run["outputs"] == {"other": {"text": "x"}}


def test_transient_errors_retry_with_backoff(client):
    g = graph([node("flaky", "flow.fail", message="rate limited", times=1)])
    run = submit(client, g)
    log = events(client, run["id"])
    retrying = [data for _, kind, data in log if kind == "node.retrying"]
    assert len(retrying) == 1
    assert retrying[0]["attempt"] == 1 and retrying[0]["delay_ms"] > 0
    assert "rate limited" in retrying[0]["error"]["message"]
    started = [data["attempt"] for _, kind, data in log if kind == "node.started"]
    assert started == [1, 2]
    final = client.get(f"/api/runs/{run['id']}").json()
    assert final["status"] == "succeeded" and final["nodes"]["flaky"]["attempts"] == 2


def test_retries_are_bounded(client):
    run = wait_run(client, submit(client, graph([node("flaky", "flow.fail", message="down", times=10)]))["id"])
    assert run["status"] == "failed"
    assert run["nodes"]["flaky"]["attempts"] == 3
    assert "gave up after 3 attempts" in run["nodes"]["flaky"]["error"]["message"]


def test_cancel_stops_running_and_queued_nodes(client):
    g = graph([node("slow", "flow.wait", seconds=30, steps=30), node("next", "flow.wait", seconds=0)],
              [edge("slow.value", "next.value")])
    run = submit(client, g)
    wait_until(lambda: client.get(f"/api/runs/{run['id']}").json()["nodes"]["slow"]["status"] == "running")
    started = time.monotonic()
    response = client.post(f"/api/runs/{run['id']}/cancel")
    assert response.status_code == 202
    assert response.json()["nodes"]["next"]["status"] == "cancelled"
    final = wait_run(client, run["id"])
    assert time.monotonic() - started < 2.0
    assert final["status"] == "cancelled"
    assert final["nodes"]["slow"]["status"] == "cancelled"
    again = client.post(f"/api/runs/{run['id']}/cancel")
    assert again.status_code == 409 and again.json()["error"]["code"] == "run_finished"


def test_unknown_run_is_404(client):
    for response in (client.get("/api/runs/r_nope"), client.post("/api/runs/r_nope/cancel"),
                     client.get("/api/runs/r_nope/events")):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_list_is_newest_first_with_a_cursor_and_filters(client):
    ids = [submit(client, HELLO, {"subject": f"s{i}"})["id"] for i in range(3)]
    for run_id in ids:
        wait_run(client, run_id)
    page = client.get("/api/runs", params={"limit": 2}).json()
    assert [r["id"] for r in page["runs"]] == ids[::-1][:2]
    assert page["next_cursor"]
    rest = client.get("/api/runs", params={"limit": 2, "cursor": page["next_cursor"]}).json()
    assert rest["runs"][0]["id"] == ids[0]
    failed = client.get("/api/runs", params={"status": "failed", "limit": 200}).json()["runs"]
    assert failed and all(r["status"] == "failed" for r in failed)
    for bad in ({"limit": 0}, {"limit": 201}, {"status": "sleeping"}):
        assert client.get("/api/runs", params=bad).status_code == 400


def test_identical_work_is_cached(client):
    g = graph([node("a", "input.text", default="cache me"), node("j", "text.join")], [edge("a.text", "j.parts")])
    first = wait_run(client, submit(client, g)["id"])
    second = wait_run(client, submit(client, g)["id"])
    assert first["nodes"]["j"]["cached"] is False
    assert second["nodes"]["j"]["cached"] is True
    assert second["outputs"] == first["outputs"]
    fresh = wait_run(client, submit(client, g, cache=False)["id"])
    assert fresh["nodes"]["j"]["cached"] is False


def test_estimate_validates_and_prices_without_running(client):
    before = len(client.get("/api/runs", params={"limit": 200}).json()["runs"])
    response = client.post("/api/runs/estimate", json={"graph": HELLO, "inputs": {}})
    assert response.status_code == 200
    assert response.json() == {"cost": 0.0, "currency": "USD", "nodes": {"a": 0.0, "b": 0.0, "j": 0.0}}
    assert len(client.get("/api/runs", params={"limit": 200}).json()["runs"]) == before
    assert client.post("/api/runs/estimate", json={"graph": graph([node("j", "text.join")])}).status_code == 422


def test_a_run_takes_a_priority_and_shows_it(client):
    assert submit(client, HELLO)["priority"] == "normal"
    high = submit(client, HELLO, priority="high")
    assert high["priority"] == "high"
    assert wait_run(client, high["id"])["priority"] == "high"
    listed = client.get("/api/runs", params={"limit": 5}).json()["runs"]
    assert next(r for r in listed if r["id"] == high["id"])["priority"] == "high"

    again = client.post(f"/api/runs/{high['id']}/rerun", json={})  # a rerun keeps it unless told otherwise
    assert again.status_code == 201 and again.json()["priority"] == "high"
    low = client.post(f"/api/runs/{high['id']}/rerun", json={"priority": "low"})
    assert low.status_code == 201 and low.json()["priority"] == "low"

    template = client.post("/api/graphs", json={"name": "prioritised", "graph": HELLO}).json()
    run = client.post(f"/api/graphs/{template['id']}/runs", json={"priority": "low"})
    assert run.status_code == 201 and run.json()["priority"] == "low"
    for run_id in (again.json()["id"], low.json()["id"], run.json()["id"]):
        assert wait_run(client, run_id)["status"] == "succeeded"


def test_an_unknown_priority_is_400_naming_it_and_writes_nothing(client):
    earlier = submit(client, HELLO)["id"]
    template = client.post("/api/graphs", json={"name": "urgent", "graph": HELLO}).json()
    before = [r["id"] for r in client.get("/api/runs", params={"limit": 200}).json()["runs"]]
    for path, body in (("/api/runs", {"graph": HELLO, "priority": "urgent"}),
                       ("/api/runs", {"graph": HELLO, "priority": 1}),
                       (f"/api/runs/{earlier}/rerun", {"priority": "HIGH"}),
                       (f"/api/graphs/{template['id']}/runs", {"priority": None})):
        response = client.post(path, json=body)
        assert response.status_code == 400, (path, body, response.text)
        assert "priority" in response.json()["error"]["message"], response.text
    assert [r["id"] for r in client.get("/api/runs", params={"limit": 200}).json()["runs"]] == before
