"""A FusionFlow server with authentication on and two users who do not trust each
other, in both modes, with the fal stub as the provider (its results are untrusted
input: a user can point ``fal.run`` at an app of their own)."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass

import httpx
import pytest

from tests import servers
from tests.api.test_auth import create_user
from tests.providers.stubs import FAL_KEY, FalStub, fal_stub


@dataclass
class Users:
    """Alice and Bob, each with a client that carries their key, on one live server."""

    url: str
    alice: httpx.Client
    bob: httpx.Client
    runtime: object
    env: dict


@pytest.fixture(scope="module")
def fal_server():
    with fal_stub() as stub:
        yield stub


@pytest.fixture
def fal(fal_server) -> FalStub:
    fal_server.reset()
    return fal_server


@pytest.fixture(scope="module")
def provider_env(fal_server) -> dict[str, str]:
    return {"FAL_KEY": FAL_KEY, "FAL_QUEUE_URL": fal_server.queue_url, "FAL_POLL_INTERVAL": "0.05",
            "FUSIONFLOW_ALLOW_PRIVATE_URLS": "true", "FUSIONFLOW_AUTH": "required"}


@pytest.fixture(scope="module")
def users(mode, request, provider_env):
    env = {**request.getfixturevalue(f"{mode}_env"), **provider_env}
    with servers.live_server(env) as live, \
            (servers.worker_processes(env, 1) if mode == "distributed" else nullcontext()):
        alice_key, bob_key = create_user(env, "alice"), create_user(env, "bob")  # the server migrated the schema
        with _client(live.url, alice_key) as alice, _client(live.url, bob_key) as bob:
            yield Users(live.url, alice, bob, live.runtime, env)


def _client(url: str, key: str) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=30, headers={"Authorization": f"Bearer {key}"})
