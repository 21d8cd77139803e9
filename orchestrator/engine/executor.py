"""Runs one node: claim, resolve inputs, look in the cache, run, record, release.

``Executor.execute(run_id, node_id)`` is the body of the Dramatiq actor. When a
node finishes and successors become ready, one of them is claimed for this
worker in the same transaction and run right here (a chain then costs no broker
hop per node); the others go to the broker, so parallel branches still spread
over every worker.
"""

from __future__ import annotations

import hashlib
import logging
import random
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import msgspec
from sqlalchemy import bindparam, select

from nodes import sdk
from nodes.redact import without_paths
from nodes.sdk import Cancelled, NodeError, NodeType, TransientError
from orchestrator.assets import AssetService
from orchestrator.engine.context import NodeContext
from orchestrator.engine.scheduler import Claim, Scheduler
from orchestrator.graph.plan import Plan, build_plan
from orchestrator.graph.spec import graph_from_builtins
from orchestrator.settings import Settings
from orchestrator.store.db import Database
from orchestrator.store.ids import now_iso
from orchestrator.store.models import output_cache, run_nodes, runs

log = logging.getLogger(__name__)

TRANSIENT = (TransientError, TimeoutError, ConnectionError)

_PREDECESSOR_OUTPUTS = select(run_nodes.c.node_id, run_nodes.c.outputs).where(
    run_nodes.c.run_id == bindparam("p_run"), run_nodes.c.node_id.in_(bindparam("p_ids", expanding=True)))


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    user_id: str
    inputs: dict
    plan: Plan
    use_cache: bool
    outputs: dict[str, dict] = field(default_factory=dict)
    """Outputs of this run's nodes finished in this process (they never change once
    recorded), so a successor run here needs no database read for them."""


class RunCache:
    """Each run's immutable part (user, inputs, plan), loaded once per process."""

    def __init__(self, db: Database, size: int = 256) -> None:
        self._db = db
        self._size = size
        self._lock = threading.Lock()
        self._runs: OrderedDict[str, RunInfo] = OrderedDict()

    def get(self, run_id: str) -> RunInfo | None:
        with self._lock:
            info = self._runs.get(run_id)
            if info is not None:
                self._runs.move_to_end(run_id)
                return info
        with self._db.read() as conn:
            row = conn.execute(select(runs.c.user_id, runs.c.inputs, runs.c.graph, runs.c.use_cache)
                               .where(runs.c.id == run_id)).first()
        if row is None:
            return None
        info = RunInfo(run_id, row.user_id, row.inputs, build_plan(graph_from_builtins(row.graph)), row.use_cache)
        with self._lock:
            self._runs[run_id] = info
            while len(self._runs) > self._size:
                self._runs.popitem(last=False)
        return info


