"""Catalog, errors, health, metrics and the OpenAPI document (sections 6 and 8)."""

from __future__ import annotations

import re

from orchestrator.engine.queues import routes

REQUIRED = {
    "input.text": ({"name", "default"}, [], [("text", "text")]),
    "input.number": ({"name", "default"}, [], [("number", "number")]),
    "text.join": ({"separator"}, [("parts", "text", True, True)], [("text", "text")]),
    "flow.wait": ({"seconds", "steps"}, [("value", "any", False, False)], [("value", "any")]),
    "flow.fail": ({"message", "times"}, [("value", "any", False, False)], [("value", "any")]),
}


def test_catalog_describes_the_required_types(client):
    catalog = {entry["type"]: entry for entry in client.get("/api/nodes").json()["nodes"]}
    for type_name, (params, inputs, outputs) in REQUIRED.items():
        entry = catalog[type_name]
        assert entry["title"] and entry["category"] and isinstance(entry["description"], str)
        assert entry["params"]["type"] == "object" and params <= set(entry["params"]["properties"])
        assert [(p["name"], p["type"], p["required"], p["multiple"]) for p in entry["inputs"]] == inputs
        assert [(p["name"], p["type"]) for p in entry["outputs"]] == outputs
    assert catalog["text.join"]["params"]["properties"]["separator"]["default"] == ""
    wait = catalog["flow.wait"]["params"]["properties"]
    assert wait["steps"]["default"] == 1 and wait["steps"]["minimum"] == 1


def test_the_catalog_says_which_types_are_long(client):
    long = {entry["type"]: entry["long"] for entry in client.get("/api/nodes").json()["nodes"]}
    assert long["fal.run"] and long["lora.train"] and long["image.generate"] and long["flow.wait"]
    assert not long["text.join"] and not long["flow.fail"] and not long["video.trim"]


def test_health_reports_every_dependency(client, mode):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["mode"] == mode
    assert set(body["checks"]) == {"database", "broker", "bus", "storage"}


def test_metrics_are_prometheus_text(client):
    client.get("/api/nodes")
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    assert "fusionflow_http_requests_total" in response.text
    assert 'fusionflow_runs{status="succeeded"}' in response.text


def test_metrics_show_queues_listeners_and_recovery(client, server):
    run = client.post("/api/runs", json={"graph": {"version": 1, "nodes": [
        {"id": "w", "type": "flow.wait", "params": {"seconds": 5, "steps": 10}}], "edges": []}}).json()
    with client.stream("GET", f"/api/runs/{run['id']}/events") as stream:
        lines = stream.iter_lines()  # (kept: dropping the iterator closes the stream)
        assert next(lines) == ": connected"
        text = client.get("/metrics").text
    client.post(f"/api/runs/{run['id']}/cancel")
    assert re.search(r'^fusionflow_sse_listeners\{stream="run"\} [1-9]', text, re.M), text
    for route in routes(server.runtime.settings.queue_name):  # each kind's queue at each priority
        assert re.search(rf'^fusionflow_queue_depth\{{queue="{re.escape(route.queue)}"\}} \d', text, re.M), route
    for name in ("fusionflow_resends_total", "fusionflow_lease_expiries_total", "fusionflow_handbacks_total"):
        assert f"\n{name} " in text


def test_openapi_documents_every_route_and_the_streams(client):
    spec = client.get("/schema/openapi.json").json()
    paths = spec["paths"]
    for path in ("/api/runs", "/api/runs/{run_id}", "/api/runs/{run_id}/cancel", "/api/runs/estimate",
                 "/api/graphs", "/api/graphs/{graph_id}", "/api/graphs/{graph_id}/runs", "/api/nodes",
                 "/health", "/metrics", "/api/runs/{run_id}/events", "/api/events"):
        assert path in paths, path
    assert "text/event-stream" in paths["/api/runs/{run_id}/events"]["get"]["responses"]["200"]["content"]


def test_errors_have_one_shape(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert set(response.json()["error"]) == {"code", "message"}
    response = client.delete("/api/nodes")
    assert response.status_code == 405 and response.json()["error"]["code"] == "method_not_allowed"
