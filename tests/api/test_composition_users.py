"""Composition between users who do not trust each other: another user's templates,
schedules and webhook logs are 404 (or, as a subgraph, a template that does not exist),
and each user signs with a secret of their own."""

from __future__ import annotations

import httpx
import pytest

from tests import servers
from tests.api.test_auth import create_user
from tests.helpers import edge, graph, node, submit, wait_run

GREET = graph([node("who", "input.text", default="x"), node("out", "output.text")], [edge("who.text", "out.value")])


@pytest.fixture(scope="module")
def users(tmp_path_factory):
    env = {"FUSIONFLOW_HOME": str(tmp_path_factory.mktemp("users")), "FUSIONFLOW_AUTH": "required"}
    alice_key, bob_key = create_user(env, "alice"), create_user(env, "bob")
    with servers.live_server(env) as live, \
            httpx.Client(base_url=live.url, headers={"Authorization": f"Bearer {alice_key}"}) as alice, \
            httpx.Client(base_url=live.url, headers={"Authorization": f"Bearer {bob_key}"}) as bob, \
            httpx.Client(base_url=live.url) as anonymous:
        yield alice, bob, anonymous


def test_another_users_templates_schedules_and_deliveries_are_not_found(users):
    alice, bob, _ = users
    template = alice.post("/api/graphs", json={"name": "mine", "graph": GREET}).json()
    schedule = alice.post(f"/api/graphs/{template['id']}/schedules", json={"cron": "0 9 * * *"}).json()
    run = wait_run(alice, submit(alice, GREET)["id"])
    assert alice.get(f"/api/runs/{run['id']}/webhook").json()["deliveries"] == []

    assert bob.get(f"/api/schedules/{schedule['id']}").status_code == 404
    assert bob.patch(f"/api/schedules/{schedule['id']}", json={"paused": True}).status_code == 404
    assert bob.delete(f"/api/schedules/{schedule['id']}").status_code == 404
    assert bob.get(f"/api/graphs/{template['id']}/schedules").status_code == 404
    assert bob.post(f"/api/graphs/{template['id']}/schedules", json={"cron": "0 9 * * *"}).status_code == 404
    assert bob.get(f"/api/runs/{run['id']}/webhook").status_code == 404
    assert alice.get(f"/api/schedules/{schedule['id']}").json()["paused"] is False  # untouched

    borrowed = graph([node("sub", "graph.template", template=template["id"])])
    refused = bob.post("/api/runs", json={"graph": borrowed})
    assert refused.status_code == 422
    error = refused.json()["errors"][0]
    assert (error["code"], error["param"]) == ("invalid_param", "template") and "does not exist" in error["message"]
    assert alice.post("/api/runs", json={"graph": borrowed}).status_code == 201


def test_each_user_has_their_own_webhook_secret_and_every_route_needs_a_key(users):
    alice, bob, anonymous = users
    assert alice.get("/api/me/webhook-secret").json()["secret"] != bob.get("/api/me/webhook-secret").json()["secret"]
    for path in ("/api/me/webhook-secret", "/api/examples", "/api/catalog/models", "/api/schedules/s_x"):
        assert anonymous.get(path).status_code == 401, path


def test_another_users_run_cannot_be_rerun_and_a_rerun_needs_a_key(users):
    alice, bob, anonymous = users
    run = wait_run(alice, submit(alice, GREET)["id"])
    assert bob.post(f"/api/runs/{run['id']}/rerun", json={}).status_code == 404
    assert anonymous.post(f"/api/runs/{run['id']}/rerun", json={}).status_code == 401
    assert bob.get("/api/runs").json()["runs"] == []  # nothing was made for bob either
    again = alice.post(f"/api/runs/{run['id']}/rerun", json={})
    assert again.status_code == 201 and wait_run(alice, again.json()["id"])["status"] == "succeeded"
