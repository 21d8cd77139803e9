"""One page of a user's rows, newest first (ids are time-ordered, so by ``id DESC``)."""

from __future__ import annotations

from sqlalchemy import Table, select

from orchestrator.store.db import Database


def newest_first(db: Database, table: Table, user_id: str, *, limit: int, before: str | None) -> tuple[list, bool]:
    """Up to ``limit`` rows (as mappings) of ``user_id`` with ids below ``before``; and whether more follow."""
    query = select(table).where(table.c.user_id == user_id)
    if before:
        query = query.where(table.c.id < before)
    with db.read() as conn:
        rows = conn.execute(query.order_by(table.c.id.desc()).limit(limit + 1)).mappings().all()
    return list(rows[:limit]), len(rows) > limit
