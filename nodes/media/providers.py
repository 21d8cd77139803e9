"""Provider dispatch shared by the generator nodes (image, video, audio).

Each generator node module keeps a plain dict ``PROVIDERS: name -> function`` with
its own ``local`` (offline) implementation. Provider back ends (fal, Gemini) are
not added there: they plug in through the catalog (``nodes.catalog``), and the
node type runs them before its own function is reached.

``REQUIRED_SETTINGS`` names the setting each provider needs; ``config_check`` turns
that into the node type's ``check_config`` so that a run using a provider with no key
is refused at submission (contract section 3) with the setting's name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nodes.sdk import Context, NodeError

Provider = Callable[[Context, Any, dict[str, Any]], dict[str, Any]]

REQUIRED_SETTINGS: dict[str, tuple[str, ...]] = {
    "local": (),
    "fal": ("FAL_KEY",),
    "gemini": ("GEMINI_API_KEY", "GOOGLE_API_KEY"),
}
"""Provider -> settings of which at least one must be set (the first is the one named)."""


def config_check(providers: dict[str, Provider]) -> Callable[[Any, Callable[[str], Any]], str | None]:
    """A ``check_config`` for a node type whose params have a ``provider``."""

    def check(params: Any, setting: Callable[[str], Any]) -> str | None:
        needed = REQUIRED_SETTINGS.get(params.provider, ())
        if needed and not any(setting(name) for name in needed):
            return needed[0]
        return None

    return check


def dispatch(providers: dict[str, Provider], kind: str, ctx: Context, params: Any, inputs: dict[str, Any]) -> dict:
    """Call the implementation of ``params.provider`` for a ``kind`` node."""
    implementation = providers.get(params.provider)
    if implementation is None:
        available = ", ".join(sorted(providers))
        raise NodeError(f"{kind}: provider {params.provider!r} is not installed on this worker "
                        f"(available: {available})")
    return implementation(ctx, params, inputs)
