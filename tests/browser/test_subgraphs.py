"""Subgraphs in the canvas: a selection becomes a template used as one node, which runs,
and opens by double-click to show its inner nodes with the run's states."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_make_a_subgraph_from_a_selection_run_it_and_open_it(canvas, app_url):
    page = canvas.page
    first = canvas.add_node("input.text", 160, 160)
    second = canvas.add_node("input.text", 160, 420)
    join = canvas.add_node("text.join", 560, 260)
    wait = canvas.add_node("flow.wait", 940, 260)
    canvas.connect(first, "text", join, "parts")
    canvas.connect(second, "text", join, "parts")
    canvas.connect(join, "text", wait, "value")
    canvas.set_param(first, "default", "hello")
    canvas.set_param(second, "default", "fox")
    canvas.set_param(join, "separator", ", ")
    canvas.set_param(wait, "seconds", "0")

    canvas.select(join)
    page.once("dialog", lambda dialog: dialog.accept("greeting part"))
    page.click('[data-testid="make-subgraph"]')
    expect(page.locator('[data-testid="toast"]').filter(has_text="Made the subgraph")).to_be_visible()
    ids = canvas.node_ids()
    (sub,) = set(ids) - {first, second, wait}
    assert join not in ids
    # The subgraph node has the template's ports, wired where the join was.
    expect(canvas.handle(sub, f"{first}_text", "target")).to_have_count(1)
    expect(canvas.handle(sub, f"{join}_text", "source")).to_have_count(1)
    assert sorted(canvas.edges()) == sorted([
        f"{first}.text->{sub}.{first}_text", f"{second}.text->{sub}.{second}_text", f"{sub}.{join}_text->{wait}.value"])

    templates = httpx.get(app_url + "/api/graphs").json()["graphs"]
    template = next(t for t in templates if t["name"] == "greeting part")
    assert {i["name"] for i in template["inputs"]} == {f"{first}_text", f"{second}_text"}
    assert template["outputs"] == [{"name": f"{join}_text", "type": "text"}]

    canvas.run()
    canvas.wait_run("succeeded")
    canvas.expect_node_status(sub, "succeeded")
    expect(canvas.node(wait).locator(".ff-output-text")).to_contain_text("hello, fox")
    canvas.screenshot("1-outer")

    canvas.node(sub).locator(".ff-node-head").dblclick()
    expect(page.locator('[data-testid="subgraph-back"]')).to_be_visible()
    expect(page.locator(".react-flow__node")).to_have_count(4)  # the join, two inputs, one output
    assert set(canvas.node_ids()) == {join, f"{first}_text", f"{second}_text", f"{join}_text"}
    canvas.expect_node_status(join, "succeeded")  # the run's `<sub>/<join>`
    expect(canvas.node(join).locator(".ff-output-text")).to_have_text("hello, fox")
    canvas.screenshot("2-inside")

    page.click('[data-testid="subgraph-back"]')
    expect(page.locator('[data-testid="subgraph-back"]')).to_have_count(0)
    assert set(canvas.node_ids()) == {first, second, sub, wait}
    canvas.expect_node_status(wait, "succeeded")

    # Reopened from the history, the run shows the graph as drawn, the subgraph as one node.
    run_id = page.evaluate("() => localStorage.getItem('fusionflow.currentRun')")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="New", exact=True).click()
    expect(page.locator(".react-flow__node")).to_have_count(0)
    canvas.open_tab("history")
    page.locator(f'[data-testid="run-item"][data-run-id="{run_id}"] .ff-list-main').click()
    expect(page.locator(".react-flow__node")).to_have_count(4)
    assert set(canvas.node_ids()) == {first, second, sub, wait}
    canvas.expect_node_status(sub, "succeeded")
    canvas.assert_no_console_errors()