class Executor:
    def __init__(self, *, db: Database, scheduler: Scheduler, settings: Settings,
                 assets: AssetService | None) -> None:
        self.db = db
        self.scheduler = scheduler
        self.settings = settings
        self.assets = assets
        self.runs = RunCache(db)
        self.dispatcher = None  # set by the runtime once the broker exists
        self._active: dict[tuple[str, str], tuple[Claim, threading.Event]] = {}
        self._active_lock = threading.Lock()

    # -- entry point -----------------------------------------------------------------

    def execute(self, run_id: str, node_id: str) -> None:
        info = self.runs.get(run_id)
        if info is None:
            log.warning("execute_node: run %s does not exist; message dropped", run_id)
            return
        claim = self.scheduler.claim(run_id, node_id, info.user_id)
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

    # -- one node ----------------------------------------------------------------------

    def _run(self, info: RunInfo, claim: Claim) -> Claim | None:
        node_id = claim.node_id
        node_type = sdk.get(info.plan.types[node_id])
        try:
            if node_type is None:
                raise NodeError(f"node type {info.plan.types[node_id]!r} is not installed on this worker")
            params = msgspec.convert(info.plan.params[node_id], node_type.params)
            inputs = self._inputs(info, node_id, node_type)
        except (NodeError, msgspec.ValidationError) as exc:
            self.scheduler.fail(claim, info.plan, {"type": "invalid_node", "message": str(exc)})
            return None

        cache_key = self._cache_key(node_type, params, inputs) if node_type.cacheable and info.use_cache else None
        outputs = self._cached(info.user_id, cache_key) if cache_key else None
        cached = outputs is not None
        if outputs is None:
            outputs = self._call(info, claim, node_type, params, inputs)
            if outputs is None:
                return None
            if cache_key:
                self._remember(info.user_id, cache_key, outputs)
        outcome = self.scheduler.succeed(claim, info.plan, outputs, cached=cached, inline=True)
        if outcome.recorded:
            info.outputs[node_id] = outputs
        for successor in outcome.dispatch:
            self.dispatcher.send(claim.run_id, successor)
        return outcome.inline

    def _call(self, info: RunInfo, claim: Claim, node_type: NodeType, params: Any,
              inputs: dict[str, Any]) -> dict | None:
        """Run the node's function; on failure record what happened and return None."""
        cancel_event = threading.Event()
        key = (claim.run_id, claim.node_id)
        ctx = NodeContext(claim=claim, db=self.db, scheduler=self.scheduler, settings=self.settings,
                          assets=self.assets, inputs=info.inputs, cancel_event=cancel_event)
        with self._active_lock:
            self._active[key] = (claim, cancel_event)
        try:
            outputs = node_type.run(ctx, params, inputs)
            return _check_outputs(node_type, outputs)
        except Cancelled:
            self.scheduler.cancelled(claim)
        except TRANSIENT as exc:
            self._retry_or_fail(info, claim, exc)
        except NodeError as exc:
            self.scheduler.fail(claim, info.plan, {"type": exc.error_type, "message": without_paths(str(exc))})
        except Exception as exc:  # a bug in a node: fail the node, keep the worker
            log.exception("node %s (%s) of run %s crashed", claim.node_id, node_type.type, claim.run_id)
            self.scheduler.fail(claim, info.plan, {"type": "internal_error",
                                                   "message": without_paths(f"{type(exc).__name__}: {exc}")})
        finally:
            with self._active_lock:
                self._active.pop(key, None)
            ctx.cleanup()
        return None

    def _retry_or_fail(self, info: RunInfo, claim: Claim, exc: Exception) -> None:
        error = {"type": getattr(exc, "error_type", "transient"), "message": str(exc) or type(exc).__name__}
        if claim.attempt >= self.settings.max_attempts:
            error["message"] += f" (gave up after {claim.attempt} attempts)"
            self.scheduler.fail(claim, info.plan, error)
            return
        delay_ms = backoff_ms(claim.attempt, self.settings.retry_base_ms, self.settings.retry_max_ms)
        retry_after = getattr(exc, "retry_after", None)
        if retry_after:
            delay_ms = max(delay_ms, min(int(retry_after * 1000), self.settings.retry_max_ms))
        if self.scheduler.retry(claim, error, delay_ms):
            self.dispatcher.send(claim.run_id, claim.node_id, delay_ms=delay_ms)

    # -- inputs and cache ----------------------------------------------------------------

    def _inputs(self, info: RunInfo, node_id: str, node_type: NodeType) -> dict[str, Any]:
        wiring = info.plan.wiring[node_id]
        preds = info.plan.predecessors[node_id]
        outputs = {p: info.outputs[p] for p in preds if p in info.outputs}
        elsewhere = [p for p in preds if p not in outputs]
        if elsewhere:
            with self.db.read() as conn:
                outputs.update(conn.execute(_PREDECESSOR_OUTPUTS, {"p_run": info.run_id, "p_ids": elsewhere}).all())
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

    @staticmethod
    def _cache_key(node_type: NodeType, params: Any, inputs: dict[str, Any]) -> str:
        signature = [node_type.type, node_type.version, msgspec.to_builtins(params), _without_urls(inputs)]
        return hashlib.sha256(msgspec.json.encode(signature, order="sorted")).hexdigest()

    def _cached(self, user_id: str, key: str) -> dict | None:
        with self.db.read() as conn:
            return conn.execute(select(output_cache.c.outputs).where(
                output_cache.c.user_id == user_id, output_cache.c.key == key)).scalar()

    def _remember(self, user_id: str, key: str, outputs: dict) -> None:
        try:
            with self.db.write() as conn:
                conn.execute(output_cache.insert().values(user_id=user_id, key=key, outputs=outputs,
                                                          created_at=now_iso()))
        except Exception:  # another worker stored the same key first
            pass


def backoff_ms(attempt: int, base_ms: int, max_ms: int) -> int:
    """Exponential backoff with ±20 % jitter: base, 2 x base, 4 x base … capped at ``max_ms``."""
    delay = min(max_ms, base_ms * 2 ** (attempt - 1))
    return max(1, int(delay * random.uniform(0.8, 1.2)))


def _check_outputs(node_type: NodeType, outputs: Any) -> dict:
    if not isinstance(outputs, dict):
        raise NodeError(f"{node_type.type} returned {type(outputs).__name__}, not a dict of outputs")
    missing = [p.name for p in node_type.outputs if p.name not in outputs]
    if missing:
        raise NodeError(f"{node_type.type} returned no value for output(s) {', '.join(missing)}")
    return outputs


def _without_urls(value: Any) -> Any:
    """Asset references by content, not by (expiring) URL, for cache keys."""
    if isinstance(value, dict):
        if "asset_id" in value and "sha256" in value:
            return {"sha256": value["sha256"], "content_type": value.get("content_type")}
        return {k: _without_urls(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_urls(v) for v in value]
    return value
