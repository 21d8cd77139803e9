"""Password sign-in (contract section 12): register, login, rotating refresh tokens, logout."""

from __future__ import annotations

import httpx

from tests import servers
from tests.accounts.conftest import bearer, login, register


def test_register_then_login_gives_working_tokens(client):
    name = register(client)
    tokens = login(client, name)
    assert tokens["token_type"] == "bearer" and tokens["expires_in"] == 900
    me = client.get("/api/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 200
    assert me.json() | {"id": None, "created_at": None} == {
        "id": None, "name": name, "role": "user", "credits": 0.0, "daily_limit": None, "spent_today": 0.0,
        "disabled": False, "address": None, "created_at": None}
    runs = client.get("/api/runs", headers=bearer(tokens["access_token"]))
    assert runs.status_code == 200 and runs.json()["runs"] == []


def test_bad_registrations_are_refused_with_their_own_status(client):
    name = register(client)
    taken = client.post("/api/auth/register", json={"username": name, "password": "another long one"})
    assert taken.status_code == 409 and "taken" in taken.json()["error"]["message"]
    short = client.post("/api/auth/register", json={"username": "shorty", "password": "123456789"})
    assert short.status_code == 422 and "10 characters" in short.json()["error"]["message"]
    wallet_like = client.post("/api/auth/register", json={"username": "0x" + "ab" * 20, "password": "long enough!"})
    assert wallet_like.status_code == 422
    missing = client.post("/api/auth/register", json={"username": "nopass"})
    assert missing.status_code == 400 and "password" in missing.json()["error"]["message"]
    assert client.post("/api/auth/login", json={"username": "shorty", "password": "123456789"}).status_code == 401


def test_wrong_passwords_and_unknown_users_are_401(client):
    name = register(client)
    for body in ({"username": name, "password": "wrong password"}, {"username": "nobody-here", "password": "x" * 12}):
        response = client.post("/api/auth/login", json=body)
        assert response.status_code == 401
        assert response.json()["error"]["message"] == "wrong username or password"


def test_refresh_rotates_and_reuse_revokes_the_whole_sign_in(client):
    name = register(client)
    first = login(client, name)
    second = client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    second = second.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert client.get("/api/me", headers=bearer(second["access_token"])).status_code == 200

    replay = client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401 and "already used" in replay.json()["error"]["message"]
    # every token of that sign-in is retired: the newest refresh token and the access tokens
    assert client.post("/api/auth/refresh", json={"refresh_token": second["refresh_token"]}).status_code == 401
    assert client.get("/api/me", headers=bearer(second["access_token"])).status_code == 401
    assert client.get("/api/me", headers=bearer(first["access_token"])).status_code == 401
    # another sign-in of the same user is untouched
    other = login(client, name)
    assert client.get("/api/me", headers=bearer(other["access_token"])).status_code == 200


def test_logout_ends_the_sign_in(client):
    tokens = login(client, register(client))
    assert client.post("/api/auth/logout", json={"refresh_token": tokens["refresh_token"]}).status_code == 204
    assert client.get("/api/me", headers=bearer(tokens["access_token"])).status_code == 401
    assert client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code == 401


def test_the_refresh_token_also_travels_as_an_http_only_cookie(server):
    with httpx.Client(base_url=server.url) as browser:
        name = register(browser)
        response = browser.post("/api/auth/login", json={"username": name, "password": "correct horse battery"})
        cookie = response.headers["set-cookie"]
        assert "ff_refresh=" in cookie and "HttpOnly" in cookie and "Path=/api/auth" in cookie
        assert "samesite=strict" in cookie.lower()
        refreshed = browser.post("/api/auth/refresh")  # no body: the cookie is the token
        assert refreshed.status_code == 200
        assert browser.get("/api/me", headers=bearer(refreshed.json()["access_token"])).status_code == 200
        assert browser.post("/api/auth/logout").status_code == 204
        assert browser.post("/api/auth/refresh").status_code == 401


def test_forged_and_expired_access_tokens_are_401(server, client):
    import time

    import jwt

    tokens = login(client, register(client))
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    forged = jwt.encode({**claims, "exp": int(time.time()) + 3600}, "not the server's key", algorithm="HS256")
    assert client.get("/api/me", headers=bearer(forged)).status_code == 401
    # the server's own key, but expired
    old = jwt.encode({**claims, "iat": int(time.time()) - 2000, "exp": int(time.time()) - 1000}, _server_key(server),
                     algorithm="HS256")
    response = client.get("/api/me", headers=bearer(old))
    assert response.status_code == 401 and "expired" in response.json()["error"]["message"]


def _server_key(server) -> bytes:
    from orchestrator.accounts.tokens import Tokens
    from orchestrator.assets.signing import load_key

    settings = server.runtime.settings
    return Tokens(server.runtime.db, load_key(settings.secret_key, settings.home))._key


def test_registration_is_closed_unless_opened(tmp_path):
    env = {"FUSIONFLOW_HOME": str(tmp_path), "FUSIONFLOW_AUTH": "required"}
    with servers.live_server(env) as live, httpx.Client(base_url=live.url) as client:
        response = client.post("/api/auth/register", json={"username": "eve", "password": "long enough pw"})
        assert response.status_code == 403 and "FUSIONFLOW_REGISTRATION" in response.json()["error"]["message"]


def test_passwords_are_stored_as_argon2_hashes(server, client):
    name = register(client, password="a very secret phrase")
    from sqlalchemy import select

    from orchestrator.store.models import users

    with server.runtime.db.read() as conn:
        stored = conn.execute(select(users.c.password_hash).where(users.c.name == name)).scalar_one()
    assert stored.startswith("$argon2id$") and "a very secret phrase" not in stored
