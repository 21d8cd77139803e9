"""The ledger: the only writer of runs, run nodes, events, costs and the output cache.

Every state change of a run is one of its operations, one transaction each, that
commits and then tells the bus (``Note``) itself. The database is the source of
truth.

- Transitions are conditional updates (``… WHERE status = 'running' AND attempts
  = :attempt``), so a transition that arrives twice, from a redelivered message or
  a worker that lost its lease, does nothing the second time: a worker whose lease
  ran out cannot write over its successor's work.
- A successor's count of unfinished predecessors is decremented under its row
  lock; the one transaction that brings it to zero queues it, so it is dispatched
  exactly once.
- Events are appended last in each transaction (``orchestrator.store.eventlog``).
- ``node.started`` is deferred: a claim writes no event; the start is appended with
  the node's outcome when it ends quickly, or by ``announce`` (progress, or the
  executor's timer) when it does not. A fast node then costs one event write.
- Cache hits known at submission (``create_run`` with ``signatures``) are recorded
  as succeeded in the run's first transaction: a fully cached run is a handful of
  statements and never reaches a worker.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, and_, bindparam, case, func, or_, select, text, tuple_, update
from sqlalchemy.exc import IntegrityError

from orchestrator.accounts import gate
from orchestrator.engine.queues import Task
from orchestrator.events.bus import Bus, Note
from orchestrator.graph.outputs import run_outputs
from orchestrator.graph.plan import Plan, build_plan, child_id, parent_of
from orchestrator.graph.spec import graph_from_builtins
from orchestrator.metrics import LEASE_EXPIRIES
from orchestrator.store import eventlog
from orchestrator.store.db import Database
from orchestrator.store.ids import now_iso
from orchestrator.store.models import JSONText, cost_records, output_cache, run_nodes, runs
from orchestrator.store.prepared import Prepared

log = logging.getLogger(__name__)

ACTIVE_RUN = "running"
UNSTARTED = ("pending", "queued")
CHUNK = 500

# The hot path's statements, built once and compiled once per dialect (see
# ``orchestrator.store.prepared``: SQLAlchemy's per-call work costs more than
# executing them on SQLite).
_P = bindparam
HELD = (run_nodes.c.run_id == _P("p_run"), run_nodes.c.node_id == _P("p_node"),
        run_nodes.c.status == "running", run_nodes.c.attempts == _P("p_attempt"))
"""The row filter for a node a claim still holds; execute with ``held_params(claim)``."""
RESUMING = run_nodes.c.wake_at < 0
"""A suspended node whose external job ended: its next claim resumes the same attempt."""
CLAIM = Prepared((update(run_nodes)
         .where(run_nodes.c.run_id == _P("p_run"), run_nodes.c.node_id == _P("p_node"),
                (run_nodes.c.status == "queued")
                | and_(run_nodes.c.status == "running",
                       or_(run_nodes.c.lease_until < _P("p_now"), RESUMING)))
         .values(status="running", attempts=run_nodes.c.attempts + case((RESUMING, 0), else_=1),
                 started_at=case((RESUMING, run_nodes.c.started_at), else_=_P("p_ts")),
                 lease_until=_P("p_lease"), progress=case((RESUMING, run_nodes.c.progress), else_=0.0),
                 message=case((RESUMING, run_nodes.c.message), else_=None),
                 deadline=case((RESUMING, run_nodes.c.deadline), else_=None), wake_at=None)
         .returning(run_nodes.c.attempts, run_nodes.c.deadline)))
SUSPEND = Prepared((update(run_nodes).where(*HELD)
           .values(lease_until=None, wake_at=_P("p_wake"), deadline=_P("p_deadline"))
           .returning(run_nodes.c.node_id)))
SUSPENDED = and_(run_nodes.c.status == "running", run_nodes.c.wake_at >= 0)
"""A node waiting on its external job, looked at by a poller from ``wake_at`` on."""
STILL_HELD = Prepared(select(run_nodes.c.node_id).where(*HELD))
PROGRESS = Prepared((update(run_nodes).where(*HELD)
            .values(progress=_P("p_progress"), message=_P("p_message"), lease_until=_P("p_lease"))
            .returning(run_nodes.c.node_id)))
RENEW = Prepared(update(run_nodes).where(*HELD, run_nodes.c.wake_at.is_(None)).values(lease_until=_P("p_lease")))
"""(A suspended node has no lease to renew.)"""
SUCCEED = Prepared((update(run_nodes).where(*HELD)
           .values(status="succeeded", outputs=_P("p_outputs", type_=JSONText()), cached=_P("p_cached"),
                   progress=1.0, finished_at=_P("p_ts"), lease_until=None)
           .returning(run_nodes.c.node_id)))
FAIL = Prepared((update(run_nodes).where(*HELD)
        .values(status="failed", error=_P("p_error", type_=JSONText()), finished_at=_P("p_ts"), lease_until=None)
        .returning(run_nodes.c.node_id)))
REQUEUE = Prepared((update(run_nodes).where(*HELD)
           .values(status="queued", error=None, lease_until=None, queued_at=_P("p_due"))
           .returning(run_nodes.c.node_id)))
CANCEL_HELD = Prepared((update(run_nodes).where(*HELD)
               .values(status="cancelled", finished_at=_P("p_ts"), lease_until=None)
               .returning(run_nodes.c.node_id)))
RELEASE = (update(run_nodes)
           .where(run_nodes.c.run_id == _P("p_run"), run_nodes.c.node_id.in_(_P("p_ids", expanding=True)),
                  run_nodes.c.status == "pending")
           .values(pending=run_nodes.c.pending - 1)
           .returning(run_nodes.c.node_id, run_nodes.c.pending))
CLAIM_AND_SUCCEED = Prepared(
    update(run_nodes)
    .where(run_nodes.c.run_id == _P("p_run"), run_nodes.c.node_id == _P("p_node"), run_nodes.c.status == "queued")
    .values(status="succeeded", attempts=run_nodes.c.attempts + 1, started_at=_P("p_ts"), finished_at=_P("p_ts"),
            outputs=_P("p_outputs", type_=JSONText()), cached=False, progress=1.0, lease_until=None)
    .returning(run_nodes.c.attempts))
RELEASE_ONE = Prepared(update(run_nodes)
                      .where(run_nodes.c.run_id == _P("p_run"), run_nodes.c.node_id == _P("p_node"),
                             run_nodes.c.status == "pending")
                      .values(pending=run_nodes.c.pending - 1)
                      .returning(run_nodes.c.node_id, run_nodes.c.pending))
START_INLINE = Prepared((update(run_nodes).where(run_nodes.c.run_id == _P("p_run"), run_nodes.c.node_id == _P("p_node"))
                .values(status="running", attempts=1, started_at=_P("p_ts"), lease_until=_P("p_lease"),
                        queued_at=_P("p_now"))))
SET_EXTERNAL_ID = Prepared(update(run_nodes).where(*HELD).values(external_id=_P("p_external")))
EXTERNAL_ID = Prepared(select(run_nodes.c.external_id).where(run_nodes.c.run_id == _P("p_run"),
                                                    run_nodes.c.node_id == _P("p_node")))
REMEMBER = Prepared(text(
    "INSERT INTO output_cache (user_id, key, outputs, created_at) VALUES (:p_user, :p_key, :p_outputs, :p_ts) "
    "ON CONFLICT DO NOTHING").bindparams(_P("p_outputs", type_=JSONText())))
"""Store outputs in the cache; the first writer of a key wins (both SQLite and PostgreSQL)."""
EXPAND = Prepared(update(run_nodes).where(*HELD)
                  .values(pending=_P("p_count"), external_id=_P("p_mark"), lease_until=None, progress=0.0,
                          message=_P("p_message"))
                  .returning(run_nodes.c.node_id))
CHILD_DONE = Prepared(
    update(run_nodes)
    .where(run_nodes.c.run_id == _P("p_run"), run_nodes.c.node_id == _P("p_node"), run_nodes.c.status == "running")
    .values(pending=run_nodes.c.pending - 1,
            lease_until=case((run_nodes.c.pending == 1, _P("p_lease")), else_=None))
    .returning(run_nodes.c.pending, run_nodes.c.attempts, run_nodes.c.external_id))
PROGRESS_MAPPED = Prepared(update(run_nodes)
                           .where(run_nodes.c.run_id == _P("p_run"), run_nodes.c.node_id == _P("p_node"))
                           .values(progress=_P("p_progress"), message=_P("p_message")))
FAIL_MAPPED = Prepared(
    update(run_nodes)
    .where(run_nodes.c.run_id == _P("p_run"), run_nodes.c.node_id == _P("p_node"), run_nodes.c.status == "running")
    .values(status="failed", error=_P("p_error", type_=JSONText()), finished_at=_P("p_ts"), lease_until=None)
    .returning(run_nodes.c.node_id))
RUNNING_OF_USER = Prepared(
    select(func.count()).select_from(run_nodes.join(runs, runs.c.id == run_nodes.c.run_id))
    .where(runs.c.user_id == _P("p_user"), runs.c.status == ACTIVE_RUN, run_nodes.c.status == "running",
           run_nodes.c.wake_at.is_(None),
           or_(run_nodes.c.external_id.is_(None), run_nodes.c.external_id.not_like(_P("p_mapped")))))
CANCEL_REQUESTED = Prepared(select(runs.c.cancel_requested).where(runs.c.id == _P("p_run")))
RUN_RECORD = select(runs.c.user_id, runs.c.inputs, runs.c.graph, runs.c.use_cache, runs.c.priority).where(
    runs.c.id == _P("p_run"))
OUTPUTS_OF = select(run_nodes.c.node_id, run_nodes.c.outputs).where(
    run_nodes.c.run_id == _P("p_run"), run_nodes.c.node_id.in_(_P("p_ids", expanding=True)))
CACHED = select(output_cache.c.key, output_cache.c.outputs).where(
    output_cache.c.user_id == _P("p_user"), output_cache.c.key.in_(_P("p_keys", expanding=True)))


@dataclass(eq=False)
class Claim:
    """A node this worker holds: run it, then report with the same ``attempt``."""

    run_id: str
    node_id: str
    attempt: int
    user_id: str
    gather: bool = False
    """A mapped node whose executions have all succeeded: gather their outputs."""
    announced: bool = False
    """Whether its ``node.started`` is in the log (see the module docstring)."""
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    """Held while the claim's events are written, so ``node.started`` goes first, once."""
    deadline: float | None = None
    """Set when the claim resumes a suspended node: when its time limit runs out (epoch seconds)."""

    @property
    def resumed(self) -> bool:
        """Whether the claim resumes a suspended node (same attempt, its job ended)."""
        return self.deadline is not None


