"""Executes one node: claim, resolve inputs, look in the cache, run, report.

``Executor.execute(run_id, node_id)`` is the body of the Dramatiq actor. It only
executes: every row it changes, it changes by asking the ledger, and every message
it sends goes through the dispatcher. When a node finishes and successors become
ready, the ledger claims one of them for this worker in the same transaction and
it runs right here (a chain then costs no broker hop per node); the dispatcher
sends the others, so parallel branches still spread over every worker.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec
import redis.exceptions
import sqlalchemy.exc

from nodes.redact import without_paths
from nodes.sdk import MISSING, Cancelled, NodeError, NodeType, Suspended, TransientError
from orchestrator.accounts import gate
from orchestrator.assets import AssetService
from orchestrator.engine.cachekeys import plan_signatures, value_key
from orchestrator.engine.context import NodeContext
from orchestrator.library import Library
from orchestrator.engine.dispatch import Dispatcher
from orchestrator.engine.jobhooks import JobWebhooks
from orchestrator.engine.ledger import Claim, Ledger, Outcome
from orchestrator.engine.queues import Task
from orchestrator.engine.timers import Timers
from orchestrator.graph.plan import Plan, build_plan, child_id, parent_of, with_child
from orchestrator.graph.spec import graph_from_builtins
from orchestrator.metrics import HANDBACKS
from orchestrator.settings import Settings

log = logging.getLogger(__name__)

TRANSIENT = (TransientError, TimeoutError, ConnectionError)
INFRASTRUCTURE = (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError, sqlalchemy.exc.TimeoutError,
                  redis.exceptions.ConnectionError)
"""Errors of this process's own services, not of the node (``sqlalchemy.exc.TimeoutError``:
no database connection came free in time, as while the database restarts)."""
CAPPED_RETRY_MS = 250
"""When a user is at ``FUSIONFLOW_USER_MAX_RUNNING``, their next node is looked at again after this."""
ANNOUNCE_AFTER_SECONDS = 0.05
"""A node still running after this long gets its ``node.started`` event on its own;
faster nodes write it together with their outcome."""


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    user_id: str
    inputs: dict
    plan: Plan
    use_cache: bool
    signatures: dict[str, str]
    """Cache keys known from the plan (see ``orchestrator.engine.cachekeys``)."""
    priority: str = "normal"
    outputs: dict[str, dict] = field(default_factory=dict)
    """Outputs of this run's nodes finished in this process (they never change once
    recorded), so a successor run here needs no database read for them."""

    def plan_for(self, node_id: str) -> Plan:
        """The plan as a node sees it: for one execution of a mapped node, with that
        execution in it (see ``orchestrator.graph.plan.with_child``)."""
        return with_child(self.plan, node_id) if parent_of(node_id) is not None else self.plan

    def task(self, node_id: str) -> Task:
        """What the dispatcher needs to send one of this run's nodes."""
        return Task(self.run_id, node_id, self.plan_for(node_id).types[node_id], self.priority)


class RunCache:
    """Each run's immutable part (user, inputs, plan), loaded once per process."""

    def __init__(self, ledger: Ledger, catalog: Mapping[str, NodeType], size: int = 256) -> None:
        self._ledger = ledger
        self._catalog = catalog
        self._size = size
        self._lock = threading.Lock()
        self._runs: OrderedDict[str, RunInfo] = OrderedDict()

    def get(self, run_id: str) -> RunInfo | None:
        with self._lock:
            info = self._runs.get(run_id)
            if info is not None:
                self._runs.move_to_end(run_id)
                return info
        row = self._ledger.run_record(run_id)
        if row is None:
            return None
        plan = build_plan(graph_from_builtins(row.graph))
        signatures = plan_signatures(plan, self._catalog, row.inputs) if row.use_cache else {}
        info = RunInfo(run_id, row.user_id, row.inputs, plan, row.use_cache, signatures, row.priority)
        with self._lock:
            self._runs[run_id] = info
            while len(self._runs) > self._size:
                self._runs.popitem(last=False)
        return info


