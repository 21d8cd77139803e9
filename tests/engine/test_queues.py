"""Short and long queues, and run priority, against a live server in both modes.

Long nodes (``NodeType.long``: here ``flow.wait``) have their own queues and threads,
so a burst of them cannot hold up short work; waiting nodes of a ``high`` run are
taken before those of ``normal`` runs."""

from __future__ import annotations

import uuid
from contextlib import ExitStack
from datetime import datetime

import httpx
import pytest

from tests import servers
from tests.helpers import edge, events, graph, node, submit, wait_run, wait_until

LONG_THREADS = 2


def _at(ts: str) -> float:
    return datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp()


@pytest.fixture(params=["embedded", "distributed"])
def deploy(request, tmp_path):
    """Starts a server whose nodes run on ``short`` and ``long`` threads (embedded: in it;
    distributed: in one worker process); returns a client of it."""
    with ExitStack() as stack:
        def start(*, short: int, long: int) -> httpx.Client:
            settings = {"FUSIONFLOW_WORKER_THREADS": str(short), "FUSIONFLOW_LONG_THREADS": str(long)}
            if request.param == "embedded":
                live = stack.enter_context(servers.live_server({"FUSIONFLOW_HOME": str(tmp_path), **settings}))
            else:
                env = {**request.getfixturevalue("distributed_env"), **settings,
                       "FUSIONFLOW_QUEUE": f"q{uuid.uuid4().hex[:8]}"}
                live = stack.enter_context(servers.live_server(env))
                stack.enter_context(servers.worker_processes(env, 1, threads=short))
            return stack.enter_context(httpx.Client(base_url=live.url, timeout=60))

        yield start


def flow_waits(client: httpx.Client, run_ids: list[str]) -> list[dict]:
    return [state for run_id in run_ids for state in client.get(f"/api/runs/{run_id}").json()["nodes"].values()
            if state["type"] == "flow.wait"]


def test_a_short_node_starts_at_once_while_long_nodes_fill_every_long_thread(deploy):
    client = deploy(short=2, long=LONG_THREADS)
    # Each run: a short root fanning out to three long waits. The root's thread runs none
    # of them inline (a successor runs inline only on a thread of its own kind), so the
    # waits hold the long threads only, and the other seven wait for them.
    burst = graph([node("src", "input.text", default="x"), *(node(f"w{i}", "flow.wait", seconds=60) for i in range(3))],
                  [edge("src.text", f"w{i}.value") for i in range(3)])
    runs = [submit(client, burst)["id"] for _ in range(3)]
    try:
        wait_until(lambda: sum(s["status"] == "running" for s in flow_waits(client, runs)) >= LONG_THREADS)
        quick = submit(client, graph([node("quick", "flow.fail", times=0)]))  # a short node
        assert wait_run(client, quick["id"], timeout=30)["status"] == "succeeded"
        waits = flow_waits(client, runs)
        assert not any(s["finished_at"] for s in waits)  # it did not wait for a long node to end
        assert sum(s["status"] == "running" for s in waits) == LONG_THREADS  # and no short thread holds one
    finally:
        for run_id in runs:
            client.post(f"/api/runs/{run_id}/cancel")


def test_a_high_priority_run_is_taken_before_the_normal_backlog(deploy):
    client = deploy(short=2, long=1)
    backlog = [submit(client, graph([node(f"w{i}", "flow.wait", seconds=1) for i in range(3)]))["id"]
               for _ in range(2)]
    events(client, backlog[0], until="node.started")  # the one long thread holds a wait; five are waiting
    high = submit(client, graph([node("urgent", "flow.wait", seconds=0)]), priority="high")
    assert high["priority"] == "high"
    urgent = wait_run(client, high["id"])["nodes"]["urgent"]
    waits = [state for run_id in backlog for state in wait_run(client, run_id)["nodes"].values()]
    behind = [s for s in waits if _at(s["started_at"]) > _at(high["created_at"])]
    assert len(behind) == 5, waits
    assert all(_at(urgent["started_at"]) < _at(s["started_at"]) for s in behind), (urgent, waits)


def test_a_worker_told_to_take_one_kind_leaves_the_other_to_workers_that_take_it(distributed_env):
    env = {**distributed_env, "FUSIONFLOW_QUEUE": f"q{uuid.uuid4().hex[:8]}"}
    with servers.live_server(env) as live, httpx.Client(base_url=live.url, timeout=60) as client, \
            servers.worker_processes(env, 1, args=("--queues", "short")):
        run = submit(client, graph([node("quick", "flow.fail", times=0), node("wait", "flow.wait", seconds=0)]))
        events(client, run["id"], until="node.succeeded")
        assert client.get(f"/api/runs/{run['id']}").json()["nodes"]["wait"]["status"] == "queued"
        assert live.runtime.queue_depths()[f"{env['FUSIONFLOW_QUEUE']}.long"] == 1  # waiting for a long thread
        with servers.worker_processes(env, 1, args=("--queues", "long")):
            done = wait_run(client, run["id"])
        assert done["status"] == "succeeded" and done["nodes"]["wait"]["status"] == "succeeded"
