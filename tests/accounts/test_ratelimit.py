"""Rate limits (contract section 12): run submissions and provider calls per user, shared
through Redis by every API process in the distributed mode."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import ExitStack, contextmanager

import httpx
import pytest

from tests import servers
from tests.accounts.conftest import bearer, login, register
from tests.helpers import edge, graph, node, wait_run
from tests.providers.stubs import FAL_KEY


@pytest.fixture(scope="module")
def accounts_env(fal_server) -> dict[str, str]:
    return {"FUSIONFLOW_RATE_RUNS": "3/minute", "FUSIONFLOW_RATE_PROVIDER_CALLS": "1/minute",
            "FAL_KEY": FAL_KEY, "FAL_QUEUE_URL": fal_server.queue_url, "FAL_POLL_INTERVAL": "0.02",
            "FUSIONFLOW_ALLOW_PRIVATE_URLS": "true"}


def fresh_user(client) -> httpx.Client:
    tokens = login(client, register(client))
    return httpx.Client(base_url=client.base_url, headers=bearer(tokens["access_token"]), timeout=30)


def assert_rate_limited(response: httpx.Response, limit: int) -> None:
    assert response.status_code == 429, response.text
    assert response.json()["error"]["code"] == "rate_limited"
    retry_after = int(response.headers["Retry-After"])
    assert 0 < retry_after <= 60
    assert response.headers["RateLimit-Limit"] == str(limit)
    assert response.headers["RateLimit-Remaining"] == "0"
    assert 0 < int(response.headers["RateLimit-Reset"]) <= 60


def test_run_submissions_past_the_limit_are_429(client):
    g = graph([node("t", "input.text", default="hi")])
    with fresh_user(client) as alice, fresh_user(client) as bob:
        template = alice.post("/api/graphs", json={"name": "t", "graph": g}).json()
        assert alice.post("/api/runs", json={"graph": g}).status_code == 201
        assert alice.post(f"/api/graphs/{template['id']}/runs", json={}).status_code == 201
        assert alice.post("/api/runs", json={"graph": g}).status_code == 201
        refused = alice.post("/api/runs", json={"graph": g})
        assert_rate_limited(refused, 3)
        assert_rate_limited(alice.post(f"/api/graphs/{template['id']}/runs", json={}), 3)
        assert len(alice.get("/api/runs").json()["runs"]) == 3
        assert bob.post("/api/runs", json={"graph": g}).status_code == 201  # per user


def test_provider_calls_past_the_limit_wait_and_then_fail_in_words(client, fal):
    fal.scenario("fal-ai/flux/schnell", steps=[])
    g = graph([node("p", "input.text", default="a fox"),
               node("a", "image.generate", provider="fal", width=64, height=64),
               node("b", "image.generate", provider="fal", width=64, height=64)],
              [edge("p.text", "a.prompt"), edge("p.text", "b.prompt")])
    with fresh_user(client) as alice:
        run = wait_run(alice, alice.post("/api/runs", json={"graph": g}).json()["id"])
    outcomes = sorted((n["status"], (n["error"] or {}).get("type")) for k, n in run["nodes"].items() if k != "p")
    assert outcomes == [("failed", "rate_limited"), ("succeeded", None)]
    failed = next(n for n in run["nodes"].values() if n["status"] == "failed")
    assert "FUSIONFLOW_RATE_PROVIDER_CALLS" in failed["error"]["message"] and failed["attempts"] == 3
    assert len(fal.submissions) == 1


def test_two_api_processes_share_one_limit_through_redis(distributed_env, tmp_path):
    env = {**os.environ, **distributed_env, "FUSIONFLOW_RATE_RUNS": "4/minute"}
    subprocess.run([sys.executable, "-m", "orchestrator.cli", "migrate"], env=env, check=True, capture_output=True)
    created = subprocess.run([sys.executable, "-m", "orchestrator.cli", "users", "create", "limited"], env=env,
                             check=True, capture_output=True, text=True)
    key = created.stdout.strip().splitlines()[-1]
    g = {"graph": graph([node("t", "input.text", default="hi")])}
    with ExitStack() as stack:
        urls = [stack.enter_context(api_process(env, tmp_path / f"api{i}.log")) for i in range(2)]
        apis = [stack.enter_context(httpx.Client(base_url=url, headers=bearer(key), timeout=30)) for url in urls]
        answers = [apis[i % 2].post("/api/runs", json=g).status_code for i in range(4)]
        assert answers == [201, 201, 201, 201]
        for api in apis:
            assert_rate_limited(api.post("/api/runs", json=g), 4)


@contextmanager
def api_process(env: dict, log_path):
    """``fusionflow serve`` in its own process, on a free port; yields its URL."""
    port = servers.free_port()
    with open(log_path, "w") as log:
        process = subprocess.Popen([sys.executable, "-m", "orchestrator.cli", "serve", "--port", str(port)],
                                   env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            servers.wait_for_port(port, timeout=120)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait(15)
