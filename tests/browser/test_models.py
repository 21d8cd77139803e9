"""The model catalog in the canvas: search and filter fal's models, pick one, and fill the
`fal.run` node it makes through a form generated from the model's input schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_pick_a_model_and_fill_its_arguments_from_its_input_schema(canvas):
    page = canvas.page
    canvas.open_tab("models")
    items = page.locator('[data-testid="model-item"]')
    expect(items.first).to_be_visible()
    page.fill('[data-testid="model-search"]', "kling pro")
    expect(items).to_have_count(2)
    page.fill('[data-testid="model-search"]', "")
    page.select_option('[data-testid="model-category"]', "text-to-speech")
    expect(items).to_have_count(1)
    expect(items.first).to_have_attribute("data-model-id", "fal-ai/kokoro/american-english")
    page.select_option('[data-testid="model-category"]', "")
    page.fill('[data-testid="model-search"]', "flux dev")
    page.click('[data-testid="model-item"][data-model-id="fal-ai/flux/dev"] button')

    (node_id,) = canvas.node_ids()
    expect(page.locator('[data-testid="node-panel"] #node-id')).to_have_value(node_id)
    form = page.locator('[data-testid="model-arguments"]')
    expect(form).to_have_attribute("data-model-id", "fal-ai/flux/dev")
    fields = form.locator("[data-param]")
    expect(fields.first).to_be_visible()
    assert {"prompt", "num_inference_steps", "guidance_scale", "output_format"} <= set(
        fields.evaluate_all("els => els.map(e => e.dataset.param)"))
    form.locator('[data-param="prompt"] textarea').fill("a fox in the snow")
    form.locator('[data-param="num_inference_steps"] input').fill("20")
    form.locator('[data-param="output_format"] select').select_option("png")
    page.locator('[data-testid="node-panel"] #node-id').click()  # leave the last field
    canvas.screenshot("model-form")

    with page.expect_download() as download:
        page.click('[data-testid="export"]')
    doc = json.loads(Path(download.value.path()).read_text())
    (node,) = doc["nodes"]
    assert node["type"] == "fal.run"
    assert node["params"] == {"app": "fal-ai/flux/dev", "arguments": {
        "prompt": "a fox in the snow", "num_inference_steps": 20, "output_format": "png"}}
    canvas.assert_no_console_errors()
