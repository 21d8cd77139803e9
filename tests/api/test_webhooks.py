"""Webhooks: a run's end POSTed, signed, retried, logged (contract section 13). The receiver
is a real HTTP server on loopback, so these servers allow private URLs."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest

from orchestrator.settings import load
from orchestrator.webhooks.sender import next_step
from tests.api.webhook_receiver import start_receiver
from tests.helpers import edge, graph, node, server_env, submit, wait_run, wait_until

TRIGGERS = {"FUSIONFLOW_ALLOW_PRIVATE_URLS": "true", "FUSIONFLOW_TRIGGER_POLL_SECONDS": "0.1",
            "FUSIONFLOW_WEBHOOK_RETRY_BASE_SECONDS": "0.2"}


embedded_env, distributed_env = server_env(TRIGGERS)


@pytest.fixture
def receiver():
    receiver, server = start_receiver()
    yield receiver
    server.shutdown()


HELLO = graph([node("who", "input.text", default="world"), node("out", "output.text")], [edge("who.text", "out.value")])


def check_signature(secret: str, request) -> None:
    """Verify the header as a receiver would, by the documented recipe (not our code)."""
    fields = dict(part.split("=", 1) for part in request.headers["FusionFlow-Signature"].split(","))
    assert abs(time.time() - int(fields["t"])) < 60
    expected = hmac.new(secret.encode(), fields["t"].encode() + b"." + request.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(fields["v1"], expected)


def test_a_runs_end_is_posted_signed_with_its_summary(client, receiver):
    secret = client.get("/api/me/webhook-secret").json()["secret"]
    assert len(secret) >= 32 and client.get("/api/me/webhook-secret").json()["secret"] == secret
    run = submit(client, HELLO, {"who": "fox"}, webhook=receiver.url + "/hooks/ff")
    run = wait_run(client, run["id"])
    wait_until(lambda: receiver.requests, timeout=15)
    (request,) = receiver.requests
    assert request.path == "/hooks/ff" and request.headers["Content-Type"] == "application/json"
    check_signature(secret, request)
    summary = json.loads(request.body)
    assert summary == {"run_id": run["id"], "status": "succeeded", "outputs": {"out": "fox"}, "cost": 0,
                       "graph_id": None, "finished_at": run["finished_at"]}
    log = wait_until(lambda: (d := client.get(f"/api/runs/{run['id']}/webhook").json())["state"] == "delivered" and d)
    assert [(d["status_code"], d["error"]) for d in log["deliveries"]] == [(200, None)]


def test_failures_are_retried_with_backoff_and_logged(client, receiver):
    receiver.answers = [500, 503]
    failing = graph([node("bad", "flow.fail", message="on purpose")])
    run = wait_run(client, submit(client, failing, webhook=receiver.url)["id"])
    assert run["status"] == "failed"
    wait_until(lambda: len(receiver.requests) == 3, timeout=20)
    log = wait_until(lambda: (d := client.get(f"/api/runs/{run['id']}/webhook").json())["state"] == "delivered" and d)
    assert [d["status_code"] for d in log["deliveries"]] == [500, 503, 200]
    assert "HTTP 500" in log["deliveries"][0]["error"]
    assert {json.loads(r.body)["status"] for r in receiver.requests} == {"failed"}


def test_a_templates_webhook_serves_every_run_of_it(client, receiver):
    created = client.post("/api/graphs", json={"name": "hooked", "graph": HELLO, "webhook": receiver.url + "/t"})
    assert created.status_code == 201 and created.json()["webhook"] == receiver.url + "/t"
    template = created.json()
    first = client.post(f"/api/graphs/{template['id']}/runs", json={"inputs": {"who": "owl"}}).json()
    second = client.post(f"/api/graphs/{template['id']}/runs", json={"webhook": receiver.url + "/own"}).json()
    wait_until(lambda: len(receiver.requests) == 2, timeout=15)
    by_path = {r.path: json.loads(r.body) for r in receiver.requests}
    assert by_path["/t"]["run_id"] == first["id"] and by_path["/t"]["graph_id"] == template["id"]
    assert by_path["/own"]["run_id"] == second["id"]
    updated = client.put(f"/api/graphs/{template['id']}", json={"graph": HELLO, "webhook": None})
    assert updated.json()["webhook"] is None


def test_the_delivery_log_of_an_unknown_run_is_404(client):
    assert client.get("/api/runs/r_nope/webhook").status_code == 404


def test_retries_back_off_and_stop_after_a_day():
    settings = load({"FUSIONFLOW_WEBHOOK_RETRY_BASE_SECONDS": "10", "FUSIONFLOW_WEBHOOK_RETRY_MAX_SECONDS": "3600"})
    start, now, delays = 1_000_000.0, 1_000_000.0, []
    for attempt in range(1, 100):
        state, delay = next_step(settings, attempts=attempt, first=start, now=now, ok=False, final=False)
        if state == "failed":
            break
        delays.append(delay)
        now += delay
    assert delays[:4] == [10, 20, 40, 80] and max(delays) == 3600
    assert 23 * 3600 < now - start <= 24 * 3600  # retried for a day, then given up
    assert next_step(settings, attempts=1, first=start, now=start, ok=True, final=False)[0] == "delivered"
    assert next_step(settings, attempts=1, first=start, now=start, ok=False, final=True)[0] == "failed"
