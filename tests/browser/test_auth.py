"""The canvas on a server with authentication on: sign in with a password, a wallet
(an injected `window.ethereum` stub signing with eth-account), or an API key; the
sign-in survives a reload with no secret in script-readable storage; the toolbar
shows who is signed in, the balance, today's spend, the graph's estimate and the run's
cost; 402 and 429 read as messages."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.canvas import Canvas
from tests.browser.conftest import ARTIFACTS, ROOT, serve

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def auth_server(web_dist, tmp_path_factory):
    home = tmp_path_factory.mktemp("ff-auth-home")
    env = {"FUSIONFLOW_AUTH": "required", "FUSIONFLOW_REGISTRATION": "open", "FUSIONFLOW_CREDITS": "on",
           "FAL_KEY": "never-called", "FUSIONFLOW_RATE_RUNS": "2/minute"}
    with serve(home, env) as url:
        created = subprocess.run([sys.executable, "-m", "orchestrator.cli", "users", "create", "root", "--admin"],
                                 cwd=ROOT, env={**os.environ, "FUSIONFLOW_HOME": str(home), **env},
                                 capture_output=True, text=True, check=True)
        yield url, created.stdout.strip().splitlines()[-1].strip()


def registered(url: str) -> str:
    name = f"u{secrets.token_hex(4)}"
    response = httpx.post(url + "/api/auth/register", json={"username": name, "password": PASSWORD})
    assert response.status_code == 201, response.text
    return name


def user_id_of(url: str, admin_key: str, name: str) -> str:
    users = httpx.get(url + "/api/admin/users", params={"limit": 200},
                      headers={"Authorization": f"Bearer {admin_key}"}).json()["users"]
    return next(u["id"] for u in users if u["name"] == name)


def no_secret_in_scripts_reach(page) -> None:
    stored = page.evaluate("() => JSON.stringify({...localStorage}) + JSON.stringify({...sessionStorage})"
                           " + document.cookie")
    for secret_mark in ("ffr_", "ff_", "eyJ"):  # refresh tokens, API keys, JWTs
        assert secret_mark not in stored, stored


def test_password_sign_in_survives_a_reload_and_shows_the_balance(page, auth_server):
    url, admin_key = auth_server
    name = registered(url)
    canvas = Canvas(page, url, ARTIFACTS, prefix="auth-password")
    page.goto(url + "/")
    dialog = page.locator('[data-testid="sign-in"]')
    expect(dialog).to_be_visible()
    dialog.get_by_label("Username").fill(name)
    dialog.get_by_label("Password").fill("not the password")
    dialog.locator('[data-testid="sign-in-submit"]').click()
    expect(page.locator('[data-testid="sign-in-error"]')).to_contain_text("wrong username or password")
    dialog.get_by_label("Password").fill(PASSWORD)
    dialog.locator('[data-testid="sign-in-submit"]').click()
    canvas.wait_ready()
    expect(page.locator('[data-testid="account-name"]')).to_have_text(name)
    expect(page.locator('[data-testid="account-credits"]')).to_have_text("$0.00")
    expect(page.locator('[data-testid="account-spent"]')).to_have_text("today $0.00")
    no_secret_in_scripts_reach(page)

    grant = httpx.post(f"{url}/api/admin/users/{user_id_of(url, admin_key, name)}/credits", json={"amount": 1.5},
                       headers={"Authorization": f"Bearer {admin_key}"})
    assert grant.status_code == 201
    canvas.reload()  # signed in again silently, from the HttpOnly cookie
    expect(page.locator('[data-testid="account-credits"]')).to_have_text("$1.50")
    canvas.screenshot("signed-in")
    no_secret_in_scripts_reach(page)

    text = canvas.add_node("input.text", 200, 200)
    canvas.set_param(text, "default", "only for me")
    expect(page.locator('[data-testid="estimate"]')).to_have_text("est. $0.00")
    canvas.run()
    canvas.wait_run("succeeded")
    expect(page.locator('[data-testid="run-cost"]')).to_contain_text("run $0.00")

    page.click('[data-testid="sign-out"]')
    expect(dialog).to_be_visible()
    page.reload()
    expect(dialog).to_be_visible()


WALLET_STUB = """
window.ethereum = {
  request: async ({ method, params }) => {
    if (method === 'eth_requestAccounts') return [ADDRESS];
    if (method === 'eth_chainId') return '0x1';
    if (method === 'personal_sign') return await window.ffTestWalletSign(params[0]);
    throw new Error('unsupported method ' + method);
  },
};
"""


def test_wallet_sign_in_with_an_injected_provider(page, auth_server):
    from eth_account import Account
    from eth_account.messages import encode_defunct

    url, _ = auth_server
    wallet = Account.create()
    signed: list[str] = []

    def sign(hex_message: str) -> str:
        text = bytes.fromhex(hex_message.removeprefix("0x")).decode()
        signed.append(text)
        return "0x" + wallet.sign_message(encode_defunct(text=text)).signature.hex().removeprefix("0x")

    page.expose_function("ffTestWalletSign", sign)
    page.add_init_script(WALLET_STUB.replace("ADDRESS", repr(wallet.address.lower())))
    canvas = Canvas(page, url, ARTIFACTS, prefix="auth-wallet")
    page.goto(url + "/")
    page.click('[data-testid="sign-in-wallet"]')
    canvas.wait_ready()
    short = f"{wallet.address[:6]}…{wallet.address[-4:]}"
    expect(page.locator('[data-testid="account-name"]')).to_have_text(short)
    assert len(signed) == 1 and wallet.address in signed[0] and "Nonce: " in signed[0]
    assert signed[0].startswith(url.removeprefix("http://") + " wants you to sign in")
    no_secret_in_scripts_reach(page)
    canvas.reload()
    expect(page.locator('[data-testid="account-name"]')).to_have_text(short)
    canvas.screenshot("wallet")


def sign_in_with_key(page, url: str, key: str) -> Canvas:
    canvas = Canvas(page, url, ARTIFACTS, prefix="auth-key")
    page.goto(url + "/")
    page.get_by_text("Use an API key instead").click()
    page.get_by_label("API key").fill(key)
    page.locator('[data-testid="sign-in-submit"]').click()
    canvas.wait_ready()
    return canvas


def priced_image_graph(canvas: Canvas) -> str:
    """A prompt into ``image.generate`` on fal, drawn on the canvas; waits for its estimate; the image's id."""
    prompt = canvas.add_node("input.text", 150, 200)
    image = canvas.add_node("image.generate", 550, 200)
    canvas.set_param(image, "provider", "fal")
    canvas.connect(prompt, "text", image, "prompt")
    expect(canvas.page.locator('[data-testid="estimate"]')).to_have_text(re.compile(r"est\. \$0\.\d*[1-9]"))
    return image


