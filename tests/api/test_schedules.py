"""Schedules over the API (contract section 13), in both modes; the loop's timing itself
is tested with a fake clock in tests/schedules."""

from __future__ import annotations

import time
from datetime import datetime

import pytest
from sqlalchemy import update

from orchestrator import settings
from orchestrator.store.db import Database
from orchestrator.store.models import schedules
from tests.helpers import edge, graph, node, server_env, wait_run, wait_until

FAST = {"FUSIONFLOW_TRIGGER_POLL_SECONDS": "0.1"}
GREET = graph([node("who", "input.text", default="world"), node("out", "output.text")], [edge("who.text", "out.value")])


embedded_env, distributed_env = server_env(FAST)


@pytest.fixture(scope="module")
def database(server, mode, request):
    """The server's own database, to play "the service was down" by moving a fire time."""
    db = Database(settings.load(request.getfixturevalue(f"{mode}_env")).database_url)
    yield db
    db.dispose()


@pytest.fixture
def template(client) -> dict:
    response = client.post("/api/graphs", json={"name": "greeter", "graph": GREET})
    assert response.status_code == 201
    return response.json()


def test_schedules_are_made_listed_paused_and_deleted(client, template):
    url = f"/api/graphs/{template['id']}/schedules"
    created = client.post(url, json={"cron": "*/15 * * * *", "inputs": {"who": "owl"}, "timezone": "Europe/Paris"})
    assert created.status_code == 201, created.text
    made = created.json()
    assert (made["cron"], made["inputs"], made["timezone"], made["paused"]) == ("*/15 * * * *", {"who": "owl"},
                                                                              "Europe/Paris", False)
    due = datetime.fromisoformat(made["next_run_at"].replace("Z", "+00:00")).timestamp()
    assert 0 < due - time.time() <= 15 * 60 and int(due) % (15 * 60) == 0
    second = client.post(url, json={"cron": "0 9 * * 1"}).json()
    assert second["timezone"] == "UTC"
    listed = client.get(url).json()
    assert [s["id"] for s in listed["schedules"]] == [second["id"], made["id"]] and listed["next_cursor"] is None

    paused = client.patch(f"/api/schedules/{made['id']}", json={"paused": True})
    assert paused.status_code == 200 and paused.json()["paused"] and paused.json()["next_run_at"] is None
    resumed = client.patch(f"/api/schedules/{made['id']}", json={"paused": False, "cron": "0 * * * *"}).json()
    assert resumed["cron"] == "0 * * * *" and resumed["next_run_at"].endswith(":00:00.000Z")
    assert client.delete(f"/api/schedules/{made['id']}").status_code == 204
    assert client.get(f"/api/schedules/{made['id']}").status_code == 404
    assert client.patch(f"/api/schedules/{made['id']}", json={"paused": True}).status_code == 404
    assert client.post("/api/graphs/g_nope/schedules", json={"cron": "* * * * *"}).status_code == 404


@pytest.mark.parametrize("body, field", [
    ({"cron": "*/10 * * * * *"}, "cron"),        # a sixth field: seconds
    ({"cron": "* * * * * *"}, "cron"),           # every second
    ({"cron": "0 0 30 2 *"}, "cron"),            # never fires
    ({"cron": "every day"}, "cron"),
    ({"cron": "0 9 * * *", "timezone": "Mars/Olympus"}, "timezone"),
])
def test_a_bad_cron_or_timezone_is_a_422_naming_the_field_and_saves_nothing(client, template, body, field):
    url = f"/api/graphs/{template['id']}/schedules"
    response = client.post(url, json=body)
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert (error["code"], error["param"]) == ("invalid_param", field)
    assert client.get(url).json()["schedules"] == []


def test_inputs_the_template_does_not_take_are_refused(client, template):
    response = client.post(f"/api/graphs/{template['id']}/schedules", json={"cron": "0 9 * * *", "inputs": {"nope": 1}})
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert (error["code"], error["input"]) == ("unknown_input", "nope")


def test_a_missed_fire_runs_the_latest_version_once_recording_the_schedule(client, template, database):
    v2 = {**GREET, "nodes": [GREET["nodes"][0], {"id": "out", "type": "output.text", "params": {"name": "v2"}}]}
    assert client.put(f"/api/graphs/{template['id']}", json={"graph": v2}).json()["version"] == 2
    made = client.post(f"/api/graphs/{template['id']}/schedules",
                       json={"cron": "0 0 1 1 *", "inputs": {"who": "cron"}}).json()
    with database.write() as conn:  # the fire was due three days ago, while the service was down
        conn.execute(update(schedules).where(schedules.c.id == made["id"]).values(next_run_at=time.time() - 3 * 86400))

    fired = wait_until(lambda: client.get("/api/runs", params={"graph_id": template["id"]}).json()["runs"], timeout=15)
    run = wait_run(client, fired[0]["id"])
    assert (run["schedule_id"], run["graph_id"], run["graph_version"]) == (made["id"], template["id"], 2)
    assert run["status"] == "succeeded" and run["outputs"] == {"v2": "cron"}
    after = wait_until(lambda: (s := client.get(f"/api/schedules/{made['id']}").json())["last_run_id"] and s)
    assert after["last_run_id"] == run["id"] and after["next_run_at"].endswith("-01-01T00:00:00.000Z")
    time.sleep(0.5)  # several passes of the loop (0.1 s): still that one run
    assert len(client.get("/api/runs", params={"graph_id": template["id"]}).json()["runs"]) == 1
