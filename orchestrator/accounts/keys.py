"""API keys for scripts: named, shown once, hashed at rest, listed with when they were
last used, revoked at once."""

from __future__ import annotations

import threading
import time

from sqlalchemy import delete, select, update

from orchestrator.errors import NotFound
from orchestrator.store.db import Database
from orchestrator.store.ids import now_iso
from orchestrator.store.models import api_keys, users
from orchestrator.store.pages import newest_first
from orchestrator.store.users import hash_key, insert_key

LAST_USED_EVERY = 30.0
"""Seconds between two writes of one key's ``last_used_at`` by one process (the contract
allows a minute of lateness; a write per request would cost more than the request)."""


def _public(row) -> dict:
    return {"id": row["id"], "name": row["name"], "prefix": row["prefix"], "created_at": row["created_at"],
            "last_used_at": row["last_used_at"]}


def create(db: Database, user_id: str, name: str) -> dict:
    """A new key: ``{"id", "name", "key", "prefix", "created_at"}``, the only time ``key`` is shown."""
    with db.write() as conn:
        row = insert_key(conn, user_id, name)
    return {"id": row["id"], "name": name, "key": row["key"], "prefix": row["prefix"],
            "created_at": row["created_at"]}


def list_keys(db: Database, user_id: str, *, limit: int, before: str | None) -> tuple[list[dict], bool]:
    """The user's keys, newest first, without the key itself; and whether more follow."""
    rows, more = newest_first(db, api_keys, user_id, limit=limit, before=before)
    return [_public(r) for r in rows], more


def revoke(db: Database, user_id: str, key_id: str) -> None:
    with db.write() as conn:
        gone = conn.execute(delete(api_keys).where(api_keys.c.id == key_id, api_keys.c.user_id == user_id)
                            .returning(api_keys.c.id)).first()
    if gone is None:
        raise NotFound(f"key {key_id} does not exist")


class KeyLookup:
    """Finds the user of a key and notes its use (at most every ``LAST_USED_EVERY`` s per process)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._noted: dict[str, float] = {}
        self._lock = threading.Lock()

    def user_of(self, key: str) -> tuple[str, bool] | None:
        """``(user_id, disabled)`` of the key's owner, or None for no such key."""
        digest = hash_key(key)
        with self.db.read() as conn:
            row = conn.execute(select(api_keys.c.id, users.c.id.label("user_id"), users.c.disabled)
                               .join(users, users.c.id == api_keys.c.user_id)
                               .where(api_keys.c.key_hash == digest)).first()
            if row is None:  # keys made before named keys existed live on the user's row
                legacy = conn.execute(select(users.c.id, users.c.disabled).where(users.c.key_hash == digest)).first()
                return (legacy.id, bool(legacy.disabled)) if legacy is not None else None
        self._note_use(row.id)
        return row.user_id, bool(row.disabled)

    def _note_use(self, key_id: str) -> None:
        now = time.monotonic()
        with self._lock:
            if now - self._noted.get(key_id, -LAST_USED_EVERY) < LAST_USED_EVERY:
                return
            self._noted[key_id] = now
            if len(self._noted) > 10_000:
                self._noted.clear()
        with self.db.write() as conn:
            conn.execute(update(api_keys).where(api_keys.c.id == key_id).values(last_used_at=now_iso()))
