"""The fault suite: real processes (Redis, PostgreSQL, API, workers) killed and
restarted under running work. Each test asserts exact outputs and complete,
ordered event logs. The servers here are this module's own, since tests stop them."""

from __future__ import annotations

import re
import signal
import threading
import time
import uuid

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from tests import servers
from tests.helpers import events, submit, suspended_count, wait_run, wait_until
from tests.providers.stubs import FAL_KEY, fal_jobs, fal_stub

pytestmark = [pytest.mark.faults, pytest.mark.distributed]

LEASE = 5
"""FUSIONFLOW_LEASE_SECONDS in these tests: lost work must come back within it."""


@pytest.fixture(scope="module")
def own_redis():
    with servers.redis_server() as server:
        yield server


@pytest.fixture(scope="module")
def own_postgres():
    with servers.postgres_server() as server:
        yield server


@pytest.fixture
def env(own_redis, own_postgres, tmp_path) -> dict[str, str]:
    return {"FUSIONFLOW_HOME": str(tmp_path), "FUSIONFLOW_DATABASE_URL": own_postgres.create_database(),
            "FUSIONFLOW_REDIS_URL": own_redis.url, "FUSIONFLOW_QUEUE": f"q{uuid.uuid4().hex[:8]}",
            "FUSIONFLOW_LEASE_SECONDS": str(LEASE), "FUSIONFLOW_RETRY_BASE_MS": "50",
            "FUSIONFLOW_RETRY_MAX_MS": "500"}


@contextmanager
def deployment(env: dict[str, str], workers: int, threads: int = 4) -> Iterator[tuple[httpx.Client, servers.WorkerPool]]:
    """An API process (this one's thread) and ``workers`` worker processes, as deployed."""
    pool = servers.WorkerPool(env, threads=threads)
    with servers.live_server(env, executes=False) as live, httpx.Client(base_url=live.url, timeout=30) as client:
        try:
            for _ in range(workers):
                pool.add()
            yield client, pool
        finally:
            pool.close()


def tagged_chain(tag: str, steps: int = 13, seconds: float = 0.1, wait_steps: int = 1) -> tuple[dict, str]:
    """A 40-node graph (``steps`` = 13) of waits (each reporting progress ``wait_steps``
    times) and joins, and the text its last node makes: each step waits, then appends its
    own number to what came before."""
    nodes = [{"id": "src", "type": "input.text", "params": {"default": tag}}]
    edges = []
    previous = "src.text"
    for i in range(steps):
        nodes += [{"id": f"w{i}", "type": "flow.wait", "params": {"seconds": seconds, "steps": wait_steps}},
                  {"id": f"n{i}", "type": "input.text", "params": {"default": str(i)}},
                  {"id": f"j{i}", "type": "text.join"}]
        edges += [{"from": previous, "to": f"w{i}.value"}, {"from": f"w{i}.value", "to": f"j{i}.parts"},
                  {"from": f"n{i}.text", "to": f"j{i}.parts"}]
        previous = f"j{i}.text"
    return {"version": 1, "nodes": nodes, "edges": edges}, tag + "".join(str(i) for i in range(steps))


def assert_complete_log(client: httpx.Client, run: dict) -> None:
    """Numbered 1..N with no gap or repeat, one terminal event per node, the run's last."""
    log = events(client, run["id"])
    assert [int(event_id) for event_id, _, _ in log] == list(range(1, len(log) + 1))
    terminal = [data["node_id"] for _, kind, data in log
                if kind in ("node.succeeded", "node.failed", "node.skipped", "node.cancelled")]
    assert sorted(terminal) == sorted(run["nodes"])
    assert log[0][1] == "run.started" and log[-1][1] == "run.succeeded"


