"""The canvas in a real browser against a real server: build, run and watch, errors,
templates, reloads. Uses only node types the catalog offers at the time."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_build_connect_run_and_watch(canvas):
    page = canvas.page
    types = canvas.catalog_types()
    assert {"input.text", "text.join", "flow.wait"} <= set(types), types

    subject = canvas.add_node("input.text", 180, 160)
    style = canvas.add_node("input.text", 180, 420)
    join = canvas.add_node("text.join", 560, 260)
    canvas.connect(subject, "text", join, "parts")
    canvas.connect(style, "text", join, "parts")
    canvas.expect_edge_count(2)  # a multiple input takes every edge

    has_image = "image.generate" in types
    if has_image:
        last = canvas.add_node("image.generate", 940, 220)
        canvas.connect(join, "text", last, "prompt")
        canvas.select(last)
        provider = page.locator('[data-param="provider"] select')
        if provider.count():
            provider.select_option("local")
    else:
        last = canvas.add_node("flow.wait", 940, 220)
        canvas.connect(join, "text", last, "value")

    # A second edge into a single input replaces the first.
    single_port = "prompt" if has_image else "value"
    canvas.connect(subject, "text", last, single_port)
    into_last = [e for e in canvas.edges() if e.endswith(f"->{last}.{single_port}")]
    assert into_last == [f"{subject}.text->{last}.{single_port}"]
    canvas.connect(join, "text", last, single_port)
    into_last = [e for e in canvas.edges() if e.endswith(f"->{last}.{single_port}")]
    assert into_last == [f"{join}.text->{last}.{single_port}"]

    # A connection between incompatible types is refused.
    if "input.number" in types:
        number = canvas.add_node("input.number", 180, 640)
        before = canvas.edges()
        canvas.connect(number, "number", join, "parts", refused=True)
        assert canvas.edges() == before

    canvas.set_param(subject, "default", "a lighthouse")
    canvas.set_param(style, "default", "oil painting")
    canvas.set_param(join, "separator", ", ")
    if not has_image:
        canvas.set_param(last, "seconds", "1")
        canvas.set_param(last, "steps", "2")
    canvas.screenshot("1-built")

    canvas.run()
    canvas.wait_run("succeeded")
    for node_id in canvas.node_ids():
        if node_id.startswith("number"):
            continue
        canvas.expect_node_status(node_id, "succeeded")
    expect(canvas.node(join).locator(".ff-output-text")).to_have_text("a lighthouse, oil painting")
    if has_image:
        image = canvas.node(last).locator("img.ff-output-media")
        expect(image).to_be_visible()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    else:
        expect(canvas.node(last).locator(".ff-output-text")).to_contain_text("a lighthouse, oil painting")
    expect(page.locator('[data-testid="toast"]').filter(has_text="finished").first).to_be_visible()
    canvas.screenshot("2-succeeded")
    canvas.assert_no_console_errors()


def test_invalid_graph_puts_errors_on_the_node(canvas):
    page = canvas.page
    join = canvas.add_node("text.join", 500, 260)  # its required input `parts` has no edge
    canvas.run()
    errors = canvas.node(join).locator('[data-testid="validation-errors"] li')
    expect(errors.first).to_be_visible()
    expect(errors.first).to_have_attribute("data-code", "missing_input")
    expect(canvas.node(join).locator(".ff-port.in.port-error")).to_have_count(1)
    expect(page.locator('[data-testid="error-banner"]')).to_be_visible()
    expect(canvas.run_status()).to_have_attribute("data-status", "none")
    canvas.screenshot("invalid")

    # Fixing the graph clears the errors on the next run.
    text = canvas.add_node("input.text", 150, 260)
    canvas.connect(text, "text", join, "parts")
    canvas.run()
    canvas.wait_run("succeeded")
    expect(canvas.node(join).locator('[data-testid="validation-errors"]')).to_have_count(0)
    canvas.assert_no_console_errors()


def test_failure_shows_the_error_and_skips_downstream(canvas):
    fail = canvas.add_node("flow.fail", 200, 200)
    wait = canvas.add_node("flow.wait", 600, 200)
    canvas.connect(fail, "value", wait, "value")
    canvas.set_param(fail, "message", "the lighthouse is dark")
    canvas.run()
    canvas.wait_run("failed")
    canvas.expect_node_status(fail, "failed")
    canvas.expect_node_status(wait, "skipped")
    expect(canvas.node(fail).locator('[data-testid="node-error"]')).to_contain_text("the lighthouse is dark")
    canvas.screenshot("failed")
    canvas.assert_no_console_errors()


def test_template_save_reload_reopen_and_rerun(canvas):
    page = canvas.page
    text = canvas.add_node("input.text", 180, 200)
    join = canvas.add_node("text.join", 560, 200)
    canvas.connect(text, "text", join, "parts")
    canvas.set_param(text, "name", "subject")
    canvas.set_param(text, "default", "a fox")
    page.fill('[data-testid="graph-name"]', "fox postcard")
    page.click('[data-testid="save"]')
    expect(page.locator('[data-testid="toast"]').filter(has_text="version 1")).to_be_visible()
    expect(page.locator('[data-testid="template-chip"]')).to_have_text(re.compile("v1"))
    positions = {n: canvas.node(n).bounding_box() for n in (text, join)}

    # The canvas survives a reload, positions and template included.
    canvas.reload()
    expect(canvas.node(join)).to_be_visible()
    assert sorted(canvas.node_ids()) == sorted([text, join])
    canvas.expect_edge_count(1)
    assert canvas.edges() == [f"{text}.text->{join}.parts"]
    expect(page.locator('[data-testid="template-chip"]')).to_have_text(re.compile("v1"))
    for n, box in positions.items():
        now = canvas.node(n).bounding_box()
        assert abs(now["x"] - box["x"]) < 2 and abs(now["y"] - box["y"]) < 2, (n, box, now)

    # A second version, then a new canvas, then open the template from the list.
    canvas.set_param(join, "separator", " / ")
    page.click('[data-testid="save"]')
    expect(page.locator('[data-testid="template-chip"]')).to_have_text(re.compile("v2"))
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="New", exact=True).click()
    expect(page.locator(".react-flow__node")).to_have_count(0)
    canvas.open_tab("templates")
    item = page.locator('[data-testid="template-item"]').filter(has_text="fox postcard")
    expect(item).to_contain_text("v2")
    canvas.screenshot("templates")
    item.locator(".ff-list-main").click()
    expect(canvas.node(join)).to_be_visible()
    canvas.expect_edge_count(1)
    assert canvas.edges() == [f"{text}.text->{join}.parts"]

    # Its declared inputs: edit and rerun.
    inputs = page.locator('[data-testid="inputs-panel"]')
    expect(inputs).to_be_visible()
    field = inputs.locator('[data-param="subject"] textarea')
    expect(field).to_have_value("a fox")
    field.fill("a heron")
    canvas.screenshot("inputs")
    page.click('[data-testid="run-template"]')
    canvas.wait_run("succeeded")
    expect(canvas.node(join).locator(".ff-output-text")).to_have_text("a heron")
    canvas.assert_no_console_errors()


def test_reload_mid_run_reattaches(canvas):
    page = canvas.page
    text = canvas.add_node("input.text", 180, 200)
    wait = canvas.add_node("flow.wait", 560, 200)
    canvas.connect(text, "text", wait, "value")
    canvas.set_param(text, "default", "patience")
    canvas.set_param(wait, "seconds", "5")
    canvas.set_param(wait, "steps", "5")
    canvas.run()
    canvas.expect_node_status(wait, "running")
    expect(canvas.node(wait).locator(".ff-node-msg")).to_contain_text("step", timeout=10_000)
    canvas.screenshot("running")
    run_id = page.evaluate("() => localStorage.getItem('fusionflow.currentRun')")
    assert run_id

    canvas.reload()
    expect(canvas.run_status()).to_contain_text(run_id)
    canvas.expect_node_status(wait, "running", timeout=5_000)
    canvas.screenshot("reattached")
    canvas.wait_run("succeeded", timeout=20_000)
    canvas.expect_node_status(text, "succeeded")
    canvas.expect_node_status(wait, "succeeded")
    expect(canvas.node(wait).locator(".ff-output-text")).to_have_text("patience")
    canvas.assert_no_console_errors()


def test_cancel_a_run(canvas):
    wait = canvas.add_node("flow.wait", 400, 200)
    canvas.set_param(wait, "seconds", "30")
    canvas.set_param(wait, "steps", "30")
    canvas.run()
    canvas.expect_node_status(wait, "running")
    canvas.page.click('[data-testid="cancel"]')
    canvas.wait_run("cancelled", timeout=15_000)
    canvas.expect_node_status(wait, "cancelled")
    canvas.assert_no_console_errors()


def test_history_reopens_a_past_run_with_its_outputs(canvas):
    page = canvas.page
    text = canvas.add_node("input.text", 180, 200)
    join = canvas.add_node("text.join", 560, 200)
    canvas.connect(text, "text", join, "parts")
    canvas.set_param(text, "default", "from the past")
    page.fill('[data-testid="graph-name"]', "history check")
    canvas.run()
    canvas.wait_run("succeeded")
    run_id = page.evaluate("() => localStorage.getItem('fusionflow.currentRun')")

    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="New", exact=True).click()
    expect(page.locator(".react-flow__node")).to_have_count(0)
    canvas.open_tab("history")
    item = page.locator(f'[data-testid="run-item"][data-run-id="{run_id}"]')
    expect(item).to_be_visible()
    canvas.screenshot("history")
    item.locator(".ff-list-main").click()
    expect(canvas.node(join)).to_be_visible()
    canvas.expect_node_status(join, "succeeded")
    expect(canvas.node(join).locator(".ff-output-text")).to_have_text("from the past")
    canvas.assert_no_console_errors()


def test_editor_keys_undo_copy_paste_delete(canvas):
    page = canvas.page
    a = canvas.add_node("input.text", 200, 200)
    b = canvas.add_node("text.join", 560, 200)
    canvas.connect(a, "text", b, "parts")
    assert len(canvas.node_ids()) == 2

    page.locator(".react-flow__pane").click(position={"x": 900, "y": 700})
    page.keyboard.press("Control+a")
    page.keyboard.press("Control+c")
    page.keyboard.press("Control+v")
    expect(page.locator(".react-flow__node")).to_have_count(4)
    canvas.expect_edge_count(2)  # the pasted copy keeps its inner edge

    page.keyboard.press("Delete")
    expect(page.locator(".react-flow__node")).to_have_count(2)
    page.keyboard.press("Control+z")
    expect(page.locator(".react-flow__node")).to_have_count(4)
    page.keyboard.press("Control+Shift+z")
    expect(page.locator(".react-flow__node")).to_have_count(2)

    # Double-click in the palette adds a node; undo removes it.
    page.locator('[data-testid="palette-flow.wait"]').dblclick()
    expect(page.locator(".react-flow__node")).to_have_count(3)
    page.locator(".react-flow__pane").click(position={"x": 900, "y": 700})
    page.keyboard.press("Control+z")
    expect(page.locator(".react-flow__node")).to_have_count(2)

    # Search filters the palette; the minimap and fit view are there.
    total = page.locator(".ff-palette-item").count()
    page.fill(".ff-search", "join")
    expect(page.locator('[data-testid="palette-text.join"]')).to_be_visible()
    expect(page.locator('[data-testid="palette-flow.wait"]')).to_have_count(0)
    assert page.locator(".ff-palette-item").count() < total
    expect(page.locator(".react-flow__minimap")).to_be_visible()
    page.locator(".react-flow__pane").click(position={"x": 900, "y": 700})
    page.keyboard.press("f")
    canvas.screenshot("editor")
    canvas.assert_no_console_errors()


def test_toast_links_to_the_finished_run(canvas):
    page = canvas.page
    text = canvas.add_node("input.text", 180, 200)
    canvas.set_param(text, "default", "ring the bell")
    canvas.run()
    canvas.wait_run("succeeded")
    toast = page.locator('[data-testid="toast"]').filter(has_text="finished").first
    expect(toast).to_be_visible()
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="New", exact=True).click()
    expect(page.locator(".react-flow__node")).to_have_count(0)
    toast.locator('[data-testid="toast-open"]').click()
    canvas.expect_node_status(text, "succeeded")
    expect(canvas.node(text).locator(".ff-output-text")).to_have_text("ring the bell")
    canvas.assert_no_console_errors()


def test_asset_picker_uploads_and_previews(canvas, tmp_path):
    import httpx
    from PIL import Image

    probe = httpx.post(canvas.url + "/api/assets", files={"file": ("probe.txt", b"x", "text/plain")})
    if probe.status_code == 404:
        pytest.skip("this server has no POST /api/assets yet")
    picture = tmp_path / "lighthouse.png"
    Image.new("RGB", (64, 48), (40, 120, 200)).save(picture)

    page = canvas.page
    node = canvas.add_node("input.image", 300, 200)
    canvas.select(node)
    picker = page.locator('[data-testid="asset-default"]')
    picker.locator('input[type="file"]').set_input_files(str(picture))
    expect(picker.locator("img")).to_be_visible()
    asset_id = picker.locator('input[type="text"]').input_value()
    assert asset_id
    canvas.run()
    canvas.wait_run("succeeded")
    image = canvas.node(node).locator("img.ff-output-media")
    expect(image).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth === 64", arg=image.element_handle())
    canvas.screenshot("asset")
    canvas.assert_no_console_errors()


def test_prompt_image_video_audio_with_previews(canvas):
    """The newcomer's path: prompt -> image -> video, plus a sound, all with players."""
    types = set(canvas.catalog_types())
    needed = {"input.text", "image.generate", "video.from_image", "audio.generate"}
    if not needed <= types:
        pytest.skip(f"the catalog lacks {sorted(needed - types)}")
    page = canvas.page
    prompt = canvas.add_node("input.text", 150, 200)
    image = canvas.add_node("image.generate", 500, 120)
    video = canvas.add_node("video.from_image", 880, 120)
    audio = canvas.add_node("audio.generate", 500, 640)
    canvas.connect(prompt, "text", image, "prompt")
    canvas.connect(image, "image", video, "image")
    canvas.connect(prompt, "text", video, "prompt")
    canvas.connect(prompt, "text", audio, "prompt")
    canvas.set_param(prompt, "default", "a lighthouse at dusk")
    canvas.set_param(image, "provider", "local")
    canvas.set_param(image, "width", "256")
    canvas.set_param(image, "height", "256")
    canvas.set_param(video, "provider", "local")
    canvas.set_param(video, "duration", "1")
    canvas.set_param(video, "fps", "8")
    canvas.set_param(audio, "provider", "local")
    canvas.set_param(audio, "duration", "1")
    canvas.run()
    canvas.wait_run("succeeded", timeout=90_000)
    img = canvas.node(image).locator("img.ff-output-media")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())
    player = canvas.node(video).locator("video.ff-output-media")
    expect(player).to_be_visible()
    assert player.get_attribute("controls") is not None
    sound = canvas.node(audio).locator("audio.ff-output-audio")
    expect(sound).to_have_count(1)
    page.wait_for_function("a => a.readyState >= 1 || a.error", arg=sound.element_handle(), timeout=15_000)
    page.wait_for_function("v => v.readyState >= 1 || v.error", arg=player.element_handle(), timeout=15_000)
    print("video error:", player.evaluate("v => v.error && v.error.code"), "audio error:",
          sound.evaluate("a => a.error && a.error.code"))
    page.locator(".react-flow__pane").click(position={"x": 700, "y": 40})
    page.keyboard.press("f")
    canvas.screenshot("media")
    canvas.assert_no_console_errors()
