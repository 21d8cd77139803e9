"""Schedules as the API offers them: create, list, read, change, pause, delete."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import msgspec
from sqlalchemy import delete, select, update

from nodes.sdk import NodeType
from orchestrator.engine.service import decode_cursor, encode_cursor
from orchestrator.errors import GraphInvalid, NotFound
from orchestrator.graph.subgraph import template_inputs
from orchestrator.graph.validate import check_run_inputs, error
from orchestrator.schedules.cron import CronError, check, next_fire
from orchestrator.store.db import Database
from orchestrator.store.ids import iso_at, new_id, now_iso
from orchestrator.store.models import graphs, schedules


class ScheduleCreate(msgspec.Struct, forbid_unknown_fields=True):
    """``POST /api/graphs/{id}/schedules``."""

    cron: str
    inputs: dict[str, Any] = {}
    timezone: str = "UTC"
    paused: bool = False


class ScheduleUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """``PATCH /api/schedules/{id}``: the fields given change."""

    cron: str | msgspec.UnsetType = msgspec.UNSET
    inputs: dict[str, Any] | msgspec.UnsetType = msgspec.UNSET
    timezone: str | msgspec.UnsetType = msgspec.UNSET
    paused: bool | msgspec.UnsetType = msgspec.UNSET


class Schedule(msgspec.Struct):
    """A cron schedule of a template (contract section 13)."""

    id: str
    graph_id: str
    cron: str
    timezone: str
    inputs: dict[str, Any]
    paused: bool
    next_run_at: str | None
    """When it fires next; null while paused."""
    last_run_at: str | None
    last_run_id: str | None
    last_error: str | None
    """Why the last fire made no run (a run refused at submission), else null."""
    created_at: str
    updated_at: str


class ScheduleList(msgspec.Struct):
    schedules: list[Schedule]
    next_cursor: str | None


class ScheduleService:
    def __init__(self, db: Database, catalog: Mapping[str, NodeType], *, clock=time.time) -> None:
        self.db = db
        self.catalog = catalog
        self.clock = clock

    def create(self, user_id: str, graph_id: str, body: ScheduleCreate) -> Schedule:
        template_graph = self._template_graph(user_id, graph_id)
        self._check(body.cron, body.timezone, body.inputs, template_graph)
        schedule_id, now = new_id("s"), now_iso()
        with self.db.write() as conn:
            conn.execute(schedules.insert().values(
                id=schedule_id, user_id=user_id, graph_id=graph_id, cron=body.cron, timezone=body.timezone,
                inputs=body.inputs, paused=body.paused, created_at=now, updated_at=now,
                next_run_at=None if body.paused else next_fire(body.cron, body.timezone, self.clock())))
        return self.get(user_id, schedule_id)

    def update(self, user_id: str, schedule_id: str, body: ScheduleUpdate) -> Schedule:
        row = self._row(user_id, schedule_id)
        changes = {k: v for k, v in msgspec.structs.asdict(body).items() if v is not msgspec.UNSET}
        merged = {"cron": row.cron, "timezone": row.timezone, "inputs": row.inputs, "paused": row.paused, **changes}
        self._check(merged["cron"], merged["timezone"], merged["inputs"], self._template_graph(user_id, row.graph_id))
        timing_changed = any(k in changes for k in ("cron", "timezone", "paused"))
        if merged["paused"]:
            changes["next_run_at"] = None
        elif timing_changed:  # from now on: time spent paused is not made up for
            changes["next_run_at"] = next_fire(merged["cron"], merged["timezone"], self.clock())
        with self.db.write() as conn:
            conn.execute(update(schedules).where(schedules.c.id == schedule_id)
                         .values(**changes, updated_at=now_iso()))
        return self.get(user_id, schedule_id)

    def get(self, user_id: str, schedule_id: str) -> Schedule:
        return _document(self._row(user_id, schedule_id))

    def list(self, user_id: str, graph_id: str, *, limit: int = 50, cursor: str | None = None) -> ScheduleList:
        self._template_graph(user_id, graph_id)
        query = select(schedules).where(schedules.c.user_id == user_id, schedules.c.graph_id == graph_id)
        if cursor:
            query = query.where(schedules.c.id < decode_cursor(cursor))
        with self.db.read() as conn:
            rows = conn.execute(query.order_by(schedules.c.id.desc()).limit(limit + 1)).all()
        page = rows[:limit]
        return ScheduleList([_document(r) for r in page], encode_cursor(page[-1].id) if len(rows) > limit else None)

    def delete(self, user_id: str, schedule_id: str) -> None:
        with self.db.write() as conn:
            gone = conn.execute(delete(schedules).where(schedules.c.id == schedule_id, schedules.c.user_id == user_id)
                                .returning(schedules.c.id)).first()
        if gone is None:
            raise NotFound(f"schedule {schedule_id} does not exist")

    def _row(self, user_id: str, schedule_id: str):
        with self.db.read() as conn:
            row = conn.execute(select(schedules).where(schedules.c.id == schedule_id,
                                                       schedules.c.user_id == user_id)).first()
        if row is None:
            raise NotFound(f"schedule {schedule_id} does not exist")
        return row

    def _template_graph(self, user_id: str, graph_id: str) -> dict:
        with self.db.read() as conn:
            graph = conn.execute(select(graphs.c.graph).where(graphs.c.id == graph_id, graphs.c.user_id == user_id)
                                 ).scalar_one_or_none()
        if graph is None:
            raise NotFound(f"graph {graph_id} does not exist")
        return graph

    def _check(self, cron: str, tz: str, inputs: dict, template_graph: dict) -> None:
        """422 naming the field at fault: ``cron``, ``timezone``, or an input the template lacks."""
        errors = []
        try:
            check(cron, tz, self.clock())
        except CronError as exc:
            errors.append(error("invalid_param", str(exc), param=exc.field))
        declared = {i["name"]: i for i in template_inputs(template_graph, self.catalog)}
        errors += check_run_inputs(declared, inputs)
        if errors:
            raise GraphInvalid(errors)


def _document(row) -> Schedule:
    return Schedule(id=row.id, graph_id=row.graph_id, cron=row.cron, timezone=row.timezone, inputs=row.inputs,
                    paused=row.paused, next_run_at=iso_at(row.next_run_at) if row.next_run_at is not None else None,
                    last_run_at=row.last_run_at, last_run_id=row.last_run_id, last_error=row.last_error,
                    created_at=row.created_at, updated_at=row.updated_at)