def test_workers_killed_mid_run_lose_no_run_and_no_output(env):
    with deployment(env, workers=4, threads=2) as (client, pool):
        graphs = [tagged_chain(f"run{k}-") for k in range(6)]
        runs = [submit(client, graph)["id"] for graph, _ in graphs]
        for _ in range(5):  # five kills about a second apart, each worker replaced at once
            alive = [p for p in pool.processes if p.poll() is None]
            started = [p for p in alive if pool.started(p)]
            if not started:  # the replacements are still importing: kill one once it works
                pool.wait_started(alive[0])
                started = alive[:1]
            started[0].send_signal(signal.SIGKILL)
            started[0].wait(5)
            pool.add(wait=False)
            time.sleep(1)  # the schedule of the kills, not a wait for a condition
        last_kill = time.monotonic()
        finals = [wait_run(client, run_id, timeout=2 * LEASE + 60) for run_id in runs]
        took = time.monotonic() - last_kill
        for final, (_, expected) in zip(finals, graphs):
            assert final["status"] == "succeeded", {n: s["status"] for n, s in final["nodes"].items()}
            assert final["outputs"] == {"j12": {"text": expected}}
            assert_complete_log(client, final)
    assert took < 2 * LEASE + 30, f"the runs took {took:.0f} s after the last kill"


def test_a_worker_serves_its_own_metrics_with_the_recovery_it_did(env):
    port = servers.free_port()
    graph, _ = tagged_chain("metrics-", steps=3, seconds=1.0, wait_steps=2)
    with deployment({**env, "FUSIONFLOW_METRICS_PORT": str(port)}, workers=0) as (client, pool):
        doomed = pool.add()
        run = submit(client, graph)
        events(client, run["id"], until="node.progress")  # half way: the wait runs for another 0.5 s
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(5)
        pool.add()  # finds the dead worker's node once its lease runs out, and sends it again
        assert wait_run(client, run["id"], timeout=2 * LEASE + 60)["status"] == "succeeded"
        text = httpx.get(f"http://127.0.0.1:{port}/").text
    assert re.search(r"^fusionflow_lease_expiries_total [1-9]", text, re.M), text
    assert re.search(r"^fusionflow_resends_total [1-9]", text, re.M)


def test_a_redis_restart_mid_run_loses_nothing(env, own_redis):
    graph, expected = tagged_chain("redis-", steps=10, seconds=0.3)
    with deployment(env, workers=2) as (client, _):
        run = submit(client, graph)
        seen: list[tuple[str, str, dict]] = []
        listener = threading.Thread(target=lambda: seen.extend(events(client, run["id"], timeout=120)))
        listener.start()
        events(client, run["id"], until="node.succeeded")  # mid-run: the first nodes are done
        own_redis.stop()
        try:
            health = client.get("/health")
        finally:
            own_redis.start()
        final = wait_run(client, run["id"], timeout=2 * LEASE + 60)
        listener.join(60)
    assert health.status_code == 503 and health.json()["checks"]["broker"].startswith("error")
    assert health.json()["checks"]["database"] == "ok"
    assert final["status"] == "succeeded" and final["outputs"] == {"j9": {"text": expected}}
    assert [int(event_id) for event_id, _, _ in seen] == list(range(1, len(seen) + 1))
    assert seen[-1][1] == "run.succeeded"


def test_a_postgres_restart_is_503_while_it_is_down_and_the_run_finishes(env, own_postgres):
    graph, expected = tagged_chain("pg-", steps=8, seconds=0.3)
    with deployment(env, workers=1) as (client, _):
        run = submit(client, graph)
        events(client, run["id"], until="node.succeeded")
        own_postgres.stop()
        try:
            during = client.get(f"/api/runs/{run['id']}")
            listing = client.get("/api/runs")
            health = client.get("/health")
        finally:
            own_postgres.start()
        final = wait_run(client, run["id"], timeout=2 * LEASE + 60)
        assert_complete_log(client, final)
    for response in (during, listing):
        assert response.status_code == 503, response.text
        assert response.json()["error"]["code"] == "unavailable"
    checks = health.json()["checks"]  # /health names what is down
    assert health.status_code == 503 and checks["database"].startswith("error") and checks["broker"] == "ok"
    assert final["status"] == "succeeded" and final["outputs"] == {"j7": {"text": expected}}


