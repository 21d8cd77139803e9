"""A page object for the canvas: what a person does with it, as Playwright calls."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

# Console noise that is not an error of the canvas: the browser logs every non-2xx
# answer (a 422 the test provokes on purpose, say) as a console error.
EXPECTED_CONSOLE = re.compile(r"Failed to load resource: the server responded with a status of 4(09|22)")


class Canvas:
    def __init__(self, page: Page, url: str, artifacts: Path, prefix: str) -> None:
        self.page = page
        self.url = url
        self.artifacts = artifacts
        self.prefix = re.sub(r"[^A-Za-z0-9_-]+", "_", prefix)
        self.console_errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and not EXPECTED_CONSOLE.search(m.text)
                and self.console_errors.append(m.text))
        page.on("pageerror", lambda e: self.console_errors.append(f"page error: {e}"))

    # -- navigation ---------------------------------------------------------------
    def open(self) -> None:
        self.page.goto(self.url + "/")
        self.wait_ready()

    def reload(self) -> None:
        self.page.reload()
        self.wait_ready()

    def wait_ready(self) -> None:
        expect(self.page.locator(".ff-palette-item").first).to_be_visible()

    def screenshot(self, name: str) -> Path:
        path = self.artifacts / f"{self.prefix}-{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def catalog_types(self) -> list[str]:
        return self.page.eval_on_selector_all(".ff-palette-item", "els => els.map(e => e.dataset.type)")

    # -- building -----------------------------------------------------------------
    def node_ids(self) -> list[str]:
        return self.page.eval_on_selector_all(".react-flow__node", "els => els.map(e => e.dataset.id)")

    def node(self, node_id: str):
        return self.page.locator(f'[data-testid="node-{node_id}"]')

    def add_node(self, node_type: str, x: int, y: int) -> str:
        """Drags ``node_type`` from the palette to (x, y) of the canvas; returns the new node's id."""
        before = set(self.node_ids())
        self.page.drag_and_drop(f'[data-testid="palette-{node_type}"]', ".react-flow__pane",
                                target_position={"x": x, "y": y})
        expect(self.page.locator(".react-flow__node")).to_have_count(len(before) + 1)
        (new,) = set(self.node_ids()) - before
        return new

    def handle(self, node_id: str, port: str, kind: str):
        return self.page.locator(f'.react-flow__node[data-id="{node_id}"] .react-flow__handle.{kind}[data-handleid="{port}"]')

    def connect(self, source: str, out_port: str, target: str, in_port: str, *, refused: bool = False) -> None:
        """Drags a wire from an output port to an input port, and waits for the edge
        (or, when it should be ``refused``, gives the canvas a moment to show it wrongly)."""
        s = self.handle(source, out_port, "source").bounding_box()
        t = self.handle(target, in_port, "target").bounding_box()
        assert s and t, f"no handle {source}.{out_port} or {target}.{in_port}"
        self.page.mouse.move(s["x"] + s["width"] / 2, s["y"] + s["height"] / 2)
        self.page.mouse.down()
        self.page.mouse.move(t["x"] + t["width"] / 2, t["y"] + t["height"] / 2, steps=12)
        self.page.mouse.up()
        edge = self.page.locator(f'.react-flow__edge[data-id="{source}.{out_port}->{target}.{in_port}"]')
        if refused:
            self.page.wait_for_timeout(300)
            expect(edge).to_have_count(0)
        else:
            expect(edge).to_have_count(1)

    def expect_edge_count(self, count: int) -> None:
        expect(self.page.locator(".react-flow__edge")).to_have_count(count)

    def edges(self) -> list[str]:
        """Edges as ``source.port->target.port``."""
        return self.page.eval_on_selector_all(".react-flow__edge", "els => els.map(e => e.dataset.id)")

    def select(self, node_id: str) -> None:
        self.node(node_id).locator(".ff-node-head").click()
        expect(self.page.locator('[data-testid="node-panel"] #node-id')).to_have_value(node_id)

    def set_param(self, node_id: str, name: str, value: str) -> None:
        self.select(node_id)
        field = self.page.locator(f'[data-testid="params-form"] [data-param="{name}"]').locator("input, textarea, select").first
        tag = field.evaluate("e => e.tagName")
        if tag == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)

    # -- running ------------------------------------------------------------------
    def run(self) -> None:
        self.page.click('[data-testid="run"]')

    def run_status(self):
        return self.page.locator('[data-testid="run-status"]')

    def wait_run(self, status: str, timeout: float = 30_000) -> None:
        expect(self.run_status()).to_have_attribute("data-status", status, timeout=timeout)

    def expect_node_status(self, node_id: str, status: str, timeout: float = 30_000) -> None:
        expect(self.node(node_id)).to_have_attribute("data-status", status, timeout=timeout)

    def open_tab(self, tab: str) -> None:
        self.page.click(f'[data-testid="tab-{tab}"]')

    def assert_no_console_errors(self) -> None:
        assert not self.console_errors, "console errors:\n" + "\n".join(self.console_errors)