def test_a_run_without_credits_reads_as_a_message(page, auth_server):
    url, _ = auth_server
    name = registered(url)
    tokens = httpx.post(url + "/api/auth/login", json={"username": name, "password": PASSWORD}).json()
    key = httpx.post(url + "/api/keys", json={"name": "browser"},
                     headers={"Authorization": f"Bearer {tokens['access_token']}"}).json()["key"]
    canvas = sign_in_with_key(page, url, key)
    priced_image_graph(canvas)
    canvas.run()
    toast = page.locator('[data-testid="toast"]').filter(has_text="Not enough credits")
    expect(toast).to_be_visible()
    expect(toast).to_contain_text("balance is $0")
    canvas.screenshot("402")
    no_secret_in_scripts_reach(page)


def test_too_many_runs_read_as_a_message(page, auth_server):
    url, _ = auth_server
    name = registered(url)
    canvas = Canvas(page, url, ARTIFACTS, prefix="auth-429")
    page.goto(url + "/")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator('[data-testid="sign-in-submit"]').click()
    canvas.wait_ready()
    canvas.add_node("input.text", 200, 200)
    for _ in range(2):
        canvas.run()
        canvas.wait_run("succeeded")
    canvas.run()
    toast = page.locator('[data-testid="toast"]').filter(has_text="Too many requests")
    expect(toast).to_be_visible()
    expect(toast).to_contain_text("try again in")
