"""Small helpers shared by tests: wait for a run through its event stream, read events."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from orchestrator.client import iter_sse

TERMINAL = {"run.succeeded", "run.failed", "run.cancelled"}


def events(client: httpx.Client, run_id: str, *, headers: dict | None = None, after: int | None = None,
           timeout: float = 60, until: str | None = None) -> list[tuple[str, str, dict]]:
    """The run's events (id, type, data) through the real SSE route, up to the terminal
    one (or the first of type ``until``, leaving the stream there)."""
    stop = {until} if until else TERMINAL
    params = {"after": after} if after is not None else None
    out = []
    with client.stream("GET", f"/api/runs/{run_id}/events", headers=headers, params=params,
                       timeout=httpx.Timeout(timeout)) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        for event_id, event_type, data in iter_sse(response):
            out.append((event_id, event_type, json.loads(data)))
            if event_type in stop:
                break
    return out


def suspended_count(client: httpx.Client) -> int:
    """Nodes waiting on a provider's job with no thread held, as ``/metrics`` reports them."""
    text = client.get("/metrics").text
    match = re.search(r'^fusionflow_active_nodes\{status="suspended"\} (\S+)$', text, re.M)
    return int(float(match.group(1))) if match else 0


def wait_run(client: httpx.Client, run_id: str, timeout: float = 60) -> dict:
    """Wait for the run's terminal event (no polling), then return the run."""
    events(client, run_id, timeout=timeout)
    return client.get(f"/api/runs/{run_id}").json()


def node(node_id: str, node_type: str, **params) -> dict:
    return {"id": node_id, "type": node_type, "params": params}


def edge(source: str, target: str) -> dict:
    return {"from": source, "to": target}


def graph(nodes: list[dict], edges: list[dict] = (), **extra) -> dict:
    return {"version": 1, "nodes": nodes, "edges": list(edges), **extra}


def submit(client: httpx.Client, g: dict, inputs: dict | None = None, **extra) -> dict:
    response = client.post("/api/runs", json={"graph": g, "inputs": inputs or {}, **extra})
    assert response.status_code == 201, response.text
    return response.json()


def wait_until(condition, timeout: float = 10.0, interval: float = 0.02):
    """Poll ``condition`` (a quick read) until it returns something truthy."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


def server_env(extra: dict[str, str]):
    """Module fixtures that start this module's servers, in both modes, with ``extra``
    settings: ``embedded_env, distributed_env = server_env({...})`` at module level."""

    @pytest.fixture(scope="module", name="embedded_env")
    def embedded(embedded_env):
        return {**embedded_env, **extra}

    @pytest.fixture(scope="module", name="distributed_env")
    def distributed(distributed_env):
        return {**distributed_env, **extra}

    return embedded, distributed
