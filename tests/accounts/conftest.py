"""Accounts tests: the `server` fixture (both modes) with authentication on and
registration open, and helpers to make users through the real routes."""

from __future__ import annotations

import secrets

import httpx
import pytest

from tests.providers.conftest import fal, fal_server  # noqa: F401  (the fal stub's fixtures, shared)

ACCOUNTS_ENV = {"FUSIONFLOW_AUTH": "required", "FUSIONFLOW_REGISTRATION": "open"}


@pytest.fixture(scope="module")
def accounts_env() -> dict[str, str]:
    """What a test module adds to the server's environment (override per module)."""
    return {}


@pytest.fixture(scope="module")
def embedded_env(embedded_env, accounts_env) -> dict[str, str]:
    return {**embedded_env, **ACCOUNTS_ENV, **accounts_env}


@pytest.fixture(scope="module")
def distributed_env(distributed_env, accounts_env) -> dict[str, str]:
    return {**distributed_env, **ACCOUNTS_ENV, **accounts_env}


def register(client: httpx.Client, name: str | None = None, password: str = "correct horse battery") -> str:
    name = name or f"user{secrets.token_hex(4)}"
    response = client.post("/api/auth/register", json={"username": name, "password": password})
    assert response.status_code == 201, response.text
    return name


def login(client: httpx.Client, name: str, password: str = "correct horse battery") -> dict:
    response = client.post("/api/auth/login", json={"username": name, "password": password})
    assert response.status_code == 200, response.text
    return response.json()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def user(client) -> tuple[str, dict]:
    """A fresh registered user: ``(name, tokens)``."""
    name = register(client)
    return name, login(client, name)


@pytest.fixture(scope="module")
def admin_key(server) -> str:
    from orchestrator.store.users import create_user

    return create_user(server.runtime.db, f"admin{secrets.token_hex(4)}", admin=True)[1]


@pytest.fixture
def admin(server, admin_key):
    with httpx.Client(base_url=server.url, headers=bearer(admin_key), timeout=30) as http:
        yield http
