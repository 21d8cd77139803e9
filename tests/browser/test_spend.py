"""A charged run in the canvas: the estimate before, each node's cost and the run's after,
and the balance going down by what was charged (fal answers through its stub server)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.canvas import Canvas
from tests.browser.conftest import ROOT, serve
from tests.browser.test_auth import priced_image_graph, registered, sign_in_with_key, user_id_of
from tests.providers.stubs import FAL_KEY, fal_stub

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def spend_server(web_dist, tmp_path_factory):
    home = tmp_path_factory.mktemp("ff-spend-home")
    with fal_stub() as fal:
        env = {"FUSIONFLOW_AUTH": "required", "FUSIONFLOW_REGISTRATION": "open", "FUSIONFLOW_CREDITS": "on",
               "FAL_KEY": FAL_KEY, "FAL_QUEUE_URL": fal.queue_url, "FAL_POLL_INTERVAL": "0.05",
               "FUSIONFLOW_ALLOW_PRIVATE_URLS": "true"}
        with serve(home, env) as url:
            created = subprocess.run([sys.executable, "-m", "orchestrator.cli", "users", "create", "root", "--admin"],
                                     cwd=ROOT, env={**os.environ, "FUSIONFLOW_HOME": str(home), **env},
                                     capture_output=True, text=True, check=True)
            yield url, created.stdout.strip().splitlines()[-1].strip()


def test_a_charged_run_shows_its_node_cost_and_the_balance_goes_down(page, spend_server):
    url, admin_key = spend_server
    name = registered(url)
    admin = {"Authorization": f"Bearer {admin_key}"}
    assert httpx.post(f"{url}/api/admin/users/{user_id_of(url, admin_key, name)}/credits", json={"amount": 1},
                      headers=admin).status_code == 201
    tokens = httpx.post(url + "/api/auth/login", json={"username": name, "password": "correct horse battery"}).json()
    key = httpx.post(url + "/api/keys", json={"name": "browser"},
                     headers={"Authorization": f"Bearer {tokens['access_token']}"}).json()["key"]
    canvas: Canvas = sign_in_with_key(page, url, key)
    expect(page.locator('[data-testid="account-credits"]')).to_have_text("$1.00")
    image = priced_image_graph(canvas)
    canvas.run()
    canvas.wait_run("succeeded", timeout=60_000)
    cost = canvas.node(image).locator('[data-testid="node-cost"]')
    expect(cost).to_have_text(re.compile(r"^\$0\.\d*[1-9]"))
    charged = float(cost.inner_text().lstrip("$"))
    me = httpx.get(url + "/api/me", headers={"Authorization": f"Bearer {key}"}).json()
    assert abs(me["credits"] - (1 - charged)) < 0.0001  # the node's cost, and nothing else, was charged
    expect(page.locator('[data-testid="account-credits"]')).to_have_text(f"${me['credits']:.2f}")
    canvas.screenshot("charged")
