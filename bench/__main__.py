"""``python -m bench`` (or ``make bench``): FusionFlow against raw Dramatiq, in one run.

Starts its own Redis and PostgreSQL on free loopback ports, then measures, as
medians of several repeats: a 300-node chain, a 1 -> 300 -> 1 fan and a 300-node
layered DAG, in FusionFlow's distributed mode (API + worker processes) and with raw
Dramatiq (same Redis, same worker count); the time from submit to the first node
starting after 2 s idle; the embedded mode on the same graphs; and validation plus
planning of a 10,000-node graph; then, per mode, the service rows of
``bench.service`` (throughput of concurrent runs, SSE fan-out, a fully cached
rerun). FusionFlow's API runs in a process of its own (``fusionflow serve``), as in
production, so the measuring client does not share its interpreter. Prints tables of
medians and ratios. Numbers are only comparable within one run: the machines are
shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime

import httpx
import msgspec
import redis as redis_lib

from bench import graphs, service
from bench.raw_dramatiq import build as build_raw
from bench.raw_dramatiq import run_graph as run_raw
from tests import servers
from tests.helpers import events


def median_of(samples: list[float]) -> float:
    return statistics.median(samples)


def fusionflow_first_start(client: httpx.Client) -> float:
    graph = {"version": 1, "nodes": [{"id": "only", "type": "input.text"}], "edges": []}
    time.sleep(2)  # the point of this measurement: how long the first node waits after idling
    sent = time.time()
    response = client.post("/api/runs", json={"graph": graph, "inputs": {}, "cache": False})
    log = events(client, response.json()["id"])
    started_at = next(data["ts"] for _, kind, data in log if kind == "node.started")
    return datetime.fromisoformat(started_at.replace("Z", "+00:00")).timestamp() - sent


def raw_first_start(client: redis_lib.Redis, actor) -> float:
    graph = {"version": 1, "nodes": [{"id": "only", "type": "input.text"}], "edges": []}
    time.sleep(2)
    return run_raw("", graph, client, actor)


def validate_and_plan(size: int) -> float:
    from nodes.catalog import load_catalog
    from orchestrator.graph.gcpause import paused_gc
    from orchestrator.graph.plan import build_plan
    from orchestrator.graph.spec import decode_graph
    from orchestrator.graph.validate import validate

    body = msgspec.json.encode(graphs.wide_random(size))
    catalog = load_catalog()
    started = time.perf_counter()
    with paused_gc():  # as the run service does
        graph = decode_graph(body)
        checked = validate(graph, catalog)
        assert checked.ok, checked.errors[:3]
        build_plan(graph, checked.order, checked.ends)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--size", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2, help="worker processes (both systems)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker process")
    parser.add_argument("--runs", type=int, default=100, help="concurrent runs for the throughput row")
    parser.add_argument("--listeners", type=int, default=500, help="SSE listeners for the fan-out row")
    parser.add_argument("--items", type=int, default=1000, help="items of the mapped-node row")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()

    shapes = {"chain": graphs.chain(args.size), "fan": graphs.fan(args.size - 2),
              "layered": graphs.layered(args.size)}
    rows: dict[str, dict[str, float]] = {}
    service_rows: list[tuple[str, str, str]] = []

    def record(name: str, system: str, samples: list[float]) -> None:
        rows.setdefault(name, {})[system] = median_of(samples)
        print(f"  {name:<24} {system:<12} median {median_of(samples) * 1000:9.1f} ms  ({len(samples)} runs)",
              file=sys.stderr, flush=True)

    with servers.redis_server() as redis, servers.postgres_server() as postgres:
        # Raw Dramatiq.
        _broker, raw_client, raw_actor = build_raw(redis.url)
        raw_workers = [subprocess.Popen([sys.executable, "-m", "bench.raw_dramatiq", "worker", redis.url,
                                         str(args.threads)], stdout=subprocess.PIPE, text=True)
                       for _ in range(args.workers)]
        try:
            for process in raw_workers:
                process.stdout.readline()
            run_raw(redis.url, graphs.chain(10), raw_client, raw_actor)  # warm up
            for name, graph in shapes.items():
                record(name, "dramatiq", [run_raw(redis.url, graph, raw_client, raw_actor) for _ in range(args.repeats)])
            record("first node after idle", "dramatiq", [raw_first_start(raw_client, raw_actor) for _ in range(args.repeats)])
        finally:
            for process in raw_workers:
                process.terminate()
                process.wait(10)

        # FusionFlow, distributed.
        env = {"FUSIONFLOW_HOME": "/tmp/fusionflow-bench", "FUSIONFLOW_DATABASE_URL": postgres.create_database(),
               "FUSIONFLOW_REDIS_URL": redis.url, "FUSIONFLOW_QUEUE": "bench"}
        subprocess.run([sys.executable, "-m", "orchestrator.cli", "migrate"], env={**os.environ, **env}, check=True,
                       stdout=subprocess.DEVNULL)
        with servers.serve_process(env) as url, servers.worker_processes(env, args.workers, args.threads), \
                httpx.Client(base_url=url, timeout=60) as client:
            service.timed_run(client, graphs.chain(10))
            for name, graph in shapes.items():
                record(name, "distributed", [service.timed_run(client, graph) for _ in range(args.repeats)])
            record("first node after idle", "distributed", [fusionflow_first_start(client) for _ in range(args.repeats)])
            measure_service(client, url, "distributed", service_rows, args)

    # FusionFlow, embedded.
    import tempfile

    with tempfile.TemporaryDirectory() as home, servers.serve_process({"FUSIONFLOW_HOME": home}) as url, \
            httpx.Client(base_url=url, timeout=60) as client:
        service.timed_run(client, graphs.chain(10))
        for name, graph in shapes.items():
            record(name, "embedded", [service.timed_run(client, graph) for _ in range(args.repeats)])
        measure_service(client, url, "embedded", service_rows, args)

    record("validate+plan 10k nodes", "graph core", [validate_and_plan(10_000) for _ in range(args.repeats)])

    print_table(rows, args.size)
    print_service_table(service_rows)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"graphs": rows, "service": service_rows}, handle, indent=2)
    return 0


def measure_service(client: httpx.Client, url: str, system: str, out: list[tuple[str, str, str]],
                    args: argparse.Namespace) -> None:
    """The service rows (see ``bench.service``), medians where repeated."""
    rate = median_of([service.throughput(client, args.runs) for _ in range(args.repeats)])
    out.append((f"{args.runs} concurrent 10-node runs", system, f"{rate:,.0f} nodes/s (target >= 1,000)"))
    p50, p99, deliveries = service.sse_fanout(url, args.listeners)
    out.append((f"{args.listeners} SSE listeners, one run", system,
                f"p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms over {deliveries} deliveries (target p99 <= 100 ms)"))
    static = median_of([service.timed_run(client, graphs.fan(198)) for _ in range(args.repeats)]) / 200
    each = median_of([service.timed_run(client, graphs.mapped(args.items)) for _ in range(args.repeats)]) / args.items
    out.append((f"mapped node, {args.items} items", system,
                f"{each * 1000:.2f} ms/item vs {static * 1000:.2f} ms/node for a static 200-node graph "
                f"= {each / static:.2f}x (target <= 1x)"))
    pairs = [service.cached_rerun(client, args.size) for _ in range(args.repeats)]
    uncached, cached = median_of([p[0] for p in pairs]), median_of([p[1] for p in pairs])
    out.append((f"cached rerun, {args.size}-node chain", system,
                f"{cached * 1000:.0f} ms vs {uncached * 1000:.0f} ms uncached = {cached / uncached:.0%} (target <= 10%)"))
    for row in out[-4:]:
        print(f"  {row[0]:<32} {row[1]:<12} {row[2]}", file=sys.stderr, flush=True)


def print_service_table(rows: list[tuple[str, str, str]]) -> None:
    print()
    print(f"{'service measure':<34}{'system':<13}result")
    for name, system, result in rows:
        print(f"{name:<34}{system:<13}{result}")


def print_table(rows: dict[str, dict[str, float]], size: int) -> None:
    print()
    print(f"{'measure':<26}{'dramatiq':>12}{'distributed':>14}{'embedded':>12}{'dist/dramatiq':>15}"
          f"{'per node (dist)':>17}{'per node (emb)':>16}")
    for name, values in rows.items():
        raw, dist, emb = values.get("dramatiq"), values.get("distributed"), values.get("embedded")
        other = values.get("graph core")
        cells = [f"{v * 1000:10.1f}ms" if v is not None else f"{'':>12}" for v in (raw, dist)]
        cells.append(f"{emb * 1000:10.1f}ms" if emb is not None else (f"{other * 1000:10.1f}ms" if other else f"{'':>12}"))
        ratio = f"{dist / raw:14.2f}x" if raw and dist else f"{'':>15}"
        per_node = f"{dist / size * 1000:14.2f}ms" if dist and name != "first node after idle" else f"{'':>16}"
        per_emb = f"{emb / size * 1000:13.3f}ms" if emb else f"{'':>15}"
        print(f"{name:<26}{cells[0]:>12}{cells[1]:>14}{cells[2]:>12}{ratio:>15}{per_node:>17}{per_emb:>16}")


if __name__ == "__main__":
    sys.exit(main())
