"""Admin (contract section 12): users, grants, limits, disabling; 403 for everyone else."""

from __future__ import annotations

import httpx

from tests.accounts.conftest import bearer, login, register
from tests.helpers import events, graph, node, submit, wait_run


def _me(client, headers) -> dict:
    return client.get("/api/me", headers=headers).json()


def test_admins_list_users_and_grant_credits(client, admin, user):
    name, tokens = user
    me = _me(client, bearer(tokens["access_token"]))
    listed = admin.get("/api/admin/users", params={"limit": 200}).json()
    assert listed["next_cursor"] is None
    mine = next(u for u in listed["users"] if u["id"] == me["id"])
    assert mine["name"] == name and mine["role"] == "user" and mine["credits"] == 0.0 and not mine["disabled"]

    grant = admin.post(f"/api/admin/users/{me['id']}/credits", json={"amount": 2.5, "note": "welcome"})
    assert grant.status_code == 201
    assert grant.json() | {"id": None, "created_at": None} == {
        "id": None, "created_at": None, "amount": 2.5, "kind": "grant", "run_id": None, "node_id": None,
        "note": "welcome"}
    admin.post(f"/api/admin/users/{me['id']}/credits", json={"amount": 0.000125})
    assert _me(client, bearer(tokens["access_token"]))["credits"] == 2.500125
    ledger = client.get("/api/credits/ledger", headers=bearer(tokens["access_token"])).json()
    assert [(e["kind"], e["amount"]) for e in ledger["entries"]] == [("grant", 0.000125), ("grant", 2.5)]


def test_bad_admin_input_is_refused_and_changes_nothing(client, admin, user):
    me = _me(client, bearer(user[1]["access_token"]))
    for amount in (-1, 0):
        response = admin.post(f"/api/admin/users/{me['id']}/credits", json={"amount": amount})
        assert response.status_code == 422 and "amount" in response.json()["error"]["message"]
    assert admin.post(f"/api/admin/users/{me['id']}/credits", json={"amount": "ten"}).status_code == 400
    assert admin.post("/api/admin/users/u_nobody/credits", json={"amount": 1}).status_code == 404
    assert admin.patch(f"/api/admin/users/{me['id']}", json={"daily_limit": -3}).status_code == 422
    assert admin.patch("/api/admin/users/u_nobody", json={"disabled": True}).status_code == 404
    after = _me(client, bearer(user[1]["access_token"]))
    assert after["credits"] == 0.0 and after["daily_limit"] is None


def test_daily_limit_is_set_and_cleared(client, admin, user):
    me = _me(client, bearer(user[1]["access_token"]))
    assert admin.patch(f"/api/admin/users/{me['id']}", json={"daily_limit": 1.25}).json()["daily_limit"] == 1.25
    assert _me(client, bearer(user[1]["access_token"]))["daily_limit"] == 1.25
    assert admin.patch(f"/api/admin/users/{me['id']}", json={"disabled": False}).json()["daily_limit"] == 1.25
    assert admin.patch(f"/api/admin/users/{me['id']}", json={"daily_limit": None}).json()["daily_limit"] is None


def test_non_admins_get_403(client, user):
    signed_in = bearer(user[1]["access_token"])
    me = _me(client, signed_in)
    assert client.get("/api/admin/users", headers=signed_in).status_code == 403
    assert client.post(f"/api/admin/users/{me['id']}/credits", json={"amount": 5}, headers=signed_in).status_code == 403
    assert client.patch(f"/api/admin/users/{me['id']}", json={"daily_limit": 9}, headers=signed_in).status_code == 403
    assert client.get("/api/admin/users").status_code == 401
    assert _me(client, signed_in)["credits"] == 0.0


def test_disabling_stops_keys_and_tokens_at_once_and_cancels_running_work(client, admin):
    name = register(client)
    tokens = login(client, name)
    signed_in = bearer(tokens["access_token"])
    key = client.post("/api/keys", json={"name": "k"}, headers=signed_in).json()["key"]
    me = _me(client, signed_in)
    with httpx.Client(base_url=client.base_url, headers=signed_in, timeout=30) as owner:
        run = submit(owner, graph([node("w", "flow.wait", seconds=60, steps=600)]))
        events(owner, run["id"], until="node.progress")  # it is running

        assert admin.patch(f"/api/admin/users/{me['id']}", json={"disabled": True}).json()["disabled"] is True
        assert owner.get("/api/me").status_code == 401
        assert client.get("/api/me", headers=bearer(key)).status_code == 401
        assert client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code == 401
        refused = client.post("/api/auth/login", json={"username": name, "password": "correct horse battery"})
        assert refused.status_code == 401 and "disabled" in refused.json()["error"]["message"]

        # enabled again, the owner finds the run that was running cancelled
        admin.patch(f"/api/admin/users/{me['id']}", json={"disabled": False})
        assert wait_run(owner, run["id"])["status"] == "cancelled"
