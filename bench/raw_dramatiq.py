"""The baseline: the same graphs dispatched node by node with plain Dramatiq on Redis.

Each node is one message; an actor counts its successors' predecessors down with
Redis ``DECR`` and sends a successor when its count reaches zero, and reports the
end with a Redis ``PUBLISH``. No database, no events: the floor any Dramatiq-based
orchestrator stands on.

    python -m bench.raw_dramatiq worker REDIS_URL THREADS
"""

from __future__ import annotations

import json
import sys
import threading
import time
import uuid

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker

from bench.graphs import successors

QUEUE = "rawbench"


def build(redis_url: str):
    broker = RedisBroker(url=redis_url)
    client = redis.Redis.from_url(redis_url)
    graphs: dict[str, tuple[dict, dict]] = {}

    def step(run_id: str, node_id: str) -> None:
        if run_id not in graphs:
            graph = json.loads(client.get(f"raw:{run_id}:graph"))
            graphs[run_id] = successors(graph)
        succ, _ = graphs[run_id]
        for target in succ[node_id]:
            if client.decr(f"raw:{run_id}:pending:{target}") == 0:
                actor.send(run_id, target)
        if client.decr(f"raw:{run_id}:left") == 0:
            client.publish(f"raw:{run_id}:done", b"1")

    actor = dramatiq.Actor(step, broker=broker, actor_name="raw_step", queue_name=QUEUE, priority=0,
                           options={"max_retries": 0})
    return broker, client, actor


def run_graph(redis_url: str, graph: dict, client: redis.Redis, actor) -> float:
    """Dispatch ``graph`` and wait for its last node; returns seconds."""
    run_id = uuid.uuid4().hex
    succ, preds = successors(graph)
    pipe = client.pipeline()
    pipe.set(f"raw:{run_id}:graph", json.dumps(graph))
    pipe.set(f"raw:{run_id}:left", len(preds))
    for node_id, count in preds.items():
        if count:
            pipe.set(f"raw:{run_id}:pending:{node_id}", count)
    pipe.execute()
    pubsub = client.pubsub()
    pubsub.subscribe(f"raw:{run_id}:done")
    pubsub.get_message(timeout=1)
    started = time.perf_counter()
    for node_id, count in preds.items():
        if count == 0:
            actor.send(run_id, node_id)
    while pubsub.get_message(timeout=60) is None:
        pass
    elapsed = time.perf_counter() - started
    pubsub.close()
    return elapsed


def first_start_latency(client: redis.Redis, actor) -> float:
    """Seconds from send to the actor starting, for a one-node graph, after the caller idled."""
    graph = {"version": 1, "nodes": [{"id": "only", "type": "input.text"}], "edges": []}
    return run_graph("", graph, client, actor)


def worker_main(redis_url: str, threads: int) -> None:
    broker, _client, _actor = build(redis_url)
    worker = dramatiq.Worker(broker, worker_threads=threads)
    worker.start()
    print("raw worker ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    if sys.argv[1] == "worker":
        worker_main(sys.argv[2], int(sys.argv[3]))
