"""The canvas on a server with authentication on: it asks for a key, then works."""

from __future__ import annotations

import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.browser.canvas import Canvas
from tests.browser.conftest import ARTIFACTS, ROOT, serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def auth_server(web_dist, tmp_path_factory):
    home = tmp_path_factory.mktemp("ff-auth-home")
    env = {"FUSIONFLOW_AUTH": "required"}
    with serve(home, env) as url:
        created = subprocess.run([sys.executable, "-m", "orchestrator.cli", "users", "create", "alice"], cwd=ROOT,
                                 env={**__import__("os").environ, "FUSIONFLOW_HOME": str(home), **env},
                                 capture_output=True, text=True, check=True)
        key = created.stdout.strip().splitlines()[-1].strip()
        yield url, key


def test_asks_for_a_key_then_runs(browser, auth_server):
    url, key = auth_server
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.set_default_timeout(20_000)
    canvas = Canvas(page, url, ARTIFACTS, prefix="auth")
    # The 401s before the key is given are expected here.
    page.goto(url + "/")
    prompt = page.locator(".ff-modal")
    expect(prompt).to_be_visible()
    canvas.screenshot("key-prompt")
    prompt.locator('input[type="password"]').fill(key)
    prompt.locator('button[type="submit"]').click()
    canvas.wait_ready()
    canvas.console_errors.clear()
    text = canvas.add_node("input.text", 200, 200)
    canvas.set_param(text, "default", "only for alice")
    canvas.run()
    canvas.wait_run("succeeded")
    expect(canvas.node(text).locator(".ff-output-text")).to_have_text("only for alice")
    context.close()
