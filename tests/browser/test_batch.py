"""A batch from a collection in the canvas: three clips in a collection dragged in, a plan
of twelve variants, one mapped render node (shown with its count and progress), one ZIP."""

from __future__ import annotations

import io
import re
import zipfile

import httpx
from playwright.sync_api import expect

from tests.browser.test_library import make_clips


def test_a_batch_of_twelve_variants_from_a_collection_downloads_as_one_zip(canvas, tmp_path):
    api = httpx.Client(base_url=canvas.url, timeout=60)
    clips = []
    for path in make_clips(tmp_path, 3):
        with open(path, "rb") as handle:
            clips.append(api.post("/api/assets", files={"file": (path.rsplit("/", 1)[-1], handle, "video/mp4")})
                         .json()["asset_id"])
    collection = api.post("/api/collections", json={"name": "batch clips", "kind": "video"}).json()
    api.post(f"/api/collections/{collection['id']}/items", json={"asset_ids": clips}).raise_for_status()

    page = canvas.page
    canvas.open_tab("library")
    page.drag_and_drop(f'[data-testid="collection"][data-id="{collection["id"]}"] .ff-collection-head',
                       ".react-flow__pane", target_position={"x": 80, "y": 80})
    (source,) = canvas.node_ids()
    plan = canvas.add_node("variants.plan", 360, 80)
    render = canvas.add_node("variants.batch", 360, 400)
    bundle = canvas.add_node("archive.zip", 700, 400)
    canvas.connect(source, "items", plan, "video_list")
    canvas.connect(plan, "variants", render, "variants")
    canvas.connect(render, "videos", bundle, "list")
    canvas.set_param(plan, "per_video", "4")

    canvas.run()
    # the mapped node shows its count and a progress bar over its items while they run
    expect(canvas.node(render).locator(".ff-node-msg")).to_have_text(re.compile(r"^\d+ of 12$"), timeout=120_000)
    canvas.wait_run("succeeded", timeout=240_000)
    canvas.screenshot("batch")
    run = api.get("/api/runs", params={"limit": 1}).json()["runs"][0]
    assert run["nodes"][render]["outputs"]["count"] == 12
    archive = run["nodes"][bundle]["outputs"]["archive"]
    with zipfile.ZipFile(io.BytesIO(httpx.get(archive["url"], timeout=60).content)) as downloaded:
        assert len(downloaded.namelist()) == 12
    canvas.assert_no_console_errors()
