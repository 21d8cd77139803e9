"""The dispatcher: the only code that sends messages to the workers.

A message is ``execute_node(run_id, node_id)``: ids only, never data. The
dispatcher sends the roots of a new run, the successors a finished node made
ready (the executor runs one of them inline itself), a node again after a
transient error (with its backoff as the broker's delay), and nodes whose message
was lost (recovery). It has one retry layer above it, the engine's: the actor
itself never retries (``max_retries=0``), so a node's attempts are counted once.

Sending is best effort: every node it sends is already recorded as queued, so when
the broker cannot be reached (Redis restarting) the failure is logged and the
maintenance loop sends the node again within the lease (``engine.runtime``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import dramatiq
from dramatiq.message import Message

from orchestrator.engine.broker import ACTOR_NAME
from orchestrator.metrics import RESENDS

log = logging.getLogger(__name__)


class Dispatcher:
    """Sends node executions to ``queue_name`` on ``broker``."""

    def __init__(self, broker: dramatiq.Broker, queue_name: str) -> None:
        self.broker = broker
        self.queue_name = queue_name

    def send(self, run_id: str, node_id: str, *, delay_ms: int | None = None) -> None:
        """One node: run it now (or after ``delay_ms``)."""
        message = Message(queue_name=self.queue_name, actor_name=ACTOR_NAME, args=(run_id, node_id), kwargs={},
                          options={})
        try:
            self.broker.enqueue(message, delay=delay_ms or None)
        except Exception as exc:  # the broker is down: recovery sends the node again
            log.warning("could not send %s/%s (%s: %s); it will be sent again within the lease",
                        run_id, node_id, type(exc).__name__, exc)

    def send_all(self, run_id: str, node_ids: Iterable[str]) -> None:
        """Nodes of one run that became ready together (a new run's roots, a fan-out)."""
        for node_id in node_ids:
            self.send(run_id, node_id)

    def resend(self, stranded: Iterable[tuple[str, str]]) -> None:
        """Nodes whose messages may be lost; a duplicate finds the node taken and does nothing."""
        for run_id, node_id in stranded:
            RESENDS.inc()
            self.send(run_id, node_id)