class Executor:
    def __init__(self, *, ledger: Ledger, dispatcher: Dispatcher, catalog: Mapping[str, NodeType],
                 assets: AssetService | None, settings: Settings, library: Library | None = None,
                 watched: Collection[str] = (), webhooks: JobWebhooks | None = None) -> None:
        self.ledger = ledger
        self.dispatcher = dispatcher
        self.catalog = catalog
        self.assets = assets
        self.settings = settings
        self.library = library
        """The user's collections, hooks and models, and run outputs' origin and expiry (nodes reach it via their context)."""
        self.runs = RunCache(ledger, catalog)
        self.watched = watched
        """Schemes of the external jobs the pollers follow: nodes waiting on those suspend."""
        self.webhooks = webhooks
        self.timers = Timers()
        self._active: dict[tuple[str, str], tuple[Claim, threading.Event]] = {}
        self._active_lock = threading.Lock()
        self._stopping = False

    # -- entry point -----------------------------------------------------------------

    def execute(self, run_id: str, node_id: str) -> None:
        info = self.runs.get(run_id)
        if info is None:
            log.warning("execute_node: run %s does not exist; message dropped", run_id)
            return
        if self._stopping:  # this worker is going away: another one takes the node at once
            self.dispatcher.send(info.task(node_id))
            return
        node_type = self.catalog.get(info.plan_for(node_id).types.get(node_id, ""))
        if node_type is not None and node_type.instant and (node_type.mapped is None or parent_of(node_id)):
            claim = self._run_instant(info, node_id, node_type)
        elif self.settings.user_max_running:
            claim, capped = self.ledger.claim_within(run_id, node_id, info.user_id, self.settings.user_max_running)
            if capped:  # it waits its turn; the messages behind it (other users' work) are taken meanwhile
                self.dispatcher.send(info.task(node_id), delay_ms=CAPPED_RETRY_MS)
                return
        else:
            claim = self.ledger.claim(run_id, node_id, info.user_id)
        while claim is not None:
            claim = self._run(info, claim)

    def active_claims(self) -> list[Claim]:
        with self._active_lock:
            return [claim for claim, _ in self._active.values()]

    def cancel_local(self, run_id: str) -> None:
        """Wake this process's running nodes of ``run_id`` so that they see the cancel at once."""
        with self._active_lock:
            for (active_run, _), (_, event) in self._active.items():
                if active_run == run_id:
                    event.set()

    def stop_taking_work(self) -> None:
        """From now on, messages that reach this executor are passed on to other workers."""
        self._stopping = True

    def hand_back_all(self, reason: str = "its worker stopped; it runs again on another") -> int:
        """Give every node running here back to the queue and send it again; the threads
        running them are told to stop (they see a cancel) and their late writes are
        refused. Returns how many nodes were handed back."""
        with self._active_lock:
            active = list(self._active.values())
        handed = 0
        for claim, cancel_event in active:
            if self.ledger.hand_back(claim, reason):
                HANDBACKS.inc()
                handed += 1
                info = self.runs.get(claim.run_id)
                if info is not None:
                    self.dispatcher.send(info.task(claim.node_id))
            cancel_event.set()
        return handed

    def close(self) -> None:
        self.timers.stop()

    # -- one node ----------------------------------------------------------------------

    def _run(self, info: RunInfo, claim: Claim) -> Claim | None:
        node_id = claim.node_id
        plan = info.plan_for(node_id)
        node_type = self.catalog.get(plan.types[node_id])
        try:
            if node_type is None:
                raise NodeError(f"node type {plan.types[node_id]!r} is not installed on this worker")
            if claim.gather:
                return self._gather(info, claim, node_type)
            params, inputs = self._params_and_inputs(info, node_id, plan, node_type)
            if node_type.mapped is not None and parent_of(node_id) is None:
                return self._expand(info, claim, node_type, params, inputs)
        except (NodeError, msgspec.ValidationError) as exc:
            self.ledger.fail(claim, plan, {"type": "invalid_node", "message": str(exc)})
            return None

        cache_key = None
        outputs = None
        if info.use_cache:
            cache_key = info.signatures.get(node_id)
            if cache_key is None and node_type.is_cacheable(params):
                # Downstream of a node that is not cacheable: keyed by the values it got.
                cache_key = value_key(node_type, params, inputs)
                outputs = self.ledger.cached(info.user_id, cache_key)
            # (A node with a signature was looked up when the run was submitted.)
        cached = outputs is not None
        if outputs is None:
            outputs = self._call(info, plan, claim, node_type, params, inputs)
            if outputs is None:
                return None
        outcome = self.ledger.succeed(claim, plan, outputs, cached=cached, inline=self._same_kind(info, node_type),
                                      cache_key=None if cached else cache_key)
        return self._after_success(info, node_id, outputs, outcome)

    # -- mapped nodes ----------------------------------------------------------------------

    def _expand(self, info: RunInfo, claim: Claim, node_type: NodeType, params: Any,
                inputs: dict[str, Any]) -> Claim | None:
        """A mapped node's list is known: one execution per item, sent to every worker
        (or, expanded already by an earlier claim, its executions' outputs gathered)."""
        if self.ledger.mapped_count(claim) is not None:
            return self._gather(info, claim, node_type)
        items = _items(inputs, node_type.mapped.over)
        if not items:
            outputs = _check_outputs(node_type, node_type.mapped.gather([]))
            return self._after_success(info, claim.node_id, outputs,
                                       self.ledger.succeed(claim, info.plan, outputs, cached=False,
                                                           inline=self._same_kind(info, node_type)))
        self.dispatcher.send_all(info.task(child) for child in self.ledger.expand(claim, len(items)))
        return None

    def _gather(self, info: RunInfo, claim: Claim, node_type: NodeType) -> Claim | None:
        count = self.ledger.mapped_count(claim) or 0
        children = [child_id(claim.node_id, i) for i in range(count)]
        produced = self.ledger.outputs_of(info.run_id, children)
        try:
            outputs = _check_outputs(node_type, node_type.mapped.gather([produced[c] for c in children]))
        except Exception as exc:
            self.ledger.fail(claim, info.plan, {"type": "internal_error", "message": f"gathering: {exc}"})
            return None
        outcome = self.ledger.succeed(claim, info.plan, outputs, cached=False, inline=self._same_kind(info, node_type))
        return self._after_success(info, claim.node_id, outputs, outcome)

    def _after_success(self, info: RunInfo, node_id: str, outputs: dict, outcome: Outcome) -> Claim | None:
        if outcome.recorded:
            info.outputs[node_id] = outputs
        self.dispatcher.send_all(info.task(node_id) for node_id in outcome.dispatch)
        return outcome.inline

    def _same_kind(self, info: RunInfo, node_type: NodeType) -> Callable[[str], bool]:
        """Which ready successors this thread may run inline: those of its own kind (short
        or long), so that each kind's work stays on its own threads."""
        kind = self.dispatcher.kind(node_type.type)
        return lambda successor: self.dispatcher.kind(info.plan.types[successor]) == kind

    def _run_instant(self, info: RunInfo, node_id: str, node_type: NodeType) -> Claim | None:
        """Run an instant node first, then claim and record it in one transaction. When
        anything goes wrong, take the ordinary way (claim, run, record the failure)."""
        plan = info.plan_for(node_id)
        try:
            params, inputs = self._params_and_inputs(info, node_id, plan, node_type)
            outputs = _check_outputs(node_type, node_type.execute(_InstantContext(info, node_id), params, inputs),
                                     ports=node_type.mapped is None)
        except Exception:
            claim = self.ledger.claim(info.run_id, node_id, info.user_id)
            return self._run(info, claim) if claim is not None else None
        outcome = self.ledger.succeed_unclaimed(info.run_id, node_id, info.user_id, plan, outputs,
                                                inline=self._same_kind(info, node_type),
                                                cache_key=info.signatures.get(node_id))
        return self._after_success(info, node_id, outputs, outcome)

    def _call(self, info: RunInfo, plan: Plan, claim: Claim, node_type: NodeType, params: Any,
              inputs: dict[str, Any]) -> dict | None:
        """Run the node's function; on failure record what happened and return None."""
        cancel_event = threading.Event()
        key = (claim.run_id, claim.node_id)
        ctx = NodeContext(claim=claim, ledger=self.ledger, assets=self.assets, run_inputs=info.inputs,
                          settings=self.settings.node_view(node_type.allowed_settings(params)),
                          cancel_event=cancel_event, library=self.library, watched=self.watched,
                          webhooks=self.webhooks)
        with self._active_lock:
            self._active[key] = (claim, cancel_event)
        self.timers.after(ANNOUNCE_AFTER_SECONDS, lambda: self._announce(claim))
        limit = params.timeout or node_type.timeout
        ends_at = claim.deadline or time.time() + limit  # a resumed node keeps the limit it started with
        expired = threading.Event()
        deadline = self.timers.after(max(0.0, ends_at - time.time()), lambda: (expired.set(), cancel_event.set()))
        try:
            if not claim.resumed:  # admitted when it started
                gate.admit_node(self.ledger.db, self.settings, run_id=claim.run_id, user_id=claim.user_id,
                                attempt=claim.attempt, node_type=node_type, params=params)
            outputs = node_type.execute(ctx, params, inputs)
            if node_type.mapped is not None:  # one item's outputs: the node's come from gathering them
                return _check_outputs(node_type, outputs, ports=False)
            return _check_outputs(node_type, outputs)
        except Suspended as suspended:  # its job goes on without a thread; a poller follows it
            self.ledger.suspend(claim, wake_at=time.time() + suspended.poll_after, deadline=ends_at)
        except Cancelled:
            if expired.is_set():
                self.ledger.fail(claim, plan, time_limit_error(claim.node_id, limit))
            else:
                self.ledger.cancelled(claim)
        except TRANSIENT as exc:
            self._retry_or_fail(info, plan, claim, exc)
        except NodeError as exc:
            self.ledger.fail(claim, plan, {"type": exc.error_type, "message": without_paths(str(exc))})
        except INFRASTRUCTURE:
            # The database or Redis went away under the node (a restart): not the node's fault.
            # Nothing is recorded; its lease runs out and recovery runs it again.
            log.warning("node %s of run %s lost the database or broker; recovery will run it again",
                        claim.node_id, claim.run_id)
            raise
        except Exception as exc:  # a bug in a node: fail the node, keep the worker
            log.exception("node %s (%s) of run %s crashed", claim.node_id, node_type.type, claim.run_id)
            self.ledger.fail(claim, plan, {"type": "internal_error",
                                           "message": without_paths(f"{type(exc).__name__}: {exc}")})
        finally:
            deadline.cancel()
            with self._active_lock:
                self._active.pop(key, None)
            ctx.cleanup()
        return None

    def _retry_or_fail(self, info: RunInfo, plan: Plan, claim: Claim, exc: Exception) -> None:
        error = {"type": getattr(exc, "error_type", "transient"), "message": str(exc) or type(exc).__name__}
        if claim.attempt >= self.settings.max_attempts:
            error["message"] += f" (gave up after {claim.attempt} attempts)"
            self.ledger.fail(claim, plan, error)
            return
        delay_ms = backoff_ms(claim.attempt, self.settings.retry_base_ms, self.settings.retry_max_ms)
        retry_after = getattr(exc, "retry_after", None)
        if retry_after:
            delay_ms = max(delay_ms, min(int(retry_after * 1000), self.settings.retry_max_ms))
        if self.ledger.retry(claim, error, delay_ms):
            self.dispatcher.send(info.task(claim.node_id), delay_ms=delay_ms)

    def _announce(self, claim: Claim) -> None:
        if not claim.announced:
            self.ledger.announce(claim)

    # -- inputs --------------------------------------------------------------------------------

    def _params_and_inputs(self, info: RunInfo, node_id: str, plan: Plan,
                           node_type: NodeType) -> tuple[Any, dict[str, Any]]:
        """A node's params and input values; for one execution of a mapped node, its item
        on the mapped input."""
        params = msgspec.convert(plan.params[node_id], node_type.params)
        inputs = self._inputs(info, node_id, node_type, plan)
        item = parent_of(node_id)
        if node_type.mapped is not None and item is not None:
            inputs[node_type.mapped.over] = _items(inputs, node_type.mapped.over)[item[1]]
        return params, inputs

    def _inputs(self, info: RunInfo, node_id: str, node_type: NodeType, plan: Plan | None = None) -> dict[str, Any]:
        plan = plan or info.plan
        wiring = plan.wiring[node_id]
        preds = plan.predecessors[node_id]
        outputs = {p: info.outputs[p] for p in preds if p in info.outputs}
        elsewhere = [p for p in preds if p not in outputs]
        if elsewhere:
            outputs.update(self.ledger.outputs_of(info.run_id, elsewhere))
        inputs: dict[str, Any] = {}
        for port in node_type.inputs:
            sources = wiring.get(port.name, ())
            values = []
            for source, out_port in sources:
                produced = outputs.get(source) or {}
                if out_port not in produced:
                    raise NodeError(f"{source}.{out_port} produced no value for {node_id}.{port.name}")
                values.append(produced[out_port])
            if port.multiple:
                inputs[port.name] = values
            elif values:
                inputs[port.name] = values[0]
        return inputs


