"""Users: the local user, users made by the CLI (with a first API key), by
registration (a password) or by a wallet (an Ethereum address).

API keys are stored as SHA-256 hashes, never in clear (see ``orchestrator.accounts.keys``).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, select, update
from sqlalchemy.exc import IntegrityError

from orchestrator.store.db import Database
from orchestrator.store.ids import new_id, now_iso
from orchestrator.store.models import api_keys, users

LOCAL_USER_ID = "u_local"
KEY_PREFIX = "ff_"
ROLES = ("user", "admin")


@dataclass(frozen=True)
class User:
    id: str
    name: str
    role: str
    disabled: bool
    daily_limit: float | None
    created_at: str
    address: str | None = None


def _user(row) -> User:
    return User(id=row.id, name=row.name, role=row.role, disabled=bool(row.disabled), daily_limit=row.daily_limit,
                created_at=row.created_at, address=row.address)


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


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


def insert_user(conn: Connection, name: str, *, role: str = "user", password_hash: str | None = None,
                address: str | None = None, key_hash: str | None = None) -> str:
    """Insert a user in ``conn``'s transaction; raises ``IntegrityError`` when the name is taken."""
    user_id = new_id("u")
    conn.execute(users.insert().values(id=user_id, name=name, key_hash=key_hash, event_seq=0, created_at=now_iso(),
                                       role=role, disabled=False, password_hash=password_hash, address=address))
    return user_id


def insert_key(conn: Connection, user_id: str, name: str) -> dict:
    """A new API key of ``user_id``: its row (with ``key``, the only time it is in clear)."""
    key = new_key()
    row = {"id": new_id("k"), "user_id": user_id, "name": name, "prefix": key[:8], "key_hash": hash_key(key),
           "created_at": now_iso(), "last_used_at": None}
    conn.execute(api_keys.insert().values(**row))
    return {**row, "key": key}


def create_user(db: Database, name: str, *, admin: bool = False) -> tuple[str, str]:
    """Create a user with a first API key named ``cli`` (the CLI's bootstrap); returns
    ``(user_id, api_key)``. The key is shown only this once."""
    with db.write() as conn:
        user_id = insert_user(conn, name, role="admin" if admin else "user")
        key = insert_key(conn, user_id, "cli")["key"]
    return user_id, key


def get_user(conn: Connection, user_id: str) -> User | None:
    row = conn.execute(select(users).where(users.c.id == user_id)).first()
    return _user(row) if row is not None else None


def password_of(conn: Connection, name: str) -> tuple[str | None, str | None]:
    """``(user_id, password_hash)`` of the user called ``name`` (``(None, None)`` if none)."""
    row = conn.execute(select(users.c.id, users.c.password_hash).where(users.c.name == name)).first()
    return (row.id, row.password_hash) if row is not None else (None, None)


def user_by_address(conn: Connection, address: str) -> str | None:
    return conn.execute(select(users.c.id).where(users.c.address == address)).scalar()


def list_users(conn: Connection, *, limit: int, before: str | None) -> list[User]:
    query = select(users).where(users.c.id != LOCAL_USER_ID)
    if before:
        query = query.where(users.c.id < before)
    return [_user(r) for r in conn.execute(query.order_by(users.c.id.desc()).limit(limit))]


def set_fields(conn: Connection, user_id: str, **values) -> bool:
    """Update some of a user's fields; False when there is no such user."""
    return conn.execute(update(users).where(users.c.id == user_id).values(**values)
                        .returning(users.c.id)).first() is not None


def lock_user(conn: Connection, user_id: str) -> None:
    """Take the user's row lock for the rest of the transaction (PostgreSQL; SQLite
    serialises every write anyway), so that balance checks and ledger writes queue.
    Take it first in the transaction. ``FOR NO KEY UPDATE``: rows that merely refer to
    the user (foreign keys) do not wait for it."""
    conn.execute(select(users.c.id).where(users.c.id == user_id).with_for_update(key_share=True))
