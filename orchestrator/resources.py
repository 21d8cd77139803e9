"""Files that ship with FusionFlow: the built canvas and the example graphs.

An installed wheel carries them inside the package (``orchestrator/web_dist``,
``orchestrator/examples``, copied in by ``setup.py`` at build time); a source
checkout reads ``web/dist`` and ``graphs/`` where they are, so ``make run`` serves
what it just built.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
CHECKOUT = PACKAGE.parent if (PACKAGE.parent / "pyproject.toml").exists() else None
"""The source tree this package runs from, or None when it is installed."""


def web_dist() -> Path:
    """The built canvas: the checkout's ``web/dist`` when it was built, else the packaged copy."""
    if CHECKOUT is not None and (CHECKOUT / "web" / "dist" / "index.html").exists():
        return CHECKOUT / "web" / "dist"
    return PACKAGE / "web_dist"


def examples_dir() -> Path:
    """The example graphs: the checkout's ``graphs/``, else the packaged copy."""
    return CHECKOUT / "graphs" if CHECKOUT is not None else PACKAGE / "examples"
