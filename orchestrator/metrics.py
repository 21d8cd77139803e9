"""Prometheus metrics of this process, plus gauges read from the database at scrape time."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily

from nodes.providers import circuit
from sqlalchemy import and_, case, func, select

from orchestrator.store.db import Database
from orchestrator.store.models import run_nodes, runs

REGISTRY = CollectorRegistry()

HTTP_REQUESTS = Counter("fusionflow_http_requests_total", "HTTP requests served",
                        ["method", "status"], registry=REGISTRY)
HTTP_SECONDS = Histogram("fusionflow_http_request_seconds", "HTTP request latency", ["method"], registry=REGISTRY)
RUNS = Gauge("fusionflow_runs", "Runs by status", ["status"], registry=REGISTRY)
RESENDS = Counter("fusionflow_resends_total", "Nodes sent again by recovery (lost messages, expired leases)",
                  registry=REGISTRY)
LEASE_EXPIRIES = Counter("fusionflow_lease_expiries_total", "Running nodes found with an expired lease",
                         registry=REGISTRY)
HANDBACKS = Counter("fusionflow_handbacks_total", "Running nodes handed back by a stopping worker",
                    registry=REGISTRY)
SSE_LISTENERS = Gauge("fusionflow_sse_listeners", "Open event streams in this process", ["stream"],
                      registry=REGISTRY)
QUEUE_DEPTH = Gauge("fusionflow_queue_depth", "Messages waiting in each broker queue", ["queue"], registry=REGISTRY)
NODES = Gauge("fusionflow_active_nodes", "Unfinished nodes by status (suspended: running, waiting on an external job "
              "with no thread held)", ["status"], registry=REGISTRY)


class ProviderCalls:
    """Provider requests of this process, by provider and outcome, read at scrape time."""

    def collect(self):
        requests = CounterMetricFamily("fusionflow_provider_requests", "Provider requests by outcome",
                                       labels=["provider", "outcome"])
        seconds = CounterMetricFamily("fusionflow_provider_request_seconds", "Time spent in provider requests",
                                      labels=["provider", "outcome"])
        for (provider, outcome), (count, total) in sorted(circuit.STATS.snapshot().items()):
            requests.add_metric([provider, outcome], count)
            seconds.add_metric([provider, outcome], total)
        yield requests
        yield seconds


REGISTRY.register(ProviderCalls())


def refresh_gauges(db: Database, queue_depths: Callable[[], dict[str, int]] | None = None) -> None:
    """Read the gauges that live elsewhere (the database, the broker) now."""
    if queue_depths is not None:
        for queue, depth in queue_depths().items():
            QUEUE_DEPTH.labels(queue).set(depth)
    with db.read() as conn:
        run_counts = dict(conn.execute(select(runs.c.status, func.count()).group_by(runs.c.status)).all())
        # a running node waiting on its external job holds no thread: it counts as suspended
        state = case((and_(run_nodes.c.status == "running", run_nodes.c.wake_at.is_not(None)), "suspended"),
                     else_=run_nodes.c.status)
        node_counts = dict(conn.execute(
            select(state, func.count())
            .where(run_nodes.c.status.in_(("pending", "queued", "running"))).group_by(state)).all())
    for status in ("queued", "running", "succeeded", "failed", "cancelled"):
        RUNS.labels(status).set(run_counts.get(status, 0))
    for status in ("pending", "queued", "running", "suspended"):
        NODES.labels(status).set(node_counts.get(status, 0))
