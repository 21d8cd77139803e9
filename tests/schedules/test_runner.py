"""The schedule loop under a fake clock, over real databases: due fires, exactly once,
missed fires once on return, pauses, errors, and two processes racing on PostgreSQL."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

import pytest

from nodes.catalog import load_catalog
from orchestrator.errors import GraphInvalid
from orchestrator.schedules.cron import CronError, check, next_fire
from orchestrator.schedules.runner import ScheduleRunner
from orchestrator.schedules.service import Schedule, ScheduleCreate, ScheduleService, ScheduleUpdate
from orchestrator.store import migrate
from orchestrator.store.db import Database
from orchestrator.store.ids import now_iso
from orchestrator.store.models import graphs
from orchestrator.store.users import LOCAL_USER_ID, ensure_local_user

START = datetime(2026, 3, 2, 9, 0, 30, tzinfo=timezone.utc).timestamp()  # a Monday, 09:00:30 UTC
TEMPLATE = {"version": 1, "nodes": [{"id": "who", "type": "input.text", "params": {"default": "x"}}], "edges": []}


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Fires:
    """A stand-in for "run the template": records each fire (optionally slowly)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.delay = delay
        self.lock = threading.Lock()

    def __call__(self, user_id: str, graph_id: str, inputs: dict, schedule_id: str) -> str:
        time.sleep(self.delay)
        with self.lock:
            self.calls.append((schedule_id, inputs))
            return f"r_{len(self.calls)}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    url = (f"sqlite:///{tmp_path / 'ff.db'}" if request.param == "sqlite"
           else request.getfixturevalue("postgres").create_database())
    database = Database(url)
    migrate.upgrade(database)
    ensure_local_user(database)
    with database.write() as conn:
        conn.execute(graphs.insert().values(id="g_1", user_id=LOCAL_USER_ID, name="t", version=1, graph=TEMPLATE,
                                            inputs=[], created_at=now_iso(), updated_at=now_iso()))
    yield database
    database.dispose()


def schedule(service: ScheduleService, cron: str, **fields) -> Schedule:
    return service.create(LOCAL_USER_ID, "g_1", ScheduleCreate(cron=cron, **fields))


def test_a_due_schedule_fires_once_and_a_missed_one_once_on_return(db):
    clock, fires = Clock(START), Fires()
    service, runner = ScheduleService(db, load_catalog(), clock=clock), ScheduleRunner(db, fires, clock=clock)
    every5 = schedule(service, "*/5 * * * *", inputs={"who": "fox"})
    assert every5.next_run_at == "2026-03-02T09:05:00.000Z"
    assert runner.fire_due() == 0

    clock.now = datetime(2026, 3, 2, 9, 5, 0, tzinfo=timezone.utc).timestamp()
    assert runner.fire_due() == 1 and runner.fire_due() == 0  # once, not once per pass
    assert fires.calls == [(every5.id, {"who": "fox"})]
    after = service.get(LOCAL_USER_ID, every5.id)
    assert after.next_run_at == "2026-03-02T09:10:00.000Z" and after.last_run_id == "r_1"

    clock.now += 3 * 3600 + 42  # the service was down for three hours: 36 fires missed
    assert runner.fire_due() == 1 and runner.fire_due() == 0
    assert len(fires.calls) == 2
    assert service.get(LOCAL_USER_ID, every5.id).next_run_at == "2026-03-02T12:10:00.000Z"


def test_paused_schedules_do_not_fire_and_resume_from_now(db):
    clock, fires = Clock(START), Fires()
    service, runner = ScheduleService(db, load_catalog(), clock=clock), ScheduleRunner(db, fires, clock=clock)
    hourly = schedule(service, "0 * * * *", paused=True)
    assert hourly.next_run_at is None
    clock.now += 2 * 3600
    assert runner.fire_due() == 0
    resumed = service.update(LOCAL_USER_ID, hourly.id, ScheduleUpdate(paused=False))
    assert resumed.next_run_at == "2026-03-02T12:00:00.000Z"  # the next after now (11:00:30), nothing made up
    clock.now = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc).timestamp()
    assert runner.fire_due() == 1


def test_a_fire_that_is_refused_is_recorded_and_the_schedule_moves_on(db):
    clock = Clock(START)

    def refuse(user_id, graph_id, inputs, schedule_id):
        raise GraphInvalid([{"code": "invalid_param", "message": "fal is not configured: set FAL_KEY"}])

    service, runner = ScheduleService(db, load_catalog(), clock=clock), ScheduleRunner(db, refuse, clock=clock)
    daily = schedule(service, "30 9 * * *", timezone="Europe/Paris")  # 08:30 UTC in March
    assert daily.next_run_at == "2026-03-03T08:30:00.000Z"
    clock.now = datetime(2026, 3, 3, 8, 30, tzinfo=timezone.utc).timestamp()
    assert runner.fire_due() == 1
    after = service.get(LOCAL_USER_ID, daily.id)
    assert "FAL_KEY" in after.last_error and after.next_run_at == "2026-03-04T08:30:00.000Z"


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)  # SQLite serves one process: nothing to race
def test_two_processes_fire_each_due_schedule_exactly_once(db):
    clock, fires = Clock(START), Fires(delay=0.05)
    service = ScheduleService(db, load_catalog(), clock=clock)
    ids = {schedule(service, "*/5 * * * *", inputs={"who": str(i)}).id for i in range(8)}
    clock.now = datetime(2026, 3, 2, 9, 5, tzinfo=timezone.utc).timestamp()
    other = Database(db.url)  # a second process's own connections
    runners = [ScheduleRunner(db, fires, clock=clock), ScheduleRunner(other, fires, clock=clock)]
    barrier = threading.Barrier(2)
    counts = []

    def race(runner):
        barrier.wait()
        counts.append(runner.fire_due())

    threads = [threading.Thread(target=race, args=(r,)) for r in runners]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    other.dispose()
    assert sorted(s for s, _ in fires.calls) == sorted(ids)  # each once, none twice
    assert sum(counts) == 8


@pytest.mark.parametrize("cron, field", [("* * * * * *", "cron"), ("0 0 30 2 *", "cron"), ("@hourly", "cron"),
                                         ("61 * * * *", "cron"), ("*/5 * * * *", None)])
def test_cron_expressions_take_five_fields_that_fire(cron, field):
    if field is None:
        check(cron, "UTC", START)
        assert next_fire(cron, "UTC", START) - START == 270
        return
    with pytest.raises(CronError) as caught:
        check(cron, "UTC", START)
    assert caught.value.field == field
    with pytest.raises(CronError) as zone_error:
        check("* * * * *", "Mars/Olympus", START)
    assert zone_error.value.field == "timezone"
