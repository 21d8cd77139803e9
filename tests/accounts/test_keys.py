"""API keys (contract section 12): created and shown once, listed with last use, revoked
at once; and what needs a credential with auth on (issue 10, finding 12)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime

import httpx

from tests.accounts.conftest import bearer, login, register
from tests.helpers import graph, node, submit, wait_run


def test_a_key_is_shown_once_listed_without_it_and_revoked_at_once(client, user):
    _, tokens = user
    signed_in = bearer(tokens["access_token"])
    created = client.post("/api/keys", json={"name": "render farm"}, headers=signed_in)
    assert created.status_code == 201
    key = created.json()
    assert set(key) == {"id", "name", "key", "prefix", "created_at"}
    assert key["key"].startswith(key["prefix"]) and key["name"] == "render farm"

    listed = client.get("/api/keys", headers=signed_in).json()
    assert listed["next_cursor"] is None
    assert [(k["id"], k["prefix"], k["last_used_at"]) for k in listed["keys"]] == [(key["id"], key["prefix"], None)]
    assert "key" not in listed["keys"][0]

    before = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    with httpx.Client(base_url=client.base_url, headers=bearer(key["key"])) as script:
        assert script.get("/api/runs").status_code == 200
        last_used = client.get("/api/keys", headers=signed_in).json()["keys"][0]["last_used_at"]
        assert last_used is not None and last_used >= before[:19]
        assert client.delete(f"/api/keys/{key['id']}", headers=signed_in).status_code == 204
        assert script.get("/api/runs").status_code == 401
    assert client.get("/api/keys", headers=signed_in).json()["keys"] == []
    assert client.delete(f"/api/keys/{key['id']}", headers=signed_in).status_code == 404


def test_keys_belong_to_their_owner(client):
    alice = bearer(login(client, register(client))["access_token"])
    bob = bearer(login(client, register(client))["access_token"])
    key = client.post("/api/keys", json={"name": "mine"}, headers=alice).json()
    assert client.get("/api/keys", headers=bob).json()["keys"] == []
    assert client.delete(f"/api/keys/{key['id']}", headers=bob).status_code == 404
    with httpx.Client(base_url=client.base_url, headers=bearer(key["key"])) as script:
        run = wait_run(script, submit(script, graph([node("t", "input.text", default="by key")]))["id"])
        assert run["status"] == "succeeded"
        assert script.get("/api/me").json()["id"] == client.get("/api/me", headers=alice).json()["id"]
    assert client.get(f"/api/runs/{run['id']}", headers=bob).status_code == 404


def test_keys_list_pages_newest_first(client, user):
    signed_in = bearer(user[1]["access_token"])
    ids = [client.post("/api/keys", json={"name": f"k{i}"}, headers=signed_in).json()["id"] for i in range(3)]
    first = client.get("/api/keys", params={"limit": 2}, headers=signed_in).json()
    assert [k["id"] for k in first["keys"]] == ids[::-1][:2] and first["next_cursor"]
    rest = client.get("/api/keys", params={"limit": 2, "cursor": first["next_cursor"]}, headers=signed_in).json()
    assert [k["id"] for k in rest["keys"]] == ids[:1] and rest["next_cursor"] is None
    assert client.post("/api/keys", json={"name": ""}, headers=signed_in).status_code == 400


def test_catalog_and_metrics_need_a_credential_and_metrics_an_admin(client, user, admin_key):
    signed_in = bearer(user[1]["access_token"])
    assert client.get("/api/nodes").status_code == 401
    assert client.get("/api/nodes", headers=signed_in).status_code == 200
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=signed_in).status_code == 403
    metrics = client.get("/metrics", headers=bearer(admin_key))
    assert metrics.status_code == 200 and "fusionflow" in metrics.text
    assert client.get("/health").status_code == 200


def test_only_the_two_event_streams_take_the_key_in_the_query(client, user):
    key = client.post("/api/keys", json={"name": "browser"}, headers=bearer(user[1]["access_token"])).json()["key"]
    with httpx.Client(base_url=client.base_url, headers=bearer(key)) as script:
        run = wait_run(script, submit(script, graph([node("t", "input.text")]))["id"])
    with httpx.Client(base_url=client.base_url) as browser:
        with browser.stream("GET", f"/api/runs/{run['id']}/events", params={"key": key}) as response:
            assert response.status_code == 200
        with browser.stream("GET", "/api/events", params={"key": key}) as response:
            assert response.status_code == 200
        for path in ("/api/runs", f"/api/runs/{run['id']}", "/api/me", "/api/nodes", "/api/graphs", "/api/keys",
                     "/api/credits/ledger"):
            assert browser.get(path, params={"key": key}).status_code == 401, path


def test_users_create_admin_makes_an_admin(tmp_path):
    env = {**os.environ, "FUSIONFLOW_HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "orchestrator.cli", "users", "create", "root", "--admin"],
                            env=env, capture_output=True, text=True, check=True)
    assert "created admin root" in result.stdout
    from orchestrator import settings as settings_module
    from orchestrator.store.db import Database
    from orchestrator.store.users import get_user
    from orchestrator.accounts.keys import KeyLookup

    db = Database(settings_module.load({"FUSIONFLOW_HOME": str(tmp_path)}).database_url)
    user_id, disabled = KeyLookup(db).user_of(result.stdout.strip().splitlines()[-1])
    with db.read() as conn:
        assert get_user(conn, user_id).role == "admin" and not disabled
    db.dispose()
