"""Shared fixtures: real servers started on free loopback ports, and FusionFlow in
either mode. Tests taking ``server`` run once embedded and once distributed."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests import servers


@pytest.fixture(scope="session")
def redis():
    with servers.redis_server() as server:
        yield server


@pytest.fixture(scope="session")
def postgres():
    with servers.postgres_server() as server:
        yield server


@pytest.fixture(scope="session")
def s3():
    with servers.s3_server() as server:
        yield server


FAST_RETRIES = {"FUSIONFLOW_RETRY_BASE_MS": "50", "FUSIONFLOW_RETRY_MAX_MS": "500"}


@pytest.fixture(scope="module")
def embedded_env(tmp_path_factory) -> dict[str, str]:
    return {"FUSIONFLOW_HOME": str(tmp_path_factory.mktemp("home")), **FAST_RETRIES}


@pytest.fixture(scope="module")
def distributed_env(tmp_path_factory, request) -> dict[str, str]:
    redis = request.getfixturevalue("redis")
    postgres = request.getfixturevalue("postgres")
    env = {
        "FUSIONFLOW_HOME": str(tmp_path_factory.mktemp("home")),
        "FUSIONFLOW_DATABASE_URL": postgres.create_database(),
        "FUSIONFLOW_REDIS_URL": redis.url,
        "FUSIONFLOW_QUEUE": f"q{uuid.uuid4().hex[:8]}",
        **FAST_RETRIES,
    }
    s3 = request.getfixturevalue("s3")
    env.update({"FUSIONFLOW_S3_ENDPOINT": s3.endpoint, "FUSIONFLOW_S3_ACCESS_KEY": s3.access_key,
                "FUSIONFLOW_S3_SECRET_KEY": s3.secret_key, "FUSIONFLOW_S3_BUCKET": f"b{uuid.uuid4().hex[:10]}"})
    return env


@pytest.fixture(scope="module", params=["embedded", "distributed"])
def mode(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def server(mode, request):
    """A live FusionFlow server (plus two worker processes in distributed mode), shared by a module's tests."""
    if mode == "embedded":
        with servers.live_server(request.getfixturevalue("embedded_env")) as live:
            yield live
        return
    env = request.getfixturevalue("distributed_env")
    with servers.live_server(env) as live, servers.worker_processes(env, 2):
        yield live


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.url, timeout=30) as http:
        yield http
