"""The dispatcher: the only code that sends messages to the workers.

A message is ``execute_node(run_id, node_id)``: ids only, never data. The
dispatcher sends the roots of a new run, the successors a finished node made
ready (the executor runs one of them inline itself), a node again after a
transient error (with its backoff as the broker's delay), and nodes whose message
was lost (recovery). It has one retry layer above it, the engine's: the actor
itself never retries (``max_retries=0``), so a node's attempts are counted once.

Each message goes to the queue of its node's kind (``NodeType.long``) and its run's
priority (see ``orchestrator.engine.queues``); a type this process does not know
counts as short.

Sending is best effort: every node it sends is already recorded as queued, so when
the broker cannot be reached (Redis restarting) the failure is logged and the
maintenance loop sends the node again within the lease (``engine.runtime``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

import dramatiq
from dramatiq.message import Message

from nodes.sdk import NodeType
from orchestrator.engine.queues import Route, Task, route
from orchestrator.metrics import RESENDS

log = logging.getLogger(__name__)


class Dispatcher:
    """Sends node executions to the queues named after ``queue_base`` on ``broker``."""

    def __init__(self, broker: dramatiq.Broker, queue_base: str, catalog: Mapping[str, NodeType]) -> None:
        self.broker = broker
        self.queue_base = queue_base
        self.catalog = catalog

    def kind(self, type_name: str) -> str:
        """``long`` or ``short``: which queues and threads nodes of this type use."""
        node_type = self.catalog.get(type_name)
        return "long" if node_type is not None and node_type.long else "short"

    def route(self, task: Task) -> Route:
        return route(self.queue_base, self.kind(task.type), task.priority)

    def send(self, task: Task, *, delay_ms: int | None = None) -> None:
        """One node: run it now (or after ``delay_ms``)."""
        target = self.route(task)
        message = Message(queue_name=target.queue, actor_name=target.actor, args=(task.run_id, task.node_id),
                          kwargs={}, options={})
        try:
            self.broker.enqueue(message, delay=delay_ms or None)
        except Exception as exc:  # the broker is down: recovery sends the node again
            log.warning("could not send %s/%s (%s: %s); it will be sent again within the lease",
                        task.run_id, task.node_id, type(exc).__name__, exc)

    def send_all(self, tasks: Iterable[Task]) -> None:
        """Nodes that became ready together (a new run's roots, a fan-out)."""
        for task in tasks:
            self.send(task)

    def resend(self, stranded: Iterable[Task]) -> None:
        """Nodes whose messages may be lost; a duplicate finds the node taken and does nothing."""
        for task in stranded:
            RESENDS.inc()
            self.send(task)
