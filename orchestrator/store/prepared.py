"""Prepared statements for the hot path: a Core statement compiled once per
dialect, then executed with the driver's own SQL and paramstyle.

SQLAlchemy Core looks up its compiled cache, builds an execution context and
processes every parameter on each call; on SQLite that costs more than running
the statement. A ``Prepared`` statement keeps the same Core definition (one
source of truth for the SQL) and skips that work: ``conn.exec_driver_sql`` with
the string compiled once. Parameters typed with a bind processor (JSON columns)
are still converted. Not for statements with expanding ``IN`` parameters or
result columns that need conversion (JSON): use Core for those.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import Connection, CursorResult
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]
    """Parameter names in the order the driver wants them (positional paramstyles)."""
    positional: bool
    defaults: dict[str, Any]
    """Values fixed in the statement itself (``.values(status="running")``)."""
    processors: dict[str, Callable[[Any], Any]]


class Prepared:
    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def __call__(self, conn: Connection, params: dict[str, Any]) -> CursorResult:
        compiled = self._for(conn.dialect)
        return conn.exec_driver_sql(compiled.sql, self._arguments(compiled, params))

    def many(self, conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
        """Execute once per row (the driver's ``executemany``)."""
        compiled = self._for(conn.dialect)
        conn.exec_driver_sql(compiled.sql, [self._arguments(compiled, row) for row in rows])

    def _for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = self._compile(dialect)
        return compiled

    def _compile(self, dialect: Dialect) -> _Compiled:
        result = self.statement.compile(dialect=dialect)
        processors = {}
        for name, bind in result.binds.items():
            processor = bind.type._cached_bind_processor(dialect)
            if processor is not None:
                processors[name] = processor
        names = tuple(result.positiontup or ())
        return _Compiled(sql=result.string, names=names, positional=bool(result.positiontup),
                         defaults=dict(result.params), processors=processors)

    @staticmethod
    def _arguments(compiled: _Compiled, params: dict[str, Any]) -> tuple | dict:
        values = {**compiled.defaults, **params}
        for name, processor in compiled.processors.items():
            if name in values:
                values[name] = processor(values[name])
        if compiled.positional:
            return tuple(values[name] for name in compiled.names)
        return values
