"""Which queue a node execution goes to: by its kind (short or long) and its run's priority.

Short and long work have separate queues, consumed by separate thread pools, so a
burst of one cannot starve the other: a node type is long when it waits on
something outside (``NodeType.long``: provider calls, trainings, ``flow.wait``).
Each kind has one queue per priority; with ``FUSIONFLOW_QUEUE`` = ``fusionflow``:

=========  ==================  =======================
priority   short               long
=========  ==================  =======================
high       ``fusionflow.high``  ``fusionflow.long.high``
normal     ``fusionflow``       ``fusionflow.long``
low        ``fusionflow.low``   ``fusionflow.long.low``
=========  ==================  =======================

Each queue has its own actor, whose Dramatiq priority orders a worker's prefetched
messages: a thread that frees takes a waiting ``high`` node before a ``normal`` one,
and a ``normal`` one before a ``low`` one.
"""

from __future__ import annotations

from typing import Literal, NamedTuple, get_args

Priority = Literal["high", "normal", "low"]
PRIORITIES: tuple[str, ...] = get_args(Priority)
"""From the first taken to the last."""
KINDS = ("short", "long")
ACTOR_BASE = "execute_node"


class Task(NamedTuple):
    """One node execution to send: its ids, and what routes it (its type, its run's priority)."""

    run_id: str
    node_id: str
    type: str
    priority: str = "normal"


class Route(NamedTuple):
    """A queue, with the actor that executes its messages and that actor's Dramatiq priority."""

    queue: str
    actor: str
    rank: int
    """Dramatiq's actor priority: lower is taken first."""


def _name(base: str, kind: str, priority: str) -> str:
    return ".".join([base, *(["long"] if kind == "long" else []), *([priority] if priority != "normal" else [])])


def route(base: str, kind: str, priority: str) -> Route:
    """The route of ``kind`` work at ``priority`` (an unknown priority is ``normal``)."""
    if priority not in PRIORITIES:
        priority = "normal"
    return Route(_name(base, kind, priority), _name(ACTOR_BASE, kind, priority), PRIORITIES.index(priority))


def routes(base: str, kinds: tuple[str, ...] = KINDS) -> list[Route]:
    """Every route of ``kinds``, highest priority first."""
    return [route(base, kind, priority) for kind in kinds for priority in PRIORITIES]
