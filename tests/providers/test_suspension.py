"""Long provider jobs suspend: a node waiting on fal holds a row, not a worker thread.

Against the fal stub, in both modes: a held request leaves its node ``running`` and
counted as suspended while no thread waits on it; fal's webhook wakes it at once; and
200 long jobs on one worker of 4 threads all make progress while a short node starts
at once."""

from __future__ import annotations

import uuid
from contextlib import ExitStack
from datetime import datetime

import httpx
import pytest

from tests import servers
from tests.helpers import events, suspended_count, wait_run, wait_until
from tests.providers.stubs import fal_jobs


def _at(ts: str) -> float:
    return datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp()


@pytest.fixture
def held(fal):
    """fal-ai/held: a request queues, then runs (a quarter done) until the test calls ``fal.release``."""
    return fal.hold()


def test_a_node_waiting_on_fal_is_suspended_then_resumes_in_the_same_attempt(client, fal, held):
    run_id = client.post("/api/runs", json={"graph": fal_jobs(1)}).json()["id"]
    wait_until(lambda: suspended_count(client) == 1, timeout=30)
    wait_until(lambda: fal.status_calls >= 3, timeout=30)  # the pollers keep looking
    assert client.get(f"/api/runs/{run_id}").json()["nodes"]["job0"]["status"] == "running"
    fal.release()
    run = wait_run(client, run_id)
    assert run["status"] == "succeeded", run["nodes"]["job0"]["error"]
    assert run["nodes"]["job0"]["attempts"] == 1 and run["nodes"]["job0"]["outputs"]["image"] is not None
    assert len(fal.submissions) == 1  # resumed, never submitted again
    log = events(client, run_id)
    assert [kind for _, kind, _ in log].count("node.started") == 1
    progress = [(d["message"], d["progress"]) for _, k, d in log if k == "node.progress"]
    assert ("step 1/4", 0.25) in progress  # seen by a poller while the node held no thread
    assert suspended_count(client) == 0


def own_deployment(request, mode: str) -> dict[str, str]:
    """The mode's environment with a database and queue of this test's own (the module's
    shared server and its workers keep theirs)."""
    env = dict(request.getfixturevalue(f"{mode}_env"))
    if mode == "distributed":
        env.update({"FUSIONFLOW_DATABASE_URL": request.getfixturevalue("postgres").create_database(),
                    "FUSIONFLOW_QUEUE": f"q{uuid.uuid4().hex[:8]}"})
    else:
        env["FUSIONFLOW_HOME"] = str(request.getfixturevalue("tmp_path"))
    return env


@pytest.fixture(params=["embedded", "distributed"])
def slow_polling(request):
    """A server whose pollers look at a request only every 10 minutes unless fal's
    webhook calls (its workers know the public address, as deployed)."""
    env = {**own_deployment(request, request.param), "FAL_WEBHOOK_POLL_SECONDS": "600"}
    with ExitStack() as stack:
        live = stack.enter_context(servers.live_server(env))
        if request.param == "distributed":
            stack.enter_context(servers.worker_processes({**env, "FUSIONFLOW_PUBLIC_URL": live.url}, 1))
        yield stack.enter_context(httpx.Client(base_url=live.url, timeout=30))


def test_fals_webhook_resumes_the_node_at_once(slow_polling, fal, held):
    client = slow_polling
    run_id = client.post("/api/runs", json={"graph": fal_jobs(1)}).json()["id"]
    wait_until(lambda: suspended_count(client) == 1, timeout=30)
    request = fal.submissions[0]
    assert request.webhook and request.webhook.startswith(str(client.base_url).rstrip("/") + "/api/job-webhooks/")
    calls_before = fal.status_calls
    fal.release()
    run = wait_run(client, run_id, timeout=60)  # well before the next look, 10 minutes away
    assert run["status"] == "succeeded"
    assert fal.webhook_calls == [(request.id, 204)]
    assert fal.status_calls - calls_before <= 3  # one look after the call; the resumed node checks and fetches
    assert len(fal.submissions) == 1
    # a forged or replayed call is a 404 and wakes nothing
    assert client.post(request.webhook, json={"status": "OK"}).status_code == 404
    assert client.post(request.webhook[:-3] + "xyz", json={}).status_code == 404
    overlong = client.post("/api/job-webhooks/" + "x" * 1001, json={})  # bad input: a 4xx naming it
    assert overlong.status_code == 400 and "token" in overlong.text


@pytest.mark.distributed
def test_200_long_fal_jobs_on_4_threads_all_progress_and_a_short_node_starts_at_once(request, fal, held):
    env = {**own_deployment(request, "distributed"), "FAL_POLL_INTERVAL": "1",
           "FUSIONFLOW_LONG_THREADS": "4"}  # fal.run is long: these 4 threads take all 200
    with servers.live_server(env) as live, servers.worker_processes(env, 1, threads=4), \
            httpx.Client(base_url=live.url, timeout=60) as client:
        long_run = client.post("/api/runs", json={"graph": fal_jobs(200)}).json()["id"]
        wait_until(lambda: suspended_count(client) == 200, timeout=120, interval=0.5)
        # every job is followed by the pollers meanwhile: each node reports fal's progress
        wait_until(lambda: _progressed(client, long_run) == 200, timeout=60, interval=0.5)

        short = client.post("/api/runs", json={"graph": {"version": 1, "nodes": [
            {"id": "now", "type": "input.text", "params": {"default": "now"}}], "edges": []}}).json()
        log = events(client, short["id"])
        started = next(d for _, k, d in log if k == "node.started")
        waited = _at(started["ts"]) - _at(short["created_at"])
        assert waited < 0.1, f"the short node started {waited * 1000:.0f} ms after it was submitted"

        fal.release()
        run = wait_run(client, long_run, timeout=180)
        assert run["status"] == "succeeded"
        assert all(n["attempts"] == 1 for n in run["nodes"].values())
        assert len(fal.submissions) == 200  # each job submitted once
        assert sorted(r.body["n"] for r in fal.submissions) == list(range(200))


def _progressed(client: httpx.Client, run_id: str) -> int:
    """How many of the run's nodes a poller has seen running on fal (a quarter done)."""
    nodes = client.get(f"/api/runs/{run_id}").json()["nodes"]
    return sum(1 for n in nodes.values() if n["status"] == "running" and n["progress"] == 0.25)
