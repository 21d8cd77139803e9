"""The run state machine: every transition of a run and its nodes, one transaction each.

The database is the source of truth. Each transition is a conditional update
(``… WHERE status = 'running' AND attempts = :attempt``), so a transition that
arrives twice, from a redelivered message or a worker that lost its lease, does
nothing the second time. A successor's count of unfinished predecessors is
decremented under its row lock; the one transaction that brings it to zero
queues it, so it is dispatched exactly once. Events are appended in the same
transaction, last (see ``orchestrator.store.eventlog``), and the bus is told
after commit.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, and_, bindparam, select, update

from orchestrator.events.bus import LocalBus, Note
from orchestrator.graph.outputs import run_outputs
from orchestrator.graph.plan import Plan, build_plan
from orchestrator.graph.spec import graph_from_builtins
from orchestrator.store import eventlog
from orchestrator.store.db import Database
from orchestrator.store.ids import now_iso
from orchestrator.store.models import JSONText, run_nodes, runs

ACTIVE_RUN = "running"
UNSTARTED = ("pending", "queued")
CHUNK = 500

# The hot path's statements, built once (building SQLAlchemy expressions per call
# costs more than executing them on SQLite).
_P = bindparam
HELD = (run_nodes.c.run_id == _P("p_run"), run_nodes.c.node_id == _P("p_node"),
        run_nodes.c.status == "running", run_nodes.c.attempts == _P("p_attempt"))
"""The row filter for a node a claim still holds; execute with ``held_params(claim)``."""
CLAIM = (update(run_nodes)
         .where(run_nodes.c.run_id == _P("p_run"), run_nodes.c.node_id == _P("p_node"),
                (run_nodes.c.status == "queued")
                | and_(run_nodes.c.status == "running", run_nodes.c.lease_until < _P("p_now")))
         .values(status="running", attempts=run_nodes.c.attempts + 1, started_at=_P("p_ts"),
                 lease_until=_P("p_lease"), progress=0.0, message=None)
         .returning(run_nodes.c.attempts))
PROGRESS = (update(run_nodes).where(*HELD)
            .values(progress=_P("p_progress"), message=_P("p_message"), lease_until=_P("p_lease"))
            .returning(run_nodes.c.node_id))
SUCCEED = (update(run_nodes).where(*HELD)
           .values(status="succeeded", outputs=_P("p_outputs", type_=JSONText()), cached=_P("p_cached"),
                   progress=1.0, finished_at=_P("p_ts"), lease_until=None)
           .returning(run_nodes.c.node_id))
RELEASE = (update(run_nodes)
           .where(run_nodes.c.run_id == _P("p_run"), run_nodes.c.node_id.in_(_P("p_ids", expanding=True)),
                  run_nodes.c.status == "pending")
           .values(pending=run_nodes.c.pending - 1)
           .returning(run_nodes.c.node_id, run_nodes.c.pending))
START_INLINE = (update(run_nodes).where(run_nodes.c.run_id == _P("p_run"), run_nodes.c.node_id == _P("p_node"))
                .values(status="running", attempts=1, started_at=_P("p_ts"), lease_until=_P("p_lease"),
                        queued_at=_P("p_now")))


@dataclass
class Claim:
    """A node this worker holds: run it, then report with the same ``attempt``."""

    run_id: str
    node_id: str
    attempt: int
    user_id: str


def held_params(claim: Claim) -> dict:
    """The parameters of ``HELD`` for ``claim``."""
    return {"p_run": claim.run_id, "p_node": claim.node_id, "p_attempt": claim.attempt}


@dataclass
class Outcome:
    """What a transition decided: nodes to send to workers, and maybe one to run inline."""

    recorded: bool = False
    """False when the node was no longer this worker's to finish (nothing was written)."""
    dispatch: list[str] = field(default_factory=list)
    inline: Claim | None = None


