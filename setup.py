"""Build hook: the wheel ships the built canvas and the example graphs.

``build_py`` copies ``web/dist`` (building it with npm when it is missing) to
``orchestrator/web_dist`` and ``graphs/*.json`` to ``orchestrator/examples`` in the
build directory, never in the source tree; everything else is in pyproject.toml.
From a source checkout, the server reads ``web/dist`` and ``graphs/`` directly
(see ``orchestrator/resources.py``).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildWithCanvas(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install runs from the tree: web/dist and graphs/ as they are
            return
        package = Path(self.build_lib) / "orchestrator"
        self._copy_tree(_built_canvas(), package / "web_dist")
        examples = package / "examples"
        examples.mkdir(parents=True, exist_ok=True)
        for graph in sorted((ROOT / "graphs").glob("*.json")):
            shutil.copy2(graph, examples / graph.name)

    @staticmethod
    def _copy_tree(source: Path, target: Path) -> None:
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(source, target)


def _built_canvas() -> Path:
    """``web/dist``, built with npm first when it is not there."""
    dist = ROOT / "web" / "dist"
    if not (dist / "index.html").exists():
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit("the wheel ships the canvas: build it first (cd web && npm ci && npm run build), "
                             "or install Node 20 and npm")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=ROOT / "web", check=True)
        subprocess.run([npm, "run", "build"], cwd=ROOT / "web", check=True)
    return dist


setup(cmdclass={"build_py": BuildWithCanvas})