def held_params(claim: Claim) -> dict:
    """The parameters of ``HELD`` for ``claim``."""
    return {"p_run": claim.run_id, "p_node": claim.node_id, "p_attempt": claim.attempt}


Inline = bool | Callable[[str], bool]
"""Whether a success runs one ready successor inline: any, none, or the first a function accepts."""

MAPPED = "mapped:"
"""``external_id`` of a mapped node once expanded: ``mapped:<number of items>``."""


@dataclass
class Outcome:
    """What a transition decided: nodes to send to workers, and maybe one to run inline."""

    recorded: bool = False
    """False when the node was no longer this worker's to finish (nothing was written)."""
    dispatch: list[str] = field(default_factory=list)
    inline: Claim | None = None


@dataclass(frozen=True)
class Job:
    """A suspended node as a poller sees it."""

    run_id: str
    node_id: str
    attempt: int
    user_id: str
    external_id: str
    deadline: float
    cancel_requested: bool
    progress: float | None
    message: str | None
    held_until: float = 0.0
    """The ``wake_at`` its poller set on taking it: a webhook that came meanwhile changed it."""

    def claim(self) -> Claim:
        """The node as a claim of its attempt (to fail or cancel it like a running one)."""
        return Claim(self.run_id, self.node_id, self.attempt, self.user_id, announced=True)


