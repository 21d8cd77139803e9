"""Benchmarks of FusionFlow as a service, beside the per-graph ones in ``__main__``:

- throughput: many small runs at once, in nodes per second from the first submit
  to the last run's end (read from the user's event stream);
- SSE fan-out: many listeners on one run, the delay from an event's timestamp to
  its arrival at each listener (p50 and p99 over every delivery);
- a fully cached rerun against the same run uncached.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import httpx

from bench import graphs
from orchestrator.client import iter_sse
from tests.helpers import events

TERMINAL = ("run.succeeded", "run.failed", "run.cancelled")


def throughput(client: httpx.Client, runs: int = 100, size: int = 10) -> float:
    """Nodes per second over ``runs`` concurrent runs of a ``size``-node layered graph."""
    graph = graphs.layered(size, layers=max(2, size // 3), fan_in=2)
    ended = threading.Event()
    connected = threading.Event()
    finished_at: list[float] = []

    def watch() -> None:
        with client.stream("GET", "/api/events", timeout=httpx.Timeout(300)) as response:
            connected.set()
            count = 0
            for _, kind, _ in iter_sse(response):
                if kind in TERMINAL:
                    count += 1
                    if count == runs:
                        finished_at.append(time.perf_counter())
                        ended.set()
                        return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    connected.wait(30)
    started = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(
            lambda _: client.post("/api/runs", json={"graph": graph, "inputs": {}, "cache": False}), range(runs)))
    assert all(r.status_code == 201 for r in responses), responses[0].text
    if not ended.wait(300):
        raise RuntimeError("the throughput runs did not all end")
    return runs * len(graph["nodes"]) / (finished_at[0] - started)


def sse_fanout(base_url: str, listeners: int = 500, steps: int = 40) -> tuple[float, float, int]:
    """(p50, p99) seconds from an event's ``ts`` to its arrival, over every listener, and
    the number of deliveries. The run waits 2 s first so that every listener is attached,
    then makes ``steps`` progress events 50 ms apart."""
    graph = {"version": 1, "nodes": [
        {"id": "hold", "type": "flow.wait", "params": {"seconds": 2.0, "steps": 1}},
        {"id": "tick", "type": "flow.wait", "params": {"seconds": steps * 0.05, "steps": steps}}],
        "edges": [{"from": "hold.value", "to": "tick.value"}]}
    return asyncio.run(_fanout(base_url, graph, listeners))


async def _fanout(base_url: str, graph: dict, listeners: int) -> tuple[float, float, int]:
    limits = httpx.Limits(max_connections=listeners + 10, max_keepalive_connections=listeners + 10)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=httpx.Timeout(120)) as client:
        run = (await client.post("/api/runs", json={"graph": graph, "inputs": {}, "cache": False})).json()
        attached = asyncio.Semaphore(0)
        delays: list[float] = []

        async def listen() -> None:
            async with client.stream("GET", f"/api/runs/{run['id']}/events") as response:
                attached.release()
                async for line in response.aiter_lines():
                    if line.startswith("event: ") and line[7:] in TERMINAL:
                        return
                    if line.startswith("data:") and '"node_id":"tick"' in line:
                        delays.append(time.time() - _timestamp(json.loads(line[5:])["ts"]))

        tasks = [asyncio.create_task(listen()) for _ in range(listeners)]
        for _ in range(listeners):
            await attached.acquire()
        await asyncio.gather(*tasks)
    delays.sort()
    return statistics.median(delays), delays[int(len(delays) * 0.99) - 1], len(delays)


def _timestamp(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def timed_run(client: httpx.Client, graph: dict, *, cache: bool = False) -> float:
    """Seconds from submitting ``graph`` to its run's last event (which must be ``run.succeeded``)."""
    started = time.perf_counter()
    response = client.post("/api/runs", json={"graph": graph, "inputs": {}, "cache": cache})
    response.raise_for_status()
    log = events(client, response.json()["id"], timeout=300)
    elapsed = time.perf_counter() - started
    if log[-1][1] != "run.succeeded":
        raise RuntimeError(f"benchmark run ended {log[-1][1]}")
    return elapsed


def cached_rerun(client: httpx.Client, size: int = 300) -> tuple[float, float]:
    """(uncached, fully cached) seconds for the same ``size``-node chain."""
    graph = graphs.chain(size)
    graph["nodes"][0]["params"]["default"] = f"bench {time.time()}"  # a key no earlier run stored

    return timed_run(client, graph, cache=True), timed_run(client, graph, cache=True)
