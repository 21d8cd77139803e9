"""The database handle: one SQLAlchemy engine, write transactions and reads.

SQLite (embedded) takes one writer at a time; writes take a process-wide lock and
``BEGIN IMMEDIATE`` so that concurrent threads queue instead of failing with
"database is locked". PostgreSQL (distributed) relies on row locks instead.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, create_engine, event, text
from sqlalchemy.engine import Engine, make_url


class Database:
    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self._write_lock = threading.Lock() if self.is_sqlite else None
        self.engine = self._create_engine(url, pool_size)

    def _create_engine(self, url: str, pool_size: int) -> Engine:
        if not self.is_sqlite:
            return create_engine(url, pool_size=pool_size, max_overflow=pool_size * 2,
                                 pool_pre_ping=True, pool_recycle=1800)
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               pool_size=pool_size, max_overflow=pool_size * 4)
        event.listen(engine, "connect", _configure_sqlite)
        return engine

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A connection in a transaction that commits on success and rolls back on error."""
        if self._write_lock is None:
            with self.engine.begin() as conn:
                yield conn
            return
        with self._write_lock, self.engine.connect() as conn:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.rollback()
                raise
            conn.commit()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reads (each statement sees committed data)."""
        with self.engine.connect() as conn:
            yield conn
            conn.rollback()

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()


def _configure_sqlite(dbapi_connection, _record) -> None:
    # Let us issue BEGIN ourselves (BEGIN IMMEDIATE for writes); see SQLAlchemy's
    # "pysqlite serializable isolation" recipe.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=30000", "foreign_keys=ON"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()
