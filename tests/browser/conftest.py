"""Browser tests of the canvas: Debian's Chromium, driven by Playwright, against a real
``fusionflow serve`` on a free loopback port. Screenshots go to ``tests/browser/artifacts/``."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from tests import servers
from tests.browser.canvas import Canvas

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _built() -> bool:
    index = WEB / "dist" / "index.html"
    if not index.exists():
        return False
    built = index.stat().st_mtime
    sources = [p for d in ("src",) for p in (WEB / d).rglob("*") if p.is_file()]
    sources += [WEB / "index.html", WEB / "package.json", WEB / "vite.config.ts"]
    return all(p.stat().st_mtime <= built for p in sources if p.exists())


@pytest.fixture(scope="session")
def web_dist() -> Path:
    """The built canvas (built here when missing or stale, as `make web` would)."""
    if not _built():
        npm = servers.need("npm", "building the canvas in web/")
        if not (WEB / "node_modules").exists():
            subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=WEB, check=True)
        subprocess.run([npm, "run", "build"], cwd=WEB, check=True)
    return WEB / "dist"


@contextmanager
def serve(home: Path, extra_env: dict[str, str] | None = None, *, command: list[str] | None = None,
          cwd: Path = ROOT) -> Iterator[str]:
    """`fusionflow serve` (embedded) on a free loopback port with ``home``; yields its URL.
    ``command`` replaces ``python -m orchestrator.cli`` (an installed ``fusionflow``, say)."""
    port = servers.free_port()
    log = tempfile.NamedTemporaryFile("w+", prefix="ff-serve-", suffix=".log", delete=False)
    env = {**os.environ, "FUSIONFLOW_HOME": str(home), "FUSIONFLOW_RETRY_BASE_MS": "50", **(extra_env or {})}
    process = subprocess.Popen([*(command or [sys.executable, "-m", "orchestrator.cli"]), "serve", "--host",
                                "127.0.0.1", "--port", str(port)], cwd=cwd, env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"fusionflow serve exited:\n{Path(log.name).read_text()}")
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"fusionflow serve did not answer:\n{Path(log.name).read_text()}")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        os.unlink(log.name)


@pytest.fixture(scope="module")
def app_url(web_dist, tmp_path_factory) -> Iterator[str]:
    """A real `fusionflow serve` with a fresh home, for one test module."""
    with serve(tmp_path_factory.mktemp("ff-home")) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    servers.need(CHROMIUM, "the browser tests drive Debian's Chromium")
    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if servers.IN_CI:
            pytest.fail("playwright is not installed")
        pytest.skip("playwright is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def canvas(browser, app_url, request):
    """A fresh browser context (empty localStorage) on the canvas, at 1080p."""
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.set_default_timeout(20_000)
    c = Canvas(page, app_url, ARTIFACTS, prefix=request.node.name)
    c.open()
    yield c
    try:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            c.screenshot("failure")
    finally:
        context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)
