"""Provider stubs for server tests: the fal and Gemini stubs run in this process and
both FusionFlow modes (the embedded server and the distributed worker processes) are
pointed at them through the environment. Like the server, a stub is shared by a
module's tests and reset before each."""

from __future__ import annotations

import pytest

from tests.providers.stubs import FAL_KEY, GEMINI_KEY, fal_stub, gemini_stub


@pytest.fixture(scope="module")
def fal_server():
    with fal_stub() as stub:
        yield stub


@pytest.fixture(scope="module")
def gemini_server():
    with gemini_stub() as stub:
        yield stub


@pytest.fixture
def fal(fal_server):
    fal_server.reset()
    return fal_server


@pytest.fixture
def gemini(gemini_server):
    gemini_server.reset()
    yield gemini_server
    gemini_server.release.set()


@pytest.fixture(scope="module")
def provider_env(fal_server, gemini_server) -> dict[str, str]:
    return {"FAL_KEY": FAL_KEY, "FAL_QUEUE_URL": fal_server.queue_url, "FAL_POLL_INTERVAL": "0.05",
            "FAL_WEBHOOK_POLL_SECONDS": "0.05",
            "GEMINI_API_KEY": GEMINI_KEY, "GEMINI_BASE_URL": gemini_server.url,
            "FUSIONFLOW_ALLOW_PRIVATE_URLS": "true", "FUSIONFLOW_MAX_ATTEMPTS": "3"}


@pytest.fixture(scope="module")
def embedded_env(embedded_env, provider_env) -> dict[str, str]:
    return {**embedded_env, **provider_env}


@pytest.fixture(scope="module")
def distributed_env(distributed_env, provider_env) -> dict[str, str]:
    return {**distributed_env, **provider_env}
