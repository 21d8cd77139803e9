"""Retention (contract section 11): the sweep, run with a clock the test sets, against the
live server's database and store (SQLite and files; PostgreSQL and S3), and ``fusionflow gc``."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select

from orchestrator.library.retention import Sweeper
from orchestrator.store.models import assets, output_cache
from tests.helpers import edge, graph, node, submit, wait_run
from tests.library.conftest import upload


@pytest.fixture
def sweeper(server) -> Sweeper:
    runtime = server.runtime
    return Sweeper(runtime.db, runtime.assets, runtime.settings)


def picture_run(client, prompt: str, *, batch_video: str | None = None) -> tuple[dict, str]:
    """A run drawing ``prompt`` (not through the cache); with ``batch_video``, the graph also
    plans variants (a batch run)."""
    nodes = [node("prompt", "input.text", default=prompt), node("draw", "image.generate", width=64, height=64, seed=2)]
    edges = [edge("prompt.text", "draw.prompt")]
    if batch_video:
        nodes += [node("clip", "input.video", default=batch_video), node("plan", "variants.plan")]
        edges += [edge("clip.video", "plan.videos")]
    run = wait_run(client, submit(client, graph(nodes, edges), cache=False)["id"])
    assert run["status"] == "succeeded", {k: v["error"] for k, v in run["nodes"].items() if v["error"]}
    return run, run["nodes"]["draw"]["outputs"]["image"]["asset_id"]


def alive(client, asset_id: str) -> bool:
    return client.get(f"/api/assets/{asset_id}").status_code == 200


def test_batch_outputs_then_run_outputs_and_runs_expire(client, sweeper, media):
    start = datetime.now(UTC)
    uploaded = upload(client, media["video"], name="keep-me.mp4")
    plain_run, plain = picture_run(client, "a quiet harbour")
    batch_run, batched = picture_run(client, "a loud market", batch_video=uploaded["asset_id"])
    kept_run, kept = picture_run(client, "a quiet harbour at night")
    assert client.patch(f"/api/assets/{kept}", json={"keep": True}).status_code == 200
    batched_url, plain_url, kept_url = (client.get(f"/api/assets/{a}").json()["url"] for a in (batched, plain, kept))

    swept = sweeper.sweep(now=start + timedelta(hours=23))
    assert swept["assets"] == 0 and all(alive(client, a) for a in (plain, batched, kept))

    swept = sweeper.sweep(now=start + timedelta(hours=25))
    assert swept["assets"] == 1 and not alive(client, batched) and httpx.get(batched_url).status_code in (403, 404)
    assert all(alive(client, a) for a in (uploaded["asset_id"], plain, kept))
    assert client.get(f"/api/runs/{batch_run['id']}").status_code == 200  # runs last the retention period

    swept = sweeper.sweep(now=start + timedelta(days=31))
    assert swept["assets"] == 1 and swept["runs"] >= 3
    assert not alive(client, plain) and httpx.get(plain_url).status_code in (403, 404)
    assert alive(client, kept) and httpx.get(kept_url).status_code == 200
    assert alive(client, uploaded["asset_id"]) and httpx.get(uploaded["url"]).status_code == 200
    for run in (plain_run, batch_run, kept_run):
        assert client.get(f"/api/runs/{run['id']}").status_code == 404
        assert client.get(f"/api/runs/{run['id']}/events").status_code == 404


def test_unreferenced_bytes_old_cache_entries_and_abandoned_uploads(client, server, sweeper, media):
    start = datetime.now(UTC)
    orphan = upload(client, media["image"], name="orphan.png", content=media["image"].read_bytes() + b"orphan")
    with server.runtime.db.write() as conn:  # as if a process died between storing the bytes and the row
        conn.execute(assets.delete().where(assets.c.id == orphan["asset_id"]))
    picture = upload(client, media["image"], name="to-caption.png")["asset_id"]
    captioned = wait_run(client, submit(client, graph(  # a cacheable node: its outputs go to the cache
        [node("picture", "input.image", default=picture), node("caption", "image.overlay_text", text="cached")],
        [edge("picture.image", "caption.image")]))["id"])
    assert captioned["status"] == "succeeded"
    caption = captioned["nodes"]["caption"]["outputs"]["image"]["asset_id"]
    client.patch(f"/api/assets/{caption}", json={"keep": True})  # so its cache entry goes for its age alone
    started = client.post("/api/assets/uploads", json={"content_type": "image/png", "filename": "never.png"}).json()
    with server.runtime.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(output_cache)).scalar() >= 1

    swept = sweeper.sweep(now=start + timedelta(minutes=30))
    assert swept["objects"] == 0 and swept["uploads"] == 0  # too recent to tell from work in flight

    swept = sweeper.sweep(now=start + timedelta(days=31))
    assert swept["objects"] >= 1 and swept["uploads"] >= 1 and swept["cache_entries"] >= 1
    far = (start + timedelta(days=400)).timestamp()
    assert orphan["sha256"] not in set(server.runtime.assets.stored_objects(before=far))
    with server.runtime.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(output_cache)).scalar() == 0
    assert client.post(f"/api/assets/uploads/{started['upload_id']}/complete").status_code == 404
    assert alive(client, caption)


def test_one_sweeper_per_interval_across_processes(server):
    runtime = server.runtime
    first, second = (Sweeper(runtime.db, runtime.assets, runtime.settings) for _ in range(2))
    second.holder = "another-process"
    now = datetime.now(UTC) + timedelta(days=1000)  # past any claim the server's own loop made
    assert first.claim(now) is True
    assert second.claim(now) is False and second.sweep_if_due(now + timedelta(minutes=59)) is None
    assert second.claim(now + timedelta(seconds=runtime.settings.sweep_interval_seconds)) is True
    assert first.claim(now + timedelta(seconds=runtime.settings.sweep_interval_seconds + 1)) is False


def test_gc_sweeps_from_the_command_line(client, mode, request):
    run, made = picture_run(client, "swept by gc")
    env = {**os.environ, **request.getfixturevalue(f"{mode}_env"), "FUSIONFLOW_RETENTION_DAYS": "0"}
    result = subprocess.run([sys.executable, "-m", "orchestrator.cli", "gc"], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("swept: ") and "runs" in result.stdout
    assert client.get(f"/api/runs/{run['id']}").status_code == 404
    assert alive(client, made)  # its expiry was set when it was made
