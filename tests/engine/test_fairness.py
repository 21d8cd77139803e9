"""Fairness: a per-user cap on running nodes keeps one user's batch from holding every
worker thread (FUSIONFLOW_USER_MAX_RUNNING)."""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest

from orchestrator.store.users import create_user
from tests import servers
from tests.helpers import events, wait_run


def _at(ts: str) -> float:
    return datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp()


@pytest.fixture(params=["embedded", "distributed"])
def deployment(request, tmp_path):
    """A server with a cap of two running nodes per user (and, distributed, two workers of 4 threads)."""
    settings = {"FUSIONFLOW_AUTH": "required", "FUSIONFLOW_USER_MAX_RUNNING": "2", "FUSIONFLOW_WORKER_THREADS": "4"}
    if request.param == "embedded":
        env = {"FUSIONFLOW_HOME": str(tmp_path), **settings}
        with servers.live_server(env) as live:
            yield live
        return
    env = {**request.getfixturevalue("distributed_env"), **settings}
    with servers.live_server(env) as live, servers.worker_processes(env, 2):
        yield live


def test_another_users_node_starts_at_once_while_a_capped_batch_runs(deployment):
    batch = {"version": 1, "nodes": [{"id": f"w{i}", "type": "flow.wait", "params": {"seconds": 1.0}}
                                     for i in range(10)], "edges": []}
    one = {"version": 1, "nodes": [{"id": "only", "type": "flow.wait", "params": {"seconds": 0}}], "edges": []}
    live = deployment
    keys = [create_user(live.runtime.db, name)[1] for name in ("busy", "other")]
    busy, other = (httpx.Client(base_url=live.url, timeout=60, headers={"Authorization": f"Bearer {k}"})
                   for k in keys)
    big = busy.post("/api/runs", json={"graph": batch}).json()
    events(busy, big["id"], until="node.started")  # the batch holds its two threads
    sent = other.post("/api/runs", json={"graph": one}).json()
    log = events(other, sent["id"])
    big_log = events(busy, big["id"])
    assert wait_run(busy, big["id"])["status"] == "succeeded"
    started = next(d for _, k, d in log if k == "node.started")
    assert _at(started["ts"]) - _at(sent["created_at"]) < 1.0  # not behind the batch's eight waiting nodes
    running, most = 0, 0  # never more than two of the batch at once
    for _, kind, _ in big_log:
        running += {"node.started": 1, "node.succeeded": -1}.get(kind, 0)
        most = max(most, running)
    assert most == 2