def _still_suspended(job: Job) -> tuple:
    """The row filter for a job's node still suspended in the same attempt."""
    return (run_nodes.c.run_id == job.run_id, run_nodes.c.node_id == job.node_id, run_nodes.c.attempts == job.attempt,
            SUSPENDED)


class Ledger:
    def __init__(self, db: Database, bus: Bus, *, lease_seconds: int = 60) -> None:
        self.db = db
        self.bus = bus
        self.lease_seconds = lease_seconds

    def _publish(self, *notes: Note | None) -> None:
        self.bus.publish([n for n in notes if n is not None])

    # -- submission ---------------------------------------------------------------

    def create_run(self, *, run_id: str, user_id: str, plan: Plan, graph: dict, inputs: dict,
                   graph_id: str | None, graph_version: int | None, use_cache: bool,
                   signatures: dict[str, str] | None = None,
                   admit: Callable[[Connection], None] | None = None, columns: dict[str, Any] | None = None,
                   also: Callable[[Connection], None] | None = None) -> list[str]:
        """Record a run, its nodes and its first events; returns the nodes to dispatch.

        Nodes whose ``signatures`` are in the user's output cache, with everything
        upstream of them, are recorded as succeeded (``cached``) right here. ``admit``
        runs first in the transaction (credits, limits): what it raises writes nothing.
        ``columns`` sets more of the run's columns (``schedule_id``, ``drawn_graph``);
        ``also`` writes in the same transaction (a webhook delivery)."""
        created = now_iso()
        with self.db.write() as conn:
            if admit is not None:
                admit(conn)
            hits = self._cached(conn, user_id, signatures) if signatures else {}
            resolved: dict[str, Any] = {}
            for node_id in plan.order:
                key = signatures.get(node_id) if signatures else None
                if key in hits and all(p in resolved for p in plan.predecessors[node_id]):
                    resolved[node_id] = hits[key]
            conn.execute(runs.insert().values(
                id=run_id, user_id=user_id, status=ACTIVE_RUN, graph=graph, inputs=inputs, graph_id=graph_id,
                graph_version=graph_version, created_at=created, next_seq=0,
                nodes_left=len(plan.order) - len(resolved), cancel_requested=False, use_cache=use_cache, cost=0.0,
                **(columns or {})))
            if also is not None:
                also(conn)
            queued_at = time.time()
            ready: list[str] = []
            rows = []
            for node_id in plan.order:
                if node_id in resolved:
                    rows.append(_node_row(run_id, node_id, plan, status="succeeded", pending=0, cached=True,
                                          outputs=resolved[node_id], progress=1.0, finished_at=created))
                    continue
                waiting = sum(1 for p in plan.predecessors[node_id] if p not in resolved)
                if not waiting:
                    ready.append(node_id)
                rows.append(_node_row(run_id, node_id, plan, status="pending" if waiting else "queued",
                                      pending=waiting, queued_at=None if waiting else queued_at))
            for start in range(0, len(rows), CHUNK * 4):
                conn.execute(run_nodes.insert(), rows[start:start + CHUNK * 4])
            items = [("run.started", {})]
            items += [("node.succeeded", {"node_id": n, "outputs": resolved[n], "cached": True}) for n in resolved]
            items += [("node.queued", {"node_id": n}) for n in ready]
            note, nodes_left = eventlog.append(conn, run_id, user_id, items)
            if nodes_left == 0:
                note = self._end_run(conn, run_id, user_id, plan) or note
        self._publish(note)
        return ready

    # -- a worker's transitions ----------------------------------------------------

    def claim(self, run_id: str, node_id: str, user_id: str) -> Claim | None:
        """Take a queued node (or one whose holder's lease ran out). None: nothing to do.
        No event yet: ``node.started`` goes with the outcome, or with ``announce``."""
        with self.db.write() as conn:
            return self._claim(conn, run_id, node_id, user_id)

    def _claim(self, conn: Connection, run_id: str, node_id: str, user_id: str) -> Claim | None:
        now = time.time()
        row = CLAIM(conn, {"p_run": run_id, "p_node": node_id, "p_now": now, "p_ts": now_iso(),
                           "p_lease": now + self.lease_seconds}).first()
        if row is None:
            return None
        attempt, deadline = row
        return Claim(run_id, node_id, attempt, user_id, announced=deadline is not None, deadline=deadline)

    def announce(self, claim: Claim) -> None:
        """Append the claim's ``node.started`` now, if it is not in the log yet."""
        with claim.lock:
            if claim.announced:
                return
            with self.db.write() as conn:
                if STILL_HELD(conn, held_params(claim)).first() is None:
                    return
                note, _ = eventlog.append(conn, claim.run_id, claim.user_id, self._started(claim))
            claim.announced = True
        self._publish(note)

    def progress(self, claim: Claim, fraction: float, message: str) -> bool:
        """Record progress and renew the lease. False when the node is no longer ours."""
        with claim.lock:
            with self.db.write() as conn:
                owned = PROGRESS(conn, {**held_params(claim), "p_progress": fraction,
                                                "p_message": message,
                                                "p_lease": time.time() + self.lease_seconds}).first()
                if owned is None:
                    return False
                items = self._started(claim) + [(
                    "node.progress", {"node_id": claim.node_id, "progress": fraction, "message": message})]
                note, _ = eventlog.append(conn, claim.run_id, claim.user_id, items)
            claim.announced = True
        self._publish(note)
        return True

    def renew_leases(self, claims: Sequence[Claim]) -> None:
        """Extend the leases of nodes still running here (long provider jobs)."""
        if not claims:
            return
        lease = time.time() + self.lease_seconds
        with self.db.write() as conn:
            for claim in claims:
                RENEW(conn, {**held_params(claim), "p_lease": lease})

    def succeed(self, claim: Claim, plan: Plan, outputs: dict, *, cached: bool, inline: Inline,
                cache_key: str | None = None) -> Outcome:
        """Record a node's outputs (and, with ``cache_key``, store them in the user's
        cache) and release its successors. With ``inline``, one ready successor (the
        first it accepts, when it is a function) is claimed for this worker in the same
        transaction."""
        with claim.lock:
            with self.db.write() as conn:
                done = SUCCEED(conn, {**held_params(claim), "p_outputs": outputs, "p_cached": cached,
                                      "p_ts": now_iso()}).first()
                if done is None:
                    return Outcome()
                items = self._started(claim)
                outcome, note = self._succeeded(conn, claim.run_id, claim.node_id, claim.user_id, plan, outputs,
                                                items, cached=cached, inline=inline, cache_key=cache_key)
            claim.announced = True
        self._publish(note)
        return outcome

    def succeed_unclaimed(self, run_id: str, node_id: str, user_id: str, plan: Plan, outputs: dict, *,
                          inline: Inline, cache_key: str | None = None) -> Outcome:
        """Record the outputs of an instant node that ran before it was claimed (see
        ``NodeType.instant``): claim and success in one transaction, provided the
        node is still queued. Otherwise nothing is written (another worker has it,
        or the run was cancelled) and the outputs are dropped: the node had no effect."""
        now = time.time()
        with self.db.write() as conn:
            attempt = CLAIM_AND_SUCCEED(conn, {"p_run": run_id, "p_node": node_id, "p_outputs": outputs,
                                               "p_ts": now_iso()}).scalar_one_or_none()
            if attempt is None:
                return Outcome()
            items = [("node.started", {"node_id": node_id, "attempt": attempt})]
            outcome, note = self._succeeded(conn, run_id, node_id, user_id, plan, outputs, items, cached=False,
                                            inline=inline, cache_key=cache_key, now=now)
        self._publish(note)
        return outcome

    def _succeeded(self, conn: Connection, run_id: str, node_id: str, user_id: str, plan: Plan, outputs: dict,
                   items: list[tuple[str, dict]], *, cached: bool, inline: Inline, cache_key: str | None = None,
                   now: float | None = None) -> tuple[Outcome, Note]:
        """The rest of a success, in its transaction: the cache entry, the successors
        released (one claimed inline), the events, and the run's end when it is the last."""
        outcome = Outcome(recorded=True)
        if cache_key is not None:
            REMEMBER(conn, {"p_user": user_id, "p_key": cache_key, "p_outputs": outputs, "p_ts": now_iso()})
        items.append(("node.succeeded", {"node_id": node_id, "outputs": outputs, "cached": cached}))
        mapped = parent_of(node_id)
        if mapped is not None:  # one execution of a mapped node: count it off its parent
            outcome.inline = self._child_done(conn, run_id, mapped[0], user_id, items)
            note = self._finish_nodes(conn, run_id, user_id, items, nodes_done=1, plan=plan)
            return outcome, note
        ready = self._release(conn, run_id, plan.successors[node_id])
        if ready:
            now = now if now is not None else time.time()
            first = next((n for n in ready if inline is True or (callable(inline) and inline(n))), None)
            if first is not None:
                ready = [n for n in ready if n != first]
                START_INLINE(conn, {"p_run": run_id, "p_node": first, "p_ts": now_iso(),
                                    "p_lease": now + self.lease_seconds, "p_now": now})
                items.append(("node.queued", {"node_id": first}))
                outcome.inline = Claim(run_id, first, 1, user_id)
            if ready:
                self._set_status(conn, run_id, ready, "queued", queued_at=now)
                items.extend(("node.queued", {"node_id": n}) for n in ready)
            outcome.dispatch = ready
        note = self._finish_nodes(conn, run_id, user_id, items, nodes_done=1, plan=plan)
        return outcome, note

    def fail(self, claim: Claim, plan: Plan, error: dict) -> None:
        """Mark a node failed and every node downstream of it skipped (one execution of a
        mapped node failing fails the mapped node)."""
        with claim.lock:
            with self.db.write() as conn:
                if FAIL(conn, {**held_params(claim), "p_error": error, "p_ts": now_iso()}).first() is None:
                    return
                items = self._started(claim) + [("node.failed", {"node_id": claim.node_id, "error": error})]
                failed = 1
                mapped = parent_of(claim.node_id)
                if mapped is not None:
                    parent_error = {"type": error.get("type", "node_error"),
                                    "message": f"item {mapped[1]} ({claim.node_id}) failed: {error.get('message')}"}
                    if FAIL_MAPPED(conn, {"p_run": claim.run_id, "p_node": mapped[0], "p_error": parent_error,
                                          "p_ts": now_iso()}).first() is not None:
                        items.append(("node.failed", {"node_id": mapped[0], "error": parent_error}))
                        failed += 1
                skipped = self._set_status(conn, claim.run_id, plan.descendants(claim.node_id), "skipped",
                                           only=("pending",), finished=True)
                items.extend(("node.skipped", {"node_id": n}) for n in skipped)
                note = self._finish_nodes(conn, claim.run_id, claim.user_id, items,
                                          nodes_done=failed + len(skipped), plan=plan)
            claim.announced = True
        self._publish(note)

    def retry(self, claim: Claim, error: dict, delay_ms: int) -> bool:
        """Put a node back in the queue after a transient error. False when the run is
        being cancelled (the node is then cancelled instead) or the node is not ours."""
        with claim.lock:
            with self.db.write() as conn:
                if self._cancel_requested(conn, claim.run_id):
                    note, requeued = self._cancel_held(conn, claim), False
                else:
                    requeued = REQUEUE(conn, {**held_params(claim),
                                                      "p_due": time.time() + delay_ms / 1000}).first() is not None
                    note = None
                    if requeued:
                        note, _ = eventlog.append(conn, claim.run_id, claim.user_id, self._started(claim) + [(
                            "node.retrying", {"node_id": claim.node_id, "attempt": claim.attempt, "error": error,
                                              "delay_ms": delay_ms})])
            claim.announced = True
        self._publish(note)
        return requeued

    def expand(self, claim: Claim, count: int) -> list[str]:
        """A mapped node's list is known: record one queued execution per item (``<node>[<i>]``),
        and the node as waiting on them (it holds no lease meanwhile). Returns their ids,
        to dispatch; empty when the node was no longer this claim's."""
        children = [child_id(claim.node_id, i) for i in range(count)]
        with claim.lock:
            with self.db.write() as conn:
                if EXPAND(conn, {**held_params(claim), "p_count": count, "p_mark": f"{MAPPED}{count}",
                                 "p_message": f"0 of {count}"}).first() is None:
                    return []
                now, node_type = time.time(), conn.execute(
                    select(run_nodes.c.type).where(run_nodes.c.run_id == claim.run_id,
                                                   run_nodes.c.node_id == claim.node_id)).scalar_one()
                rows = [{"run_id": claim.run_id, "node_id": c, "type": node_type, "status": "queued", "pending": 0,
                         "attempts": 0, "cached": False, "cost": 0.0, "outputs": None, "progress": None,
                         "finished_at": None, "queued_at": now} for c in children]
                for start in range(0, len(rows), CHUNK * 4):
                    conn.execute(run_nodes.insert(), rows[start:start + CHUNK * 4])
                items = self._started(claim) + [("node.progress", {"node_id": claim.node_id, "progress": 0.0,
                                                                   "message": f"0 of {count}"})]
                items += [("node.queued", {"node_id": c}) for c in children]
                note, _ = eventlog.append(conn, claim.run_id, claim.user_id, items, nodes_done=-count)
            claim.announced = True
        self._publish(note)
        return children

    def _child_done(self, conn: Connection, run_id: str, parent: str, user_id: str,
                    items: list[tuple[str, dict]]) -> Claim | None:
        """Count one finished execution off its mapped node (with a progress event, at most
        one per hundredth); when it was the last, the node is due to gather them: a claim
        for it, with a lease."""
        row = CHILD_DONE(conn, {"p_run": run_id, "p_node": parent,
                                "p_lease": time.time() + self.lease_seconds}).first()
        if row is None:  # the mapped node failed or was cancelled meanwhile
            return None
        left, attempt, mark = row
        total = int(mark[len(MAPPED):])
        done = total - left
        if left == 0 or done % max(1, total // 100) == 0:  # at most about a hundred progress events
            PROGRESS_MAPPED(conn, {"p_run": run_id, "p_node": parent, "p_progress": done / total,
                                   "p_message": f"{done} of {total}"})
            items.append(("node.progress", {"node_id": parent, "progress": done / total,
                                            "message": f"{done} of {total}"}))
        return Claim(run_id, parent, attempt, user_id, gather=True, announced=True) if left == 0 else None

    def mapped_count(self, claim: Claim) -> int | None:
        """How many executions a mapped node was expanded into (None: not expanded yet)."""
        mark = self.external_id(claim)
        return int(mark[len(MAPPED):]) if mark and mark.startswith(MAPPED) else None

    def hand_back(self, claim: Claim, reason: str) -> bool:
        """Put a running node back in the queue because its worker is stopping; its next
        attempt runs elsewhere at once. False when the node was no longer this claim's."""
        with claim.lock:
            with self.db.write() as conn:
                if REQUEUE(conn, {**held_params(claim), "p_due": time.time()}).first() is None:
                    return False
                note, _ = eventlog.append(conn, claim.run_id, claim.user_id, self._started(claim) + [(
                    "node.retrying", {"node_id": claim.node_id, "attempt": claim.attempt,
                                      "error": {"type": "handed_back", "message": reason}, "delay_ms": 0})])
            claim.announced = True
        self._publish(note)
        return True

    def cancelled(self, claim: Claim) -> None:
        """A running node stopped because its run was cancelled."""
        with claim.lock:
            with self.db.write() as conn:
                note = self._cancel_held(conn, claim)
            claim.announced = True
        self._publish(note)

    def _cancel_held(self, conn: Connection, claim: Claim) -> Note | None:
        if CANCEL_HELD(conn, {**held_params(claim), "p_ts": now_iso()}).first() is None:
            return None
        return self._finish_nodes(conn, claim.run_id, claim.user_id,
                                  self._started(claim) + [("node.cancelled", {"node_id": claim.node_id})],
                                  nodes_done=1)

    @staticmethod
    def _started(claim: Claim) -> list[tuple[str, dict]]:
        """The claim's ``node.started``, when it is not in the log yet (callers hold ``claim.lock``)."""
        if claim.announced:
            return []
        return [("node.started", {"node_id": claim.node_id, "attempt": claim.attempt})]

    # -- what a running node records -------------------------------------------------

    def external_id(self, claim: Claim) -> str | None:
        with self.db.read() as conn:
            return EXTERNAL_ID(conn, {"p_run": claim.run_id, "p_node": claim.node_id}).scalar()

    def set_external_id(self, claim: Claim, value: str | None) -> None:
        with self.db.write() as conn:
            SET_EXTERNAL_ID(conn, {**held_params(claim), "p_external": value})

    def record_cost(self, claim: Claim, amount: float, detail: str, key: str) -> bool:
        """Charge ``amount`` USD to the node and its run, once per ``key``. False when
        that key was charged already (a redelivered node resuming a paid request)."""
        try:
            with self.db.write() as conn:
                conn.execute(cost_records.insert().values(
                    run_id=claim.run_id, node_id=claim.node_id, key=key, user_id=claim.user_id,
                    amount=amount, detail=detail, created_at=now_iso()))
                conn.execute(update(run_nodes).where(run_nodes.c.run_id == claim.run_id,
                                                     run_nodes.c.node_id == claim.node_id)
                             .values(cost=run_nodes.c.cost + amount))
                conn.execute(update(runs).where(runs.c.id == claim.run_id).values(cost=runs.c.cost + amount))
                gate.on_cost(conn, user_id=claim.user_id, run_id=claim.run_id, node_id=claim.node_id, amount=amount,
                             detail=detail)
        except IntegrityError:
            return False
        return True

    def claim_within(self, run_id: str, node_id: str, user_id: str, cap: int) -> tuple[Claim | None, bool]:
        """``claim``, unless the user already has ``cap`` nodes running (mapped nodes waiting
        on their executions not counted: they hold no worker). Returns (the claim, whether
        the cap refused it). Claims of one user are serialized for the count to hold."""
        with self.db.write() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:user))"), {"user": user_id})
            running = RUNNING_OF_USER(conn, {"p_user": user_id, "p_mapped": MAPPED + "%"}).scalar_one()
            if running >= cap:
                return None, True
            return self._claim(conn, run_id, node_id, user_id), False

    # -- suspended nodes: waiting on external jobs, no thread held ------------------------

    def suspend(self, claim: Claim, *, wake_at: float, deadline: float) -> bool:
        """The node waits on the external job it recorded: it gives back its lease (and
        its worker thread); a poller looks at the job from ``wake_at`` on, and fails it at
        ``deadline``. False when the node was no longer this claim's."""
        with claim.lock:
            with self.db.write() as conn:
                if SUSPEND(conn, {**held_params(claim), "p_wake": wake_at, "p_deadline": deadline}).first() is None:
                    return False
                started = self._started(claim)
                note = eventlog.append(conn, claim.run_id, claim.user_id, started)[0] if started else None
            claim.announced = True
        self._publish(note)
        return True

    def due_jobs(self, limit: int, hold_seconds: float) -> list[Job]:
        """Take up to ``limit`` suspended nodes due for a look, oldest first, for this
        poller alone for ``hold_seconds`` (a poller that dies is replaced after that)."""
        now = time.time()
        due = (select(run_nodes.c.run_id, run_nodes.c.node_id)
               .where(SUSPENDED, run_nodes.c.wake_at <= now)
               .order_by(run_nodes.c.wake_at).limit(limit))
        with self.db.read() as conn:  # pollers look often: a write transaction only when one is due
            if conn.execute(due.limit(1)).first() is None:
                return []
        held_until = now + hold_seconds
        due = due.with_for_update(skip_locked=True)
        with self.db.write() as conn:
            rows = conn.execute(
                update(run_nodes).where(tuple_(run_nodes.c.run_id, run_nodes.c.node_id).in_(due))
                .values(wake_at=held_until)
                .returning(run_nodes.c.run_id, run_nodes.c.node_id, run_nodes.c.attempts, run_nodes.c.external_id,
                           run_nodes.c.deadline, run_nodes.c.progress, run_nodes.c.message)).all()
            if not rows:
                return []
            owners = {r.id: (r.user_id, r.cancel_requested) for r in conn.execute(
                select(runs.c.id, runs.c.user_id, runs.c.cancel_requested)
                .where(runs.c.id.in_({r.run_id for r in rows})))}
        return [Job(r.run_id, r.node_id, r.attempts, owners[r.run_id][0], r.external_id or "", r.deadline or 0.0,
                    bool(owners[r.run_id][1]), r.progress, r.message, held_until) for r in rows]

    def jobs_waiting(self, looks: Sequence[tuple[Job, float, float | None, str]]) -> None:
        """Record the looks at jobs still going, ``(job, next look at, progress, message)``,
        in one transaction: a ``node.progress`` event where the progress or message changed."""
        if not looks:
            return
        notes = []
        with self.db.write() as conn:
            by_run: dict[tuple[str, str], list[tuple[str, dict]]] = {}
            for job, wake_at, progress, message in looks:
                fraction = job.progress if progress is None else max(job.progress or 0.0, progress)
                changed = message != (job.message or "") or fraction != job.progress
                # (unless a webhook came during the look: then the next look is now, as it asked)
                next_look = case((run_nodes.c.wake_at == job.held_until, wake_at), else_=run_nodes.c.wake_at)
                row = conn.execute(update(run_nodes).where(*_still_suspended(job))
                                   .values(wake_at=next_look, progress=fraction, message=message)
                                   .returning(run_nodes.c.node_id)).first()
                if row is not None and changed:
                    by_run.setdefault((job.run_id, job.user_id), []).append(
                        ("node.progress", {"node_id": job.node_id, "progress": fraction or 0.0, "message": message}))
            for (run_id, user_id), items in by_run.items():
                notes.append(eventlog.append(conn, run_id, user_id, items)[0])
        self._publish(*notes)

    def job_ended(self, job: Job) -> bool:
        """The node's job ended: the node is due to resume on a worker (to be sent). A
        message lost on the way is sent again by ``stranded``."""
        with self.db.write() as conn:
            return conn.execute(update(run_nodes).where(*_still_suspended(job))
                                .values(wake_at=-1.0, queued_at=time.time())
                                .returning(run_nodes.c.node_id)).first() is not None

    def wake(self, run_id: str, node_id: str) -> bool:
        """Look at a suspended node's job now (its provider said it ended: a hint, not
        trusted; the poller asks the provider). False when the node is not suspended."""
        with self.db.write() as conn:
            return conn.execute(update(run_nodes).where(run_nodes.c.run_id == run_id, run_nodes.c.node_id == node_id,
                                                        SUSPENDED)
                                .values(wake_at=0.0).returning(run_nodes.c.node_id)).first() is not None

    def cancel_requested(self, run_id: str) -> bool:
        with self.db.read() as conn:
            return self._cancel_requested(conn, run_id)

    # -- what the executor reads -----------------------------------------------------

    def run_record(self, run_id: str):
        """The immutable part of a run (``user_id``, ``inputs``, ``graph``, ``use_cache``, ``priority``), or None."""
        with self.db.read() as conn:
            return conn.execute(RUN_RECORD, {"p_run": run_id}).first()

    def outputs_of(self, run_id: str, node_ids: Sequence[str]) -> dict[str, dict]:
        """The recorded outputs of some of a run's nodes."""
        with self.db.read() as conn:
            return dict(conn.execute(OUTPUTS_OF, {"p_run": run_id, "p_ids": list(node_ids)}).all())

    # -- the output cache ----------------------------------------------------------------

    def cached(self, user_id: str, key: str) -> dict | None:
        """The outputs stored under ``key`` for the user, or None."""
        with self.db.read() as conn:
            return self._cached(conn, user_id, {"": key}).get(key)

    def remember(self, user_id: str, key: str, outputs: dict) -> None:
        """Store outputs under ``key`` (the first writer of a key wins)."""
        with self.db.write() as conn:
            REMEMBER(conn, {"p_user": user_id, "p_key": key, "p_outputs": outputs, "p_ts": now_iso()})

    @staticmethod
    def _cached(conn: Connection, user_id: str, keys: dict[str, str]) -> dict[str, dict]:
        wanted = list(set(keys.values()))
        found: dict[str, dict] = {}
        for start in range(0, len(wanted), CHUNK):
            found.update(conn.execute(CACHED, {"p_user": user_id, "p_keys": wanted[start:start + CHUNK]}).all())
        return found

    # -- the API's transitions -----------------------------------------------------

    def cancel(self, run_id: str, user_id: str) -> bool:
        """Cancel a run: unstarted nodes at once, running ones when they stop.
        False when the run had already finished."""
        with self.db.write() as conn:
            row = conn.execute(
                update(runs).where(runs.c.id == run_id, runs.c.status == ACTIVE_RUN)
                .values(cancel_requested=True).returning(runs.c.id)
            ).first()
            if row is None:
                return False
            ids = [r[0] for r in conn.execute(
                select(run_nodes.c.node_id).where(run_nodes.c.run_id == run_id,
                                                  run_nodes.c.status.in_(UNSTARTED)))]
            cancelled = self._set_status(conn, run_id, ids, "cancelled", only=UNSTARTED, finished=True)
            cancelled += [r[0] for r in conn.execute(  # mapped nodes waiting on their executions
                update(run_nodes).where(run_nodes.c.run_id == run_id, run_nodes.c.status == "running",
                                        run_nodes.c.external_id.like(MAPPED + "%"))
                .values(status="cancelled", finished_at=now_iso()).returning(run_nodes.c.node_id))]
            note = self._finish_nodes(conn, run_id, user_id,
                                      [("node.cancelled", {"node_id": n}) for n in cancelled],
                                      nodes_done=len(cancelled))
            # suspended nodes: their pollers cancel the external jobs, now
            conn.execute(update(run_nodes).where(run_nodes.c.run_id == run_id, SUSPENDED).values(wake_at=0.0))
        self._publish(note)
        return True

    # -- recovery --------------------------------------------------------------------

    def stranded(self, *, queued_for: float) -> list[Task]:
        """Nodes whose message may be lost, to send again (harmless if it was not):
        running nodes whose lease ran out (their holder died or hung) go back to the
        queue, so a late write of the old holder finds them no longer its own; and
        nodes queued (and due) for longer than ``queued_for`` seconds, or due to resume
        (their external job ended) for that long, each sent again at most once per period.
        Each with its type and its run's priority, which choose its queue."""
        now = time.time()
        with self.db.write() as conn:
            expired = conn.execute(
                update(run_nodes)
                .where(run_nodes.c.status == "running", run_nodes.c.lease_until < now)
                .values(status="queued", lease_until=None, queued_at=now)
                .returning(run_nodes.c.run_id, run_nodes.c.node_id, run_nodes.c.type)).all()
            waiting = conn.execute(
                update(run_nodes)
                .where(or_(run_nodes.c.status == "queued", and_(run_nodes.c.status == "running", RESUMING)),
                       run_nodes.c.queued_at < now - queued_for)
                .values(queued_at=now)
                .returning(run_nodes.c.run_id, run_nodes.c.node_id, run_nodes.c.type)).all()
            priority = self._priorities(conn, {r[0] for r in [*expired, *waiting]})
        LEASE_EXPIRIES.inc(len(expired))
        return [Task(run_id, node_id, type_name, priority.get(run_id, "normal"))
                for run_id, node_id, type_name in [*expired, *waiting]]

    @staticmethod
    def _priorities(conn: Connection, run_ids: set[str]) -> dict[str, str]:
        """Each run's priority, by id."""
        ids, found = sorted(run_ids), {}
        for start in range(0, len(ids), CHUNK):
            found.update(conn.execute(select(runs.c.id, runs.c.priority)
                                      .where(runs.c.id.in_(ids[start:start + CHUNK]))).all())
        return found

    # -- helpers ---------------------------------------------------------------------

    @staticmethod
    def _cancel_requested(conn: Connection, run_id: str) -> bool:
        return bool(CANCEL_REQUESTED(conn, {"p_run": run_id}).scalar())

    @staticmethod
    def _release(conn: Connection, run_id: str, successors: Sequence[str]) -> list[str]:
        """Count a finished predecessor off each successor; those reaching zero are ready."""
        if not successors:
            return []
        if len(successors) == 1:
            row = RELEASE_ONE(conn, {"p_run": run_id, "p_node": successors[0]}).first()
            return [row[0]] if row is not None and row[1] == 0 else []
        ready = []
        for start in range(0, len(successors), CHUNK):
            chunk = list(successors[start:start + CHUNK])
            rows = conn.execute(RELEASE, {"p_run": run_id, "p_ids": chunk}).all()
            ready.extend(node_id for node_id, pending in rows if pending == 0)
        order = {n: i for i, n in enumerate(successors)}
        ready.sort(key=order.__getitem__)
        return ready

    @staticmethod
    def _set_status(conn: Connection, run_id: str, node_ids: Sequence[str], status: str, *,
                    only: Sequence[str] | None = None, finished: bool = False,
                    queued_at: float | None = None) -> list[str]:
        """Move nodes to ``status`` (those currently in ``only``); returns the ids moved."""
        values: dict[str, Any] = {"status": status}
        if finished:
            values["finished_at"] = now_iso()
        if queued_at is not None:
            values["queued_at"] = queued_at
        moved: list[str] = []
        for start in range(0, len(node_ids), CHUNK):
            chunk = list(node_ids[start:start + CHUNK])
            stmt = update(run_nodes).where(run_nodes.c.run_id == run_id, run_nodes.c.node_id.in_(chunk))
            if only is not None:
                stmt = stmt.where(run_nodes.c.status.in_(only))
            moved.extend(r[0] for r in conn.execute(stmt.values(**values).returning(run_nodes.c.node_id)))
        if len(moved) > 1:
            order = {n: i for i, n in enumerate(node_ids)}
            moved.sort(key=order.__getitem__)
        return moved

    def _finish_nodes(self, conn: Connection, run_id: str, user_id: str, items: list[tuple[str, dict]], *,
                      nodes_done: int, plan: Plan | None = None) -> Note:
        """Append events and count finished nodes; end the run when none is left."""
        note, nodes_left = eventlog.append(conn, run_id, user_id, items, nodes_done=nodes_done)
        if nodes_left == 0 and nodes_done:
            note = self._end_run(conn, run_id, user_id, plan) or note
        return note

    @staticmethod
    def _end_run(conn: Connection, run_id: str, user_id: str, plan: Plan | None) -> Note | None:
        rows = conn.execute(select(run_nodes.c.node_id, run_nodes.c.status, run_nodes.c.outputs)
                            .where(run_nodes.c.run_id == run_id)).all()
        statuses = {r.status for r in rows}
        if Ledger._cancel_requested(conn, run_id):
            status = "cancelled"
        elif "failed" in statuses:
            status = "failed"
        else:
            status = "succeeded"
        if plan is None:
            plan = build_plan(graph_from_builtins(conn.execute(select(runs.c.graph).where(runs.c.id == run_id))
                                                  .scalar_one()))
        outputs = run_outputs(plan.outputs, plan.sinks, {r.node_id: r.outputs for r in rows if r.status == "succeeded"})
        ended = conn.execute(update(runs).where(runs.c.id == run_id, runs.c.status == ACTIVE_RUN)
                             .values(status=status, finished_at=now_iso(), outputs=outputs)
                             .returning(runs.c.id)).first()
        if ended is None:  # a run ends once: a second end would contradict the first
            log.error("run %s was counted finished a second time (now %s); its first end stands", run_id, status)
            return None
        gate.on_run_end(conn, run_id, user_id)
        fields = {"outputs": outputs} if status == "succeeded" else {}
        note, _ = eventlog.append(conn, run_id, user_id, [(f"run.{status}", fields)])
        return note


def _node_row(run_id: str, node_id: str, plan: Plan, *, status: str, pending: int, cached: bool = False,
              outputs: Any = None, progress: float | None = None, finished_at: str | None = None,
              queued_at: float | None = None) -> dict:
    return {"run_id": run_id, "node_id": node_id, "type": plan.types[node_id], "status": status,
            "pending": pending, "attempts": 0, "cached": cached, "cost": 0.0, "outputs": outputs,
            "progress": progress, "finished_at": finished_at, "queued_at": queued_at}
