"""The package ships whole: a wheel built from this tree, installed in a fresh virtual
environment outside it, serves the canvas (and the example graphs) by itself."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ROOT, serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def build_wheel(target: Path) -> Path:
    """``pip wheel`` of the source tree (with this environment's setuptools: no download)."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(target), str(ROOT)], check=True, cwd=target)
    (wheel,) = target.glob("fusionflow-*.whl")
    return wheel


def fresh_venv(directory: Path, wheel: Path) -> Path:
    """A new virtual environment with the wheel installed; its dependencies are found in
    this environment's site-packages (a path entry, so this tree's editable install is not)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(directory)], check=True)
    python = directory / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                    str(wheel)], check=True)
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return directory


def test_the_wheel_serves_the_canvas_and_examples_from_a_fresh_venv(web_dist, browser, tmp_path):
    wheel = build_wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    assert "orchestrator/web_dist/index.html" in names
    assert "orchestrator/model_catalog/fal_snapshot.json" in names
    assert {f"orchestrator/examples/{p.name}" for p in (ROOT / "graphs").glob("*.json")} <= set(names)

    venv = fresh_venv(tmp_path / "venv", wheel)
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import orchestrator; print(orchestrator.__file__)"],
                           cwd=tmp_path, check=True, capture_output=True, text=True).stdout
    assert where.startswith(str(venv)), f"orchestrator imported from {where}, not the fresh venv"

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    with serve(tmp_path / "home", command=[str(venv / "bin" / "fusionflow")], cwd=outside) as url:
        page = httpx.get(url + "/")
        assert page.status_code == 200 and "canvas has not been built" not in page.text
        examples = httpx.get(url + "/api/examples").json()["examples"]
        assert {e["id"] for e in examples} == {p.stem for p in (ROOT / "graphs").glob("*.json")}
        assert httpx.get(url + "/api/catalog/models", params={"q": "flux dev"}).json()["models"]

        context = browser.new_context(viewport={"width": 1280, "height": 800})
        try:
            tab = context.new_page()
            tab.goto(url + "/")
            expect(tab.locator(".ff-palette-item").first).to_be_visible(timeout=20_000)
        finally:
            context.close()
