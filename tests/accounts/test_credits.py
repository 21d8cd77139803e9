"""Credits, daily limits and budgets (contract section 12), in both modes, with fal image
nodes against the fal stub priced at one cent an image."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.accounts.conftest import bearer, login, register
from tests.helpers import edge, graph, node, wait_run
from tests.providers.stubs import FAL_KEY

APP = "fal-ai/flux/schnell"
PRICE = 0.01


@pytest.fixture
def fast_fal(fal):
    fal.scenario(APP, steps=[])  # done at the first poll
    return fal


@pytest.fixture(scope="module")
def accounts_env(fal_server) -> dict[str, str]:
    return {"FUSIONFLOW_CREDITS": "on", "FAL_KEY": FAL_KEY, "FAL_QUEUE_URL": fal_server.queue_url,
            "FAL_POLL_INTERVAL": "0.02", "FUSIONFLOW_ALLOW_PRIVATE_URLS": "true",
            "FUSIONFLOW_PRICES": json.dumps({f"fal:{APP}": {"usd": PRICE, "unit": "image"}})}


def images(count: int) -> dict:
    """``count`` fal images of one prompt, in parallel (runs below pass ``cache: false``:
    every run calls fal and pays)."""
    return graph([node("p", "input.text", default="a fox"),
                  *(node(f"i{n}", "image.generate", provider="fal", width=64, height=64, seed=n) for n in range(count))],
                 [edge("p.text", f"i{n}.prompt") for n in range(count)], name="priced")


@pytest.fixture
def owner(server, client):
    """A fresh user's client and id."""
    tokens = login(client, register(client))
    with httpx.Client(base_url=server.url, headers=bearer(tokens["access_token"]), timeout=60) as http:
        yield http, http.get("/api/me").json()["id"]


def grant(admin, user_id: str, amount: float) -> None:
    assert admin.post(f"/api/admin/users/{user_id}/credits", json={"amount": amount}).status_code == 201


def ledger(http) -> list[dict]:
    return http.get("/api/credits/ledger", params={"limit": 200}).json()["entries"]


def test_a_run_beyond_the_balance_is_402_and_nothing_is_written_or_called(owner, fast_fal, admin):
    http, user_id = owner
    assert http.post("/api/runs/estimate", json={"cache": False, "graph": images(1)}).json()["cost"] == PRICE
    refused = http.post("/api/runs", json={"cache": False, "graph": images(1)})
    assert refused.status_code == 402
    assert refused.json()["error"]["code"] == "insufficient_credits" and "balance" in refused.json()["error"]["message"]
    template = http.post("/api/graphs", json={"name": "t", "graph": images(1)}).json()
    assert http.post(f"/api/graphs/{template['id']}/runs", json={}).status_code == 402
    assert http.get("/api/runs").json()["runs"] == [] and ledger(http) == [] and fast_fal.submissions == []

    grant(admin, user_id, 0.015)
    assert http.post("/api/runs", json={"cache": False, "graph": images(2)}).status_code == 402  # 0.02 > 0.015
    assert [e["kind"] for e in ledger(http)] == ["grant"]


def test_a_run_reserves_then_charges_and_the_ledger_sums_to_the_balance(owner, fast_fal, admin):
    http, user_id = owner
    grant(admin, user_id, 0.05)
    run = http.post("/api/runs", json={"cache": False, "graph": images(2)})
    assert run.status_code == 201, run.text
    assert wait_run(http, run.json()["id"])["status"] == "succeeded"
    me = http.get("/api/me").json()
    assert me["credits"] == pytest.approx(0.03) and me["spent_today"] == pytest.approx(0.02)
    entries = ledger(http)
    assert sum(e["amount"] for e in entries) == pytest.approx(me["credits"])
    kinds = sorted((e["kind"], round(e["amount"], 6), e["node_id"]) for e in entries)
    assert kinds == [("charge", -PRICE, "i0"), ("charge", -PRICE, "i1"), ("grant", 0.05, None),
                     ("release", PRICE, "i0"), ("release", PRICE, "i1"), ("reserve", -0.02, None)]
    assert {e["run_id"] for e in entries if e["kind"] != "grant"} == {run.json()["id"]}


def test_the_unused_reservation_is_released_when_the_run_ends(owner, fast_fal, admin):
    http, user_id = owner
    grant(admin, user_id, 0.05)
    fast_fal.scenario(APP, steps=[], error=("the GPU caught fire", "provider_error"))
    run = http.post("/api/runs", json={"cache": False, "graph": images(1)}).json()
    assert wait_run(http, run["id"])["status"] == "failed"
    assert http.get("/api/me").json()["credits"] == pytest.approx(0.05)
    assert [(e["kind"], e["amount"]) for e in ledger(http)][:2] == [("release", PRICE), ("reserve", -PRICE)]


def test_the_daily_limit_counts_spend_and_reservations(owner, fast_fal, admin):
    http, user_id = owner
    grant(admin, user_id, 1.0)
    admin.patch(f"/api/admin/users/{user_id}", json={"daily_limit": 0.025})
    first = http.post("/api/runs", json={"cache": False, "graph": images(2)})
    assert first.status_code == 201
    refused = http.post("/api/runs", json={"cache": False, "graph": images(1)})
    assert refused.status_code == 402 and "daily limit" in refused.json()["error"]["message"]
    wait_run(http, first.json()["id"])
    assert http.post("/api/runs", json={"cache": False, "graph": images(1)}).status_code == 402  # 0.02 + 0.01 > 0.025
    admin.patch(f"/api/admin/users/{user_id}", json={"daily_limit": None})
    assert http.post("/api/runs", json={"cache": False, "graph": images(1)}).status_code == 201


def test_a_node_past_the_run_budget_fails_with_type_budget(owner, fast_fal, admin):
    http, user_id = owner
    grant(admin, user_id, 1.0)
    assert http.post("/api/runs", json={"cache": False, "graph": images(1), "budget": -1}).status_code == 400
    run = http.post("/api/runs", json={"cache": False, "graph": images(2), "budget": 0.015})
    assert run.status_code == 201, run.text
    done = wait_run(http, run.json()["id"])
    statuses = sorted((n["status"], (n["error"] or {}).get("type")) for k, n in done["nodes"].items() if k != "p")
    assert statuses == [("failed", "budget"), ("succeeded", None)]
    failed = next(n for n in done["nodes"].values() if n["status"] == "failed")
    assert "budget" in failed["error"]["message"]
    assert done["cost"] <= 0.015 and len(fast_fal.submissions) == 1
    assert http.get("/api/me").json()["credits"] == pytest.approx(1.0 - PRICE)


def test_fifty_parallel_runs_never_take_the_balance_below_zero(owner, fast_fal, admin):
    http, user_id = owner
    grant(admin, user_id, 0.25)  # enough for 25 of the 50

    def submit(_):
        return http.post("/api/runs", json={"cache": False, "graph": images(1)})

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(submit, range(50)))
    accepted = [a.json()["id"] for a in answers if a.status_code == 201]
    assert sorted({a.status_code for a in answers}) == [201, 402]
    assert len(accepted) == 25
    for run_id in accepted:
        assert wait_run(http, run_id, timeout=120)["status"] == "succeeded"
    me = http.get("/api/me").json()
    assert me["credits"] >= -PRICE and me["credits"] == pytest.approx(0.0, abs=1e-9)
    assert sum(e["amount"] for e in ledger(http)) == pytest.approx(me["credits"])
    assert len(fast_fal.submissions) == 25
