"""The event log: every state change of a run, numbered.

``append`` numbers a run's events 1, 2, 3 … by bumping ``runs.next_seq`` and the
user's events by bumping ``users.event_seq``, in the caller's transaction. The
bump takes the row's lock until commit, so numbers commit in order: a reader that
has seen event N never later finds an uncommitted N-1. That is what makes
``Last-Event-ID`` resumption lossless for both the run stream and the user stream.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
from sqlalchemy import Connection, bindparam, select, text, update

from orchestrator.store.ids import now_iso
from orchestrator.store.models import events, runs, users
from orchestrator.store.prepared import Prepared

TERMINAL_RUN_EVENTS = frozenset({"run.succeeded", "run.failed", "run.cancelled"})
WITH_OUTPUTS = frozenset({"node.succeeded", "run.succeeded"})
"""Events whose data carries outputs (asset URLs are signed afresh when they are sent)."""

_encode = msgspec.json.Encoder().encode

_BUMP_RUN = Prepared(update(runs).where(runs.c.id == bindparam("p_run"))
             .values(next_seq=runs.c.next_seq + bindparam("p_count"), nodes_left=runs.c.nodes_left - bindparam("p_done"))
             .returning(runs.c.next_seq, runs.c.nodes_left))
_BUMP_USER = Prepared(update(users).where(users.c.id == bindparam("p_user"))
              .values(event_seq=users.c.event_seq + bindparam("p_count")).returning(users.c.event_seq))
_INSERT = Prepared(events.insert().values({name: bindparam(name) for name in
                                           ("run_id", "seq", "user_id", "user_seq", "type", "data")}))


class Note(msgspec.Struct, array_like=True):
    """What the bus carries after a commit: which run and user logs grew, and to where."""

    run_id: str
    user_id: str
    seq: int
    user_seq: int


class Event(msgspec.Struct):
    seq: int
    """The run's sequence number (the run stream's SSE id)."""
    user_seq: int
    """The user's sequence number (the user stream's SSE id)."""
    type: str
    data: str
    """The JSON payload, as sent."""


# PostgreSQL: both bumps and the insert in one statement, so the run's and the user's
# row locks are held for one round trip plus the commit, not one per statement. The
# payload is stored as sent; its ``run_id`` and ``seq`` are spliced in by the database.
_APPEND_PG = text("""
WITH r AS (UPDATE runs SET next_seq = next_seq + :n, nodes_left = nodes_left - :done
           WHERE id = :run RETURNING next_seq, nodes_left),
     u AS (UPDATE users SET event_seq = event_seq + :n WHERE id = :user RETURNING event_seq),
     ins AS (INSERT INTO events (run_id, seq, user_id, user_seq, type, data)
             SELECT :run, r.next_seq - :n + e.i, :user, u.event_seq - :n + e.i, e.type,
                    :head || (r.next_seq - :n + e.i) || ',' || substr(e.data, 2)
             FROM r, u, unnest(CAST(:types AS text[]), CAST(:datas AS text[])) WITH ORDINALITY AS e(type, data, i))
SELECT r.next_seq, r.nodes_left, u.event_seq FROM r, u
""")


def append(conn: Connection, run_id: str, user_id: str, items: Sequence[tuple[str, dict[str, Any]]],
           *, nodes_done: int = 0) -> tuple[Note, int]:
    """Append ``(type, fields)`` events to a run's log, and count ``nodes_done`` nodes
    as finished. Returns the bus note and the run's ``nodes_left`` afterwards."""
    count = len(items)
    if conn.dialect.name == "postgresql":
        ts = now_iso()
        last_seq, nodes_left, last_user_seq = conn.execute(_APPEND_PG, {
            "n": count, "done": nodes_done, "run": run_id, "user": user_id,
            "head": '{"run_id":' + _encode(run_id).decode() + ',"seq":',
            "types": [event_type for event_type, _ in items],
            "datas": [_encode({"ts": ts, **fields}).decode() for _, fields in items]}).one()
        return Note(run_id, user_id, last_seq, last_user_seq), nodes_left
    last_seq, nodes_left = _BUMP_RUN(conn, {"p_run": run_id, "p_count": count, "p_done": nodes_done}).one()
    last_user_seq = _BUMP_USER(conn, {"p_user": user_id, "p_count": count}).scalar_one()
    if count:
        ts = now_iso()
        first_seq, first_user_seq = last_seq - count + 1, last_user_seq - count + 1
        rows = []
        for i, (event_type, fields) in enumerate(items):
            seq = first_seq + i
            payload = {"run_id": run_id, "seq": seq, "ts": ts, **fields}
            rows.append({"run_id": run_id, "seq": seq, "user_id": user_id, "user_seq": first_user_seq + i,
                         "type": event_type, "data": _encode(payload).decode()})
        _INSERT.many(conn, rows)
    return Note(run_id, user_id, last_seq, last_user_seq), nodes_left


def read_run(conn: Connection, run_id: str, after: int, limit: int = 1000) -> list[Event]:
    """A run's events after its event ``after``, in order."""
    return _read(conn, events.c.run_id == run_id, events.c.seq, after, limit)


def read_user(conn: Connection, user_id: str, after: int, limit: int = 1000) -> list[Event]:
    """A user's events (of every run) after the user's event ``after``, in order."""
    return _read(conn, events.c.user_id == user_id, events.c.user_seq, after, limit)


def _read(conn: Connection, owner, position, after: int, limit: int) -> list[Event]:
    rows = conn.execute(select(events.c.seq, events.c.user_seq, events.c.type, events.c.data)
                        .where(owner, position > after).order_by(position).limit(limit)).all()
    return [Event(*row) for row in rows]


def user_position(conn: Connection, user_id: str) -> int:
    """The user's newest event number (the user stream starts after it)."""
    return conn.execute(select(users.c.event_seq).where(users.c.id == user_id)).scalar_one_or_none() or 0