class _InstantContext:
    """The context of an instant node: its run's inputs, and nothing that acts
    (an instant node reports no progress, stores no asset, calls no provider)."""

    def __init__(self, info: RunInfo, node_id: str) -> None:
        self.run_id, self.node_id, self.user_id, self.attempt = info.run_id, node_id, info.user_id, 1
        self._inputs = info.inputs

    def run_input(self, name: str) -> Any:
        return self._inputs.get(name, MISSING)

    def cancelled(self) -> bool:
        return False

    def check_cancelled(self) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        raise NodeError(f"an instant node cannot use ctx.{name}: declare the node type without instant=True")


def time_limit_error(node_id: str, limit: float | None = None) -> dict:
    """The error of a node stopped at its time limit (``limit`` seconds, when known)."""
    within = f" of {limit:g} s" if limit else ""
    return {"type": "timeout", "message": (f"{node_id} ran past its time limit{within} and was stopped "
                                           "(raise its timeout param if it needs longer)")}


def backoff_ms(attempt: int, base_ms: int, max_ms: int) -> int:
    """Exponential backoff with ±20 % jitter: base, 2 x base, 4 x base … capped at ``max_ms``."""
    delay = min(max_ms, base_ms * 2 ** (attempt - 1))
    return max(1, int(delay * random.uniform(0.8, 1.2)))


def _items(inputs: dict[str, Any], port: str) -> list:
    items = inputs.get(port)
    if not isinstance(items, list):
        raise NodeError(f"{port} must be a list to run once per item, not {type(items).__name__}")
    return items


def _check_outputs(node_type: NodeType, outputs: Any, *, ports: bool = True) -> dict:
    if not isinstance(outputs, dict):
        raise NodeError(f"{node_type.type} returned {type(outputs).__name__}, not a dict of outputs")
    if not ports:
        return outputs
    missing = [p.name for p in node_type.outputs if p.name not in outputs]
    if missing:
        raise NodeError(f"{node_type.type} returned no value for output(s) {', '.join(missing)}")
    return outputs
