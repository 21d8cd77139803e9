"""Usage (contract section 11): storage by kind, counts, spend per day, in both modes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.helpers import edge, graph, node, submit, wait_run, wait_until
from tests.library.conftest import upload
from tests.providers.conftest import distributed_env, embedded_env, fal, fal_server, gemini_server, provider_env  # noqa: F401


def test_usage_counts_storage_runs_and_spend(client, fal, media):
    empty = client.get("/api/usage").json()
    assert empty == {"storage": {"image": 0, "video": 0, "audio": 0, "other": 0}, "assets": 0, "runs": 0, "spend": []}

    clip, tone, picture = (upload(client, media[k]) for k in ("video", "audio", "image"))
    poster = wait_until(lambda: client.get("/api/assets", params={"kind": "video"}).json()["assets"][0]["poster"],
                        timeout=30)
    run = wait_run(client, submit(client, graph(
        [node("prompt", "input.text", default="a kite"), node("draw", "image.generate", provider="fal", seed=1)],
        [edge("prompt.text", "draw.prompt")]))["id"])
    assert run["status"] == "succeeded" and run["cost"] > 0
    drawn = run["nodes"]["draw"]["outputs"]["image"]

    usage = client.get("/api/usage").json()
    assert usage["storage"] == {"image": picture["size"] + poster["size"] + drawn["size"], "video": clip["size"],
                                "audio": tone["size"], "other": 0}
    assert usage["assets"] == 4 and usage["runs"] == 1  # a poster is stored, not counted as an asset
    assert usage["spend"] == [{"day": datetime.now(UTC).date().isoformat(), "cost": pytest.approx(run["cost"])}]
    assert client.get("/api/usage", params={"days": 0}).status_code == 400


def test_usage_is_per_user(two_users, media):
    alice, bob = two_users
    upload(alice, media["image"])
    assert alice.get("/api/usage").json()["assets"] == 1
    assert bob.get("/api/usage").json()["assets"] == 0 and bob.get("/api/usage").json()["storage"]["image"] == 0
