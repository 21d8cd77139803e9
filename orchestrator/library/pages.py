"""Cursor pages over id-ordered tables: newest first, ``next_cursor`` opaque."""

from __future__ import annotations

import base64
import binascii

from sqlalchemy import Column, Connection, Select

from orchestrator.errors import InvalidRequest


def page(conn: Connection, query: Select, id_column: Column, *, limit: int, cursor: str | None) -> tuple[list, str | None]:
    """``(rows, next_cursor)``: up to ``limit`` rows of ``query`` newest first, after ``cursor``."""
    if cursor:
        query = query.where(id_column < _decode(cursor))
    rows = conn.execute(query.order_by(id_column.desc()).limit(limit + 1)).all()
    rows, more = rows[:limit], len(rows) > limit
    return rows, _encode(getattr(rows[-1], id_column.name)) if more else None


def _encode(last_id: str) -> str:
    return base64.urlsafe_b64encode(last_id.encode()).decode().rstrip("=")


def _decode(cursor: str) -> str:
    try:
        last_id = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        last_id = ""
    if not last_id.isprintable() or not last_id:
        raise InvalidRequest(f"cursor {cursor!r} is not one this server gave out", code="invalid_cursor")
    return last_id
