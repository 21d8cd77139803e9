"""Schedules: cron schedules of templates (contract section 13)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.params import Parameter

from orchestrator.api.state import Services
from orchestrator.schedules.service import Schedule, ScheduleCreate, ScheduleList, ScheduleUpdate


class TemplateSchedules(Controller):
    path = "/api/graphs/{graph_id:str}/schedules"
    tags = ["schedules"]

    @post("/", status_code=201, sync_to_thread=True, summary="Run a template on a cron schedule")
    def create(self, graph_id: str, data: ScheduleCreate, services: Services, user_id: str) -> Schedule:
        return services.schedules.create(user_id, graph_id, data)

    @get("/", sync_to_thread=True, summary="A template's schedules, newest first")
    def list_schedules(self, graph_id: str, services: Services, user_id: str,
                       limit: Annotated[int, Parameter(ge=1, le=200)] = 50,
                       cursor: str | None = None) -> ScheduleList:
        return services.schedules.list(user_id, graph_id, limit=limit, cursor=cursor)


class ScheduleController(Controller):
    path = "/api/schedules"
    tags = ["schedules"]

    @get("/{schedule_id:str}", sync_to_thread=True, summary="A schedule")
    def get_schedule(self, schedule_id: str, services: Services, user_id: str) -> Schedule:
        return services.schedules.get(user_id, schedule_id)

    @patch("/{schedule_id:str}", sync_to_thread=True, summary="Change, pause or resume a schedule")
    def update(self, schedule_id: str, data: ScheduleUpdate, services: Services, user_id: str) -> Schedule:
        return services.schedules.update(user_id, schedule_id, data)

    @delete("/{schedule_id:str}", status_code=204, sync_to_thread=True, summary="Delete a schedule")
    def remove(self, schedule_id: str, services: Services, user_id: str) -> None:
        services.schedules.delete(user_id, schedule_id)


ROUTES = [TemplateSchedules, ScheduleController]
