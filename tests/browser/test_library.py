"""The library panel in the canvas: upload several clips with a progress bar each, make a
collection of them, drag it onto the canvas, and run a batch of 12 variants from it into a ZIP."""

from __future__ import annotations

import io
import subprocess
import zipfile

import httpx
from playwright.sync_api import expect

from nodes.media.ffmpeg import ffmpeg_exe


def make_clips(folder, count: int) -> list[str]:
    paths = []
    for i in range(count):
        path = folder / f"clip-{i + 1}.mp4"
        subprocess.run([ffmpeg_exe(), "-y", "-loglevel", "error", "-f", "lavfi", "-i",
                        "testsrc=size=160x120:rate=10:duration=1", "-vf", f"hue=h={i * 90}",
                        "-c:v", "libx264", "-pix_fmt", "yuv420p", str(path)], check=True)
        paths.append(str(path))
    return paths


def test_upload_clips_make_a_collection_drag_it_in_and_batch_it(canvas, tmp_path):
    page = canvas.page
    canvas.open_tab("library")
    page.locator('[data-testid="library-file-input"]').set_input_files(make_clips(tmp_path, 3))
    rows = page.locator('[data-testid="upload-row"]')
    expect(rows).to_have_count(3)
    expect(page.locator('[data-testid="upload-row"][data-done="true"]')).to_have_count(3)
    for i in range(3):
        expect(rows.nth(i).locator("progress")).to_have_attribute("value", "1")
    cards = page.locator('[data-testid="asset-card"][data-kind="video"]')
    expect(cards).to_have_count(3)
    expect(cards.locator("img")).to_have_count(3, timeout=30_000)  # the posters arrive
    canvas.screenshot("gallery")

    page.fill('[data-testid="collection-name"]', "clips")
    page.select_option('[data-testid="collection-kind"]', "video")
    page.click('[data-testid="collection-create"]')
    collection = page.locator('[data-testid="collection"]')
    expect(collection).to_have_count(1)
    for i in range(3):
        cards.nth(i).locator('input[type="checkbox"]').check()
    collection.locator('[data-testid="collection-add-selected"]').click()
    expect(collection).to_have_attribute("data-count", "3")
    collection_id = collection.get_attribute("data-id")

    page.drag_and_drop('[data-testid="collection"] .ff-collection-head', ".react-flow__pane",
                       target_position={"x": 300, "y": 200})
    expect(page.locator(".react-flow__node")).to_have_count(1)
    (node_id,) = canvas.node_ids()
    assert node_id.startswith("collection") or node_id.startswith("input")
    canvas.select(node_id)
    picker = page.locator('[data-testid="params-form"] [data-param="collection"] select')
    expect(picker).to_have_value(collection_id)  # a picker of the user's collections
    expect(picker.locator("option:checked")).to_have_text("clips (3 video)")

    plan = canvas.add_node("variants.plan", 300, 480)
    batch = canvas.add_node("variants.batch", 650, 200)
    archive = canvas.add_node("archive.zip", 1000, 200)
    canvas.connect(node_id, "items", plan, "video_list")
    canvas.connect(plan, "variants", batch, "variants")
    canvas.connect(batch, "videos", archive, "list")
    canvas.set_param(plan, "per_video", "4")

    canvas.run()
    canvas.wait_run("succeeded", timeout=120_000)
    run = httpx.get(canvas.url + "/api/runs", params={"limit": 1}).json()["runs"][0]
    outputs = run["nodes"][node_id]["outputs"]
    assert outputs["count"] == 3 and len(outputs["items"]) == 3
    assert run["nodes"][batch]["outputs"]["count"] == 12
    zipped = httpx.get(run["nodes"][archive]["outputs"]["archive"]["url"])
    assert zipped.status_code == 200 and len(zipfile.ZipFile(io.BytesIO(zipped.content)).namelist()) == 12
    canvas.screenshot("batch")
    canvas.assert_no_console_errors()
