"""Browser tests of the canvas: Debian's Chromium, driven by Playwright, against a real
``fusionflow serve`` on a free loopback port. Screenshots go to ``tests/browser/artifacts/``."""

from __future__ import annotations

import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

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
          cwd: Path | None = None) -> Iterator[str]:
    """`fusionflow serve` (embedded) on a free loopback port with ``home``; yields its URL.
    ``command`` and ``cwd``: another ``fusionflow`` (an installed one), run from elsewhere."""
    with servers.serve_process({"FUSIONFLOW_HOME": str(home), "FUSIONFLOW_RETRY_BASE_MS": "50",
                                **(extra_env or {})}, command=command, cwd=cwd) as url:
        yield url


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
def page(browser, request):
    """A bare page of its own browser context (the tests that sign in drive it themselves)."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


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
