"""Opening anything in the canvas: the examples list, import (file picker, drop, paste),
export as a JSON file, and a clear error for a file that is not a graph."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

GRAPHS = Path(__file__).resolve().parents[2] / "graphs"


def example(name: str) -> dict:
    return json.loads((GRAPHS / f"{name}.json").read_text())


def export(canvas) -> dict:
    with canvas.page.expect_download() as download:
        canvas.page.click('[data-testid="export"]')
    return json.loads(Path(download.value.path()).read_text())


def expect_graph(canvas, graph: dict) -> None:
    expect(canvas.page.locator(".react-flow__node")).to_have_count(len(graph["nodes"]))
    assert sorted(canvas.node_ids()) == sorted(n["id"] for n in graph["nodes"])
    canvas.expect_edge_count(len(graph["edges"]))
    expect(canvas.page.locator('[data-testid="graph-name"]')).to_have_value(graph["name"])


def test_examples_open_with_their_layout_and_export_as_they_came(canvas):
    page = canvas.page
    canvas.open_tab("examples")
    items = page.locator('[data-testid="example-item"]')
    expect(items).to_have_count(len(list(GRAPHS.glob("*.json"))))
    page.click('[data-testid="example-item"][data-example-id="postcard"] button')
    postcard = example("postcard")
    expect_graph(canvas, postcard)
    canvas.screenshot("postcard")

    exported = export(canvas)
    assert exported["name"] == postcard["name"]
    assert exported["nodes"] == [{**n, "params": n.get("params", {})} for n in postcard["nodes"]]
    assert exported["edges"] == postcard["edges"]
    assert exported["ui"]["positions"] == {k: [float(x) for x in v] for k, v in postcard["ui"]["positions"].items()}

    # An exported file imports back to the same graph, and runs.
    canvas.page.set_input_files('[data-testid="import-file"]', files=[{
        "name": "hello.json", "mimeType": "application/json", "buffer": (GRAPHS / "hello.json").read_bytes()}])
    expect_graph(canvas, example("hello"))
    canvas.run()
    canvas.wait_run("succeeded")
    canvas.assert_no_console_errors()


def test_a_graph_file_dropped_or_pasted_on_the_canvas_opens(canvas):
    page = canvas.page
    hello, postcard = example("hello"), example("postcard")
    transfer = page.evaluate_handle("""text => {
        const dt = new DataTransfer();
        dt.items.add(new File([text], 'hello.json', {type: 'application/json'}));
        return dt;
    }""", json.dumps(hello))
    page.dispatch_event('[data-testid="canvas"]', "dragover", {"dataTransfer": transfer})
    page.dispatch_event('[data-testid="canvas"]', "drop", {"dataTransfer": transfer})
    expect_graph(canvas, hello)

    page.evaluate("""text => {
        const dt = new DataTransfer();
        dt.setData('text/plain', text);
        document.body.dispatchEvent(new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true}));
    }""", json.dumps({"id": "g_x", "name": "a template", "graph": postcard}))
    expect_graph(canvas, postcard)
    canvas.assert_no_console_errors()


def test_a_file_that_is_not_a_graph_is_refused_in_words_and_changes_nothing(canvas):
    page = canvas.page
    page.set_input_files('[data-testid="import-file"]', files=[{
        "name": "hello.json", "mimeType": "application/json", "buffer": (GRAPHS / "hello.json").read_bytes()}])
    expect_graph(canvas, example("hello"))

    for name, content, words in [
        ("notes.json", b'{"title": "shopping", "items": ["milk"]}', '"version" must be 1'),
        ("broken.json", b'{"version": 1, "nodes": [', "not JSON"),
        ("edges.json", b'{"version": 1, "nodes": [{"id": "a", "type": "input.text"}], "edges": [{"from": "a", "to": "b"}]}',
         "edges[0]"),
    ]:
        page.set_input_files('[data-testid="import-file"]', files=[{
            "name": name, "mimeType": "application/json", "buffer": content}])
        toast = page.locator('[data-testid="toast"]').filter(has_text=f"Cannot import {name}: not a graph")
        expect(toast).to_contain_text(words)
        expect_graph(canvas, example("hello"))
    canvas.screenshot("refused")
