"""Users (contract section 9): bearer keys, 401s, and isolation between users."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest

from tests import servers
from tests.helpers import graph, node, submit, wait_run


def create_user(env: dict, name: str) -> str:
    result = subprocess.run([sys.executable, "-m", "orchestrator.cli", "users", "create", name],
                            env={**os.environ, **env}, capture_output=True, text=True, check=True)
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def authed(tmp_path_factory):
    env = {"FUSIONFLOW_HOME": str(tmp_path_factory.mktemp("auth")), "FUSIONFLOW_AUTH": "required"}
    alice, bob = create_user(env, "alice"), create_user(env, "bob")
    with servers.live_server(env) as live:
        yield live.url, alice, bob


def test_keys_are_required(authed):
    url, alice, _ = authed
    with httpx.Client(base_url=url) as anonymous:
        for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": f"Basic {alice}"}):
            response = anonymous.get("/api/runs", headers=headers)
            assert response.status_code == 401
            assert response.json()["error"]["code"] == "unauthorized"
        assert anonymous.get("/health").status_code == 200


def test_users_never_see_each_other(authed):
    url, alice_key, bob_key = authed
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {alice_key}"}) as alice, \
            httpx.Client(base_url=url, headers={"Authorization": f"Bearer {bob_key}"}) as bob:
        g = graph([node("t", "input.text", default="mine")])
        run = wait_run(alice, submit(alice, g)["id"])
        assert run["status"] == "succeeded"
        template = alice.post("/api/graphs", json={"name": "private", "graph": g}).json()
        assert bob.get(f"/api/runs/{run['id']}").status_code == 404
        assert bob.get(f"/api/runs/{run['id']}/events").status_code == 404
        assert bob.post(f"/api/runs/{run['id']}/cancel").status_code == 404
        assert bob.get("/api/runs").json()["runs"] == []
        assert bob.get(f"/api/graphs/{template['id']}").status_code == 404
        assert bob.get("/api/graphs").json()["graphs"] == []
        assert bob.post(f"/api/graphs/{template['id']}/runs", json={}).status_code == 404
        assert [r["id"] for r in alice.get("/api/runs").json()["runs"]] == [run["id"]]


def test_event_streams_take_the_key_as_a_query_parameter(authed):
    """EventSource cannot send headers; the canvas passes ?key= on the two streams."""
    url, alice_key, bob_key = authed
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {alice_key}"}) as alice:
        run = wait_run(alice, submit(alice, graph([node("t", "input.text")]))["id"])
    with httpx.Client(base_url=url) as browser:
        with browser.stream("GET", f"/api/runs/{run['id']}/events", params={"key": alice_key}) as response:
            assert response.status_code == 200
        assert browser.get(f"/api/runs/{run['id']}/events", params={"key": bob_key}).status_code == 404
        assert browser.get("/api/runs", params={"key": alice_key}).status_code == 401


def test_users_create_prints_the_key_last(tmp_path):
    key = create_user({"FUSIONFLOW_HOME": str(tmp_path)}, "carol")
    assert key.startswith("ff_") and len(key) > 30
