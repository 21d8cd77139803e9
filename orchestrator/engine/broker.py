"""Dramatiq brokers, the actors that execute nodes, and the worker pools that run them.

Every queue (see ``orchestrator.engine.queues``) has its own actor, all with the
one body ``execute(run_id, node_id)``; a process that runs nodes has one Dramatiq
worker per kind (short, long), each with its own threads and consuming only its
kind's queues.

Embedded: Dramatiq's ``StubBroker`` with worker threads in the serving process.
Distributed: ``WakeupRedisBroker``, Dramatiq's RedisBroker whose idle consumers
wait on a Redis pub/sub wake-up instead of sleeping a growing backoff. Stock
consumers poll with a backoff that reaches ``worker_timeout`` (1 s), so the first
node after a quiet spell waited up to a second; here it starts within a hop.
Messages carry ids only, never data.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping

import dramatiq
from dramatiq.broker import MessageProxy
from dramatiq.errors import ConnectionClosed
import redis
from dramatiq.brokers.redis import RedisBroker, _RedisConsumer
from dramatiq.brokers.stub import StubBroker
from dramatiq.common import compute_backoff, dq_name, q_name
from dramatiq.message import Message
from dramatiq.middleware import AgeLimit, Callbacks, Pipelines, ShutdownNotifications, TimeLimit

from orchestrator.engine.queues import routes

log = logging.getLogger(__name__)

WEEK_MS = 7 * 24 * 3600 * 1000


def wake_channel(queue_name: str) -> str:
    return f"fusionflow:wake:{queue_name}"


class _WakeupConsumer(_RedisConsumer):
    """A Redis consumer that, when its queue is empty, blocks on the queue's wake-up
    channel (published on every enqueue) for up to the idle timeout."""

    def __init__(self, broker: WakeupRedisBroker, queue_name: str, prefetch: int, timeout: int) -> None:
        super().__init__(broker, queue_name, prefetch, timeout)
        self._pubsub = broker.client.pubsub(ignore_subscribe_messages=True)
        self._pubsub.subscribe(wake_channel(queue_name))

    def __next__(self):
        try:
            while True:
                if self.message_cache:
                    data = self.message_cache.pop(0)
                    if data is None:
                        continue
                    self.misses = 0
                    message = Message.decode(data)
                    self.queued_message_ids.add(message.message_id)
                    return MessageProxy(message)
                if self.outstanding_message_count < self.prefetch:
                    self.message_cache = self.broker.do_fetch(
                        self.queue_name, self.prefetch - self.outstanding_message_count)
                    if self.message_cache:
                        continue
                    # Empty: wait for a wake-up, or the idle timeout, then return to the worker loop.
                    self._pubsub.get_message(timeout=self.timeout / 1000)
                    self._drain_wakeups()
                else:
                    # Prefetch is full: the worker is busy; back off as Dramatiq does.
                    self.misses, backoff_ms = compute_backoff(self.misses, max_backoff=self.timeout)
                    time.sleep(backoff_ms / 1000)
                return None
        except redis.ConnectionError as exc:
            raise ConnectionClosed(exc) from None

    def _drain_wakeups(self) -> None:
        while self._pubsub.get_message(timeout=0) is not None:
            pass

    def close(self) -> None:
        try:
            self._pubsub.close()
        finally:
            super().close()


class WakeupRedisBroker(RedisBroker):
    @property
    def consumer_class(self):
        return _WakeupConsumer

    def enqueue(self, message: Message, *, delay: int | None = None) -> Message:
        message = super().enqueue(message, delay=delay)
        if delay is None:
            self.client.publish(wake_channel(message.queue_name), b"1")
        return message


def _middleware() -> list:
    # Dramatiq's defaults less ``Retries``: the engine retries nodes itself (one retry
    # layer, so attempts are counted once), and the time limit is long enough for
    # hour-long provider jobs: our own executor bounds every external call.
    return [AgeLimit(), TimeLimit(time_limit=WEEK_MS), ShutdownNotifications(), Callbacks(), Pipelines()]


def build_broker(redis_url: str | None) -> dramatiq.Broker:
    """A Redis broker when ``redis_url`` is set, else an in-process stub broker."""
    broker = WakeupRedisBroker(url=redis_url, middleware=_middleware()) if redis_url \
        else StubBroker(middleware=_middleware())
    broker.logger.addFilter(_OneWorkerPerKind())
    return broker


def declare_actors(broker: dramatiq.Broker, queue_base: str, execute: Callable[[str, str], None]) -> None:
    """Bind ``execute(run_id, node_id)`` to ``broker`` as the actor of every queue."""
    for route in routes(queue_base):
        dramatiq.Actor(execute, broker=broker, actor_name=route.actor, queue_name=route.queue, priority=route.rank,
                       options={"max_retries": 0})


def start_workers(broker: dramatiq.Broker, queue_base: str, threads: Mapping[str, int], *,
                  worker_timeout: int) -> list[dramatiq.Worker]:
    """One started Dramatiq worker per kind with ``threads[kind]`` > 0, consuming that
    kind's queues only: its own threads, work queue and prefetch, so that the other
    kind's backlog never stands in front of its messages."""
    workers = []
    for kind, count in threads.items():
        if count <= 0:
            continue
        worker = dramatiq.Worker(broker, queues={r.queue for r in routes(queue_base, (kind,))},
                                 worker_threads=count, worker_timeout=worker_timeout)
        worker.start()
        workers.append(worker)
    return workers


class _OneWorkerPerKind(logging.Filter):
    """Dramatiq warns when a second worker adds its consumer-starting middleware to the
    broker; with one worker per kind (``start_workers``) that is intended."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not ("twice" in str(record.msg) and record.args
                    and type(record.args[0]).__name__ == "_WorkerMiddleware")


def queue_depths(broker: dramatiq.Broker) -> dict[str, int]:
    """Messages waiting in each of the broker's queues (delayed ones included)."""
    depths: dict[str, int] = {}
    for queue in sorted({q_name(name) for name in broker.get_declared_queues()}):
        if isinstance(broker, RedisBroker):  # a list of message ids per queue, and one per delay queue
            depths[queue] = int(broker.client.llen(f"{broker.namespace}:{queue}")) + int(
                broker.client.llen(f"{broker.namespace}:{dq_name(queue)}"))
        elif isinstance(broker, StubBroker):
            depths[queue] = broker.queues[queue].qsize() + broker.queues[dq_name(queue)].qsize()
    return depths


def ping_broker(broker: dramatiq.Broker) -> None:
    """Raise when the broker cannot be reached (the in-process one always can)."""
    if isinstance(broker, RedisBroker):
        broker.client.ping()