def test_sigterm_lets_short_nodes_finish_and_hands_long_ones_back_at_once(env):
    env = {**env, "FUSIONFLOW_LEASE_SECONDS": "120", "FUSIONFLOW_STOP_GRACE_SECONDS": "3"}
    graph = {"version": 1, "nodes": [
        {"id": "short", "type": "flow.wait", "params": {"seconds": 1.0}},
        {"id": "long", "type": "flow.wait", "params": {"seconds": 15.0, "steps": 30}}], "edges": []}
    with deployment(env, workers=1) as (client, pool):
        stopping = pool.processes[0]
        run = submit(client, graph)
        events(client, run["id"], until="node.progress")  # both are running on the only worker
        pool.add()
        stopped_at = time.monotonic()
        stopping.send_signal(signal.SIGTERM)
        assert stopping.wait(20) == 0, pool.output(stopping)
        final = wait_run(client, run["id"], timeout=60)
        took = time.monotonic() - stopped_at
        log = events(client, run["id"])
    assert final["status"] == "succeeded"
    assert final["nodes"]["short"]["attempts"] == 1  # finished on the stopping worker
    assert final["nodes"]["long"]["attempts"] == 2  # handed back, run again elsewhere
    handed = [data for _, kind, data in log if kind == "node.retrying"]
    assert [(d["node_id"], d["error"]["type"]) for d in handed] == [("long", "handed_back")]
    assert took < 45, f"{took:.0f} s: the long node waited for something (its lease is 120 s)"


def test_fifty_listeners_across_an_api_restart_lose_and_repeat_nothing(env):
    from orchestrator.client import iter_sse

    graph = {"version": 1, "nodes": [{"id": "tick", "type": "flow.wait", "params": {"seconds": 8, "steps": 40}}],
             "edges": []}
    seen: list[list[int]] = [[] for _ in range(50)]
    started = threading.Semaphore(0)
    second_url: list[str] = []
    second_ready = threading.Event()

    def listen(index: int, first_url: str, run_id: str) -> None:
        mine = seen[index]
        url, headers = first_url, {}
        while True:
            try:
                with httpx.stream("GET", f"{url}/api/runs/{run_id}/events", headers=headers, timeout=30) as response:
                    for event_id, kind, _ in iter_sse(response):
                        mine.append(int(event_id))
                        if len(mine) == 3:
                            started.release()
                        if kind.startswith("run."):
                            if kind != "run.started":
                                return
            except httpx.HTTPError:
                pass  # the API went away mid-stream: reconnect where the browser's EventSource would
            second_ready.wait(60)
            url, headers = second_url[0], {"Last-Event-ID": str(mine[-1])} if mine else {}

    pool = servers.WorkerPool(env, threads=4)
    try:
        with servers.live_server(env, executes=False) as first:  # (it makes the schema)
            pool.add()
            run_id = httpx.post(f"{first.url}/api/runs", json={"graph": graph}).json()["id"]
            listeners = [threading.Thread(target=listen, args=(i, first.url, run_id)) for i in range(50)]
            for listener in listeners:
                listener.start()
            for _ in listeners:
                assert started.acquire(timeout=60)
        with servers.live_server(env, executes=False) as second:
            second_url.append(second.url)
            second_ready.set()
            for listener in listeners:
                listener.join(90)
            total = len(events(httpx.Client(base_url=second.url, timeout=30), run_id))
    finally:
        pool.close()
    for ids in seen:
        assert ids == list(range(1, total + 1))


def test_suspended_fal_jobs_outlive_the_worker_that_submitted_them(env):
    """Suspended nodes belong to no worker: the one that submitted their jobs is killed,
    another's pollers follow the jobs, and each job is submitted once."""
    with fal_stub() as fal:
        fal.hold()
        env = {**env, "FAL_KEY": FAL_KEY, "FAL_QUEUE_URL": fal.queue_url, "FAL_POLL_INTERVAL": "0.2",
               "FUSIONFLOW_ALLOW_PRIVATE_URLS": "true"}
        with deployment(env, workers=0) as (client, pool):
            doomed = pool.add()
            run = submit(client, fal_jobs(5))
            wait_until(lambda: suspended_count(client) == 5, timeout=60)
            doomed.send_signal(signal.SIGKILL)
            doomed.wait(5)
            pool.add()
            fal.release()
            final = wait_run(client, run["id"], timeout=2 * LEASE + 60)
            assert final["status"] == "succeeded"
            assert all(node["attempts"] == 1 for node in final["nodes"].values())
            assert_complete_log(client, final)
        assert sorted(r.body["n"] for r in fal.submissions) == list(range(5))  # none submitted twice
