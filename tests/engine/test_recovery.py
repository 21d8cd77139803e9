"""Durability: runs survive a worker killed mid-node, an API restart, and an embedded restart."""

from __future__ import annotations

import signal

import httpx
import pytest

from tests import servers
from tests.helpers import events, graph, node, submit, wait_run, wait_until

SLOW = graph([node("slow", "flow.wait", seconds=1.5, steps=3), node("after", "flow.wait", seconds=0)],
             [{"from": "slow.value", "to": "after.value"}])


@pytest.mark.distributed
def test_a_killed_worker_is_replaced_when_its_lease_runs_out(distributed_env):
    env = {**distributed_env, "FUSIONFLOW_LEASE_SECONDS": "2"}
    with servers.live_server(env) as live, httpx.Client(base_url=live.url, timeout=30) as client:
        with servers.worker_processes(env, 1) as (doomed,):
            run = submit(client, SLOW)
            wait_until(lambda: client.get(f"/api/runs/{run['id']}").json()["nodes"]["slow"]["status"] == "running")
            doomed.send_signal(signal.SIGKILL)
            doomed.wait(10)
        with servers.worker_processes(env, 1):
            final = wait_run(client, run["id"])
    assert final["status"] == "succeeded"
    assert final["nodes"]["slow"]["attempts"] == 2
    assert final["nodes"]["after"]["status"] == "succeeded"


@pytest.mark.distributed
def test_events_resume_across_an_api_restart(distributed_env):
    with servers.worker_processes(distributed_env, 1):
        with servers.live_server(distributed_env) as first, httpx.Client(base_url=first.url, timeout=30) as client:
            run = submit(client, SLOW)
            seen = events(client, run["id"], until="node.progress")
        with servers.live_server(distributed_env) as second, httpx.Client(base_url=second.url, timeout=30) as client:
            rest = events(client, run["id"], headers={"Last-Event-ID": seen[-1][0]})
            full = events(client, run["id"])
    assert seen + rest == full
    assert full[-1][1] == "run.succeeded"


def test_an_embedded_restart_finishes_queued_work(embedded_env):
    with servers.live_server(embedded_env) as live, httpx.Client(base_url=live.url, timeout=30) as client:
        live.runtime.stop_workers()  # nothing runs: the run's first node stays queued
        run = submit(client, graph([node("t", "input.text", default="survived")]))
    with servers.live_server(embedded_env) as live, httpx.Client(base_url=live.url, timeout=30) as client:
        final = wait_run(client, run["id"])
    assert final["status"] == "succeeded" and final["outputs"] == {"t": {"text": "survived"}}