class Scheduler:
    def __init__(self, db: Database, bus: LocalBus, *, lease_seconds: int = 60) -> None:
        self.db = db
        self.bus = bus
        self.lease_seconds = lease_seconds

    def _publish(self, *notes: Note | None) -> None:
        self.bus.publish([n for n in notes if n is not None])

    # -- submission ---------------------------------------------------------------

    def create_run(self, conn: Connection, *, run_id: str, user_id: str, plan: Plan, graph: dict,
                   inputs: dict, graph_id: str | None, graph_version: int | None, use_cache: bool) -> Note:
        """Record a run, its nodes (roots queued) and its first events, in ``conn``'s transaction.
        The caller commits, then calls ``started`` to tell the bus and dispatch the roots."""
        created = now_iso()
        conn.execute(runs.insert().values(
            id=run_id, user_id=user_id, status=ACTIVE_RUN, graph=graph, inputs=inputs, graph_id=graph_id,
            graph_version=graph_version, created_at=created, next_seq=0, nodes_left=len(plan.order),
            cancel_requested=False, use_cache=use_cache, cost=0.0))
        queued_at = time.time()
        rows = [{"run_id": run_id, "node_id": n, "type": plan.types[n],
                 "status": "queued" if not plan.predecessors[n] else "pending",
                 "pending": len(plan.predecessors[n]), "attempts": 0, "cached": False, "cost": 0.0,
                 "queued_at": queued_at if not plan.predecessors[n] else None}
                for n in plan.order]
        for start in range(0, len(rows), CHUNK * 4):
            conn.execute(run_nodes.insert(), rows[start:start + CHUNK * 4])
        items = [("run.started", {})] + [("node.queued", {"node_id": n}) for n in plan.roots]
        note, _ = eventlog.append(conn, run_id, user_id, items)
        return note

    # -- a worker's transitions ----------------------------------------------------

    def claim(self, run_id: str, node_id: str, user_id: str) -> Claim | None:
        """Take a queued node (or one whose holder's lease ran out). None: nothing to do."""
        now = time.time()
        with self.db.write() as conn:
            attempt = conn.execute(CLAIM, {"p_run": run_id, "p_node": node_id, "p_now": now, "p_ts": now_iso(),
                                           "p_lease": now + self.lease_seconds}).scalar_one_or_none()
            if attempt is None:
                return None
            note, _ = eventlog.append(conn, run_id, user_id,
                                      [("node.started", {"node_id": node_id, "attempt": attempt})])
        self._publish(note)
        return Claim(run_id, node_id, attempt, user_id)

    def progress(self, claim: Claim, fraction: float, message: str) -> bool:
        """Record progress and renew the lease. False when the node is no longer ours."""
        with self.db.write() as conn:
            owned = conn.execute(PROGRESS, {**held_params(claim), "p_progress": fraction,
                                            "p_message": message, "p_lease": time.time() + self.lease_seconds}).first()
            if owned is None:
                return False
            note, _ = eventlog.append(conn, claim.run_id, claim.user_id, [(
                "node.progress", {"node_id": claim.node_id, "progress": fraction, "message": message})])
        self._publish(note)
        return True

    def renew_leases(self, claims: Sequence[Claim]) -> None:
        """Extend the leases of nodes still running here (long provider jobs)."""
        if not claims:
            return
        with self.db.write() as conn:
            for claim in claims:
                conn.execute(update(run_nodes).where(*HELD).values(lease_until=time.time() + self.lease_seconds),
                             held_params(claim))

    def succeed(self, claim: Claim, plan: Plan, outputs: dict, *, cached: bool, inline: bool) -> Outcome:
        """Record a node's outputs and release its successors. With ``inline``, one ready
        successor is claimed for this worker in the same transaction."""
        outcome = Outcome()
        with self.db.write() as conn:
            done = conn.execute(SUCCEED, {**held_params(claim), "p_outputs": outputs, "p_cached": cached,
                                          "p_ts": now_iso()}).first()
            if done is None:
                return outcome
            outcome.recorded = True
            items: list[tuple[str, dict]] = [
                ("node.succeeded", {"node_id": claim.node_id, "outputs": outputs, "cached": cached})]
            ready = self._release(conn, claim.run_id, plan.successors[claim.node_id])
            if ready:
                now = time.time()
                if inline:
                    first, ready = ready[0], ready[1:]
                    conn.execute(START_INLINE, {"p_run": claim.run_id, "p_node": first, "p_ts": now_iso(),
                                                "p_lease": now + self.lease_seconds, "p_now": now})
                    items.append(("node.queued", {"node_id": first}))
                    items.append(("node.started", {"node_id": first, "attempt": 1}))
                    outcome.inline = Claim(claim.run_id, first, 1, claim.user_id)
                if ready:
                    self._set_status(conn, claim.run_id, ready, "queued", queued_at=now)
                    items.extend(("node.queued", {"node_id": n}) for n in ready)
                outcome.dispatch = ready
            note = self._finish_nodes(conn, claim.run_id, claim.user_id, items, nodes_done=1, plan=plan)
        self._publish(note)
        return outcome

    def fail(self, claim: Claim, plan: Plan, error: dict) -> None:
        """Mark a node failed and every node downstream of it skipped."""
        with self.db.write() as conn:
            done = conn.execute(
                update(run_nodes).where(*HELD)
                .values(status="failed", error=error, finished_at=now_iso(), lease_until=None)
                .returning(run_nodes.c.node_id), held_params(claim)
            ).first()
            if done is None:
                return
            skipped = self._set_status(conn, claim.run_id, plan.descendants(claim.node_id), "skipped",
                                       only=("pending",), finished=True)
            items = [("node.failed", {"node_id": claim.node_id, "error": error})]
            items.extend(("node.skipped", {"node_id": n}) for n in skipped)
            note = self._finish_nodes(conn, claim.run_id, claim.user_id, items, nodes_done=1 + len(skipped),
                                      plan=plan)
        self._publish(note)

    def retry(self, claim: Claim, error: dict, delay_ms: int) -> bool:
        """Put a node back in the queue after a transient error. False when the run is
        being cancelled (the node is then cancelled instead) or the node is not ours."""
        with self.db.write() as conn:
            if self._cancel_requested(conn, claim.run_id):
                note = self._cancel_held(conn, claim)
                done = None
            else:
                note = None
                done = conn.execute(
                    update(run_nodes).where(*HELD)
                    .values(status="queued", error=None, lease_until=None, queued_at=time.time() + delay_ms / 1000)
                    .returning(run_nodes.c.node_id), held_params(claim)
                ).first()
            if done is not None:
                note, _ = eventlog.append(conn, claim.run_id, claim.user_id, [(
                    "node.retrying", {"node_id": claim.node_id, "attempt": claim.attempt, "error": error,
                                      "delay_ms": delay_ms})])
        self._publish(note)
        return done is not None

    def cancelled(self, claim: Claim) -> None:
        """A running node stopped because its run was cancelled."""
        with self.db.write() as conn:
            note = self._cancel_held(conn, claim)
        self._publish(note)

    def _cancel_held(self, conn: Connection, claim: Claim) -> Note | None:
        done = conn.execute(
            update(run_nodes).where(*HELD)
            .values(status="cancelled", finished_at=now_iso(), lease_until=None)
            .returning(run_nodes.c.node_id), held_params(claim)
        ).first()
        if done is None:
            return None
        return self._finish_nodes(conn, claim.run_id, claim.user_id,
                                  [("node.cancelled", {"node_id": claim.node_id})], nodes_done=1)

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
            note = self._finish_nodes(conn, run_id, user_id,
                                      [("node.cancelled", {"node_id": n}) for n in cancelled],
                                      nodes_done=len(cancelled))
        self._publish(note)
        return True

    # -- recovery --------------------------------------------------------------------

    def stranded(self, *, queued_for: float) -> list[tuple[str, str]]:
        """Nodes whose message may be lost: running with an expired lease, or queued
        (and due) for longer than ``queued_for`` seconds. Sending them again is harmless."""
        now = time.time()
        with self.db.write() as conn:
            expired = conn.execute(
                select(run_nodes.c.run_id, run_nodes.c.node_id)
                .where(run_nodes.c.status == "running", run_nodes.c.lease_until < now).limit(1000)).all()
            waiting = conn.execute(
                update(run_nodes)
                .where(run_nodes.c.status == "queued", run_nodes.c.queued_at < now - queued_for)
                .values(queued_at=now)  # so the same node is sent again at most once per period
                .returning(run_nodes.c.run_id, run_nodes.c.node_id)).all()
        return [(r[0], r[1]) for r in [*expired, *waiting]]

    # -- helpers ---------------------------------------------------------------------

    @staticmethod
    def _cancel_requested(conn: Connection, run_id: str) -> bool:
        return bool(conn.execute(select(runs.c.cancel_requested).where(runs.c.id == run_id)).scalar_one())

    @staticmethod
    def _release(conn: Connection, run_id: str, successors: Sequence[str]) -> list[str]:
        """Count a finished predecessor off each successor; those reaching zero are ready."""
        if not successors:
            return []
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
            note = self._end_run(conn, run_id, user_id, plan)
        return note

    @staticmethod
    def _end_run(conn: Connection, run_id: str, user_id: str, plan: Plan | None) -> Note:
        rows = conn.execute(select(run_nodes.c.node_id, run_nodes.c.status, run_nodes.c.outputs)
                            .where(run_nodes.c.run_id == run_id)).all()
        statuses = {r.status for r in rows}
        cancel_requested = Scheduler._cancel_requested(conn, run_id)
        if cancel_requested:
            status = "cancelled"
        elif "failed" in statuses:
            status = "failed"
        else:
            status = "succeeded"
        if plan is None:
            plan = build_plan(graph_from_builtins(conn.execute(select(runs.c.graph).where(runs.c.id == run_id))
                                                  .scalar_one()))
        outputs = run_outputs(plan.outputs, plan.sinks, {r.node_id: r.outputs for r in rows if r.status == "succeeded"})
        conn.execute(update(runs).where(runs.c.id == run_id)
                     .values(status=status, finished_at=now_iso(), outputs=outputs))
        fields = {"outputs": outputs} if status == "succeeded" else {}
        note, _ = eventlog.append(conn, run_id, user_id, [(f"run.{status}", fields)])
        return note

