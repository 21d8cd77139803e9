"""Users and their API keys. Keys are stored as SHA-256 hashes, never in clear."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from orchestrator.store.db import Database
from orchestrator.store.ids import new_id, now_iso
from orchestrator.store.models import users

LOCAL_USER_ID = "u_local"
KEY_PREFIX = "ff_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def ensure_local_user(db: Database) -> None:
    """The one user of an installation without authentication."""
    with db.read() as conn:
        if conn.execute(select(users.c.id).where(users.c.id == LOCAL_USER_ID)).first():
            return
    try:
        with db.write() as conn:
            conn.execute(users.insert().values(id=LOCAL_USER_ID, name="local", key_hash=None, event_seq=0,
                                               created_at=now_iso()))
    except IntegrityError:
        pass  # another process created it first


def create_user(db: Database, name: str) -> tuple[str, str]:
    """Create a user; returns ``(user_id, api_key)``. The key is shown only this once."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    user_id = new_id("u")
    with db.write() as conn:
        conn.execute(users.insert().values(id=user_id, name=name, key_hash=hash_key(key), event_seq=0,
                                           created_at=now_iso()))
    return user_id, key


def user_by_key(db: Database, key: str) -> str | None:
    with db.read() as conn:
        return conn.execute(select(users.c.id).where(users.c.key_hash == hash_key(key))).scalar()
